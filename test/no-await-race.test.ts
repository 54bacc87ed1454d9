/**
 * no-await-race names the shape it found: a lost update, a stale check, a lazy initialisation
 * (a value produced by the awaited work), or a flag set only after the work it guards.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProjects } from '../analyzer/project/project.js';
import { runCheck } from '../analyzer/check/run.js';
import check from '../analyzer/race/no-await-race.js';
import { FIXTURES } from './helpers/fixtures.js';

const dir = path.join(FIXTURES, 'no-await-race');
const { projects } = loadProjects({ paths: [dir], cwd: dir });

function findingAt(file: string, line: number) {
  const project = projects.find((p) => p.files.some((sf) => sf.fileName.endsWith(file)))!;
  const sf = project.files.find((f) => f.fileName.endsWith(file))!;
  const findings = runCheck(check, { severity: 'error', options: { ...check.meta.defaultOptions } }, project.program, sf);
  return findings.find((f) => f.line === line);
}

function messageAt(file: string, line: number): string | undefined {
  return findingAt(file, line)?.messageId;
}

function textAt(file: string, line: number): string {
  return findingAt(file, line)?.message ?? '';
}

describe('no-await-race messages', () => {
  it('a constant flag set after the awaited work it guards', () => {
    expect(messageAt('check-then-act.ts', 23)).toBe('onceFlag');
    expect(messageAt('check-then-act.ts', 47)).toBe('onceFlag');
  });

  it('a value the awaited work produced, stored where the check looked', () => {
    expect(messageAt('lazy-init.ts', 13)).toBe('lazyInit');
    expect(messageAt('lazy-init.ts', 19)).toBe('lazyInit');
  });

  it('a check that may no longer hold, and a write computed from a stale read', () => {
    expect(messageAt('check-then-act.ts', 15)).toBe('staleCheck');
    expect(messageAt('check-then-act.ts', 55)).toBe('staleCheck');
    expect(messageAt('read-modify-write.ts', 12)).toBe('lostUpdate');
  });

  it('says who else can change the state: the object, the overlapping runs of a callback, or where a local was stored', () => {
    expect(textAt('owned-objects.ts', 72)).toContain('another call on the same object can change it');
    expect(textAt('owned-objects.ts', 76)).toContain('another call can change it');
    const captured = textAt('closures.ts', 8);
    expect(captured).toContain('another run of this callback');
    expect(captured).toContain('`total` is a variable of `sumAll`');
    expect(captured).toContain('passed to `ids.map`');
    expect(captured).not.toContain('another call');
    expect(textAt('sequential-closures.ts', 158)).toContain('started without `await`');
    expect(textAt('owned-objects.ts', 83)).toContain('`order` is stored in `this.open` before the `await`');
    expect(textAt('owned-objects.ts', 99)).toContain('`order` is stored in `this.current` before the `await`');
    expect(textAt('owned-objects.ts', 108)).toContain('`order` is passed to `this.remember`, which stores it in `this.recent`');
  });
});

describe('no-await-race traces name the guard and the helper', () => {
  const traceAt = (file: string, line: number) => (findingAt(file, line)?.trace ?? []).map((t) => t.message);

  it('a guard that leaves the function, and the state it checks', () => {
    expect(messageAt('exit-guards.ts', 19)).toBe('staleCheck');
    expect(traceAt('exit-guards.ts', 19)[0]).toContain('the guard `if (this.open >= this.max) throw` checks `this.open`');
    expect(traceAt('exit-guards.ts', 60)[0]).toContain('the guard `if (this.seats <= 0) return`');
  });

  it('a helper or getter the check calls, and the field it reads', () => {
    expect(traceAt('guard-helpers.ts', 22)[0]).toContain('(`Quota.hasRoomFor` reads `this.used`)');
    expect(traceAt('guard-helpers.ts', 30)[0]).toContain('(`Quota.full` reads `this.used`)');
    expect(traceAt('guard-helpers.ts', 99)[0]).toContain('(`canSend` reads `sending`)');
    expect(messageAt('lazy-helpers.ts', 23)).toBe('lazyInit');
    expect(traceAt('lazy-helpers.ts', 23)[0]).toContain('(`Repo.isReady` reads `this.conn`)');
    expect(textAt('guard-helpers.ts', 172)).toContain('a check of `this.spent`');
    expect(traceAt('guard-helpers.ts', 172)[2]).toBe('`this.record(amount)` writes `this.spent` (in `Budget.record`)');
    expect(messageAt('lazy-helpers.ts', 113)).toBe('onceFlag');
  });

  it('the entry or the position read before the await', () => {
    expect(messageAt('collection-updates.ts', 24)).toBe('lostUpdate');
    expect(traceAt('collection-updates.ts', 24)[0]).toContain('`this.counts.get(k)` is read here');
    expect(traceAt('collection-updates.ts', 145)[0]).toContain('`this.jobs.indexOf(job)` is read here to find a position');
  });
});
