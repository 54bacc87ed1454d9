/**
 * N+1 shapes that cross an abstraction: interface dispatch, callbacks that run in place (lock
 * critical sections, `.then`), and a Prisma client generated into the project. The fixtures test
 * checks where findings are; this checks that the traces name what matters (the implementation
 * that queries, the lock) and how the queries are said to run.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers/fixtures.js';
import lazyCheck from '../analyzer/orm/no-lazy-relation-access.js';
import loopCheck from '../analyzer/orm/no-query-in-loop.js';
import { loadProjects, type LoadedProject } from '../analyzer/project/project.js';
import { runCheck } from '../analyzer/check/run.js';
import type { Finding } from '../analyzer/check/finding.js';
import type { AnyCheck } from '../analyzer/check/contract.js';

const LAZY = path.join(FIXTURES, 'no-lazy-relation-access');
const LOOP = path.join(FIXTURES, 'no-query-in-loop');

function lint(projects: LoadedProject[], check: AnyCheck, file: string): Finding[] {
  return projects.flatMap((p) => p.files.filter((sf) => sf.fileName.replace(/\\/g, '/').endsWith(file)).flatMap((sf) => runCheck(check, { severity: 'error', options: {} }, p.program, sf)));
}

const steps = (f: Finding) => f.trace.map((s) => `${s.line} ${s.message}`);

describe('no-query-in-loop through interfaces and callbacks', () => {
  const projects = loadProjects({ paths: [path.join(LOOP, 'typeorm')], cwd: LOOP }).projects;

  it('names the implementation that queries, and the others', () => {
    const findings = lint(projects, loopCheck, 'typeorm/di/statements.ts');
    expect(findings.map((f) => f.line)).toEqual([16, 24, 30]);
    const [only, several, abstract] = findings;
    expect(steps(only!)[1]).toBe('16 calls `CustomerDirectory.byId` of interface `CustomerDirectory`, which runs `TypeOrmCustomerDirectory.byId` (its only implementation in the program)');
    expect(only!.message).toContain('through `TypeOrmCustomerDirectory.byId`');
    expect(steps(several!)[1]).toContain('which runs `DbCreditSource.creditOf` (one of 2 implementations in the program; also `FixedCreditSource.creditOf`)');
    expect(steps(abstract!)).toEqual([
      '30 runs once per element',
      '30 calls `CustomerReader.nameOf`',
      '23 calls `CustomerReader.read` of abstract class `CustomerReader`, which runs `RepositoryCustomerReader.read` (its only implementation in the program)',
      '45 runs a query (typeorm `findOne`)',
    ]);
  });

  it('names the lock or continuation that runs the query once per element, and says the queries are awaited one by one', () => {
    const findings = lint(projects, loopCheck, 'typeorm/wrapped.ts');
    expect(findings.map((f) => `${f.line} ${f.messageId}`)).toEqual(['35 sequential', '43 sequential', '50 sequential', '58 sequential']);
    expect(steps(findings[0]!)[1]).toBe('34 `this.mutex.runExclusive` runs the callback under the lock, once per element (each turn waits for the lock too)');
    expect(steps(findings[1]!)[1]).toContain('`this.locks.acquire` runs the callback under the lock');
    expect(steps(findings[2]!)[1]).toBe('50 `load(id).then` runs the callback once per element');
    expect(steps(findings[3]!)[1]).toBe('58 `timed` runs the callback once per element');
  });
});

describe('no-query-in-loop on a Prisma client generated into the project', () => {
  const projects = loadProjects({ paths: [path.join(LOOP, 'prisma7')], cwd: LOOP }).projects;

  it('recognises the client, its re-exports, a service that extends it and a delegate parameter', () => {
    const findings = lint(projects, loopCheck, 'prisma7/src/loops.ts');
    expect(findings.map((f) => f.line)).toEqual([10, 16, 22, 28, 38, 45, 56]);
    expect(findings.map((f) => steps(f).at(-1)!.replace(/^\d+ /, ''))).toEqual([
      'runs a query (prisma `findUnique`)',
      'runs a query (prisma `findMany`)',
      'runs a query (prisma `posts`)',
      'runs a write (prisma `$executeRawUnsafe`)',
      'runs a query (prisma `findMany`)',
      'runs a write (prisma `update`)',
      'runs a query (prisma `findFirst`)',
    ]);
    expect(lint(projects, loopCheck, 'prisma7/src/valid.ts')).toEqual([]);
  });
});

describe('no-lazy-relation-access through interfaces and callbacks', () => {
  const projects = loadProjects({ paths: [path.join(LAZY, 'typeorm')], cwd: LAZY }).projects;

  it('follows the entity to the implementation of an interface method, and names the lock around a lazy load', () => {
    const findings = lint(projects, lazyCheck, 'typeorm/di/digest.ts');
    expect(findings.map((f) => f.line)).toEqual([15, 32, 53]);
    expect(steps(findings[0]!)[0]).toBe('14 `TypeOrmPostSource.latest`, the implementation of `this.posts.latest` (the only one in the program), returns it');
    expect(steps(findings[1]!)).toContain('31 `this.mutex.runExclusive` runs the callback under the lock, once per element (each turn waits for the lock too)');
  });
});
