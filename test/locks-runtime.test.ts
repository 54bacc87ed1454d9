/**
 * Proof at run time: every lock fixture that exports `scenario()` is run with the real
 * async-mutex and async-lock. The tasks pause between their first and second lock, which forces
 * the interleaving in which each holds its first lock before asking for the next. Web Locks
 * fixtures run against a MODEL of the spec's lock manager (Node 20 has no `navigator.locks`);
 * their titles say so.
 *
 * Time is vitest's fake clock, advanced far past every timeout the fixtures or libraries set
 * (HORIZON_MS): a task that is still pending then has hung, not just been slow. The libraries
 * schedule their timeouts with the global `setTimeout`, which the fake clock drives, so a lock
 * wrapped in `withTimeout(…, 5_000)` really rejects at 5 s of fake time (a test below checks
 * this). A marked fixture proves its markers when every task is still pending at the horizon;
 * a fixture whose lock has its own timeout, when nothing settles before that timeout fires and
 * a task then fails with the timeout's error (the deadlock broken only by failing the work).
 * A fixture without markers must fulfil every task (a rejection is a failure, not a completion).
 *
 * This is one of the few tests that executes fixture code, by design.
 */
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT, where } from './runtime-proofs/markers.js';
import { LOCK_RULES, scenarioFiles, type ScenarioFile } from './runtime-proofs/locks.js';
import { installWebLocksModel } from './runtime-proofs/web-locks-model.js';

/** Far past every timeout in the fixtures (5 s) and every pause (a few 20 ms steps). */
const HORIZON_MS = 60_000;
/** A task ended by a lock timeout must have waited at least this long: far past the pauses. */
const LONG_WAIT_MS = 1_000;

interface Outcome {
  state: 'pending' | 'fulfilled' | 'rejected';
  /** Fake time at which it settled. */
  at?: number;
  error?: string;
}

const files = scenarioFiles();
const runnable = files.filter((f) => f.hasScenario);
const outcomes = new Map<string, Outcome[]>();
let start = 0;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date'] });
  installWebLocksModel();
  const modules = await Promise.all(runnable.map((f) => import(pathToFileURL(path.join(ROOT, f.file)).href) as Promise<{ scenario: () => Promise<unknown>[] }>));
  start = Date.now();
  // Start every scenario at once (each uses its own locks), then let fake time run far ahead.
  runnable.forEach((f, i) => {
    const tasks = modules[i]!.scenario();
    const states: Outcome[] = tasks.map(() => ({ state: 'pending' }));
    tasks.forEach((task, j) =>
      task.then(
        () => (states[j] = { state: 'fulfilled', at: Date.now() - start }),
        (error: unknown) => (states[j] = { state: 'rejected', at: Date.now() - start, error: String((error as Error)?.message ?? error) }),
      ),
    );
    outcomes.set(f.file, states);
  });
  await vi.advanceTimersByTimeAsync(HORIZON_MS);
});

afterAll(() => {
  vi.useRealTimers();
});

const isTimeout = (o: Outcome) => o.state === 'rejected' && /time ?out/i.test(o.error ?? '');
const model = (f: ScenarioFile) => (f.webLocks ? ' [Web Locks: model of the spec, not a real lock manager]' : '');
const hangCases = runnable
  .filter((f) => f.markers.length > 0)
  .map((f) => [f.markers.map(where).join(', '), f.timeout ? `hangs until its lock's own timeout breaks it: nothing settles for 5 s, then a task fails with the timeout${model(f)}` : `hangs: every task still pending after ${HORIZON_MS / 1000} s${model(f)}`, f] as const);

describe('lock fixtures at run time', () => {
  it('has scenarios for both rules, marked and unmarked', () => {
    for (const rule of LOCK_RULES) {
      expect(runnable.filter((f) => f.rule === rule && f.markers.length > 0).length, rule).toBeGreaterThan(0);
      expect(runnable.filter((f) => f.rule === rule && f.markers.length === 0).length, rule).toBeGreaterThan(0);
    }
  });

  it("the fake clock drives the libraries' own timeouts: withTimeout(5 s) rejects at 5 s, not before", () => {
    const timed = runnable.filter((f) => f.timeout && f.markers.length > 0);
    expect(timed.length).toBeGreaterThan(0);
    for (const f of timed) {
      const ended = outcomes.get(f.file)!.filter(isTimeout);
      expect(ended.length, f.file).toBeGreaterThan(0);
      for (const o of ended) expect(o.at!, f.file).toBeGreaterThanOrEqual(5_000);
    }
  });

  it.each(hangCases)('%s %s', (_where, _title, f) => {
    const states = outcomes.get(f.file)!;
    expect(states.length).toBeGreaterThan(0);
    if (!f.timeout) {
      expect(states, f.file).toEqual(states.map(() => ({ state: 'pending' })));
      return;
    }
    // The lock's own timeout breaks the deadlock: one task fails with the timeout's error,
    // which frees its lock, and the other may finish then; nothing settles before that.
    expect(states.filter(isTimeout).length, `${f.file}: a task ends with the lock's timeout error`).toBeGreaterThan(0);
    for (const o of states) if (o.state !== 'pending') expect(o.at!, `${f.file}: nothing settles before the timeout`).toBeGreaterThanOrEqual(LONG_WAIT_MS);
  });

  it.each(runnable.filter((f) => f.markers.length === 0).map((f) => [f.file, model(f), f] as const))('%s completes: every task fulfilled%s', (_file, _model, f) => {
    const states = outcomes.get(f.file)!;
    expect(states.length).toBeGreaterThan(0);
    expect(states.filter((o) => o.state !== 'fulfilled')).toEqual([]);
  });
});
