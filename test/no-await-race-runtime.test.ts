/**
 * Runtime proof for no-await-race: two concurrent calls of a reported shape really lose an
 * update (or initialise twice), and the fixed shape next to it does not. This is one of the
 * few tests that executes fixture code, by design.
 */
import { describe, expect, it } from 'vitest';
import { Counter } from '../fixtures/no-await-race/read-modify-write.js';
import { Account } from '../fixtures/no-await-race/check-then-act.js';
import { Db, getPool, getPoolShared } from '../fixtures/no-await-race/lazy-init.js';
import { calls } from '../fixtures/no-await-race/helpers.js';
import { SafeCounter } from '../fixtures/no-await-race/locked.js';
import { Ledger } from '../fixtures/no-await-race/lock-helpers.js';
import { Scanner } from '../fixtures/no-await-race/single-flight.js';

const twice = <T>(f: () => Promise<T>) => Promise.all([f(), f()]);

describe('no-await-race shapes at run time', () => {
  it('read-modify-write across await loses an update; reading after the await does not', async () => {
    const racy = new Counter();
    await twice(() => racy.addCompound());
    expect(racy.total).toBe(1); // two increments of 1, one lost

    const racy2 = new Counter();
    await twice(() => racy2.addDelta());
    expect(racy2.total).toBe(1);

    const fixed = new Counter();
    await twice(() => fixed.addAfter());
    expect(fixed.total).toBe(2);
  });

  it('copy, await, write back loses an update', async () => {
    const racy = new Counter();
    await twice(() => racy.bump('k'));
    expect(racy.hits.k).toBe(1);
    const fixed = new Counter();
    await twice(() => fixed.bumpFresh('k'));
    expect(fixed.hits.k).toBe(2);
  });

  it('a stale check lets the balance go negative; the re-checked version refuses', async () => {
    const racy = new Account();
    racy.balance = 100;
    await twice(() => racy.withdraw(80));
    expect(racy.balance).toBe(-60);

    const fixed = new Account();
    fixed.balance = 100;
    const results = await Promise.allSettled([fixed.withdrawRechecked(80), fixed.withdrawRechecked(80)]);
    expect(fixed.balance).toBe(20);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  });

  it('lazy initialisation across await connects twice; caching the promise connects once', async () => {
    calls.connect = 0;
    const racy = new Db();
    await twice(() => racy.getClient());
    expect(calls.connect).toBe(2);

    calls.connect = 0;
    const fixed = new Db();
    await twice(() => fixed.getClientShared());
    expect(calls.connect).toBe(1);

    calls.connect = 0;
    await Promise.all([getPool(), getPool()]);
    expect(calls.connect).toBe(2);
    calls.connect = 0;
    await Promise.all([getPoolShared(), getPoolShared()]);
    expect(calls.connect).toBe(1);
  });

  it('the same read-modify-write under a mutex loses nothing', async () => {
    const safe = new SafeCounter();
    await twice(() => safe.addDelta());
    expect(safe.total).toBe(2);
  });

  it('a lock taken through a helper loses nothing; outside it, or per account, it loses an update', async () => {
    const viaHelper = new Ledger();
    await twice(() => viaHelper.credit());
    expect(viaHelper.balance).toBe(2);
    const viaClass = new Ledger();
    await twice(() => viaClass.creditKeyed());
    expect(viaClass.version).toBe(2);

    const unlocked = new Ledger();
    await twice(() => unlocked.creditUnlocked());
    expect(unlocked.balance).toBe(1);
    const perAccount = new Ledger();
    await Promise.all([perAccount.creditAccount('a'), perAccount.creditAccount('b')]);
    expect(perAccount.version).toBe(1);
  });

  it('a single-flight run is shared by concurrent callers: one run, one update', async () => {
    const shared = new Scanner();
    const [a, b] = [shared.load(), shared.load()];
    expect(a).toBe(b);
    expect(await a).toBe(1);
    expect(shared.loaded).toBe(1);
  });
});
