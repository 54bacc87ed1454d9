/**
 * The lock analysis beyond the fixture markers: lock-class names, the held-locks question
 * other rules ask, the options (custom lock APIs, wrappers, per-instance classes), summaries
 * computed once, the suggestions' edits (they must type-check and silence the rule), and
 * both paths of a cycle in the pretty and SARIF output.
 */
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers/fixtures.js';
import { DEFAULT_COMPILER_OPTIONS, loadProjects } from '../analyzer/project/project.js';
import { analyze } from '../analyzer/cli/analyze.js';
import { runCheck } from '../analyzer/check/run.js';
import { applyEdits } from '../analyzer/cli/fix.js';
import { formatResults } from '../analyzer/cli/format/index.js';
import { formatInputOf } from '../analyzer/cli/format/index.js';
import orderCheck from '../analyzer/locks/no-lock-order-inversion.js';
import releaseCheck from '../analyzer/locks/require-lock-release.js';
import { locksHeldAt } from '../analyzer/locks/held.js';
import { getLockContext } from '../analyzer/locks/context.js';
import { lockGraph } from '../analyzer/locks/graph.js';
import { acquisitionsKind } from '../analyzer/locks/summary.js';
import { summaryStats } from '../analyzer/summaries/engine.js';
import type { AnyCheck } from '../analyzer/check/contract.js';
import type { Finding } from '../analyzer/check/finding.js';

const REPO = path.resolve(import.meta.dirname, '..');
/** Virtual files live here (never written): module resolution still finds the repo's node_modules. */
const VROOT = path.join(REPO, 'test', '__virtual_locks__');

function programOf(files: Record<string, string>): { program: ts.Program; sf: (name: string) => ts.SourceFile } {
  const virtual = new Map(Object.entries({ 'package.json': '{ "type": "module" }', ...files }).map(([n, t]) => [path.join(VROOT, n), t]));
  // No global @types: the lock packages' types come in through their imports.
  const options = { ...DEFAULT_COMPILER_OPTIONS, types: [] };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = virtual.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang, true) : getSourceFile.call(host, f, lang, ...rest);
  };
  const roots = [...virtual.keys()].filter((f) => /\.[cm]?[jt]s$/.test(f));
  const program = ts.createProgram(roots, options, host);
  return { program, sf: (name) => program.getSourceFile(path.join(VROOT, name))! };
}

function run(check: AnyCheck, files: Record<string, string>, options: Record<string, unknown> = {}): Finding[] {
  const { program } = programOf(files);
  return program
    .getSourceFiles()
    .filter((sf) => sf.fileName.startsWith(VROOT))
    .flatMap((sf) => runCheck(check, { severity: 'error', options }, program, sf));
}

