/**
 * The builder ORMs (Drizzle, Kysely, Knex, Mongoose) beyond the fixture markers: messages that
 * name the batched form and the helper chain, the "which call runs a query through which
 * handle" answer other rules reuse, and an ORM version whose types we do not recognise (quiet,
 * and `--debug` says why).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers/fixtures.js';
import loopCheck from '../analyzer/orm/no-query-in-loop.js';
import { loadProjects, type LoadedProject } from '../analyzer/project/project.js';
import { analyze } from '../analyzer/cli/analyze.js';
import { runCheck } from '../analyzer/check/run.js';
import { getTypeQueries } from '../analyzer/program/type-queries.js';
import { ormQueryOf } from '../analyzer/orm/recognize.js';
import { queryHandle } from '../analyzer/orm/builders.js';
import type { Finding } from '../analyzer/check/finding.js';

const LOOP = path.join(FIXTURES, 'no-query-in-loop');
const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function lint(projects: LoadedProject[]): Finding[] {
  return projects.flatMap((p) => p.files.flatMap((sf) => runCheck(loopCheck, { severity: 'error', options: {} }, p.program, sf)));
}

describe('no-query-in-loop on the builder ORMs', () => {
  const dirs = ['drizzle', 'knex', 'kysely', 'mongoose'].map((d) => path.join(LOOP, d));
  const projects = loadProjects({ paths: dirs, cwd: LOOP }).projects;
  const findings = lint(projects);
  const at = (file: string, line: number) => findings.find((f) => f.file.endsWith(file) && f.line === line)!;

  it('names the ORM\'s batched form in the message', () => {
    expect(at('drizzle/loops.ts', 10).message).toContain('inArray(table.id, ids)');
    expect(at('knex/loops.ts', 9).message).toContain('whereIn(\'id\', ids)');
    expect(at('kysely/loops.ts', 8).message).toContain('where(\'id\', \'in\', ids)');
    expect(at('mongoose/loops.ts', 8).message).toContain('{ _id: { $in: ids } }');
  });

  it('names the helpers between the loop and the query, across files', () => {
    const viaService = at('knex/loops.ts', 53);
    // `byId` returns a builder; the query runs where `balanceOf` awaits it.
    expect(viaService.message).toContain('(through `LedgerService.balanceOf`, which runs `this.accounts.byId(...)`)');
    expect(viaService.trace?.at(-1)?.message).toBe('runs a query (knex `byId`)');
    expect(at('kysely/loops.ts', 36).message).toContain('(through `PersonRepository.findById`, which runs `this.db.selectFrom(...)...executeTakeFirst()`)');
  });

  it('says a builder bound to a variable and awaited in the same turn runs sequentially', () => {
    expect(at('drizzle/loops.ts', 48).message).toContain('awaited one after the other');
  });

  it('answers which call runs a query through which handle', () => {
    const project = projects.find((p) => p.files.some((f) => f.fileName.endsWith('knex/loops.ts')))!;
    const types = getTypeQueries(project.program);
    const sf = project.files.find((f) => f.fileName.endsWith('knex/loops.ts'))!;
    const runs: string[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const q = ormQueryOf(types, n);
        if (q) runs.push(`${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1} ${q.orm} ${q.kind} ${queryHandle(types, n, q.spec).getText()}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    // Only the calls that run a query; `knex('accounts')` and `.where(...)` under them run nothing.
    expect(runs).toContain('32 knex write trx');
    expect(runs).toContain('39 knex read knex');
    expect(runs.filter((r) => r.startsWith('9 '))).toEqual(['9 knex read knex']);
  });
});

describe('an ORM version whose types we do not recognise', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orm-unknown-'));
  tmpDirs.push(dir);
  const pkg = path.join(dir, 'node_modules', 'drizzle-orm');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'drizzle-orm', version: '9.0.0', types: 'index.d.ts', main: 'index.js' }));
  // A future Drizzle whose builders no longer extend `QueryPromise`.
  fs.writeFileSync(
    path.join(pkg, 'index.d.ts'),
    [
      'export declare class SelectBuilder<T> implements PromiseLike<T[]> {',
      '  where(condition: unknown): SelectBuilder<T>;',
      '  then<A = T[], B = never>(ok?: ((rows: T[]) => A | PromiseLike<A>) | null, fail?: ((e: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B>;',
      '}',
      'export declare class Database { select<T>(table: string): SelectBuilder<T>; }',
      'export declare function eq(column: string, value: unknown): unknown;',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', type: 'module' }));
  fs.writeFileSync(
    path.join(dir, 'app.ts'),
    [
      "import { eq, type Database } from 'drizzle-orm';",
      'export async function names(db: Database, ids: number[]): Promise<unknown[]> {',
      '  const out: unknown[] = [];',
      "  for (const id of ids) out.push(await db.select<{ name: string }>('users').where(eq('id', id)));",
      '  return out;',
      '}',
      '',
    ].join('\n'),
  );
  const rules = new Map([['no-query-in-loop', { severity: 'error' as const, options: {} }]]);

  it('stays quiet, and --debug says which ORM and why', () => {
    const result = analyze({ paths: [dir], cwd: dir, rules, debug: true });
    expect(result.findings).toEqual([]);
    const notes = result.diagnostics.filter((d) => d.message.startsWith('debug: no-query-in-loop:'));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.severity).toBe('warning');
    expect(notes[0]!.message).toMatch(/drizzle-orm .*QueryPromise.*not checked/);
  });

  it('the transaction rule stays quiet for that ORM too, and says so', () => {
    const both = new Map([...rules, ['no-query-outside-transaction', { severity: 'error' as const, options: {} }]]);
    const result = analyze({ paths: [dir], cwd: dir, rules: both, debug: true });
    expect(result.findings).toEqual([]);
    const notes = result.diagnostics.filter((d) => d.message.startsWith('debug: no-query-outside-transaction:'));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message).toMatch(/drizzle-orm .*QueryPromise.*this rule stays quiet/);
  });

  it('says nothing without --debug', () => {
    const result = analyze({ paths: [dir], cwd: dir, rules });
    expect(result.findings).toEqual([]);
    expect(result.diagnostics.filter((d) => d.message.startsWith('debug:'))).toEqual([]);
  });

  it('says nothing for the versions we know', () => {
    const result = analyze({ paths: [path.join(LOOP, 'drizzle')], cwd: LOOP, rules, debug: true });
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.diagnostics.filter((d) => d.message.startsWith('debug:'))).toEqual([]);
  });
});
