/**
 * Runtime proofs for no-await-race, one per marked line: two concurrent calls of the reported
 * code really lose an update, act twice on one check, or initialise twice; where the fixture has
 * a fixed neighbour, the same two calls of it do not. The fixtures' helpers (`helpers.ts`) settle
 * through a timer, like real I/O, so the interleaving is the one a server sees.
 *
 * Each proof names its marker by file and anchor (see markers.ts); test/no-await-race-runtime
 * runs them and test/runtime-proofs.test.ts checks every marker has one or a listed reason.
 */
import { expect } from 'vitest';
import { calls } from '../../fixtures/no-await-race/helpers.js';
import { Counter } from '../../fixtures/no-await-race/read-modify-write.js';
import { Pool, register, registerAfter } from '../../fixtures/no-await-race/more-shapes.js';
import { registry } from '../../fixtures/no-await-race/shared-state.js';
import { Account, Server } from '../../fixtures/no-await-race/check-then-act.js';
import { Db, getPool, getPoolShared } from '../../fixtures/no-await-race/lazy-init.js';
import { Ledger } from '../../fixtures/no-await-race/lock-helpers.js';
import { SafeCounter } from '../../fixtures/no-await-race/locked.js';
import { ClientCache, Scanner } from '../../fixtures/no-await-race/single-flight.js';
import { sumAll } from '../../fixtures/no-await-race/closures.js';
import { Flags, Jobs } from '../../fixtures/no-await-race/claimed-keys.js';
import { announceHelpers, compress, ensureHelpers, getCodec, getDriver, notices } from '../../fixtures/no-await-race/module-loads.js';

export interface RaceProof {
  /** The fixture, relative to `fixtures/no-await-race/`. */
  file: string;
  /** Text of the marked line (unique among the file's marked lines, or the first below `after`). */
  anchor: string;
  after?: string;
  /** What running it shows, for the test title. */
  shows: string;
  run(): Promise<void>;
}

/** Two concurrent calls, as two requests reaching the same object. */
const twice = <T>(f: () => Promise<T>): Promise<T[]> => Promise.all([f(), f()]);
/** Private state the proofs look at (fixtures keep their fields private, as real code does). */
const peek = <T>(o: object): T => o as T;
/** Counts the helper calls `f` makes. */
async function counting(which: keyof typeof calls, f: () => Promise<unknown>): Promise<number> {
  const before = calls[which];
  await f();
  return calls[which] - before;
}

const RMW = 'read-modify-write.ts';
const MORE = 'more-shapes.ts';
const CTA = 'check-then-act.ts';
const LAZY = 'lazy-init.ts';
const HELPERS = 'lock-helpers.ts';
const CLAIMED = 'claimed-keys.ts';

