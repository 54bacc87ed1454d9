/**
 * Several tsconfig projects: worker threads give the same result as one thread and as the
 * single-program path; `--project` takes lists, globs and project references; `--shard i/n`
 * splits the checked files so that the shards together are the whole run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { analyze } from '../analyzer/cli/analyze.js';
import { analyzeRun, expandGlob, planTasks, shardOf, type RunOptions } from '../analyzer/cli/parallel.js';
import { parseCliArgs, UsageError } from '../analyzer/cli/args.js';
import type { AnalyzeResult } from '../analyzer/check/run-types.js';
import { allRules } from './helpers/fixtures.js';

let repo: string;

const COMPILER = { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'], types: [], noEmit: true };

const PACKAGE_SOURCE = (name: string) => `export async function save${name}(id: number): Promise<number> {
  await Promise.resolve();
  return id;
}

export function handle${name}(ids: number[]): void {
  for (const id of ids) {
    save${name}(id);
  }
  save${name}(0).then(() => undefined);
}

export async function fine${name}(): Promise<void> {
  await save${name}(1);
  void save${name}(2).catch(() => undefined);
}
`;

function write(rel: string, text: string): void {
  const file = path.join(repo, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function plain(result: AnalyzeResult) {
  return {
    findings: JSON.parse(JSON.stringify(result.findings)) as unknown[],
    files: result.files,
    diagnostics: result.diagnostics,
  };
}

/** Worker threads run the worker compiled from this tree by the global setup (test/global-setup.ts). */
const builtWorker = () => pathToFileURL(path.join(inject('builtPackage'), 'dist/analyzer/cli/parallel-worker.js'));

beforeAll(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-monorepo-'));
  write('tsconfig.json', JSON.stringify({ files: [], references: [{ path: 'packages/alpha' }, { path: 'packages/beta' }] }));
  for (const [dir, name] of [['alpha', 'Alpha'], ['beta', 'Beta'], ['gamma', 'Gamma']] as const) {
    write(`packages/${dir}/tsconfig.json`, JSON.stringify({ compilerOptions: { ...COMPILER, composite: true, allowJs: true }, include: ['src'] }));
    write(`packages/${dir}/package.json`, JSON.stringify({ type: 'module' }));
    write(`packages/${dir}/src/index.ts`, PACKAGE_SOURCE(name));
    write(`packages/${dir}/src/more.ts`, PACKAGE_SOURCE(`${name}More`));
    write(`packages/${dir}/src/plain.js`, `export async function load() {}\nexport function go() {\n  load();\n}\n`);
  }
  write('scripts/loose.ts', PACKAGE_SOURCE('Loose'));
}, 240_000);

afterAll(() => {
  fs.rmSync(repo, { recursive: true, force: true });
});

function options(extra: Partial<RunOptions> = {}): RunOptions {
  return { paths: ['.'], projects: [], cwd: repo, rules: allRules(), workerEntry: builtWorker(), ...extra };
}

