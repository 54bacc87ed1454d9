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
import { editCutoffStats, followedImportGraph } from '../analyzer/program/generations.js';
import { lockGraphStats } from '../analyzer/locks/graph-state.js';
import { importGraph, importersOf } from '../analyzer/program/import-graph.js';
import { implementationsOf, subtypeIndex } from '../analyzer/program/implementations.js';
import { relationNamesOf } from '../analyzer/orm/entities.js';
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

/** Programs over the tree, with edits kept in memory, sharing unchanged SourceFile objects as a language service does. */
/** The lock module the describes below share (`journal` only where a test uses it). */
const LOCKS = "import { Mutex } from 'async-mutex';\n\nexport const ledger = new Mutex();\nexport const audit = new Mutex();\n";

/**
 * A generated 40-file app in a fresh temporary folder, with `folder` under its `src/` for a
 * describe's own files; `write(rel, text)` writes one of them.
 */
function appTree(prefix: string, seed: number, folder: string) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dir = path.join(root, 'app');
  generate({ files: 40, seed, out: dir });
  fs.mkdirSync(path.join(dir, 'src', folder));
  const write = (rel: string, text: string) => fs.writeFileSync(path.join(dir, 'src', folder, rel), text);
  return { root, dir, write };
}

function editorHost(dir: string) {
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
  const removed = new Set<string>();
  const rootNames = () => config.fileNames.filter((name) => !removed.has(path.resolve(name)));
  return {
    edit(rel: string, text: string) {
      edits.set(path.join(dir, rel), text);
    },
    /** The file leaves the project (no file may import it). */
    remove(rel: string) {
      removed.add(path.join(dir, rel));
    },
    program(): ts.Program {
      previous = ts.createProgram({ rootNames: rootNames(), options: config.options, host, ...(previous ? { oldProgram: previous } : {}) });
      return previous;
    },
    /** A program parsed anew (the editor's programs keep their SourceFile objects), for another project as the editor's reuse sees it (no tsconfig path): nothing to take over. */
    freshProgram(): ts.Program {
      const { configFilePath: _, ...options } = config.options;
      const freshHost = ts.createCompilerHost(options);
      freshHost.getSourceFile = (name, version, onError, create) => {
        const text = edits.get(path.resolve(name));
        return text === undefined ? read(name, version, onError, create) : ts.createSourceFile(name, text, version, true);
      };
      freshHost.readFile = host.readFile;
      return ts.createProgram({ rootNames: rootNames(), options, host: freshHost });
    },
  };
}

