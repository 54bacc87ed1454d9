/**
 * The relation rules beyond the markers: messages that name the fix, traces through helpers,
 * suggestions that load the relation (and leave the file type-correct and quiet), summaries
 * computed once per program, and the sample app's relation bugs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers/fixtures.js';
import lazyCheck from '../analyzer/orm/no-lazy-relation-access.js';
import loopCheck from '../analyzer/orm/no-query-in-loop.js';
import { loadProjects, type LoadedProject } from '../analyzer/project/project.js';
import { runCheck } from '../analyzer/check/run.js';
import { applyEdits } from '../analyzer/cli/fix.js';
import type { Finding } from '../analyzer/check/finding.js';
import type { AnyCheck } from '../analyzer/check/contract.js';
import { summaryStats } from '../analyzer/summaries/engine.js';
import { returnedEntitiesKind } from '../analyzer/orm/relation-summary.js';
import { queryReachKind } from '../analyzer/orm/query-reach.js';
import plugin from '../rules/index.js';

const REPO = path.resolve(import.meta.dirname, '..');
const LAZY = path.join(FIXTURES, 'no-lazy-relation-access');
const LOOP = path.join(FIXTURES, 'no-query-in-loop');
const SAMPLE = path.join(FIXTURES, 'sample-app');

function lint(projects: LoadedProject[], check: AnyCheck): Finding[] {
  return projects.flatMap((p) => p.files.flatMap((sf) => runCheck(check, { severity: 'error', options: {} }, p.program, sf)));
}

const rel = (dir: string, file: string) => path.relative(dir, file).replace(/\\/g, '/');

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('the sample app', () => {
  const projects = loadProjects({ paths: [SAMPLE], cwd: SAMPLE }).projects;
  const lazy = lint(projects, lazyCheck);
  const loops = lint(projects, loopCheck);

  it('finds its relation bugs, each with a message that names the fix', () => {
    expect(lazy.map((f) => `${rel(SAMPLE, f.file)}:${f.line}`).sort()).toEqual([
      'src/http/orders.handler.ts:38',
      'src/services/order.service.ts:74',
    ]);
    expect(loops.map((f) => `${rel(SAMPLE, f.file)}:${f.line}`).sort()).toEqual([
      'src/db/user.repository.ts:30',
      'src/services/order.service.ts:86',
    ]);
    const handler = lazy.find((f) => f.file.endsWith('orders.handler.ts'))!;
    expect(handler.message).toContain('`this.orders.findOne(...)` (order.service.ts:');
    expect(handler.message).toContain('add `relations: { user: true }` to its options');
    const cancel = lazy.find((f) => f.file.endsWith('order.service.ts'))!;
    expect(cancel.message).toContain('use `findOne({ where: ..., relations: { user: true } })` instead of `findOneBy`');
    for (const f of loops) expect(f.message).toContain('`findBy({ id: In(ids) })`');
  });

  it('traces the handler read through the service to the query', () => {
    const handler = lazy.find((f) => f.file.endsWith('orders.handler.ts'))!;
    expect(handler.trace.map((s) => `${rel(SAMPLE, s.file)}:${s.line} ${s.message}`)).toEqual([
      'src/http/orders.handler.ts:36 `OrderService.getOrder` returns it',
      'src/services/order.service.ts:38 Order loaded here without `user`',
    ]);
  });

  it('offers an edit when the query is in the same file', () => {
    const cancel = lazy.find((f) => f.file.endsWith('order.service.ts'))!;
    expect(cancel.suggestions).toHaveLength(1);
    const text = fs.readFileSync(cancel.file, 'utf8');
    expect(applyEdits(text, cancel.suggestions[0]!.edits)).toContain(
      'const order = await this.orders.findOne({ where: { id }, relations: { user: true } });',
    );
  });

  it('traces a loop query to the loop and the query', () => {
    const monthly = loops.find((f) => f.file.endsWith('order.service.ts'))!;
    expect(monthly.trace.map((s) => `${s.line} ${s.message}`)).toEqual(['85 runs once per element', '86 runs a query (typeorm `findOneBy`)']);
  });
});

const lazyProjects = loadProjects({ paths: [LAZY], cwd: LAZY }).projects;

describe('no-lazy-relation-access suggestions', () => {
  /** A copy of the files `unloaded-direct.ts` needs (with a link to node_modules), for tests to edit. */
  function copyFixture(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orm-fix-'));
    tmpDirs.push(dir);
    const to = path.join(dir, 'fixture');
    for (const part of ['package.json', 'typeorm/entities', 'typeorm/proof.ts', 'typeorm/unloaded-direct.ts']) {
      fs.cpSync(path.join(LAZY, part), path.join(to, part), { recursive: true });
    }
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'junction');
    return to;
  }

  it('applied, load the relation: the file still type-checks and is quiet', () => {
    const dir = copyFixture();
    const file = path.join(dir, 'typeorm', 'unloaded-direct.ts');
    const before = lint(loadProjects({ paths: [dir], cwd: dir }).projects, lazyCheck).filter((f) => f.file === file);
    expect(before.length).toBeGreaterThanOrEqual(8);
    const edits = before.flatMap((f) => {
      expect(f.suggestions, `${f.line} has a suggestion`).toHaveLength(1);
      return f.suggestions[0]!.edits;
    });
    fs.writeFileSync(file, applyEdits(fs.readFileSync(file, 'utf8'), edits));
    const projects = loadProjects({ paths: [dir], cwd: dir }).projects;
    const after = lint(projects, lazyCheck).filter((f) => f.file === file);
    expect(after).toEqual([]);
    const program = projects[0]!.program;
    const diagnostics = program.getSemanticDiagnostics(program.getSourceFile(file));
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '))).toEqual([]);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain("posts.findOne({ where: { id }, relations: { author: true } });\n  if (!post) return undefined;");
    expect(text).toContain('relations: { author: { profile: true } } });\n  return post.author.profile;');
    expect(text).toContain('for (const post of await posts.find({ relations: { author: true } })) {');
    expect(text).toContain('relations: { comments: { author: true } } });');
  });

  it('are the same in ESLint', () => {
    const projects = lazyProjects;
    const program = projects[0]!.program;
    const sf = program.getSourceFile(path.join(LAZY, 'typeorm', 'unloaded-direct.ts'))!;
    const linter = new Linter({ cwd: LAZY });
    const messages = linter.verify(
      sf.text,
      [
        {
          files: ['**/*.ts'],
          plugins: { concurrency: plugin as never },
          languageOptions: { parser: tsParser, parserOptions: { programs: [program] } },
          rules: { 'concurrency/no-lazy-relation-access': 'error' },
        },
      ] as Linter.Config[],
      { filename: sf.fileName },
    );
    const cli = lint(projects, lazyCheck).filter((f) => f.file === sf.fileName);
    expect(messages.map((m) => m.line)).toEqual(cli.map((f) => f.line));
    expect(messages.map((m) => m.suggestions?.map((s) => s.desc))).toEqual(cli.map((f) => f.suggestions.map((s) => s.desc)));
  });
});

