/**
 * Proof at run time: every lock fixture that exports `scenario()` is run with the real
 * async-mutex and async-lock (and a small in-process Web Locks implementation, since Node 20
 * has no `navigator.locks`). The tasks pause between their first and second lock, which
 * forces the interleaving in which each holds its first lock before asking for the next.
 *
 * A file with an `// expect:` marker of a lock rule must really hang: after a short wait,
 * every task it returns is still pending. A file without markers must complete. Every
 * marked file of no-lock-order-inversion has a scenario, so no reported deadlock is
 * unproven. This is the one test that executes fixture code, by design.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers/fixtures.js';

const RULES = ['no-lock-order-inversion', 'require-lock-release'];
const MARKER = new RegExp(`//\\s*expect:.*\\b(${RULES.join('|')})\\b`);
const SCENARIO = /export\s+(async\s+)?function\s+scenario\b|export\s+const\s+scenario\b/;
/** Long enough for every completing scenario (a few 20 ms pauses), short enough to keep the suite fast. */
const WAIT_MS = 300;

type Outcome = 'pending' | 'fulfilled' | 'rejected';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|js|mts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

interface Case {
  rule: string;
  file: string;
  name: string;
  marked: boolean;
  hasScenario: boolean;
}

const cases: Case[] = RULES.flatMap((rule) =>
  sourceFiles(path.join(FIXTURES, rule)).map((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return { rule, file, name: path.relative(FIXTURES, file).replace(/\\/g, '/'), marked: MARKER.test(text), hasScenario: SCENARIO.test(text) };
  }),
);
const runnable = cases.filter((c) => c.hasScenario);

/** A minimal Web Locks `LockManager`: exclusive and shared modes, FIFO, `ifAvailable`. */
class TestLockManager {
  private readonly states = new Map<string, { exclusive: boolean; shared: number; queue: { mode: string; grant: () => void }[] }>();

  request(name: string, ...rest: unknown[]): Promise<unknown> {
    const callback = rest[rest.length - 1] as (lock: unknown) => unknown;
    const options = (rest.length > 1 ? rest[0] : {}) as { mode?: string; ifAvailable?: boolean };
    const mode = options.mode ?? 'exclusive';
    const state = this.states.get(name) ?? { exclusive: false, shared: 0, queue: [] };
    this.states.set(name, state);
    const free = () => !state.exclusive && (mode === 'shared' ? true : state.shared === 0);
    if (options.ifAvailable && !(free() && state.queue.length === 0)) return Promise.resolve().then(() => callback(null));
    return new Promise((resolve, reject) => {
      const grant = () => {
        if (mode === 'shared') state.shared++;
        else state.exclusive = true;
        Promise.resolve()
          .then(() => callback({ name, mode }))
          .then(resolve, reject)
          .finally(() => {
            if (mode === 'shared') state.shared--;
            else state.exclusive = false;
            this.drain(state);
          });
      };
      if (free() && state.queue.length === 0) grant();
      else state.queue.push({ mode, grant });
    });
  }

  private drain(state: { exclusive: boolean; shared: number; queue: { mode: string; grant: () => void }[] }): void {
    while (state.queue.length > 0) {
      const next = state.queue[0]!;
      const ok = !state.exclusive && (next.mode === 'shared' || state.shared === 0);
      if (!ok) return;
      state.queue.shift();
      next.grant();
    }
  }
}

const outcomes = new Map<string, Outcome[]>();

beforeAll(async () => {
  const nav = (globalThis as { navigator?: { locks?: unknown } }).navigator;
  if (!nav) Object.defineProperty(globalThis, 'navigator', { value: { locks: new TestLockManager() }, configurable: true });
  else if (!nav.locks) Object.defineProperty(nav, 'locks', { value: new TestLockManager(), configurable: true });
  // Start every scenario at once (each uses its own locks), then look once.
  const modules = await Promise.all(runnable.map((c) => import(pathToFileURL(c.file).href) as Promise<{ scenario: () => Promise<unknown>[] }>));
  runnable.forEach((c, i) => {
    const tasks = modules[i]!.scenario();
    const states: Outcome[] = tasks.map(() => 'pending');
    tasks.forEach((task, j) =>
      task.then(
        () => (states[j] = 'fulfilled'),
        () => (states[j] = 'rejected'),
      ),
    );
    outcomes.set(c.name, states);
  });
  await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
});

describe('lock fixtures at run time', () => {
  it('has scenarios for both rules, marked and unmarked', () => {
    for (const rule of RULES) {
      expect(runnable.filter((c) => c.rule === rule && c.marked).length, rule).toBeGreaterThan(0);
      expect(runnable.filter((c) => c.rule === rule && !c.marked).length, rule).toBeGreaterThan(0);
    }
  });

  it('proves every reported lock-order fixture with a scenario', () => {
    const unproven = cases.filter((c) => c.rule === 'no-lock-order-inversion' && c.marked && !c.hasScenario).map((c) => c.name);
    expect(unproven).toEqual([]);
  });

  it.each(runnable.filter((c) => c.marked).map((c) => [c.name]))('%s really hangs: every task is still pending', (name) => {
    const states = outcomes.get(name)!;
    expect(states.length).toBeGreaterThan(0);
    expect(states).toEqual(states.map(() => 'pending'));
  });

  it.each(runnable.filter((c) => !c.marked).map((c) => [c.name]))('%s completes', (name) => {
    const states = outcomes.get(name)!;
    expect(states.filter((s) => s === 'pending')).toEqual([]);
  });
});