function lintFile(dir: string, program: ts.Program, rel: string) {
  const sf = program.getSourceFile(path.join(dir, rel))!;
  return linterFor(program, dir)(sf).map((m) => `${m.line}:${m.column} ${m.ruleId ?? m.message}`);
}

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
    let write: (rel: string, text: string) => void;
    ({ root, dir, write } = appTree('cl-editor-', 5, 'editor'));
    write('handlers.ts', "import fs from 'node:fs';\nimport type { Request, Response } from 'express';\n\nexport function report(_req: Request, res: Response): void {\n  res.send(fs.readFileSync('/etc/hosts', 'utf8'));\n}\n\nexport function health(_req: Request, res: Response): void {\n  res.send('ok');\n}\n");
    write('routes.ts', "import { Router } from 'express';\nimport { health, report } from './handlers.js';\n\nexport const router = Router();\nrouter.get('/health', health);\nvoid report;\n");
    write('locks.ts', LOCKS);
    write('post.ts', nested('ledger', 'audit', 'post'));
    write('review.ts', nested('ledger', 'audit', 'review'));
    write('store.ts', 'export interface Store {\n  save(): Promise<void>;\n}\n');
    write('memory-store.ts', "import type { Store } from './store.js';\n\nexport class MemoryStore implements Store {\n  async save(): Promise<void> {}\n}\n");
    write('disk-store.ts', 'export class DiskStore {\n  async save(): Promise<void> {}\n}\n');
    write('flush.ts', "import type { Store } from './store.js';\n\nexport async function flush(store: Store): Promise<void> {\n  await store.save();\n}\n");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  function nested(outer: string, inner: string, name: string): string {
    return `import { ledger, audit } from './locks.js';\n\nexport async function ${name}(): Promise<void> {\n  await ${outer}.runExclusive(async () => {\n    await ${inner}.runExclusive(async () => {});\n  });\n}\n`;
  }

  it('reuses the facts of unchanged files and reports what a fresh program reports', () => {
    const editor = editorHost(dir);
    const first = editor.program();
    expect(lintFile(dir, first, 'src/editor/handlers.ts')).toEqual([]);
    expect(lintFile(dir, first, 'src/editor/post.ts')).toEqual([]);
    const firstStats = factStats(first)!;
    expect(firstStats.reused).toBe(0);

    // The route file now registers the blocking handler; the other file now takes the locks the other way round.
    editor.edit('src/editor/routes.ts', "import { Router } from 'express';\nimport { health, report } from './handlers.js';\n\nexport const router = Router();\nrouter.get('/health', health);\nrouter.get('/report', report);\n");
    editor.edit('src/editor/review.ts', nested('audit', 'ledger', 'review'));
    const second = editor.program();
    const handlers = lintFile(dir, second, 'src/editor/handlers.ts');
    const post = lintFile(dir, second, 'src/editor/post.ts');
    expect(handlers.some((m) => m.endsWith('no-blocking-in-async'))).toBe(true);
    expect([...post, ...lintFile(dir, second, 'src/editor/review.ts')].some((m) => m.endsWith('no-lock-order-inversion'))).toBe(true);
    const stats = factStats(second)!;
    expect(stats.reused).toBeGreaterThan(0);
    expect(stats.computed).toBeLessThan(firstStats.computed / 4);

    const fresh = editor.freshProgram();
    expect(lintFile(dir, fresh, 'src/editor/handlers.ts')).toEqual(handlers);
    expect(lintFile(dir, fresh, 'src/editor/post.ts')).toEqual(post);
    expect(factStats(fresh)!.reused).toBe(0);
  });

  it('updates the import graph\'s dispatch edges for the changed files only, and a new subtype adds its edge', () => {
    const editor = editorHost(dir);
    const abs = (rel: string) => path.join(dir, rel);
    const first = editor.program();
    lintFile(dir, first, 'src/editor/routes.ts');
    const firstGraph = followedImportGraph(first)!;
    expect(firstGraph.imports.get(abs('src/editor/store.ts'))).toEqual([abs('src/editor/memory-store.ts')]);

    // An edit of one file: only it (and the files importing it) resolve their heritage clauses again.
    editor.edit('src/editor/routes.ts', "import { Router } from 'express';\nimport { health, report } from './handlers.js';\n\nexport const router = Router();\nrouter.get('/health', health);\nvoid report;\nvoid 1;\n");
    const second = editor.program();
    lintFile(dir, second, 'src/editor/routes.ts');
    const secondGraph = followedImportGraph(second)!;
    expect(secondGraph.resolvedHeritage).toBeGreaterThan(0);
    expect(secondGraph.resolvedHeritage).toBeLessThan(firstGraph.resolvedHeritage! / 4);
    expect(secondGraph.supertypes!.get(abs('src/editor/memory-store.ts'))).toBe(firstGraph.supertypes!.get(abs('src/editor/memory-store.ts')));
    // The call through the interface runs the implementations its program has (the subtype index, its files' pairs kept across programs).
    const implementers = (program: ts.Program) => {
      const flush = program.getSourceFile(abs('src/editor/flush.ts'))!;
      let call: ts.CallExpression | undefined;
      const find = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) call = node;
        else ts.forEachChild(node, find);
      };
      find(flush);
      return implementationsOf(program, call!).map((impl) => impl.cls.name?.text);
    };
    expect(implementers(first)).toEqual(['MemoryStore']);
    expect(implementers(second)).toEqual(['MemoryStore']);
    expect(subtypeIndex.made(first)).toBe('built');
    expect(subtypeIndex.made(second)).toBe('updated');

    // A class that now implements the interface: the interface's file (unchanged) gets the new dispatch edge.
    editor.edit('src/editor/disk-store.ts', "import type { Store } from './store.js';\n\nexport class DiskStore implements Store {\n  async save(): Promise<void> {}\n}\n");
    const third = editor.program();
    lintFile(dir, third, 'src/editor/routes.ts');
    const thirdGraph = followedImportGraph(third)!;
    expect([...implementers(third)].sort()).toEqual(['DiskStore', 'MemoryStore']);
    expect(implementers(third)).toEqual(implementers(editor.freshProgram()));
    expect(thirdGraph.resolvedHeritage).toBeLessThan(firstGraph.resolvedHeritage! / 4);
    expect(thirdGraph.imports.get(abs('src/editor/store.ts'))).toEqual([abs('src/editor/disk-store.ts'), abs('src/editor/memory-store.ts')]);
    // The same graph as one built from scratch for this program.
    const scratch = importGraph(third)!;
    expect(new Map(thirdGraph.imports)).toEqual(new Map(scratch.imports));
    expect(thirdGraph.globals).toEqual(scratch.globals);
    // Its importers were updated from the previous graph's (only the renewed files' lists changed): the same as from scratch.
    const sorted = (importers: ReadonlyMap<string, readonly string[]>) => new Map([...importers].map(([file, list]) => [file, [...list].sort()]));
    expect(sorted(importersOf(thirdGraph.imports))).toEqual(sorted(importersOf(new Map(scratch.imports))));
    expect(importersOf(thirdGraph.imports).get(abs('src/editor/disk-store.ts'))).toContain(abs('src/editor/store.ts'));

    // A statement added outside the class of an implementation (nothing else can see it): the index is updated, with the class of the new file.
    editor.edit('src/editor/disk-store.ts', "import type { Store } from './store.js';\n\nexport class DiskStore implements Store {\n  async save(): Promise<void> {}\n}\n\nvoid DiskStore;\n");
    const fourth = editor.program();
    lintFile(dir, fourth, 'src/editor/routes.ts');
    expect(implementers(fourth)).toEqual(['DiskStore', 'MemoryStore']);
    expect(subtypeIndex.made(fourth)).toBe('updated');
    const flushCall = (program: ts.Program) => {
      let call: ts.CallExpression | undefined;
      const find = (node: ts.Node): void => (ts.isCallExpression(node) ? void (call = node) : ts.forEachChild(node, find));
      find(program.getSourceFile(abs('src/editor/flush.ts'))!);
      return call!;
    };
    const disk = implementationsOf(fourth, flushCall(fourth)).find((impl) => impl.cls.name?.text === 'DiskStore')!;
    expect(disk.cls.getSourceFile()).toBe(fourth.getSourceFile(abs('src/editor/disk-store.ts')));
  });
});