describe('summaries', () => {
  it('compute each helper once per program, however many reads and loops use it', () => {
    const projects = lazyProjects;
    const program = projects[0]!.program;
    lint(projects, lazyCheck);
    const first = { ...summaryStats(program, returnedEntitiesKind) };
    lint(projects, lazyCheck);
    lint(projects, loopCheck);
    const second = summaryStats(program, returnedEntitiesKind);
    expect(first.computeCalls).toBeGreaterThan(0);
    expect(second.computeCalls).toBe(first.computeCalls);
    expect(second.recursiveComponents).toBe(0);
  });

  it('reach:orm-query skips helpers whose query is conditional', () => {
    const projects = loadProjects({ paths: [LOOP], cwd: LOOP }).projects;
    const findings = lint(projects, loopCheck);
    const program = projects[0]!.program;
    expect(summaryStats(program, queryReachKind).computeCalls).toBeGreaterThan(0);
    const valid = findings.filter((f) => /valid/.test(f.file));
    expect(valid).toEqual([]);
    const helper = findings.find((f) => rel(LOOP, f.file) === 'typeorm/helpers.ts' && f.line === 26)!;
    expect(helper.message).toContain('through `BillingService.payer` -> `CustomerRepository.findById`');
    expect(helper.trace.map((s) => `${rel(LOOP, s.file)}:${s.line} ${s.message}`)).toEqual([
      'typeorm/helpers.ts:26 runs once per element',
      'typeorm/helpers.ts:26 calls `BillingService.payer`',
      'typeorm/services/billing.service.ts:9 calls `CustomerRepository.findById`',
      'typeorm/repositories/customer.repository.ts:11 runs a query (typeorm `findOneBy`)',
    ]);
  });
});

describe('no-query-in-loop messages', () => {
  const projects = loadProjects({ paths: [path.join(LOOP, 'typeorm')], cwd: LOOP }).projects;
  const findings = lint(projects, loopCheck).filter((f) => rel(LOOP, f.file) === 'typeorm/collected.ts');
  const at = (line: number) => findings.find((f) => f.line === line)!;

  it('say how the queries run: awaited one by one in the loop, or started without waiting and awaited together', () => {
    expect(findings.map((f) => `${f.line} ${f.messageId}`)).toEqual(['10 collected', '16 sequential', '23 sequential']);
    expect(at(10).message).toContain('without waiting for it in the loop');
    expect(at(10).message).toContain('N concurrent queries');
    expect(at(10).message).not.toContain('sequential');
    expect(at(16).message).toContain('awaited one after the other');
  });

  it('report several queries of one loop once, naming the others in the message and the trace', () => {
    const settle = at(23);
    expect(settle.message).toContain('(and 2 more queries per element in the same loop: `customers.decrement(...)`, `orders.update(...)`)');
    expect(settle.trace.map((s) => `${s.line} ${s.message}`)).toEqual([
      '22 runs once per element',
      '23 runs a query (typeorm `findOneByOrFail`)',
      '24 also per element: runs a write (typeorm `decrement`)',
      '25 also per element: runs a write (typeorm `update`)',
    ]);
  });
});