function typeErrors(files: Record<string, string>): string[] {
  const { program } = programOf(files);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

const where = (f: Finding) => `${path.basename(f.file)}:${f.line} ${f.messageId}`;

const LEDGER = `
import { Mutex } from 'async-mutex';
import AsyncLock from 'async-lock';
export class Ledger {
  private readonly mutex = new Mutex();
  private readonly journal = new Mutex();
  async a() { await this.mutex.runExclusive(() => this.journal.runExclusive(() => 1)); }
  async b() { await this.journal.runExclusive(() => this.mutex.runExclusive(() => 2)); }
}
export const cacheLock = new Mutex();
const keys = new AsyncLock();
export async function c() {
  await cacheLock.runExclusive(async () => {
    await keys.acquire('orders', () => 3);
    await navigator.locks.request('sync', () => 4);
  });
}
`;

describe('lock classes', () => {
  it('names locks by class, not instance, as lockdep does', () => {
    const { program } = programOf({ 'ledger.ts': LEDGER });
    const ctx = getLockContext(program, {});
    lockGraph(ctx);
    const names = [...ctx.classes.values()].map((c) => c.name).sort();
    expect(names).toEqual([
      'async-lock key `\'orders\'`',
      'field `journal` of class `Ledger`',
      'field `mutex` of class `Ledger`',
      'module variable `cacheLock` in test/__virtual_locks__/ledger.ts',
      "web lock `'sync'`",
    ]);
  });

  it('names injected locks by the field or interface property that holds them', () => {
    const { program } = programOf({
      'injected.ts': `
import { Mutex } from 'async-mutex';
import AsyncLock from 'async-lock';
export interface Deps { lock: Mutex }
export class Repo {
  constructor(private readonly writeLock: Mutex, private readonly deps: Deps) {}
  async save() { await this.writeLock.runExclusive(() => this.deps.lock.runExclusive(() => 1)); }
}
const reentrant = new AsyncLock({ domainReentrant: true });
export async function again() { await reentrant.acquire('k', () => reentrant.acquire('k', () => 1)); }
`,
    });
    const ctx = getLockContext(program, {});
    lockGraph(ctx);
    const names = [...ctx.classes.values()].map((c) => `${c.name}${c.reentrant ? ' (reentrant)' : ''}`).sort();
    expect(names).toEqual(["async-lock key `'k'` (reentrant)", 'field `writeLock` of class `Repo`', 'property `lock` of interface `Deps`']);
    expect(run(orderCheck, { 'injected.ts': program.getSourceFiles().find((f) => f.fileName.endsWith('injected.ts'))!.text })).toEqual([]);
  });

  it('finds the cycle between two fields of one class once, in the file of the inner acquisition', () => {
    const findings = run(orderCheck, { 'ledger.ts': LEDGER });
    expect(findings.map(where)).toEqual(['ledger.ts:7 inversion']);
    expect(findings[0]!.message).toContain('`Ledger.mutex` -> `Ledger.journal` -> `Ledger.mutex`');
    expect(findings[0]!.trace.map((s) => s.line)).toEqual([7, 7, 8, 8]);
  });
});

describe('locksHeldAt (for other rules)', () => {
  const source = `
import { Mutex } from 'async-mutex';
export class Stock {
  private readonly lock = new Mutex();
  private count = 0;
  async inCallback() { await this.lock.runExclusive(async () => { this.count = 1; }); }
  async inTry() {
    const release = await this.lock.acquire();
    try { this.count = 2; } finally { release(); }
    this.count = 3;
  }
  async deferred() { await this.lock.runExclusive(() => { setTimeout(() => { this.count = 4; }, 0); }); }
}
`;
  const { program, sf } = programOf({ 'stock.ts': source });
  const at = (value: string) => {
    let found: ts.Node | undefined;
    const visit = (n: ts.Node): void => {
      if (!found && ts.isBinaryExpression(n) && n.right.getText() === value) found = n;
      ts.forEachChild(n, visit);
    };
    visit(sf('stock.ts'));
    return locksHeldAt(program, found!).map((h) => h.lock.short);
  };

  it('sees the lock in a runExclusive callback and in the try of acquire/finally', () => {
    expect(at('1')).toEqual(['Stock.lock']);
    expect(at('2')).toEqual(['Stock.lock']);
  });

  it('sees no lock after the release, nor in a callback deferred with setTimeout', () => {
    expect(at('3')).toEqual([]);
    expect(at('4')).toEqual([]);
  });
});

describe('options', () => {
  const custom = `
export async function lockRow(table: string): Promise<() => void> { void table; return () => undefined; }
export async function withLock<T>(name: string, work: () => Promise<T>): Promise<T> { void name; return work(); }
export async function one() {
  const release = await lockRow('users');
  try { await withLock('audit', async () => 1); } finally { release(); }
}
export async function two() {
  await withLock('audit', async () => {
    const release = await lockRow('users');
    release();
  });
}
export async function leaky(fail: boolean) {
  const release = await lockRow('users');
  if (fail) throw new Error('x');
  release();
}
`;
  const customLocks = [
    { acquire: 'lockRow', nameArgument: 0 },
    { acquire: 'withLock', style: 'callback', nameArgument: 0 },
  ];

  it('recognises user-declared lock APIs (customLocks) for both rules', () => {
    expect(run(orderCheck, { 'custom.ts': custom }, { customLocks, inferWrappers: false }).map(where)).toEqual(['custom.ts:6 inversion']);
    expect(run(releaseCheck, { 'custom.ts': custom }, { customLocks, inferWrappers: false }).map(where)).toEqual(['custom.ts:15 earlyExit']);
  });

  it('without customLocks or wrapper inference, the helpers are not locks', () => {
    expect(run(orderCheck, { 'custom.ts': custom }, { inferWrappers: false })).toEqual([]);
    expect(run(releaseCheck, { 'custom.ts': custom }, { inferWrappers: false })).toEqual([]);
  });

  const accounts = `
import { Mutex } from 'async-mutex';
export class Account { readonly mutex = new Mutex(); balance = 0; }
export async function transfer(from: Account, to: Account) {
  await from.mutex.runExclusive(() => to.mutex.runExclusive(() => { from.balance -= 1; to.balance += 1; }));
}
export async function twice(a: Account) {
  await a.mutex.runExclusive(() => a.mutex.runExclusive(() => 0));
}
`;

  it('reports nesting two instances of one class, unless the class is listed in perInstanceLocks', () => {
    expect(run(orderCheck, { 'accounts.ts': accounts }).map(where)).toEqual(['accounts.ts:5 sameClass', 'accounts.ts:8 selfDeadlock']);
    expect(run(orderCheck, { 'accounts.ts': accounts }, { perInstanceLocks: ['Account.mutex'] }).map(where)).toEqual(['accounts.ts:8 selfDeadlock']);
  });

  const keyed = `
import AsyncLock from 'async-lock';
const lock = new AsyncLock();
export async function transfer(from: string, to: string) {
  await lock.acquire(\`account:\${from}\`, () => lock.acquire(\`account:\${to}\`, () => 0));
}
export async function twice(id: string) {
  await lock.acquire(\`account:\${id}\`, () => lock.acquire(\`account:\${id}\`, () => 0));
}
export async function copy(from: string, to: string) {
  await lock.acquire(from, () => lock.acquire(to, () => 0));
}
`;

  it('names async-lock template keys by family: nesting two keys of one family is reported, two unknown keys are not', () => {
    expect(run(orderCheck, { 'keyed.ts': keyed }).map(where)).toEqual(['keyed.ts:5 sameKeyFamily', 'keyed.ts:8 selfDeadlock']);
    expect(run(orderCheck, { 'keyed.ts': keyed }, { perInstanceLocks: ['account:*'] }).map(where)).toEqual(['keyed.ts:8 selfDeadlock']);
    const [finding] = run(orderCheck, { 'keyed.ts': keyed });
    expect(finding!.message).toContain("`'account:*'`");
  });
});

describe('summaries', () => {
  it('computes each function once per program, however many files ask', () => {
    const { projects } = loadProjects({ paths: [path.join(FIXTURES, 'no-lock-order-inversion')], cwd: REPO });
    const { program, files } = projects[0]!;
    const once = files.flatMap((sf) => runCheck(orderCheck, { severity: 'error', options: {} }, program, sf)).length;
    const stats = summaryStats(program, acquisitionsKind(getLockContext(program, {})));
    const calls = stats.computeCalls;
    const again = files.flatMap((sf) => runCheck(orderCheck, { severity: 'error', options: {} }, program, sf)).length;
    expect(again).toBe(once);
    expect(stats.computeCalls).toBe(calls);
    expect(calls).toBeLessThanOrEqual(stats.components + stats.recursiveComponents * 100);
  });
});

describe('require-lock-release suggestions', () => {
  const service = `
import { Mutex } from 'async-mutex';
async function save(): Promise<void> {}
export class Queue {
  private readonly lock = new Mutex();
  private readonly items: string[] = [];
  async push(item: string): Promise<void> {
    const release = await this.lock.acquire();
    this.items.push(item);
    await save();
    release();
  }
  async drain(): Promise<number> {
    const release = await this.lock.acquire();
    const count = this.items.length;
    await save();
    release();
    return count;
  }
}
`;

  const findings = run(releaseCheck, { 'queue.ts': service });

  it('offers try/finally and runExclusive, and each edit type-checks and silences the rule', () => {
    expect(findings.map(where)).toEqual(['queue.ts:8 mayThrow', 'queue.ts:14 mayThrow']);
    const push = findings[0]!;
    expect(push.suggestions.map((s) => s.messageId)).toEqual(['wrapTryFinally', 'useRunExclusive']);
    for (const suggestion of push.suggestions) {
      const fixed = applyEdits(service, suggestion.edits);
      expect(typeErrors({ 'queue.ts': fixed })).toEqual([]);
      expect(run(releaseCheck, { 'queue.ts': fixed }).map(where)).toEqual(['queue.ts:' + (findings[1]!.line + fixed.split('\n').length - service.split('\n').length) + ' mayThrow']);
    }
    expect(applyEdits(service, push.suggestions[0]!.edits)).toContain(
      '    const release = await this.lock.acquire();\n    try {\n      this.items.push(item);\n      await save();\n    } finally {\n      release();\n    }\n',
    );
    expect(applyEdits(service, push.suggestions[1]!.edits)).toContain(
      '    await this.lock.runExclusive(async () => {\n      this.items.push(item);\n      await save();\n    });\n',
    );
  });

  it('extends the try to the end of the block when a name declared under the lock is used after the release', () => {
    const drain = findings[1]!;
    expect(drain.suggestions.map((s) => s.messageId)).toEqual(['wrapTryFinally']);
    const fixed = applyEdits(service, drain.suggestions[0]!.edits);
    expect(fixed).toContain('    try {\n      const count = this.items.length;\n      await save();\n      return count;\n    } finally {\n      release();\n    }\n');
    expect(typeErrors({ 'queue.ts': fixed })).toEqual([]);
  });
});

describe('the sample app in pretty and SARIF output', () => {
  const SAMPLE = path.join(FIXTURES, 'sample-app');
  const rules = new Map(['no-lock-order-inversion', 'require-lock-release'].map((id) => [id, { severity: 'error' as const, options: {} }]));
  const result = analyze({ paths: [SAMPLE], cwd: SAMPLE, rules });
  const input = formatInputOf(result, SAMPLE);

  it('finds the lock bugs with both paths of each cycle in the trace', () => {
    const lines = result.findings.map((f) => `${path.relative(SAMPLE, f.file).replace(/\\/g, '/')}:${f.line} ${f.ruleId}`);
    expect(lines).toEqual([
      'src/jobs/inventory.ts:63 no-lock-order-inversion',
      'src/jobs/worker.ts:45 require-lock-release',
      'src/jobs/worker.ts:90 no-lock-order-inversion',
      'src/services/billing.service.ts:99 require-lock-release',
    ]);
    const worker = result.findings[2]!;
    expect(worker.trace.map((s) => s.line)).toEqual([87, 90, 103, 106]);
    expect(worker.trace.map((s) => s.message)).toEqual([
      '`JobWorker.inventoryLock` is acquired in `JobWorker.reserveStock` and held from here',
      'acquires `JobWorker.ledgerLock` while holding `JobWorker.inventoryLock`',
      '`JobWorker.ledgerLock` is acquired in `JobWorker.settleLedger` and held from here',
      'acquires `JobWorker.inventoryLock` while holding `JobWorker.ledgerLock`',
    ]);
  });

  it('shows both paths in pretty output and as SARIF codeFlows', () => {
    const pretty = formatResults('pretty', input);
    expect(pretty).toContain('`JobWorker.ledgerLock` is acquired in `JobWorker.settleLedger`');
    expect(pretty).toContain('`InventoryStore.holdsLock` is acquired in `InventoryStore.reserve`');
    const sarif = JSON.parse(formatResults('sarif', input)) as {
      runs: { results: { ruleId: string; codeFlows?: { threadFlows: { locations: { location: { physicalLocation: { region: { startLine: number } } } }[] }[] }[] }[] }[];
    };
    const cycles = sarif.runs[0]!.results.filter((r) => r.ruleId === 'no-lock-order-inversion');
    expect(cycles).toHaveLength(2);
    for (const r of cycles) {
      const steps = r.codeFlows![0]!.threadFlows[0]!.locations.map((l) => l.location.physicalLocation.region.startLine);
      expect(steps.length).toBeGreaterThanOrEqual(4);
    }
    const inventory = cycles.find((r) => r.codeFlows![0]!.threadFlows[0]!.locations.some((l) => l.location.physicalLocation.region.startLine === 46))!;
    expect(inventory.codeFlows![0]!.threadFlows[0]!.locations.map((l) => l.location.physicalLocation.region.startLine)).toEqual([62, 63, 46, 48, 63]);
  });
});
