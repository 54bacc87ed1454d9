import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProjects, DEFAULT_COMPILER_OPTIONS, type LoadedProject } from '../analyzer/project/project.js';
import { runCheck } from '../analyzer/check/run.js';
import type { Finding, Span } from '../analyzer/check/finding.js';
import check, { blockingKindFor, type Options } from '../analyzer/blocking/no-blocking-in-async.js';
import plugin from '../rules/index.js';
import { summaryStats } from '../analyzer/summaries/engine.js';
import { asyncEntryOf, runsSynchronously } from '../analyzer/program/async-context.js';
import { getTypeQueries } from '../analyzer/program/type-queries.js';
import { functionName, isFunctionLike, type FunctionLike } from '../analyzer/program/callgraph.js';
import { walk } from '../analyzer/program/walk.js';
import { BLOCKING_APIS } from '../analyzer/blocking/catalog.js';
import { expectedKeys, key } from './helpers/fixtures.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** Write files to a fresh temp folder (an ES module package) and load them as one program. */
function programOf(files: Record<string, string>): { dir: string; project: LoadedProject } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nbia-'));
  temps.push(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const { projects } = loadProjects({ paths: [dir], cwd: dir });
  return { dir, project: projects[0]! };
}

/** Per call site (the ESLint plugin's default), unless the options say otherwise. */
function findings(project: LoadedProject, options: Partial<Options> = {}): Finding[] {
  return project.files.flatMap((sf) => runCheck(check, { severity: 'error', options: { report: 'site', ...options } }, project.program, sf));
}

/** Grouped by cause (the CLI's default). */
function causes(project: LoadedProject, options: Partial<Options> = {}): Finding[] {
  return findings(project, { report: 'cause', ...options });
}

function where(f: Span, dir: string): string {
  return `${path.relative(dir, f.file)}:${f.line}`;
}

describe('summaries are computed once per program', () => {
  function callers(n: number): Record<string, string> {
    const files: Record<string, string> = {
      'helper.ts': [
        "import { readFileSync } from 'node:fs';",
        'function inner(name: string): string {',
        "  return readFileSync(name, 'utf8');",
        '}',
        'export function helper(name: string): string {',
        '  return inner(name).trim();',
        '}',
      ].join('\n'),
    };
    // n call sites from async functions: n/5 files, 5 async functions each, one call each,
    // plus a second and third call of the helper in the same function.
    for (let f = 0; f < n / 5; f++) {
      const fns = Array.from({ length: 5 }, (_, i) =>
        [`export async function caller${f}_${i}(): Promise<string> {`, `  return helper('a${i}') + helper('b') + helper('c');`, '}'].join('\n'),
      );
      files[`callers${f}.ts`] = [`import { helper } from './helper.js';`, ...fns].join('\n');
    }
    return files;
  }

  it('walks the helper bodies once, whether 10 or 100 async functions call them', () => {
    const work: number[] = [];
    for (const n of [10, 100]) {
      const { project } = programOf(callers(n));
      const found = findings(project);
      // One report per async function (the three calls reach the same readFileSync).
      expect(found).toHaveLength(n);
      const stats = summaryStats(project.program, blockingKindFor());
      work.push(stats.computeCalls);
    }
    // helper and inner: two bodies, each summarised once, for 10 and for 100 callers.
    expect(work).toEqual([2, 2]);
  });

  it('reuses the summaries across files and across the ESLint-style per-file runs', () => {
    const { project } = programOf(callers(20));
    findings(project);
    const before = summaryStats(project.program, blockingKindFor()).computeCalls;
    findings(project); // a second pass (another file run, another keystroke) computes nothing new
    expect(summaryStats(project.program, blockingKindFor()).computeCalls).toBe(before);
  });
});

