/**
 * ESLint in an editor lints one file at a time against one program. After the first file,
 * linting another file of the same program must reuse the program's door, call graph and
 * every summary already computed: no function's summary is computed twice.
 */
import path from 'node:path';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import type ts from 'typescript';
import { describe, expect, it } from 'vitest';
import plugin from '../rules/index.js';
import { allChecks } from '../analyzer/checks/index.js';
import { getDoor } from '../analyzer/checker.js';
import { getCallGraph } from '../analyzer/callgraph.js';
import { loadProjects } from '../analyzer/project.js';
import { summaryWork } from '../analyzer/summaries/engine.js';
import { FIXTURES } from './helpers/fixtures.js';

const SAMPLE = path.join(FIXTURES, 'sample-app');

type Work = ReturnType<typeof summaryWork>;

/** Compute calls per (summary kind, function), as `kind:file:position` keys. */
function counts(work: Work): Map<string, number> {
  const out = new Map<string, number>();
  for (const [kind, { perFunction }] of work) {
    for (const [fn, n] of perFunction) out.set(`${kind}:${fn.getSourceFile().fileName}:${fn.getStart()}`, n);
  }
  return out;
}

function linterFor(program: ts.Program) {
  const linter = new Linter({ cwd: SAMPLE });
  const config: Linter.Config[] = [
    {
      files: ['**/*.ts'],
      plugins: { concurrency: plugin },
      languageOptions: { parser: tsParser, parserOptions: { programs: [program] } },
      rules: Object.fromEntries(allChecks.map((c) => [`concurrency/${c.meta.id}`, 'error' as const])),
    },
  ];
  return (sf: ts.SourceFile) => linter.verify(sf.text, config, { filename: sf.fileName });
}

describe('ESLint in an editor reuses the program and its summaries', () => {
  const { projects } = loadProjects({ paths: [SAMPLE], cwd: SAMPLE });
  const program = projects[0]!.program;
  const files = projects[0]!.files;
  const byName = (suffix: string) => files.find((sf) => sf.fileName.endsWith(suffix))!;
  const lint = linterFor(program);

  it('lints file after file without computing any summary twice', () => {
    const door = getDoor(program);
    const graph = getCallGraph(program);
    const order = [byName('http/reports.handler.ts'), byName('jobs/worker.ts'), ...files];
    let before = counts(summaryWork(program));
    let computedSomething = false;
    for (const sf of order) {
      const messages = lint(sf);
      expect(messages.filter((m) => !m.ruleId), sf.fileName).toEqual([]);
      const after = counts(summaryWork(program));
      for (const [key, n] of before) expect(after.get(key), key).toBe(n);
      if (after.size > before.size) computedSomething = true;
      before = after;
    }
    expect(computedSomething).toBe(true);
    // The same door and call graph served every file.
    expect(getDoor(program)).toBe(door);
    expect(getCallGraph(program)).toBe(graph);
  });

  it('on a fresh program, a second file reuses what the first computed; linting a file again computes nothing', () => {
    const { projects: fresh } = loadProjects({ paths: [SAMPLE], cwd: SAMPLE });
    const p = fresh[0]!.program;
    const find = (suffix: string) => fresh[0]!.files.find((sf) => sf.fileName.endsWith(suffix))!;
    const lintFresh = linterFor(p);
    const totals = (w: Work) => [...w.values()].reduce((n, k) => n + k.stats.computeCalls, 0);
    lintFresh(find('http/orders.handler.ts'));
    const first = counts(summaryWork(p));
    expect(first.size).toBeGreaterThan(0);
    lintFresh(find('services/order.service.ts'));
    const second = counts(summaryWork(p));
    for (const [key, n] of first) expect(second.get(key), key).toBe(n);
    const total = totals(summaryWork(p));
    lintFresh(find('http/orders.handler.ts'));
    lintFresh(find('services/order.service.ts'));
    expect(totals(summaryWork(p))).toBe(total);
  });

  it('summaries are per program: a new program starts empty', () => {
    const { projects: again } = loadProjects({ paths: [SAMPLE], cwd: SAMPLE });
    expect(summaryWork(again[0]!.program).size).toBe(0);
  });
});