/**
 * An edit its importers cannot see (a new export nobody imports) computes only the edited file's
 * facts; an edit they can see (a function they call now takes a lock, or blocks) computes theirs,
 * and each step reports what a program built from scratch reports.
 */
describe('ESLint in an editor: how far an edit reaches', () => {
  let root: string;
  let dir: string;
  const HELPER = "import { ledger } from './locks.js';\n\nasync function take(): Promise<void> {\n  await Promise.resolve();\n}\n\nexport async function inner(): Promise<void> {\n  await take();\n}\n";
  const CONFIG = "export function readConfig(): string {\n  return 'x';\n}\n";
  const STATE = "let stock = 10;\n\nexport function hasStock(): boolean {\n  return stock > 0;\n}\n\nexport function take(): void {\n  stock -= 1;\n}\n";
  beforeAll(() => {
    let write: (rel: string, text: string) => void;
    ({ root, dir, write } = appTree('cl-editor-reach-', 7, 'edits'));
    write('locks.ts', LOCKS);
    write('post.ts', "import { ledger, audit } from './locks.js';\n\nexport async function post(): Promise<void> {\n  await ledger.runExclusive(async () => {\n    await audit.runExclusive(async () => {});\n  });\n}\n");
    write('helper.ts', HELPER);
    write('caller.ts', "import { audit } from './locks.js';\nimport { inner } from './helper.js';\n\nexport async function caller(): Promise<void> {\n  await audit.runExclusive(async () => {\n    await inner();\n  });\n}\n");
    write('config.ts', CONFIG);
    write('state.ts', STATE);
    write('order.ts', "import { hasStock, take } from './state.js';\n\nexport async function order(): Promise<void> {\n  if (!hasStock()) return;\n  await Promise.resolve();\n  take();\n}\n");
    write('api.ts', "import { Router, type Request, type Response } from 'express';\nimport { readConfig } from './config.js';\n\nexport const router = Router();\nrouter.get('/config', async (_req: Request, res: Response) => {\n  res.send(readConfig());\n});\n");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const LINTED = ['src/edits/post.ts', 'src/edits/caller.ts', 'src/edits/api.ts', 'src/edits/order.ts'];
  const lintAll = (program: ts.Program) => LINTED.map((rel) => lintFile(dir, program, rel));
  const has = (messages: string[][], rule: string) => messages.flat().some((m) => m.endsWith(rule));

  it('keeps the importers\' facts after an edit they cannot see, and recomputes them after one they can', () => {
    const editor = editorHost(dir);
    const first = lintAll(editor.program());
    expect(has(first, 'no-lock-order-inversion')).toBe(false);
    expect(has(first, 'no-blocking-in-async')).toBe(false);
    expect(has(first, 'no-await-race')).toBe(true);

    // Steps: [file, new text, does a linted file's answer change?]
    const steps: [string, string, boolean][] = [
      ['src/edits/helper.ts', `${HELPER}export const added = 1;\n`, false],
      ['src/edits/helper.ts', `${HELPER.replace('await Promise.resolve();', 'await ledger.runExclusive(async () => {});')}export const added = 1;\n`, true],
      ['src/edits/config.ts', `${CONFIG}export const added = 1;\n`, false],
      ['src/edits/config.ts', `import fs from 'node:fs';\n\n${CONFIG.replace("'x'", "fs.readFileSync('/etc/hosts', 'utf8')")}export const added = 1;\n`, true],
      // The helper that wrote the shared state after the `await` now only reads it.
      ['src/edits/state.ts', STATE.replace('stock -= 1;', 'void stock;'), true],
    ];
    let before = first;
    const computed: number[] = [];
    for (const [rel, text, changes] of steps) {
      editor.edit(rel, text);
      const program = editor.program();
      const after = lintAll(program);
      const stats = factStats(program)!;
      computed.push(stats.computed);
      expect(stats.reused, rel).toBeGreaterThan(0);
      expect(after, `${rel}: a fresh program's findings`).toEqual(lintAll(editor.freshProgram()));
      if (changes) expect(after, rel).not.toEqual(before);
      else expect(after, rel).toEqual(before);
      before = after;
    }
    expect(has(before, 'no-lock-order-inversion')).toBe(true);
    expect(has(before, 'no-blocking-in-async')).toBe(true);
    expect(has(before, 'no-await-race')).toBe(false);
    // A local edit computes the facts of the edited file only; a visible one those of its importers too.
    expect(computed[0]).toBeLessThan(computed[1]!);
    expect(computed[2]).toBeLessThan(computed[3]!);
  }, 300_000);
});

/**
 * The early cut-off (program/generations.ts, checks/edit-surface.ts): after an edit its
 * importers can see, when the summaries other files read of the edited file are unchanged, the
 * importers keep their facts (their nodes in the edited file moved through the edit); when a
 * summary changed (a function they call now takes a lock, or blocks), they compute theirs again.
 * Either way the findings are those of a program built from scratch.
 */
describe('ESLint in an editor: the early cut-off on summaries', () => {
  let root: string;
  let dir: string;
  // The class comes first: edits in the functions below it move \`store\` (a module variable) but not \`Store.lock\`.
  const HELPER = [
    "import { Mutex } from 'async-mutex';",
    "import { ledger } from './locks.js';",
    '',
    'function label(id: number): string {',
    '  return `row ${id}`;',
    '}',
    '',
    'export class Store {',
    '  private readonly rows = new Map<number, string>();',
    '  private readonly lock = new Mutex();',
    '',
    '  async save(id: number): Promise<void> {',
    '    await Promise.resolve();',
    '    this.rows.set(id, label(id));',
    '  }',
    '',
    '  async load(id: number): Promise<string | undefined> {',
    '    await this.lock.runExclusive(async () => {});',
    '    return this.rows.get(id);',
    '  }',
    '}',
    '',
    'export async function inner(id: number): Promise<number> {',
    '  const doubled = id * 2;',
    '  await Promise.resolve();',
    '  return doubled;',
    '}',
    '',
    'export function readConfig(): string {',
    "  return 'x';",
    '}',
    '',
    'export const store = new Store();',
    '',
  ].join('\n');
  beforeAll(() => {
    let write: (rel: string, text: string) => void;
    ({ root, dir, write } = appTree('cl-editor-cutoff-', 11, 'cut'));
    write('locks.ts', `${LOCKS}export const journal = new Mutex();\n`);
    write('post.ts', "import { ledger, audit } from './locks.js';\n\nexport async function post(): Promise<void> {\n  await ledger.runExclusive(async () => {\n    await audit.runExclusive(async () => {});\n  });\n}\n");
    write('helper.ts', HELPER);
    write(
      'caller.ts',
      // journalled(): an edge journal -> Store.lock through \`store\`, a module variable of helper.ts declared after every edit below (its id moves with it).
      "import { audit, journal } from './locks.js';\nimport { inner, store } from './helper.js';\n\nexport async function caller(): Promise<void> {\n  await audit.runExclusive(async () => {\n    await inner(1);\n  });\n}\n\nexport async function loader(): Promise<void> {\n  await store.load(1);\n}\n\nexport async function journalled(): Promise<void> {\n  await journal.runExclusive(async () => {\n    await store.load(1);\n  });\n}\n",
    );
    write('api.ts', "import { Router, type Request, type Response } from 'express';\nimport { readConfig, store } from './helper.js';\n\nexport const router = Router();\nrouter.get('/config', async (_req: Request, res: Response) => {\n  await store.save(1);\n  res.send(readConfig());\n});\n");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const LINTED = ['src/cut/helper.ts', 'src/cut/post.ts', 'src/cut/caller.ts', 'src/cut/api.ts'];
  const lintAll = (program: ts.Program) => LINTED.map((rel) => lintFile(dir, program, rel));
  const has = (messages: string[][], rule: string) => messages.flat().some((m) => m.endsWith(rule));
  const insert = (text: string, after: string, line: string) => text.replace(after, `${after}\n${line}`);
  const MOVES_CLASS = 'a statement above the class of a lock an importer takes through `store`';

  it('keeps the importers\' facts when the edited file\'s summaries did not change, and only then', () => {
    const editor = editorHost(dir);
    const first = lintAll(editor.program());
    expect(has(first, 'no-lock-order-inversion')).toBe(false);
    expect(has(first, 'no-blocking-in-async')).toBe(false);

    // Steps: [new text of helper.ts, are its summaries unchanged (the importers keep their facts)?, does a linted file's answer change?]
    let text = HELPER;
    const steps: [string, string, boolean, boolean][] = [];
    const step = (label: string, next: string, same: boolean, changes: boolean) => {
      text = next;
      steps.push([label, text, same, changes]);
    };
    step('a statement at the start of an imported function (every later function moves)', insert(text, 'export async function inner(id: number): Promise<number> {', '  void 1;'), true, false);
    step('a call and a property access in it', insert(text, '  void 1;', "  console.debug('x' + String(id).length);"), true, false);
    step('a statement in a method the importers call, before its lock', insert(text, 'async load(id: number): Promise<string | undefined> {', '    void this.rows.size;'), true, false);
    step('the imported function now takes a lock', text.replace('  await Promise.resolve();\n  return doubled;', '  await ledger.runExclusive(async () => {});\n  return doubled;'), false, true);
    step('a statement after the edit, again', insert(text, '  void 1;', '  void 2;'), true, false);
    step('an imported function now blocks', `import fs from 'node:fs';\n${text.replace("return 'x';", "return fs.readFileSync('/etc/hosts', 'utf8');")}`, false, true);
    step('a local edit', `${text}export const added = 1;\n`, true, false);
    step('a doc comment above an imported function (trivia: the same declarations)', text.replace('export async function inner', '/** Doubles the id. */\nexport async function inner'), true, false);
    // Both between two lints: two changed regions, not one from the first to the end of the file.
    step('a statement in load() and one in inner()', insert(insert(text, 'async load(id: number): Promise<string | undefined> {', '    void 4;'), '  void 1;', '  void 3;'), true, false);
    // Moves Store.lock: the importer's edge that names its lock class is computed again (the class's sort key holds its position).
    step(MOVES_CLASS, insert(text, 'function label(id: number): string {', '  void id;'), true, false);
    step('the imported function no longer takes the lock', text.replace('  await ledger.runExclusive(async () => {});\n  return doubled;', '  await Promise.resolve();\n  return doubled;'), false, true);

    let before = first;
    const computed = new Map<string, number>();
    for (const [label, next, same, changes] of steps) {
      editor.edit('src/cut/helper.ts', next);
      const program = editor.program();
      const after = lintAll(program);
      expect(after, `${label}: a fresh program's findings`).toEqual(lintAll(editor.freshProgram()));
      const cut = editCutoffStats(program);
      computed.set(label, factStats(program)!.computed);
      // The lock graph takes over the entries of the files whose edges were kept (locks/graph-state.ts).
      expect(lockGraphStats(program)!.kept, label).toBeGreaterThan(0);
      if (label === 'a local edit') expect(cut, label).toBeUndefined();
      else if (same) {
        expect(cut?.cut.map((f) => path.basename(f)), label).toEqual(['helper.ts']);
        expect(cut!.kept, label).toBeGreaterThan(0);
      } else expect(cut?.cut ?? [], label).toEqual([]);
      if (changes) expect(after, label).not.toEqual(before);
      else expect(after, label).toEqual(before);
      before = after;
    }
    expect(has(before, 'no-blocking-in-async')).toBe(true);
    expect(has(before, 'no-lock-order-inversion')).toBe(false);
    // A kept edit computes the facts of the edited file only, as a local edit does (an importer's
    // lock edge through the moved lock site was kept, its nodes moved, and the edge through the
    // moved \`store\` with the variable's id after the edit); a changed one its importers' too.
    const local = computed.get('a local edit')!;
    for (const [label, , same] of steps) {
      if (label === MOVES_CLASS) expect(computed.get(label), label).toBeGreaterThan(local);
      else if (same) expect(computed.get(label), label).toBe(local);
      else expect(computed.get(label), label).toBeGreaterThan(local);
    }
  }, 300_000);

  it('computes the importers\' facts again only when it cannot keep them: the counters of a kept edit and of a changed one', () => {
    const editor = editorHost(dir);
    editor.edit('src/cut/helper.ts', HELPER);
    lintAll(editor.program());
    editor.edit('src/cut/helper.ts', insert(HELPER, 'export async function inner(id: number): Promise<number> {', '  void 1;'));
    const kept = editor.program();
    lintAll(kept);
    editor.edit('src/cut/helper.ts', HELPER.replace('  await Promise.resolve();\n  return doubled;', '  await ledger.runExclusive(async () => {});\n  return doubled;'));
    const recomputed = editor.program();
    lintAll(recomputed);
    expect(editCutoffStats(kept)!.cut).toHaveLength(1);
    expect(editCutoffStats(recomputed)!.cut).toHaveLength(0);
    expect(factStats(kept)!.computed).toBeLessThan(factStats(recomputed)!.computed);
  }, 300_000);
});

/**
 * The lock graph across the editor's programs (locks/graph-state.ts): the next program's graph
 * takes over the previous graph's entries of the files whose edges were kept and computes only
 * the others'; its cycles are those of a graph built from scratch.
 */
describe('ESLint in an editor: the lock graph updated across programs', () => {
  let root: string;
  let dir: string;
  const POST = "import { ledger, audit } from './locks.js';\n\nexport async function post(): Promise<void> {\n  await ledger.runExclusive(async () => {\n    await audit.runExclusive(async () => {});\n  });\n}\n";
  const REVERSED = '\nasync function reverse(): Promise<void> {\n  await audit.runExclusive(async () => {\n    await ledger.runExclusive(async () => {});\n  });\n}\n\nvoid reverse;\n';
  beforeAll(() => {
    let write: (rel: string, text: string) => void;
    ({ root, dir, write } = appTree('cl-editor-graph-', 13, 'graph'));
    write('locks.ts', LOCKS);
    write('post.ts', POST);
    write('other.ts', "import { ledger } from './locks.js';\n\nexport async function other(): Promise<void> {\n  await ledger.runExclusive(async () => {});\n}\n");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const LINTED = ['src/graph/post.ts', 'src/graph/other.ts'];
  const lintAll = (program: ts.Program) => LINTED.map((rel) => lintFile(dir, program, rel));
  const cycles = (messages: string[][]) => messages.flat().filter((m) => m.endsWith('no-lock-order-inversion'));

  it('keeps the entries of unchanged files, and an edit adding or removing a lock acquisition changes the cycles as a fresh program does', () => {
    const editor = editorHost(dir);
    const first = editor.program();
    expect(cycles(lintAll(first))).toEqual([]);
    expect(lockGraphStats(first)!.kept).toBe(0);
    // Steps on a file no other file imports: [label, text of post.ts, does it report a cycle?]
    const steps: [string, string, boolean][] = [
      ['a statement, no new lock', POST.replace('{\n  await ledger', '{\n  void 1;\n  await ledger'), false],
      ['the reverse order in a second function (a cycle)', `${POST}${REVERSED}`, true],
      ['a statement before it (the cycle moves)', `// moved\n${POST}${REVERSED}`, true],
      ['its inner acquisition removed (no cycle)', `// moved\n${POST}${REVERSED.replace('    await ledger.runExclusive(async () => {});\n', '')}`, false],
      ['the reverse order again', `${POST}${REVERSED}`, true],
      ['back to the start', POST, false],
    ];
    for (const [label, text, cycle] of steps) {
      editor.edit('src/graph/post.ts', text);
      const program = editor.program();
      const after = lintAll(program);
      expect(after, `${label}: a fresh program's findings`).toEqual(lintAll(editor.freshProgram()));
      expect(cycles(after).length > 0, label).toBe(cycle);
      const stats = lockGraphStats(program)!;
      // Updated, not rebuilt: only the edited file's edges are computed again.
      expect(stats.renewed, label).toBe(1);
      const own = program.getSourceFiles().filter((sf) => !sf.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sf));
      expect(stats.kept, label).toBe(own.length - 1);
      // An edit in place: only the edited file is looked at, not every file of the program.
      expect(stats.visited, label).toBe(1);
    }
  }, 300_000);

  it('drops the edges of a file the program no longer has', () => {
    fs.writeFileSync(path.join(dir, 'src/graph/reversed.ts'), `import { ledger, audit } from './locks.js';\n${REVERSED}`);
    try {
      const editor = editorHost(dir);
      editor.edit('src/graph/post.ts', POST);
      const first = editor.program();
      expect(cycles([...lintAll(first), lintFile(dir, first, 'src/graph/reversed.ts')]).length).toBeGreaterThan(0);
      editor.remove('src/graph/reversed.ts');
      const program = editor.program();
      const after = lintAll(program);
      expect(after).toEqual(lintAll(editor.freshProgram()));
      expect(cycles(after)).toEqual([]);
      expect(lockGraphStats(program)!.renewed).toBe(0);
    } finally {
      fs.rmSync(path.join(dir, 'src/graph/reversed.ts'));
    }
  }, 300_000);
});

/**
 * The pre-filter of relation names (orm/entities.ts `relationNamesOf`) after an edit in place:
 * the previous program's names and the edited file's, so a relation added by an edit is read
 * as one at once, and an edit adding no name shares the previous set.
 */
describe('relation names across an editor\'s programs', () => {
  let root = '';
  let dir = '';
  let write: (rel: string, text: string) => void;
  const entity = (relation: boolean) =>
    `import { Column, Entity, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';\n\n@Entity()\nexport class Crew {\n  @PrimaryGeneratedColumn()\n  id!: number;\n}\n\n@Entity()\nexport class Sailor {\n  @PrimaryGeneratedColumn()\n  id!: number;\n\n  @Column()\n  crewId!: number;\n\n${relation ? '  @ManyToOne(() => Crew)\n' : ''}  crew!: Crew;\n}\n`;
  beforeAll(() => {
    ({ root, dir, write } = appTree('cl-editor-orm-', 17, 'fleet'));
    write('sailor.entity.ts', entity(false));
    write('roster.ts', "import type { Repository } from 'typeorm';\nimport type { Sailor } from './sailor.entity.js';\n\nexport async function crewOf(sailors: Repository<Sailor>, id: number): Promise<number> {\n  const sailor = await sailors.findOneByOrFail({ id });\n  return sailor.crew.id;\n}\n");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads a relation an edit adds, as a fresh program does, and shares the names when an edit adds none', () => {
    const editor = editorHost(dir);
    const lazy = (program: ts.Program) => lintFile(dir, program, 'src/fleet/roster.ts').filter((m) => m.endsWith('no-lazy-relation-access'));
    const first = editor.program();
    expect(lazy(first)).toEqual([]);
    editor.edit('src/fleet/sailor.entity.ts', entity(true));
    const second = editor.program();
    expect(lazy(second)).toHaveLength(1);
    expect(lazy(second)).toEqual(lazy(editor.freshProgram()));
    expect(relationNamesOf(second).has('crew')).toBe(true);
    editor.edit('src/fleet/sailor.entity.ts', `${entity(true)}\nvoid Crew;\n`);
    const third = editor.program();
    expect(lazy(third)).toHaveLength(1);
    expect(relationNamesOf(third)).toBe(relationNamesOf(second));
  }, 300_000);
});