describe('sample app', () => {
  const dir = path.join(FIXTURES, 'sample-app');
  const { projects } = loadProjects({ paths: [dir], cwd: dir });
  const found = projects.flatMap((p) => findings(p));

  it('finds the blocking calls with their chains', () => {
    const byPlace = Object.fromEntries(found.map((f) => [where(f, dir), f]));
    expect(Object.keys(byPlace).sort()).toEqual(['src/http/reports.handler.ts:32', 'src/jobs/worker.ts:122', 'src/services/user.service.ts:53']);
    const report = byPlace['src/http/reports.handler.ts:32']!;
    expect(report.data.chain).toBe('monthlyReport() -> renderReport() -> loadTemplate() -> fs.readFileSync()');
    expect(report.trace.map((s) => `${s.message} @ ${path.relative(dir, s.file)}:${s.line}`)).toEqual([
      '`monthlyReport()` calls `renderReport()` @ src/http/reports.handler.ts:32',
      '`renderReport()` calls `loadTemplate()` @ src/services/template.ts:36',
      '`fs.readFileSync()` blocks: reads the whole file on the event loop thread @ src/services/template.ts:21',
    ]);
    expect(report.message).toContain('Make `loadTemplate` async');
    expect(byPlace['src/jobs/worker.ts:122']!.data.chain).toBe(
      'JobWorker.exportOrders() -> archiveDirectory() -> runTar() -> child_process.execSync()',
    );
    expect(byPlace['src/services/user.service.ts:53']!.trace).toEqual([]);
  });

  it('leaves the start-up read of the config alone', () => {
    expect(found.some((f) => f.file.endsWith('load-config.ts'))).toBe(false);
  });
});

describe('options', () => {
  const { dir, project } = programOf({
    'app.ts': [
      "import { existsSync, readFileSync } from 'node:fs';",
      "import { querySync } from 'legacy-db';",
      "import express from 'express';",
      'export async function a(): Promise<boolean> {',
      "  return existsSync('x');",
      '}',
      'export async function b(): Promise<string> {',
      "  return readFileSync('x', 'utf8');",
      '}',
      'export async function c(): Promise<unknown> {',
      "  return querySync('SELECT 1');",
      '}',
      'export async function d(): Promise<unknown> {',
      "  return require('./plugin.cjs');",
      '}',
      'export const app = express();',
    ].join('\n'),
    'router.js': [
      "import { readFileSync } from 'node:fs';",
      "import { createRouter } from 'tiny-router';",
      'export const router = createRouter();',
      "router.get('/x', () => readFileSync('y'));",
    ].join('\n'),
    'shim.d.ts': "declare module 'legacy-db' { export function querySync(sql: string): unknown; }",
  });
  const lines = (options: Partial<Options>) => findings(project, options).map((f) => where(f, dir));

  it('reports the catalog by default, and require() of a file', () => {
    expect(lines({})).toEqual(['app.ts:5', 'app.ts:8', 'app.ts:14']);
  });

  it('adds APIs from `additional`, with their advice', () => {
    const found = findings(project, { additional: [{ module: 'legacy-db', name: 'querySync', advice: '`query` from `legacy-db`' }] });
    const c = found.find((f) => f.line === 11)!;
    expect(c.message).toContain('Use `query` from `legacy-db` instead');
  });

  it('skips what `allow` lists, by name or by module and name', () => {
    expect(lines({ allow: ['existsSync'] })).toEqual(['app.ts:8', 'app.ts:14']);
    expect(lines({ allow: [{ module: 'node:fs', name: 'readFileSync' }] })).toEqual(['app.ts:5', 'app.ts:14']);
    expect(lines({ allow: [{ module: 'fs-extra', name: 'readFileSync' }] })).toEqual(['app.ts:5', 'app.ts:8', 'app.ts:14']);
    expect(lines({ allow: ['require'] })).toEqual(['app.ts:5', 'app.ts:8']);
  });

  it('turns off require() reports with `reportRequire: false`', () => {
    expect(lines({ reportRequire: false })).toEqual(['app.ts:5', 'app.ts:8']);
  });

  it('is told about more routers with `routeHandlers` (matched by the module the object comes from)', () => {
    expect(lines({ routeHandlers: ['tiny-router'] })).toEqual(['app.ts:5', 'app.ts:8', 'app.ts:14', 'router.js:4']);
  });
});

