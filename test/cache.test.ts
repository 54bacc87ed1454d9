/**
 * `--cache`: after every edit in a sequence (bodies, APIs shared by many files, new and
 * deleted files, suppression comments, tsconfig, rule settings) the cached run reports
 * exactly what an uncached run reports, and it re-checks only what it must.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generate } from '../bench/generate.mjs';
import { analyze } from '../analyzer/cli/analyze.js';
import type { CacheStats } from '../analyzer/cli/cache.js';
import { cachedRun } from './helpers/cache.js';
import ts from 'typescript';
import { closureOracle, dependents } from '../analyzer/program/import-graph.js';
import { nodeAt, nodeRef } from '../analyzer/program/file-facts.js';
import { analyzeRun } from '../analyzer/cli/parallel.js';
import type { AnalyzeResult, RuleSetting } from '../analyzer/check/run-types.js';
import { allRules } from './helpers/fixtures.js';

let root: string;
let dir: string;
let cacheDir: string;
let rules: Map<string, RuleSetting>;

/** Findings, files, diagnostics and sources as plain data, for deep comparison. */
function plain(result: AnalyzeResult) {
  return {
    findings: JSON.parse(JSON.stringify(result.findings)) as unknown[],
    files: result.files,
    diagnostics: result.diagnostics,
    sources: [...result.sources].sort(([a], [b]) => (a < b ? -1 : 1)),
  };
}

function uncached(): AnalyzeResult {
  return analyze({ paths: ['src'], cwd: dir, rules });
}

/** The cached analysis of the one task of the tree, with what it reports about itself. */
function cached(): { result: AnalyzeResult; stats: CacheStats; loads: number } {
  const run = cachedRun(dir, cacheDir, rules);
  expect(run.tasks).toBe(1);
  return run;
}

function file(rel: string): string {
  return path.join(dir, rel);
}