describe('several projects', () => {
  it('has a compiled worker to run', () => {
    expect(fs.existsSync(builtWorker())).toBe(true);
  });

  it('plans one task per project: references of the nearest tsconfig, and the named files no tsconfig claims', () => {
    const names = (tasks: { identity: string }[]) => tasks.map((t) => (t.identity === 'default' ? t.identity : path.relative(repo, t.identity).split(path.sep).join('/')));
    // In the folder, scripts/ is left out by the project (no tsconfig includes it): skipped.
    const inFolder = planTasks(['.'], [], repo);
    expect(names(inFolder.tasks)).toEqual(['packages/alpha/tsconfig.json', 'packages/beta/tsconfig.json', 'packages/gamma/tsconfig.json']);
    expect(inFolder.tasks.reduce((n, t) => n + t.files.length, 0)).toBe(9);
    expect(inFolder.skipped).toEqual([{ reason: 'not-included', files: [path.join(repo, 'scripts/loose.ts')] }]);
    // Named, it is checked with the default config.
    const named = planTasks(['.', 'scripts/loose.ts'], [], repo);
    expect(names(named.tasks)).toEqual(['default', 'packages/alpha/tsconfig.json', 'packages/beta/tsconfig.json', 'packages/gamma/tsconfig.json']);
    expect(named.tasks.reduce((n, t) => n + t.files.length, 0)).toBe(10);
    expect(named.skipped).toEqual([]);
  });

  it('gives the same result on worker threads as on one thread and as the single-program path', async () => {
    const legacy = plain(analyze({ paths: ['.'], cwd: repo, rules: allRules() }));
    expect(legacy.findings.length).toBeGreaterThanOrEqual(12);
    const one = plain(await analyzeRun(options({ threads: 1 })));
    const two = plain(await analyzeRun(options({ threads: 2 })));
    const four = plain(await analyzeRun(options({ threads: 4 })));
    expect(one).toEqual(legacy);
    expect(two).toEqual(legacy);
    expect(four).toEqual(legacy);
  });

  it('takes project references, a list and a glob', async () => {
    const byReferences = plain(await analyzeRun(options({ projects: ['tsconfig.json'], threads: 2 })));
    const legacy = plain(analyze({ paths: ['.'], project: 'tsconfig.json', cwd: repo, rules: allRules() }));
    expect(byReferences).toEqual(legacy);
    const list = plain(await analyzeRun(options({ paths: ['packages'], projects: ['packages/alpha', 'packages/beta/tsconfig.json', 'packages/gamma'], threads: 2 })));
    const glob = plain(await analyzeRun(options({ paths: ['packages'], projects: ['packages/*/tsconfig.json'], threads: 2 })));
    expect(glob).toEqual(list);
    expect(new Set(list.files.map((f) => path.relative(repo, f).split(path.sep)[1]))).toEqual(new Set(['alpha', 'beta', 'gamma']));
    expect(expandGlob('packages/*/tsconfig.json', repo).map((f) => path.relative(repo, f))).toEqual(
      ['alpha', 'beta', 'gamma'].map((p) => path.join('packages', p, 'tsconfig.json')),
    );
    expect(expandGlob('**/*.js', repo)).toHaveLength(3);
  });

  it('reports a --project that does not exist or a glob that matches nothing', async () => {
    const result = await analyzeRun(options({ projects: ['nope/tsconfig.json', 'none/*/tsconfig.json'] }));
    expect(result.findings).toEqual([]);
    expect(result.diagnostics.map((d) => d.message)).toEqual(['tsconfig not found: nope/tsconfig.json', 'no tsconfig matches none/*/tsconfig.json']);
  });
});

describe('--shard i/n', () => {
  it('hashes paths relative to the working folder, stably', () => {
    expect(shardOf('/x/src/a.ts', '/x', 4)).toBe(shardOf('/y/src/a.ts', '/y', 4));
    expect(shardOf('/x/src/a.ts', '/x', 1)).toBe(1);
    const spread = new Set(Array.from({ length: 50 }, (_, i) => shardOf(`/r/src/file${i}.ts`, '/r', 3)));
    expect(spread).toEqual(new Set([1, 2, 3]));
  });

  it('splits the checked files; the shards together are the whole run', async () => {
    const whole = plain(await analyzeRun(options({ threads: 1 })));
    const parts = [];
    for (let index = 1; index <= 3; index++) parts.push(plain(await analyzeRun(options({ threads: 2, shard: { index, count: 3 } }))));
    const files = parts.flatMap((p) => p.files);
    expect(new Set(files).size).toBe(files.length);
    expect(files.sort()).toEqual(whole.files);
    const findings = parts.flatMap((p) => p.findings.map((f) => JSON.stringify(f))).sort();
    expect(findings).toEqual(whole.findings.map((f) => JSON.stringify(f)).sort());
    expect(parts.every((p) => p.files.length > 0)).toBe(true);
  });
});

describe('command-line options for projects, threads, shards and the cache', () => {
  it('parses them', () => {
    const args = parseCliArgs(['src', '-p', 'a', '--project', 'b/*/tsconfig.json', '--threads', '3', '--shard', '2/5', '--cache', '.lint-cache']);
    expect(args).toMatchObject({ project: 'a', projects: ['a', 'b/*/tsconfig.json'], threads: 3, shard: { index: 2, count: 5 }, cache: '.lint-cache' });
    expect(parseCliArgs([])).toMatchObject({ projects: [], threads: undefined, shard: undefined, cache: undefined });
  });

  it('rejects bad values with one-line usage errors', () => {
    for (const argv of [['--threads', '0'], ['--threads', 'many'], ['--shard', '0/2'], ['--shard', '3/2'], ['--shard', '1'], ['--cache', ' ']]) {
      expect(() => parseCliArgs(argv), argv.join(' ')).toThrow(UsageError);
    }
  });
});
