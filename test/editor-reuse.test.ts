/**
 * ESLint in an editor lints one file at a time against one program. After the first file,
 * linting another file of the same program must reuse the program's type queries, call graph and
 * every summary already computed: no function's summary is computed twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../bench/generate.mjs';
import { factStats } from '../analyzer/program/file-facts.js';
import plugin from '../rules/index.js';
import { allChecks } from '../analyzer/checks/index.js';
import { getTypeQueries } from '../analyzer/program/type-queries.js';
import { getCallGraph } from '../analyzer/program/callgraph.js';
import { loadProjects } from '../analyzer/project/project.js';
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

function linterFor(program: ts.Program, cwd = SAMPLE) {
  const linter = new Linter({ cwd });
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
    const types = getTypeQueries(program);
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
    // The same type queries and call graph served every file.
    expect(getTypeQueries(program)).toBe(types);
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

/**
 * After an edit the editor's project service builds a new program that keeps the unchanged
 * files' `SourceFile` objects. The per-file facts behind the program-wide indexes are taken
 * over from the previous program for files whose imports did not change, and the findings are
 * those of a program built from scratch.
 */
describe('ESLint in an editor, across the programs built after edits', () => {
  let root: string;
  let dir: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-editor-'));
    dir = path.join(root, 'app');
    generate({ files: 40, seed: 5, out: dir });
    fs.mkdirSync(path.join(dir, 'src/editor'));
    fs.writeFileSync(
      path.join(dir, 'src/editor/handlers.ts'),
      "import fs from 'node:fs';\nimport type { Request, Response } from 'express';\n\nexport function report(_req: Request, res: Response): void {\n  res.send(fs.readFileSync('/etc/hosts', 'utf8'));\n}\n\nexport function health(_req: Request, res: Response): void {\n  res.send('ok');\n}\n",
    );
    fs.writeFileSync(path.join(dir, 'src/editor/routes.ts'), "import { Router } from 'express';\nimport { health, report } from './handlers.js';\n\nexport const router = Router();\nrouter.get('/health', health);\nvoid report;\n");
    fs.writeFileSync(path.join(dir, 'src/editor/locks.ts'), "import { Mutex } from 'async-mutex';\n\nexport const ledger = new Mutex();\nexport const audit = new Mutex();\n");
    fs.writeFileSync(path.join(dir, 'src/editor/post.ts'), nested('ledger', 'audit', 'post'));
    fs.writeFileSync(path.join(dir, 'src/editor/review.ts'), nested('ledger', 'audit', 'review'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  function nested(outer: string, inner: string, name: string): string {
    return `import { ledger, audit } from './locks.js';\n\nexport async function ${name}(): Promise<void> {\n  await ${outer}.runExclusive(async () => {\n    await ${inner}.runExclusive(async () => {});\n  });\n}\n`;
  }

  /** Programs over the tree, with edits kept in memory, sharing unchanged SourceFile objects as a language service does. */
  function editorHost() {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const host = ts.createCompilerHost(config.options);
    const edits = new Map<string, string>();
    const parsed = new Map<string, ts.SourceFile>();
    const read = host.getSourceFile;
    host.getSourceFile = (name, version, onError, create) => {
      const text = edits.get(path.resolve(name));
      const known = parsed.get(name);
      if (known && (text === undefined || known.text === text)) return known;
      const sf = text === undefined ? read(name, version, onError, create) : ts.createSourceFile(name, text, version, true);
      if (sf) parsed.set(name, sf);
      return sf;
    };
    host.readFile = (name) => edits.get(path.resolve(name)) ?? ts.sys.readFile(name);
    let previous: ts.Program | undefined;
    return {
      edit(rel: string, text: string) {
        edits.set(path.join(dir, rel), text);
      },
      program(): ts.Program {
        previous = ts.createProgram({ rootNames: config.fileNames, options: config.options, host, ...(previous ? { oldProgram: previous } : {}) });
        return previous;
      },
      freshProgram(): ts.Program {
        parsed.clear();
        return ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
      },
    };
  }

  function lintFile(program: ts.Program, rel: string) {
    const sf = program.getSourceFile(path.join(dir, rel))!;
    return linterFor(program, dir)(sf).map((m) => `${m.line}:${m.column} ${m.ruleId ?? m.message}`);
  }

  it('reuses the facts of unchanged files and reports what a fresh program reports', () => {
    const editor = editorHost();
    const first = editor.program();
    expect(lintFile(first, 'src/editor/handlers.ts')).toEqual([]);
    expect(lintFile(first, 'src/editor/post.ts')).toEqual([]);
    const firstStats = factStats(first)!;
    expect(firstStats.reused).toBe(0);

    // The route file now registers the blocking handler; the other file now takes the locks the other way round.
    editor.edit('src/editor/routes.ts', "import { Router } from 'express';\nimport { health, report } from './handlers.js';\n\nexport const router = Router();\nrouter.get('/health', health);\nrouter.get('/report', report);\n");
    editor.edit('src/editor/review.ts', nested('audit', 'ledger', 'review'));
    const second = editor.program();
    const handlers = lintFile(second, 'src/editor/handlers.ts');
    const post = lintFile(second, 'src/editor/post.ts');
    expect(handlers.some((m) => m.endsWith('no-blocking-in-async'))).toBe(true);
    expect([...post, ...lintFile(second, 'src/editor/review.ts')].some((m) => m.endsWith('no-lock-order-inversion'))).toBe(true);
    const stats = factStats(second)!;
    expect(stats.reused).toBeGreaterThan(0);
    expect(stats.computed).toBeLessThan(firstStats.computed / 4);

    const fresh = editor.freshProgram();
    expect(lintFile(fresh, 'src/editor/handlers.ts')).toEqual(handlers);
    expect(lintFile(fresh, 'src/editor/post.ts')).toEqual(post);
    expect(factStats(fresh)!.reused).toBe(0);
  });
});