describe('reportStartup', () => {
  // Start-up code in both modes: a top-level promise callback, and an async function only module
  // top level starts (after its first `await`; before it nothing else runs, in either setting).
  const { dir, project } = programOf({
    'main.ts': [
      "import { readFileSync } from 'node:fs';",
      'async function boot(): Promise<void> {',
      "  readFileSync('before.json');",
      "  await fetch('http://config.invalid/');",
      "  readFileSync('after.json');",
      '}',
      'void boot();',
      "void fetch('http://config.invalid/').then(() => readFileSync('banner.txt'));",
    ].join('\n'),
  });
  const lines = (options: Partial<Options>) => findings(project, options).map((f) => where(f, dir));

  it('is off by default: start-up code is not reported, in either mode', () => {
    expect(check.meta.defaultOptions.reportStartup).toBe(false);
    expect(lines({})).toEqual([]);
    expect(lines({ report: 'cause' })).toEqual([]);
  });

  it('reports the calls after the first `await` and the top-level callbacks when on', () => {
    expect(lines({ reportStartup: true })).toEqual(['main.ts:5', 'main.ts:8']);
    expect(lines({ report: 'cause', reportStartup: true })).toEqual(['main.ts:5', 'main.ts:8']);
  });
});

describe('suggestions', () => {
  const source = [
    "import { readFileSync, statSync } from 'node:fs';",
    "import { execSync } from 'node:child_process';",
    "import { pbkdf2Sync, scryptSync } from 'node:crypto';",
    "import { gzipSync } from 'node:zlib';",
    'export async function read(p: string): Promise<string> {',
    "  const text = readFileSync(p, 'utf8').trim();",
    '  return text;',
    '}',
    'export async function run(): Promise<string> {',
    "  return execSync('ls', { encoding: 'utf8' });",
    '}',
    'export async function runOnly(): Promise<void> {',
    "  execSync('sync');",
    '}',
    'export async function key(pw: string): Promise<Buffer> {',
    "  return pbkdf2Sync(pw, 'salt', 1000, 32, 'sha256');",
    '}',
    'export async function zip(b: Buffer): Promise<Buffer> {',
    '  return gzipSync(b);',
    '}',
    'export async function scrypt3(pw: string): Promise<Buffer> {',
    "  return scryptSync(pw, 'salt', 32);",
    '}',
    'export async function scrypt4(pw: string): Promise<Buffer> {',
    "  return scryptSync(pw, 'salt', 32, { N: 1024 });",
    '}',
    'export async function missing(p: string): Promise<boolean> {',
    '  return statSync(p, { throwIfNoEntry: false }) !== undefined;',
    '}',
    'export function later(p: string): void {',
    "  setTimeout(() => readFileSync(p), 1);",
    '}',
    'export async function quiet(): Promise<void> {',
    "  execSync('tar -czf out.tgz dir', { stdio: 'ignore' });",
    '}',
  ].join('\n');
  const { dir, project } = programOf({ 'main.ts': source });
  const found = findings(project);
  const at = (line: number) => found.find((f) => f.line === line)!;

  function apply(f: Finding): string {
    const edits = [...f.suggestions[0]!.edits].sort((a, b) => b.start - a.start);
    let text = source;
    for (const e of edits) text = text.slice(0, e.start) + e.text + text.slice(e.end);
    return text;
  }

  function typeErrors(text: string): string[] {
    const file = path.join(dir, 'fixed.ts');
    fs.writeFileSync(file, text);
    const program = ts.createProgram({ rootNames: [file], options: DEFAULT_COMPILER_OPTIONS });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
  }

  it('rewrites readFileSync to `await readFile` and adds the import', () => {
    const text = apply(at(6));
    expect(text).toContain("const text = (await readFile(p, 'utf8')).trim();");
    expect(text).toContain("import { gzipSync } from 'node:zlib';\nimport { readFile } from 'node:fs/promises';");
    expect(typeErrors(text)).toEqual([]);
  });

  it('rewrites execSync to a promisified exec, keeping stdout as the value', () => {
    const text = apply(at(10));
    expect(text).toContain("return (await promisify(exec)('ls', { encoding: 'utf8' })).stdout;");
    expect(text).toContain("import { exec } from 'node:child_process';\nimport { promisify } from 'node:util';");
    expect(typeErrors(text)).toEqual([]);
    expect(apply(at(13))).toContain("  await promisify(exec)('sync');");
  });

  it('rewrites pbkdf2Sync and gzipSync to promisified calls that type-check', () => {
    for (const line of [16, 19]) {
      expect(at(line).suggestions, `line ${line}`).toHaveLength(1);
      expect(typeErrors(apply(at(line))), `line ${line}`).toEqual([]);
    }
    // promisify(scrypt) resolves to `unknown` in @types/node: no rewrite that would not type-check.
    expect(at(22).suggestions).toEqual([]);
    expect(at(25).suggestions).toEqual([]);
  });

  it('offers nothing where the rewrite would not be a drop-in', () => {
    expect(at(28).suggestions).toEqual([]); // throwIfNoEntry has no promise twin
    expect(at(31).suggestions).toEqual([]); // not inside an async function
    expect(at(34).suggestions).toEqual([]); // exec has no `stdio` option
    expect(found.every((f) => f.fix === undefined)).toBe(true);
  });

  it('does not clash with a name already taken in the file', () => {
    const taken = programOf({
      'taken.ts': [
        "import { readFileSync } from 'node:fs';",
        "import { readFile } from './own.js';",
        'export async function read(p: string): Promise<string> {',
        "  return readFileSync(p, 'utf8') + readFile();",
        '}',
      ].join('\n'),
      'own.ts': "export function readFile(): string { return ''; }",
    });
    const [report] = findings(taken.project);
    expect(report!.suggestions).toEqual([]);
  });
});

