/**
 * no-await-race names the shape it found: a lost update, a stale check, a lazy initialisation
 * (a value produced by the awaited work), or a flag set only after the work it guards.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProjects } from '../analyzer/project.js';
import { runCheck } from '../analyzer/engine.js';
import check from '../analyzer/checks/no-await-race.js';
import { FIXTURES } from './helpers/fixtures.js';

const dir = path.join(FIXTURES, 'no-await-race');
const { projects } = loadProjects({ paths: [dir], cwd: dir });

function messageAt(file: string, line: number): string | undefined {
  const project = projects.find((p) => p.files.some((sf) => sf.fileName.endsWith(file)))!;
  const sf = project.files.find((f) => f.fileName.endsWith(file))!;
  const findings = runCheck(check, { severity: 'error', options: { ...check.meta.defaultOptions } }, project.program, sf);
  return findings.find((f) => f.line === line)?.messageId;
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
});