function edit(rel: string, change: (text: string) => string): void {
  const before = fs.readFileSync(file(rel), 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  fs.writeFileSync(file(rel), after);
}

/** The uncached result the last `same()` compared with. */
let lastUncached: AnalyzeResult;

/** A cached run equals an uncached one; returns the cache's stats. */
function same(): CacheStats {
  const { result, stats } = cached();
  lastUncached = uncached();
  expect(plain(result)).toEqual(plain(lastUncached));
  return stats;
}

let domains: string[];

// Each test starts from the same state, whatever ran before it: the generated tree and a cache
// warmed on it, restored from a snapshot (same paths, so the cache's keys still match).
const snapshot = () => ({ app: path.join(root, 'snapshot-app'), cache: path.join(root, 'snapshot-cache') });

function restore(): void {
  for (const [from, to] of [[snapshot().app, dir], [snapshot().cache, cacheDir]] as const) {
    fs.rmSync(to, { recursive: true, force: true });
    fs.cpSync(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  }
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-cache-'));
  dir = path.join(root, 'app');
  cacheDir = path.join(root, 'cache');
  generate({ files: 60, seed: 11, out: dir });
  domains = fs.readdirSync(file('src/domains')).sort();
  rules = allRules();
  cachedRun(dir, cacheDir, rules);
  fs.cpSync(dir, snapshot().app, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  fs.cpSync(cacheDir, snapshot().cache, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
});

beforeEach(restore);

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the analysis cache gives the findings an uncached run gives', () => {
  it('on a cold run, and without building a program when nothing changed', () => {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    const cold = same();
    expect(cold.fromCache).toBe(false);
    expect(cold.checked).toBe(cold.files);
    const warm = cached();
    expect(warm.loads).toBe(0);
    expect(warm.stats.fromCache).toBe(true);
    expect(plain(warm.result)).toEqual(plain(uncached()));
  });

  it('after editing a function body: re-checks the file and the files that import it', () => {
    const name = domains[domains.length - 1]!;
    edit(`src/domains/${name}/${name}.service.ts`, (t) => t.replace('* 0.029) + 30', '* 0.029) + 31'));
    const stats = same();
    expect(stats.fromCache).toBe(false);
    expect(stats.localChecked).toBeGreaterThan(0);
    expect(stats.localChecked).toBeLessThan(stats.files);
    expect(stats.reusedFacts).toBeGreaterThan(0);
  });

  it('after editing an async entry whose blocking call is helpers away: the helpers\' summaries come from the cache, the trace is whole', () => {
    fs.mkdirSync(file('src/chain'), { recursive: true });
    fs.writeFileSync(file('src/chain/disk.ts'), "import fs from 'node:fs';\n\nexport function readSettings(): string {\n  return fs.readFileSync('/etc/app.json', 'utf8');\n}\n");
    fs.writeFileSync(file('src/chain/settings.ts'), "import { readSettings } from './disk.js';\n\nexport function settings(): unknown {\n  return JSON.parse(readSettings());\n}\n");
    fs.writeFileSync(file('src/chain/handler.ts'), "import { settings } from './settings.js';\n\nexport async function show(): Promise<unknown> {\n  return settings();\n}\n");
    same();
    edit('src/chain/handler.ts', (t) => t.replace('return settings();', 'const value = settings();\n  return value;'));
    const stats = same();
    expect(stats.reusedFacts).toBeGreaterThan(0);
    const finding = uncached().findings.find((f) => f.ruleId === 'no-blocking-in-async' && f.file === file('src/chain/handler.ts'));
    expect(finding?.trace.map((s) => path.basename(s.file))).toEqual(['handler.ts', 'settings.ts', 'disk.ts']);
    // The helpers' summaries stay in the cache after a run that did not need them all.
    edit('src/chain/handler.ts', (t) => t.replace('const value = settings();', 'const value = settings() ?? null;'));
    same();
    const stored = fs.readdirSync(cacheDir).map((f) => JSON.parse(fs.readFileSync(path.join(cacheDir, f), 'utf8')) as { facts?: Record<string, Record<string, unknown>> });
    const summaries = stored.flatMap((d) => Object.entries(d.facts ?? {}).filter(([kind]) => kind.startsWith('summary:blocking')));
    expect(summaries.some(([, byFile]) => Object.keys(byFile).includes(file('src/chain/disk.ts')))).toBe(true);
  });

  it('after adding and then removing a bug', () => {
    const name = domains[0]!;
    const handler = `src/domains/${name}/${name}.handler.ts`;
    const original = fs.readFileSync(file(handler), 'utf8');
    fs.writeFileSync(file(handler), `${original}\nexport function poke(): void {\n  ${name}Service.get(1);\n}\n`);
    const before = uncached().findings.length;
    same();
    fs.writeFileSync(file(handler), original);
    same();
    expect(uncached().findings.length).toBe(before - 1);
  });

  it('after changing an API many files use (an async method becomes synchronous)', () => {
    edit('src/lib/audit.ts', (t) =>
      t.replace('async log(event: string, data: Record<string, unknown>): Promise<void> {\n    await this.sink', 'log(event: string, data: Record<string, unknown>): void {\n    void this.sink'),
    );
    const stats = same();
    expect(stats.localChecked).toBeGreaterThan(1);
  });

  it('after adding a file, deleting it, and deleting a file others import', () => {
    const name = domains[1]!;
    fs.writeFileSync(file('src/extra.ts'), `import { ${name}Service } from './domains/${name}/${name}.service.js';\n\nexport function later(): void {\n  ${name}Service.get(2);\n}\n`);
    same();
    fs.rmSync(file('src/extra.ts'));
    same();
    fs.rmSync(file(`src/domains/${name}/${name}.mapper.ts`));
    same();
  });

  it('after a route file registers another handler: its file is checked again though it imports nothing that changed', () => {
    fs.mkdirSync(file('src/facts'), { recursive: true });
    fs.writeFileSync(
      file('src/facts/handlers.ts'),
      "import fs from 'node:fs';\nimport type { Request, Response } from 'express';\n\n" +
        "export function report(_req: Request, res: Response): void {\n  res.send(fs.readFileSync('/etc/hosts', 'utf8'));\n}\n\n" +
        "export function health(_req: Request, res: Response): void {\n  res.send('ok');\n}\n",
    );
    fs.writeFileSync(file('src/facts/routes.ts'), "import { Router } from 'express';\nimport { health } from './handlers.js';\n\nexport const router = Router();\nrouter.get('/health', health);\n");
    const blockingIn = (rel: string) => uncached().findings.filter((f) => f.ruleId === 'no-blocking-in-async' && f.file === file(rel)).length;
    expect(blockingIn('src/facts/handlers.ts')).toBe(0);
    same();
    edit('src/facts/routes.ts', (t) => t.replace("router.get('/health', health);", "router.get('/health', health);\nrouter.get('/report', report);").replace('{ health }', '{ health, report }'));
    const stats = same();
    expect(blockingIn('src/facts/handlers.ts')).toBe(1);
    expect(stats.wholeProgramRules).not.toContain('no-blocking-in-async');
    expect(stats.localChecked).toBeLessThan(stats.files);
    fs.rmSync(file('src/facts/routes.ts'));
    same();
    expect(blockingIn('src/facts/handlers.ts')).toBe(0);
  });

  it('after one side of a lock-order cycle in another file is fixed, and broken again', () => {
    fs.mkdirSync(file('src/facts'), { recursive: true });
    fs.writeFileSync(file('src/facts/locks.ts'), "import { Mutex } from 'async-mutex';\n\nexport const ledger = new Mutex();\nexport const audit = new Mutex();\n");
    const nested = (outer: string, inner: string, name: string) =>
      `import { ledger, audit } from './locks.js';\n\nexport async function ${name}(): Promise<void> {\n  await ${outer}.runExclusive(async () => {\n    await ${inner}.runExclusive(async () => {});\n  });\n}\n`;
    fs.writeFileSync(file('src/facts/post.ts'), nested('ledger', 'audit', 'post'));
    fs.writeFileSync(file('src/facts/review.ts'), nested('audit', 'ledger', 'review'));
    const cycles = () => uncached().findings.filter((f) => f.ruleId === 'no-lock-order-inversion' && f.file.includes('facts')).length;
    expect(cycles()).toBe(1);
    same();
    fs.writeFileSync(file('src/facts/review.ts'), nested('ledger', 'audit', 'review'));
    same();
    expect(cycles()).toBe(0);
    fs.writeFileSync(file('src/facts/review.ts'), nested('audit', 'ledger', 'review'));
    const stats = same();
    expect(cycles()).toBe(1);
    expect(stats.localChecked).toBeLessThan(stats.files);
  });

  it('after a file installs an unhandledRejection handler: the wording changes in files that do not import it, and only they are checked again', () => {
    fs.mkdirSync(file('src/lost'), { recursive: true });
    fs.writeFileSync(file('src/lost/job.ts'), 'export async function job(): Promise<void> {\n  await Promise.resolve();\n}\n');
    fs.writeFileSync(file('src/lost/caller.ts'), "import { job } from './job.js';\n\nexport function start(): void {\n  job();\n}\n");
    const floating = () => lastUncached.findings.filter((f) => f.ruleId === 'no-floating-promise' && f.file === file('src/lost/caller.ts'));
    same();
    expect(floating()).toHaveLength(1);
    expect(floating()[0]!.message).toMatch(/goes unhandled/);
    const install = "process.on('unhandledRejection', (reason) => {\n  console.error(reason);\n});\n";
    fs.writeFileSync(file('src/lost/process.ts'), `export {};\n${install}`);
    const added = same();
    expect(floating()[0]!.message).toMatch(/process-wide `unhandledRejection` handler/);
    expect(floating()[0]!.trace.some((s) => s.file === file('src/lost/process.ts'))).toBe(true);
    expect(added.wholeProgramRules).not.toContain('no-floating-promise');
    expect(added.wholeProgramRules).not.toContain('no-misused-async-function');
    expect(added.localChecked).toBeGreaterThan(1);
    expect(added.localChecked).toBeLessThan(added.files);
    // An edit after the handler changes no file's fact: only the edited file is checked again.
    fs.writeFileSync(file('src/lost/process.ts'), `export {};\n${install}export const later = 1;\n`);
    const unchanged = same();
    expect(unchanged.localChecked).toBe(1);
    // A second handler in another file: the first one still answers, nothing else changes.
    fs.writeFileSync(file('src/lost/second.ts'), `export {};\n${install}`);
    same();
    fs.rmSync(file('src/lost/process.ts'));
    fs.rmSync(file('src/lost/second.ts'));
    same();
    expect(floating()[0]!.message).toMatch(/goes unhandled/);
  }, 240_000);

  it('after an interface\'s implementation in a file the caller does not import stops querying', () => {
    const name = domains[0]!;
    const entity = name[0]!.toUpperCase() + name.slice(1);
    fs.mkdirSync(file('src/dispatch'), { recursive: true });
    fs.writeFileSync(file('src/dispatch/finder.ts'), 'export interface Finder {\n  find(id: number): Promise<unknown>;\n}\n');
    fs.writeFileSync(
      file('src/dispatch/use.ts'),
      "import type { Finder } from './finder.js';\n\nexport async function all(finder: Finder, ids: number[]): Promise<void> {\n  for (const id of ids) {\n    await finder.find(id);\n  }\n}\n",
    );
    const querying = `import { dataSource } from '../db/data-source.js';\nimport { ${entity} } from '../domains/${name}/${name}.entity.js';\nimport type { Finder } from './finder.js';\n\nexport class DbFinder implements Finder {\n  find(id: number): Promise<unknown> {\n    return dataSource.getRepository(${entity}).findOneBy({ id });\n  }\n}\n`;
    fs.writeFileSync(file('src/dispatch/impl.ts'), querying);
    const inLoop = () => lastUncached.findings.filter((f) => f.ruleId === 'no-query-in-loop' && f.file === file('src/dispatch/use.ts')).length;
    same();
    expect(inLoop()).toBe(1);
    fs.writeFileSync(file('src/dispatch/impl.ts'), querying.replace(`dataSource.getRepository(${entity}).findOneBy({ id })`, 'Promise.resolve(id)'));
    const stats = same();
    expect(inLoop()).toBe(0);
    expect(stats.wholeProgramRules).not.toContain('no-query-in-loop');
    expect(stats.localChecked).toBeLessThan(stats.files);
    fs.writeFileSync(file('src/dispatch/impl.ts'), querying);
    same();
    expect(inLoop()).toBe(1);
  }, 240_000);

  it('after a suppression comment is added', () => {
    const finding = uncached().findings[0];
    expect(finding).toBeDefined();
    const rel = path.relative(dir, finding!.file);
    const lines = fs.readFileSync(finding!.file, 'utf8').split('\n');
    lines.splice(finding!.line - 1, 0, `// eslint-disable-next-line concurrency/${finding!.ruleId}`);
    fs.writeFileSync(file(rel), lines.join('\n'));
    same();
  });

  it('after the tsconfig changes: checks everything again', () => {
    edit('tsconfig.json', (t) => t.replace('"strict": true', '"strict": false'));
    const stats = same();
    expect(stats.checked).toBe(stats.files);
  });

  it('after the rule settings change: a new key, everything checked again', () => {
    const [first] = [...rules.keys()];
    rules = new Map([...rules].filter(([id]) => id !== first));
    const stats = same();
    expect(stats.checked).toBe(stats.files);
    rules = allRules();
    same();
  });

  it('through the CLI entry (analyzeRun), cold and warm', async () => {
    const runDir = path.join(root, 'cli-cache');
    const options = { paths: ['src'], projects: [], cwd: dir, rules, threads: 1 };
    const expected = plain(uncached());
    expect(plain(await analyzeRun({ ...options, cacheDir: runDir }))).toEqual(expected);
    expect(plain(await analyzeRun({ ...options, cacheDir: runDir }))).toEqual(expected);
    expect(fs.readdirSync(runDir).some((f) => f.endsWith('.json'))).toBe(true);
  });

  it('treats an unreadable cache as empty and survives an unwritable cache folder', async () => {
    for (const f of fs.readdirSync(cacheDir)) fs.writeFileSync(path.join(cacheDir, f), '{ not json');
    same();
    const blocked = path.join(root, 'blocked');
    fs.writeFileSync(blocked, 'a file where the cache folder should be');
    const result = await analyzeRun({ paths: ['src'], projects: [], cwd: dir, rules, threads: 1, cacheDir: blocked });
    expect(result.findings).toEqual(uncached().findings);
    expect(result.diagnostics.some((d) => d.severity === 'warning' && /cache/.test(d.message))).toBe(true);
  });
});

describe('node references in cached facts', () => {
  it('find every node of a file again by position, and nothing in a changed file', () => {
    const text = 'export async function f(a: number): Promise<number> {\n  const b = [a, (a)];\n  return g(b[0]!, () => a + 1);\n}\nfunction g(x: number, _y: () => number) { return x; }\n';
    const sf = ts.createSourceFile('/virtual/a.ts', text, ts.ScriptTarget.ES2022, true);
    const program = { getSourceFile: (name: string) => (name === sf.fileName ? sf : undefined) } as unknown as ts.Program;
    let count = 0;
    const visit = (node: ts.Node): void => {
      const found = nodeAt(program, nodeRef(node));
      expect(found?.kind).toBe(node.kind);
      expect([found?.pos, found?.end]).toEqual([node.pos, node.end]);
      count++;
      node.forEachChild(visit);
    };
    sf.forEachChild(visit);
    expect(count).toBeGreaterThan(40);
    const changed = ts.createSourceFile('/virtual/a.ts', text.replace('a + 1', 'a + 10'), ts.ScriptTarget.ES2022, true);
    const other = { getSourceFile: () => changed } as unknown as ts.Program;
    const g = sf.statements[1]!;
    expect(nodeAt(other, nodeRef(g))).toBeUndefined();
  });
});

describe('the import graph helpers', () => {
  const imports = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['c']],
    ['e', []],
  ]);

  it('dependents follow imports backwards, through cycles', () => {
    expect([...dependents(imports, ['c'])].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect([...dependents(imports, ['d'])]).toEqual(['d']);
    expect([...dependents(imports, ['e'])]).toEqual(['e']);
  });

  it('closures answer reachability and give up past their budget', () => {
    const reaches = closureOracle(imports);
    expect(reaches('d', 'b')).toBe(true);
    expect(reaches('a', 'd')).toBe(false);
    expect(closureOracle(imports, 1)('a', 'c')).toBeUndefined();
  });
});