export const RACE_PROOFS: RaceProof[] = [
  // --- read-modify-write.ts ---
  { file: RMW, anchor: 'this.total = this.total + (await fetchDelta())', shows: 'two addDelta() calls add 1, not 2; addAfter() adds 2', run: async () => {
    const racy = new Counter();
    await twice(() => racy.addDelta());
    expect(racy.total).toBe(1);
    const fixed = new Counter();
    await twice(() => fixed.addAfter());
    expect(fixed.total).toBe(2);
  } },
  { file: RMW, anchor: 'this.total += await fetchDelta()', shows: 'two addCompound() calls add 1, not 2', run: async () => {
    const racy = new Counter();
    await twice(() => racy.addCompound());
    expect(racy.total).toBe(1);
  } },
  { file: RMW, anchor: 'this.balance = await applyFee(this.balance)', shows: 'two charge() calls take one fee of 2, not two', run: async () => {
    const racy = new Counter();
    await twice(() => racy.charge());
    expect(racy.balance).toBe(98);
  } },
  { file: RMW, anchor: 'this.hits[key] = n + 1', shows: "two bump('k') calls count 1; bumpFresh counts 2", run: async () => {
    const racy = new Counter();
    await twice(() => racy.bump('k'));
    expect(racy.hits.k).toBe(1);
    const fixed = new Counter();
    await twice(() => fixed.bumpFresh('k'));
    expect(fixed.hits.k).toBe(2);
  } },
  { file: RMW, anchor: 'this.state = { ...snapshot', shows: 'addItem(a) and addItem(b) keep one item', run: async () => {
    const racy = new Counter();
    await Promise.all([racy.addItem('a'), racy.addItem('b')]);
    expect(peek<{ state: { items: string[] } }>(racy).state.items).toHaveLength(1);
  } },
  { file: RMW, anchor: 'this.balance = before - cost', shows: 'two pay() calls charge once; payRefreshed() charges twice', run: async () => {
    const racy = new Counter();
    await twice(() => racy.pay());
    expect(racy.balance).toBe(98);
    const fixed = new Counter();
    await twice(() => fixed.payRefreshed());
    expect(fixed.balance).toBe(96);
  } },
  { file: RMW, anchor: 'this.balance = left', shows: 'two drain() calls take 1, not 2', run: async () => {
    const racy = new Counter();
    await twice(() => racy.drain());
    expect(racy.balance).toBe(99);
  } },
  // --- more-shapes.ts ---
  { file: MORE, anchor: 'this.created = this.created + (await fetchDelta())', shows: 'two Pool.create() calls count 1', run: async () => {
    const before = Pool.created;
    await twice(() => Pool.create());
    expect(Pool.created - before).toBe(1);
  } },
  { file: MORE, anchor: 'this.perKey[key] += await fetchDelta()', shows: "two hit('k') calls count 1", run: async () => {
    const racy = new Pool();
    peek<{ perKey: Record<string, number> }>(racy).perKey.k = 0;
    await twice(() => racy.hit('k'));
    expect(peek<{ perKey: Record<string, number> }>(racy).perKey.k).toBe(1);
  } },
  { file: MORE, anchor: 'this.active++', shows: 'two acquire() calls at 3 of 4 both get in: 5 active; acquireWaiting() would stop at 4', run: async () => {
    const racy = new Pool();
    racy.active = 3;
    await twice(() => racy.acquire());
    expect(racy.active).toBe(5);
  } },
  { file: MORE, anchor: 'this.active -= await fetchDelta()', shows: 'two onMessage() calls release 1, not 2', run: async () => {
    const racy = new Pool();
    racy.active = 4;
    await twice(() => racy.onMessage());
    expect(racy.active).toBe(3);
  } },
  { file: MORE, anchor: 'this.stats!.hits', shows: 'two recordHit() calls count 1', run: async () => {
    const racy = new Pool();
    await racy.refresh();
    await twice(() => racy.recordHit());
    expect(peek<{ stats: { hits: number } }>(racy).stats.hits).toBe(2);
  } },
  { file: MORE, anchor: 'this.perKey[k] = (this.perKey[k] ?? 0)', shows: "addAll(['a', 'a']) counts 1", run: async () => {
    const racy = new Pool();
    await racy.addAll(['a', 'a']);
    expect(peek<{ perKey: Record<string, number> }>(racy).perKey.a).toBe(1);
  } },
  { file: MORE, anchor: 'registry.count = registry.count', shows: 'two register() calls count 1; registerAfter() counts 2', run: async () => {
    let before = registry.count;
    await twice(() => register());
    expect(registry.count - before).toBe(1);
    before = registry.count;
    await twice(() => registerAfter());
    expect(registry.count - before).toBe(2);
  } },
  // --- check-then-act.ts ---
  { file: CTA, anchor: 'this.balance -= amount', shows: 'two withdraw(80) from 100 leave -60; withdrawRechecked refuses one', run: async () => {
    const racy = new Account();
    racy.balance = 100;
    await twice(() => racy.withdraw(80));
    expect(racy.balance).toBe(-60);
    const fixed = new Account();
    fixed.balance = 100;
    const results = await Promise.allSettled([fixed.withdrawRechecked(80), fixed.withdrawRechecked(80)]);
    expect(fixed.balance).toBe(20);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  } },
  { file: CTA, anchor: 'this.closed = true', shows: 'two close() calls both run the closing work', run: async () => {
    const racy = new Account();
    expect(await counting('audit', () => twice(() => racy.close()))).toBe(2);
    expect(await counting('audit', () => racy.close())).toBe(0);
  } },
  { file: CTA, anchor: 'this.items.push(checked)', shows: 'two add() calls at 9 of 10 items leave 11', run: async () => {
    const racy = new Account();
    racy.items = Array.from({ length: 9 }, (_, i) => `i${i}`);
    await Promise.all([racy.add('a'), racy.add('b')]);
    expect(racy.items).toHaveLength(11);
  } },
  { file: CTA, anchor: 'this.cache.set(key, value)', shows: "two get('k') calls both load", run: async () => {
    const racy = new Account();
    expect(await counting('load', () => twice(() => racy.get('k')))).toBe(2);
    expect(await counting('load', () => racy.get('k'))).toBe(0);
  } },
  { file: CTA, anchor: 'this.dirty = false', shows: 'a change made while flush() saves is marked clean, never saved', run: async () => {
    const racy = new Account();
    const state = peek<{ dirty: boolean }>(racy);
    state.dirty = true;
    const flushing = racy.flush();
    state.dirty = true; // a write that arrives during the save
    await flushing;
    expect(state.dirty).toBe(false);
  } },
  { file: CTA, anchor: "this.phase = 'starting'", shows: 'two start() calls both initialise and listen', run: async () => {
    const racy = new Server();
    expect(await counting('audit', () => twice(() => racy.start()))).toBe(4);
    expect(racy.phase).toBe('started');
  } },
  // --- lazy-init.ts ---
  { file: LAZY, anchor: 'this.client = await connect()', shows: 'two getClient() calls connect twice; getClientShared() once', run: async () => {
    const racy = new Db();
    expect(await counting('connect', () => twice(() => racy.getClient()))).toBe(2);
    const fixed = new Db();
    expect(await counting('connect', () => twice(() => fixed.getClientShared()))).toBe(1);
  } },
  { file: LAZY, anchor: 'Db.shared = await connect()', shows: 'two first Db.instance() calls connect twice', run: async () => {
    expect(await counting('connect', () => twice(() => Db.instance()))).toBe(2);
    expect(await counting('connect', () => Db.instance())).toBe(0);
  } },
  { file: LAZY, anchor: 'this.client = c;', after: 'async viaUndefinedCheck()', shows: 'two viaUndefinedCheck() calls connect twice', run: async () => {
    const racy = new Db();
    expect(await counting('connect', () => twice(() => racy.viaUndefinedCheck()))).toBe(2);
  } },
  { file: LAZY, anchor: 'this.version ??= (await connect())', shows: 'two getVersion() calls connect twice', run: async () => {
    const racy = new Db();
    expect(await counting('connect', () => twice(() => racy.getVersion()))).toBe(2);
  } },
  { file: LAZY, anchor: 'this.client = c;', after: 'async connection()', shows: 'two connection() calls connect twice', run: async () => {
    const racy = new Db();
    expect(await counting('connect', () => twice(() => racy.connection()))).toBe(2);
  } },
  { file: LAZY, anchor: 'pool = await connect()', shows: 'two first getPool() calls connect twice; getPoolShared() once', run: async () => {
    expect(await counting('connect', () => twice(() => getPool()))).toBe(2);
    expect(await counting('connect', () => twice(() => getPoolShared()))).toBe(1);
  } },
  // --- lock-helpers.ts ---
  { file: HELPERS, anchor: 'this.balance = before + interest', shows: 'payInterest() (locked) and payInterestNow() (not) pay once; credit() under the lock twice adds 2', run: async () => {
    const racy = new Ledger();
    await Promise.all([racy.payInterest(), racy.payInterestNow()]);
    expect(racy.balance).toBe(1);
    const fixed = new Ledger();
    await twice(() => fixed.credit());
    expect(fixed.balance).toBe(2);
  } },
  { file: HELPERS, anchor: 'this.balance = this.balance + (await fetchDelta())', after: 'async creditUnlocked()', shows: 'two creditUnlocked() calls add 1', run: async () => {
    const racy = new Ledger();
    await twice(() => racy.creditUnlocked());
    expect(racy.balance).toBe(1);
  } },
  { file: HELPERS, anchor: 'this.version = this.version + (await fetchDelta())', shows: "creditAccount('a') and ('b') add 1 to the shared version; creditKeyed() twice adds 2", run: async () => {
    const racy = new Ledger();
    await Promise.all([racy.creditAccount('a'), racy.creditAccount('b')]);
    expect(racy.version).toBe(1);
    const fixed = new Ledger();
    await twice(() => fixed.creditKeyed());
    expect(fixed.version).toBe(2);
  } },
  { file: HELPERS, anchor: 'this.balance = this.balance + (await fetchDelta())', after: 'async creditAfterUnlock()', shows: 'two creditAfterUnlock() calls add 1', run: async () => {
    const racy = new Ledger();
    await twice(() => racy.creditAfterUnlock());
    expect(racy.balance).toBe(1);
  } },
  { file: HELPERS, anchor: 'this.version = before + 1', shows: 'two creditAround() calls add 1', run: async () => {
    const racy = new Ledger();
    await twice(() => racy.creditAround());
    expect(racy.version).toBe(1);
  } },
  // --- closures.ts ---
  { file: 'closures.ts', anchor: 'total += (await load(id)).length', shows: "sumAll(['ab', 'cde']) returns 3 (the last write wins), not 5", run: async () => {
    expect(await sumAll(['ab', 'cde'])).toBe(3);
  } },
  // --- locked.ts, single-flight.ts ---
  { file: 'locked.ts', anchor: 'this.total = n + 1', shows: 'two addOutside() calls add 1; addDelta() under the mutex adds 2', run: async () => {
    const racy = new SafeCounter();
    await twice(() => racy.addOutside());
    expect(racy.total).toBe(1);
    const fixed = new SafeCounter();
    await twice(() => fixed.addDelta());
    expect(fixed.total).toBe(2);
  } },
  { file: 'single-flight.ts', anchor: 'this.value = await fetchDelta()', shows: 'two getValue() calls fetch twice; load() shares one run', run: async () => {
    const racy = new Scanner();
    expect(await counting('fetchDelta', () => twice(() => racy.getValue()))).toBe(2);
    const shared = new Scanner();
    expect(await counting('fetchDelta', () => twice(() => shared.load()))).toBe(1);
    expect(shared.loaded).toBe(1);
  } },
  { file: 'single-flight.ts', anchor: 'this.lateConnecting = pending;', shows: 'two getLate() calls connect twice; two get() calls (claim before any await) connect once', run: async () => {
    const racy = new ClientCache();
    expect(await counting('connect', () => twice(() => racy.getLate()))).toBe(2);
    const fixed = new ClientCache();
    expect(await counting('connect', () => twice(() => fixed.get()))).toBe(1);
    expect(await counting('connect', () => fixed.get())).toBe(0);
  } },
  { file: 'single-flight.ts', anchor: 'this.lateClient = client;', shows: 'two getLate() calls each store their own client: the first one is overwritten (and leaked)', run: async () => {
    const racy = new ClientCache();
    const [a, b] = await twice(() => racy.getLate());
    expect(a).not.toBe(b);
    expect(await racy.getLate()).toBe(b);
  } },
  // --- module-loads.ts ---
  { file: 'module-loads.ts', anchor: 'driver = await connect();', shows: 'two first getDriver() calls connect twice; two first compress() calls load one module', run: async () => {
    expect(await counting('connect', () => twice(() => getDriver()))).toBe(2);
    const [a, b] = await twice(() => compress('x'));
    expect(Buffer.compare(a as Buffer, b as Buffer)).toBe(0);
  } },
  { file: 'module-loads.ts', anchor: 'codec = { encode', shows: 'two first getCodec() calls each build a codec and the second one replaces the first', run: async () => {
    const [a, b] = await twice(() => getCodec());
    expect(a).not.toBe(b);
    expect(await getCodec()).toBe(b);
  } },
  { file: 'module-loads.ts', anchor: 'announced = true;', shows: 'two first announceHelpers() calls announce twice; ensureHelpers() twice leaves nothing to repeat', run: async () => {
    await twice(() => announceHelpers());
    expect(notices).toEqual(['helpers ready', 'helpers ready']);
    await twice(() => ensureHelpers());
  } },
  // --- claimed-keys.ts ---
  { file: CLAIMED, anchor: 'this.busy.add(key);', shows: "two runLate('k') calls both load k; two run('k') calls (claim first) load it once", run: async () => {
    const racy = new Jobs();
    expect(await counting('load', () => twice(() => racy.runLate('k')))).toBe(2);
    const fixed = new Jobs();
    expect(await counting('load', () => twice(() => fixed.run('k')))).toBe(1);
  } },
  { file: CLAIMED, anchor: 'this.done.add(key);', shows: "two finish('k') calls both do the work a third call skips", run: async () => {
    const racy = new Jobs();
    expect(await counting('load', () => twice(() => racy.finish('k')))).toBe(2);
    expect(await counting('load', () => racy.finish('k'))).toBe(0);
  } },
  { file: CLAIMED, anchor: 'this.sent.set(key, true);', shows: "two send('k') calls both send; a third is skipped", run: async () => {
    const racy = new Flags();
    expect(await counting('load', () => twice(() => racy.send('k')))).toBe(2);
    expect(await counting('load', () => racy.send('k'))).toBe(0);
  } },
];