describe('async context', () => {
  const { project } = programOf({
    'ctx.ts': [
      "import { EventEmitter } from 'node:events';",
      'export async function asyncFn(): Promise<void> {}',
      'export function viaThen(p: Promise<number>): Promise<number> { return p.then(function onValue(n) { return n + 1; }); }',
      'export function viaTimer(): void { setTimeout(function tick() {}, 1); }',
      'export const bus = new EventEmitter();',
      "bus.on('x', function onX() {});",
      'export function sync(xs: number[]): number[] { return xs.map(function double(x) { return x * 2; }); }',
      'export function plain(): void {}',
    ].join('\n'),
  });
  const types = getTypeQueries(project.program);
  const fns = new Map<string, FunctionLike>();
  walk(project.files[0]!, (n) => {
    if (isFunctionLike(n)) fns.set(functionName(n), n);
  });
  const kindOf = (name: string) => asyncEntryOf(fns.get(name)!, project.program)?.kind;

  it('knows which functions run as their own task', () => {
    expect(kindOf('asyncFn')).toBe('async');
    expect(kindOf('onValue')).toBe('promise');
    expect(kindOf('tick')).toBe('timer');
    expect(kindOf('onX')).toBe('listener');
    expect(kindOf('double')).toBeUndefined();
    expect(kindOf('plain')).toBeUndefined();
  });

  it('knows which callbacks run synchronously inside their caller', () => {
    expect(runsSynchronously(fns.get('double')!, types)).toBe(true);
    expect(runsSynchronously(fns.get('tick')!, types)).toBe(false);
    expect(runsSynchronously(fns.get('onValue')!, types)).toBe(false);
  });
});

describe('catalog', () => {
  it('has one entry per module and API, each with a reason and a replacement', () => {
    const keys = BLOCKING_APIS.map((a) => `${a.module}:${a.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const api of BLOCKING_APIS) {
      expect(api.why.length, `${api.module}:${api.name}`).toBeGreaterThan(10);
      expect(api.replacement.length, `${api.module}:${api.name}`).toBeGreaterThan(3);
    }
    for (const name of ['readFileSync', 'writeFileSync', 'existsSync', 'readSync', 'cpSync']) expect(keys).toContain(`fs:${name}`);
    for (const name of ['execSync', 'execFileSync', 'spawnSync']) expect(keys).toContain(`child_process:${name}`);
  });
});

describe("report: 'cause' (one finding per cause)", () => {
  const { dir, project } = programOf({
    'crypto.ts': [
      "import { scryptSync, createCipheriv } from 'node:crypto';",
      'function deriveKey(secret: string): Buffer {',
      "  return scryptSync(secret, 'salt', 32);",
      '}',
      'export function encrypt(text: string): Buffer {',
      "  return createCipheriv('aes-256-gcm', deriveKey('k'), Buffer.alloc(12)).update(text);",
      '}',
      'export function decrypt(data: Buffer): Buffer {',
      "  return createCipheriv('aes-256-gcm', deriveKey('k'), Buffer.alloc(12)).update(data);",
      '}',
    ].join('\n'),
    'plugins.ts': [
      "import { readFileSync, readdirSync, statSync } from 'node:fs';",
      'export function loadPlugins(dir: string): string[] {',
      '  const names = readdirSync(dir);',
      '  return names.filter((n) => statSync(`${dir}/${n}`).isFile()).map((n) => readFileSync(`${dir}/${n}`, "utf8"));',
      '}',
    ].join('\n'),
    'routes.ts': [
      "import { readFileSync } from 'node:fs';",
      "import { decrypt, encrypt } from './crypto.js';",
      "import { loadPlugins } from './plugins.js';",
      'export async function pay(body: string): Promise<Buffer> {',
      '  return encrypt(body);',
      '}',
      'export async function refund(body: Buffer): Promise<Buffer> {',
      '  return decrypt(body);',
      '}',
      'export async function webhook(body: string): Promise<Buffer> {',
      '  const plugins = loadPlugins("plugins");',
      '  return plugins.length > 0 ? decrypt(encrypt(body)) : encrypt(body);',
      '}',
      'export async function direct(): Promise<string> {',
      "  return readFileSync('a', 'utf8') + readFileSync('b', 'utf8');",
      '}',
    ].join('\n'),
  });
  const site = findings(project);
  const cause = causes(project);
  const byPlace = Object.fromEntries(cause.map((f) => [where(f, dir), f]));

  it('reports a helper reached from many entries once, at its blocking call, with the entries as related locations', () => {
    // Site mode: one report per entry and helper path (pay, refund, webhook x2 for crypto; webhook for plugins; two direct).
    expect(site.length).toBeGreaterThan(cause.length);
    expect(cause.map((f) => where(f, dir)).sort()).toEqual(['crypto.ts:3', 'plugins.ts:3', 'routes.ts:15']);
    const scrypt = byPlace['crypto.ts:3']!;
    expect(scrypt.messageId).toBe('blockingCause');
    expect(scrypt.message).toContain('in `deriveKey` blocks the event loop');
    expect(scrypt.message).toContain('3 async entry points reach it');
    expect(scrypt.message).toContain('Make `deriveKey` async');
    expect(scrypt.related!.map((r) => `${where(r, dir)} ${r.message.split(':')[0]}`)).toEqual([
      'routes.ts:5 reached from the async function `pay`',
      'routes.ts:8 reached from the async function `refund`',
      'routes.ts:12 reached from the async function `webhook`',
    ]);
    // The trace is the shortest chain of one entry, ending at the blocking call.
    expect(scrypt.trace.map((s) => where(s, dir))).toEqual(['routes.ts:5', 'crypto.ts:6', 'crypto.ts:3']);
  });

  it('makes several blocking calls of one helper one finding, the others related', () => {
    const plugins = byPlace['plugins.ts:3']!;
    expect(plugins.message).toContain('`loadPlugins` makes 2 more blocking calls, listed too.');
    expect(plugins.related!.map((r) => where(r, dir))).toEqual(['routes.ts:11', 'plugins.ts:4', 'plugins.ts:4']);
  });

  it('makes the blocking calls written in one entry one finding, keeping each call\'s suggestion', () => {
    expect(site.filter((f) => f.line === 15)).toHaveLength(2);
    const direct = cause.filter((f) => f.line === 15);
    expect(direct).toHaveLength(1);
    expect(direct[0]!.messageId).toBe('blocking');
    expect(direct[0]!.message).toContain('The same function makes 1 more blocking call, listed too.');
    expect(direct[0]!.related!.map((r) => r.message)).toEqual(['`fs.readFileSync()` also blocks here: it reads the whole file on the event loop thread']);
    expect(direct[0]!.suggestions).toHaveLength(2);
  });

  it('is the default of the check (the CLI) and not of the ESLint rule (the open file)', () => {
    expect(check.meta.defaultOptions.report).toBe('cause');
    expect(plugin.rules['no-blocking-in-async']?.defaultOptions[0]).toMatchObject({ report: 'site' });
  });
});

describe("report: 'cause' keeps every site-mode finding of the fixtures", () => {
  const folders = [path.join(FIXTURES, 'no-blocking-in-async'), path.join(FIXTURES, 'sample-app')];
  it.each(folders)('%s', (folder) => {
    const { projects } = loadProjects({ paths: [folder], cwd: folder });
    for (const project of projects) {
      // Start-up code reported in both modes: grouping by cause knows more start-up code (see below).
      const site = findings(project, { reportStartup: true }).map((f) => where(f, folder));
      const cause = causes(project, { reportStartup: true });
      // Every cause finding is a site finding itself (a direct call) or lists them: its entry points.
      const covered = new Set(cause.flatMap((f) => [where(f, folder), ...(f.related ?? []).map((r) => where(r, folder))]));
      expect(site.filter((s) => !covered.has(s))).toEqual([]);
      // ...and it adds no entry point that site mode does not report.
      const entryPoints = cause.flatMap((f) => (f.related ?? []).filter((r) => r.message.startsWith('reached from')).map((r) => where(r, folder)));
      expect(entryPoints.filter((e) => !site.includes(e))).toEqual([]);
      expect(cause.length).toBeLessThanOrEqual(site.length);
    }
  });

  it('leaves out, by default, exported functions the whole program starts only from module top level (per call site, other modules may call them)', () => {
    const folder = folders[0]!;
    const { projects } = loadProjects({ paths: [folder], cwd: folder });
    const placesOf = (found: Finding[]) => found.flatMap((f) => [where(f, folder), ...(f.related ?? []).map((r) => where(r, folder))]);
    const site = projects.flatMap((p) => findings(p)).map((f) => where(f, folder));
    const cause = new Set(projects.flatMap((p) => placesOf(causes(p))));
    expect(site.filter((s) => !cause.has(s))).toEqual(['startup-async.ts:37', 'startup-async.ts:61']);
  });
});

describe('messages say what waits, and the trace when the blocking path runs', () => {
  const { dir, project } = programOf({
    'app.ts': [
      "import express from 'express';",
      "import { scryptSync, randomBytes } from 'node:crypto';",
      "import { readFileSync } from 'node:fs';",
      'function hash(pw: string, options: { sync?: boolean }): Buffer {',
      "  if (options.sync) return scryptSync(pw, 'salt', 32);",
      '  return randomBytes(32);',
      '}',
      'function readTemplate(): string {',
      "  return readFileSync('t.html', 'utf8');",
      '}',
      'async function loadUser(): Promise<string> {',
      '  return readTemplate();',
      '}',
      'export const app = express();',
      "app.post('/login', async (req: { body: string }) => hash(req.body, { sync: true }));",
      "app.get('/user', async () => loadUser());",
      'setInterval(() => readTemplate(), 1000);',
      'export async function unknownCaller(): Promise<string> {',
      '  return readTemplate();',
      '}',
    ].join('\n'),
  });
  const site = findings(project);
  const at = (line: number) => site.filter((f) => f.line === line);

  it('tells a request handler that every request waits', () => {
    expect(at(15)[0]!.message).toContain('so every request this process serves waits until it returns');
    // loadUser is an async function a route handler calls: a request path too, which grouping
    // by cause (whole program) sees; per call site its callers are not looked at.
    // (Grouped at readTemplate's read, whose other entries are a timer and an uncalled function.)
    expect(causes(project).find((f) => f.line === 9)!.message).toContain('so every request this process serves waits');
    expect(at(12)[0]!.message).toContain('so nothing else on the event loop');
  });

  it('tells a timer callback that the other jobs wait, and says nothing of requests where no handler reaches the code', () => {
    expect(at(17)[0]!.message).toContain('so every other job, timer and request of the process waits');
    expect(at(19)[0]!.message).toContain('so nothing else on the event loop');
    expect(at(19)[0]!.message).not.toContain('every request');
  });

  it('shows the branch condition a blocking call sits behind', () => {
    const trace = at(15)[0]!.trace.map((s) => `${where(s, dir)} ${s.message}`);
    expect(trace).toEqual([
      'app.ts:15 <express route handler> calls `hash()`',
      'app.ts:5 `crypto.scryptSync()` blocks (only when `options.sync`): derives a key with deliberately slow, memory-hard hashing on the event loop thread',
    ]);
  });

  it('gives the grouped finding the wording of its worst entry', () => {
    const grouped = causes(project).find((f) => f.line === 9)!;
    expect(grouped.related!.length).toBe(3);
    expect(grouped.message).toContain('so every request this process serves waits');
  });
});

describe('the callers of an async function in files that import its file only through another', () => {
  // app.ts imports service.ts only through index.ts: the route handler that calls render() is
  // found among the files that import service.ts directly or not, so the request wording holds.
  const { project } = programOf({
    'service.ts': [
      "import { readFileSync } from 'node:fs';",
      "function readTemplate(): string { return readFileSync('t.html', 'utf8'); }",
      'export async function render(): Promise<string> { return readTemplate(); }',
    ].join('\n'),
    'index.ts': "export { render } from './service.js';\n",
    'app.ts': [
      "import express from 'express';",
      "import { render } from './index.js';",
      'export const app = express();',
      "app.get('/page', async () => render());",
    ].join('\n'),
  });

  it('says every request waits when grouping by cause, and not per call site (callers not looked at)', () => {
    const grouped = causes(project).filter((f) => f.file.endsWith('service.ts'));
    expect(grouped.map((f) => f.line)).toEqual([2]);
    expect(grouped[0]!.message).toContain('so every request this process serves waits');
    const site = findings(project).filter((f) => f.file.endsWith('service.ts'));
    expect(site.map((f) => f.line)).toEqual([3]);
    expect(site[0]!.message).toContain('so nothing else on the event loop');
  });
});

describe('start-up and test-only code across files (whole program: report cause)', () => {
  const folder = path.resolve(import.meta.dirname, 'blocking-cause-fixture');
  const { projects } = loadProjects({ paths: [folder], cwd: folder });
  const project = projects[0]!;
  const keys = (found: Finding[]) => found.map((f) => key(f.file, f.line, f.ruleId, folder)).sort();

  it('reports exactly the marked lines when grouping by cause', () => {
    expect(keys(causes(project))).toEqual(expectedKeys(project.files.map((f) => f.fileName), folder));
  });

  it('reports the start-up code again with reportStartup: the lines after the first `await`', () => {
    const quiet = keys(causes(project));
    const loud = keys(causes(project, { reportStartup: true }));
    expect(loud.filter((k) => !quiet.includes(k))).toEqual(['bootstrap.ts:11 no-blocking-in-async', 'cli.ts:8 no-blocking-in-async', 'runner.ts:19 no-blocking-in-async']);
    expect(quiet.filter((k) => !loud.includes(k))).toEqual([]);
  });

  it('per call site, a file is judged by what it reaches: the cross-file start-up and test-only cases are reported', () => {
    const site = keys(findings(project));
    for (const place of ['bootstrap.ts:8', 'cli.ts:5', 'test-setup.ts:5']) expect(site).toContain(`${place} no-blocking-in-async`);
    // The once-called runner callback is decided from the file and what it imports: quiet in both modes.
    expect(site).not.toContain('runner.ts:17 no-blocking-in-async');
  });
});
