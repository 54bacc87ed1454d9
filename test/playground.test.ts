/**
 * The playground in a real browser: the site is built into a temporary folder, served from
 * 127.0.0.1 and driven in headless Chromium (Debian's `chromium`, which .ci/run installs;
 * set CHROMIUM_PATH to use another). Each rule's example, opened from a `#code=`/`#state=`
 * link, shows that rule's finding on its `// expect:` line and type-checks; typing makes a
 * finding appear and disappear; a fix and a suggestion apply; a lock-order trace step opens
 * the other file. No timing is asserted (see playground/bench.mjs for that). A screenshot is
 * written to playground/dist/test-screenshot.png (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import ts from 'typescript';
import { serve } from '../playground/serve.mjs';
import { splitNodeTypes } from '../playground/node-types.mjs';
import { nodeTypesIndex } from '../playground/src/node-types.js';
import { APP, createHost } from '../playground/src/host.js';
import { DEFAULT_COMPILER_OPTIONS } from '../analyzer/project/project.js';
import { checkProjects } from '../analyzer/cli/analyze.js';
import { allChecks } from '../analyzer/checks/index.js';
import { resolveRuleSettings, validateConfig } from '../analyzer/cli/config.js';
import { decodeBase64Url, hashToState, stateToHash } from '../playground/src/url-state.js';
import * as browserPath from '../playground/src/shims/path.js';
import { createHash } from '../playground/src/shims/crypto.js';
import crypto from 'node:crypto';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLES = path.join(ROOT, 'playground', 'examples');

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('the playground test needs Chromium: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH');
  }
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** Every example: its files (main.ts first, as the playground orders them) and the rule and line it must report. */
function examples(): { rule: string; files: { name: string; text: string }[]; line: number }[] {
  return fs.readdirSync(EXAMPLES).sort().map((entry) => {
    const full = path.join(EXAMPLES, entry);
    const isDir = fs.statSync(full).isDirectory();
    const names = isDir ? fs.readdirSync(full).sort((a, b) => Number(b === 'main.ts') - Number(a === 'main.ts') || a.localeCompare(b)) : ['main.ts'];
    const files = names.map((name) => ({ name, text: fs.readFileSync(isDir ? path.join(full, name) : full, 'utf8') }));
    const rule = entry.replace(/\.ts$/, '');
    const line = files[0]!.text.split('\n').findIndex((l) => l.includes(`// expect: ${rule}`)) + 1;
    return { rule, files, line };
  });
}

let dist: string;
let server: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;

// Page-side code is given as strings: this test compiles without the DOM lib.
const analysedRun = () => page.evaluate('document.body.dataset.analysed') as Promise<string | undefined>;

/** Wait until the page has analysed the current code (nothing pending) after run `previous`. */
async function settled(previous?: string): Promise<void> {
  const ready = `document.body.dataset.idle === 'true' && String(document.body.dataset.analysed) !== ${JSON.stringify(String(previous))}`;
  await page.waitForFunction(ready, null, { timeout: 120_000 });
}

async function open(hash: string): Promise<void> {
  const previous = await analysedRun();
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await settled(previous);
}

const findings = () => page.$$eval('#findings > li', (items) => items.map((li) => `${li.dataset.file}:${li.dataset.line} ${li.dataset.rule}`));

describe('playground in Chromium', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'concurrency-lint-playground-'));
    execFileSync(process.execPath, [path.join(ROOT, 'playground', 'build.mjs'), dist], { cwd: ROOT, stdio: 'pipe' });
    server = await serve(dist);
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--headless', '--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}#code=${b64('export {};\n')}`);
    await settled();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dist) fs.rmSync(dist, { recursive: true, force: true });
  });

  for (const example of examples()) {
    it(`the ${example.rule} example shows its finding on line ${example.line} and type-checks`, async () => {
      expect(example.line).toBeGreaterThan(0);
      const hash = example.files.length === 1 ? `#code=${b64(example.files[0]!.text)}` : `#state=${b64(JSON.stringify({ files: example.files }))}`;
      await open(hash);
      expect(await findings()).toContain(`main.ts:${example.line} ${example.rule}`);
      expect(await page.$$eval('#type-errors li', (items) => items.map((li) => li.textContent))).toEqual([]);
    });
  }

  it('fetches declarations as the code needs them: an ORM when imported, the DOM lib for a DOM-only global', async () => {
    const libraries = () => page.evaluate('document.body.dataset.libraries') as Promise<string>;
    await open(`#code=${b64("import { readFileSync } from 'node:fs';\nexport async function f() {\n  return readFileSync('x', 'utf8');\n}\n")}`);
    expect(await findings()).toEqual(['main.ts:3 no-blocking-in-async']);
    expect(await libraries()).toBe('core');
    await open('#example=no-query-in-loop');
    expect((await libraries()).split(' ')).toContain('typeorm');
    // Web Locks are typed by the DOM lib only: without it `navigator.locks` would not resolve.
    const webLocks = [
      'export async function syncProfile(): Promise<void> {',
      "  await navigator.locks.request('profile', async () => {",
      '    await new Promise((resolve) => setTimeout(resolve, 10));',
      "    await navigator.locks.request('settings', () => 'synced');",
      '  });',
      '}',
      'export async function resetSettings(): Promise<void> {',
      "  await navigator.locks.request('settings', async () => {",
      '    await new Promise((resolve) => setTimeout(resolve, 10));',
      "    await navigator.locks.request('profile', () => 'reset');",
      '  });',
      '}',
      '',
    ].join('\n');
    await open(`#code=${b64(webLocks)}`);
    expect((await libraries()).split(' ')).toContain('dom');
    expect(await page.$$eval('#type-errors li', (items) => items.map((li) => li.textContent))).toEqual([]);
    expect(await findings()).toContain('main.ts:4 no-lock-order-inversion');
  });

  it('leaving out the @types/node files nothing imports changes no type, type error or finding (Node, over the built declarations)', () => {
    const groups: Record<string, Record<string, string>> = {};
    for (const f of fs.readdirSync(path.join(dist, 'libs'))) groups[f.replace(/\.json$/, '')] = JSON.parse(fs.readFileSync(path.join(dist, 'libs', f), 'utf8')) as Record<string, string>;
    const split = splitNodeTypes(groups);
    const all = new Map(Object.values(groups).flatMap((g) => Object.entries(g)));
    const options = { ...DEFAULT_COMPILER_OPTIONS, lib: ['lib.es2022.d.ts'] };
    const rules = resolveRuleSettings(validateConfig({ rules: Object.fromEntries(allChecks.map((c) => [c.meta.id, 'error'])) }, 'settings', APP), [], []);
    /** Per user file: its diagnostics, the type at every node, the findings; and how many files the program read. */
    const analyse = (files: { name: string; text: string }[], index: string) => {
      const fsMap = new Map(all).set(split.index, index);
      for (const f of files) fsMap.set(APP + f.name, f.text);
      const program = ts.createProgram({ rootNames: files.map((f) => APP + f.name), options, host: createHost(fsMap, options) });
      const checker = program.getTypeChecker();
      const mine = files.map((f) => program.getSourceFile(APP + f.name)!);
      const types: string[] = [];
      const visit = (node: ts.Node): void => {
        types.push(`${node.pos} ${ts.SyntaxKind[node.kind]} ${checker.typeToString(checker.getTypeAtLocation(node))}`);
        ts.forEachChild(node, visit);
      };
      mine.forEach((sf) => ts.forEachChild(sf, visit));
      const diagnostics = mine.flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]).map((d) => `${d.start} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      const findings = checkProjects([{ program, files: mine }], { rules }).findings.map((f) => `${f.file}:${f.start} ${f.ruleId} ${f.message}`);
      return { read: program.getSourceFiles().length, result: { types, diagnostics, findings } };
    };
    const cases = [
      ...examples().map((e) => ({ name: e.rule, files: e.files })),
      { name: 'http', files: [{ name: 'main.ts', text: "import http from 'node:http';\nexport const s = http.createServer(async (req, res) => { res.end(await Promise.resolve('x')); });\n" }] },
      { name: 'getBuiltinModule', files: [{ name: 'main.ts', text: "export const z = process.getBuiltinModule('node:zlib');\nexport const b = typeof Buffer;\n" }] },
      { name: 'require', files: [{ name: 'main.js', text: "const zlib = require('zlib');\nexport const gz = zlib.gzipSync('x');\n" }] },
      { name: 'globals only', files: [{ name: 'main.ts', text: 'export async function f() { setTimeout(() => {}, 1); return crypto.randomUUID() + process.pid; }\n' }] },
    ];
    const original = all.get(split.index)!;
    const smaller: string[] = [];
    for (const c of cases) {
      const cut = nodeTypesIndex(split, original, Object.keys(groups).filter((g) => g !== 'dom'), c.files.map((f) => f.text));
      const full = analyse(c.files, original);
      const part = analyse(c.files, cut);
      expect(part.result, c.name).toEqual(full.result);
      if (part.read < full.read) smaller.push(c.name);
    }
    // It does leave files out (else this test proves nothing): for the examples, not when a trigger is named.
    expect(smaller).toContain('no-floating-promise');
    expect(smaller).not.toContain('getBuiltinModule');
  });

  it('records the first load\'s timeline that playground/bench.mjs prints', async () => {
    await page.waitForFunction('document.body.dataset.timeline !== undefined', null, { timeout: 10_000 });
    const timeline = JSON.parse((await page.evaluate('document.body.dataset.timeline')) as string) as Record<string, number>;
    const marks = ['worker created', 'page script start', 'analysis sent', 'worker start', 'analyzer loaded', 'declarations fetched', 'program parsed', 'program bound', 'checks done', 'findings shown', 'findings painted'];
    expect(Object.keys(timeline)).toEqual(expect.arrayContaining(marks));
    // One clock for the page's and the worker's marks: they come in the order the load does them.
    const at = marks.map((m) => timeline[m]!);
    expect(at.slice(3)).toEqual([...at.slice(3)].sort((a, b) => a - b));
    expect(timeline['worker start']!).toBeGreaterThan(timeline['worker created']!);
  });

  it('#example= loads the bundled example of a rule', async () => {
    await open('#example=no-await-race');
    expect(await findings()).toEqual(['main.ts:9 no-await-race']);
  });

  it('typing makes a finding appear and disappear', async () => {
    await open(`#code=${b64('declare function save(): Promise<void>;\nexport async function run() {\n  await save();\n}\n')}`);
    expect(await findings()).toEqual([]);
    let previous = await analysedRun();
    await page.locator('.cm-line', { hasText: 'await save();' }).click();
    await page.keyboard.press('End');
    for (let i = 0; i < 'save();'.length; i++) await page.keyboard.press('ArrowLeft');
    for (let i = 0; i < 'await '.length; i++) await page.keyboard.press('Backspace');
    await settled(previous);
    expect(await findings()).toEqual(['main.ts:3 no-floating-promise']);
    previous = await analysedRun();
    await page.keyboard.type('await ');
    await settled(previous);
    expect(await findings()).toEqual([]);
  });

  it('applies a fix and a suggestion', async () => {
    await open('#example=no-missing-await');
    let previous = await analysedRun();
    await page.click('[data-testid=apply-fix]');
    await settled(previous);
    expect(await findings()).toEqual([]);
    expect(await page.textContent('.cm-content')).toContain('!(await isAdmin(user))');

    await open('#example=no-floating-promise');
    previous = await analysedRun();
    await page.click('[data-testid=apply-suggestion] >> text=Add `await`');
    await settled(previous);
    expect(await findings()).toEqual([]);
    expect(await page.textContent('.cm-content')).toContain('await notify(user);');
  });

  it('follows a lock-order trace into the other file', async () => {
    await open('#example=no-lock-order-inversion');
    expect(await findings()).toEqual(['main.ts:8 no-lock-order-inversion']);
    const step = page.locator('[data-testid=trace-step][data-file="settle.ts"]').first();
    const line = Number(await step.getAttribute('data-line'));
    await step.locator('.where').click();
    expect(await page.textContent('#tabs button.active')).toBe('settle.ts');
    const cursorLine = await page.locator('.cm-activeLine').textContent();
    const settle = fs.readFileSync(path.join(EXAMPLES, 'no-lock-order-inversion', 'settle.ts'), 'utf8').split('\n');
    expect(cursorLine?.trim()).toBe(settle[line - 1]!.trim());
    await page.screenshot({ path: path.join(ROOT, 'playground', 'dist', 'test-screenshot.png') });
  });

  it('copies a bug report with a link that reproduces the state', async () => {
    await page.click('[data-testid=report-button]');
    const report = await page.inputValue('[data-testid=report]');
    expect(report).toContain('no-lock-order-inversion');
    expect(report).toContain('`settle.ts`');
    const link = /\((http[^)]*#state=[\w-]+)\)/.exec(report)?.[1];
    expect(link).toBeDefined();
    await page.keyboard.press('Escape');
    const state = JSON.parse(Buffer.from(link!.split('#state=')[1]!, 'base64url').toString('utf8')) as { files: { name: string }[] };
    expect(state.files.map((f) => f.name)).toEqual(['main.ts', 'locks.ts', 'settle.ts']);
  });
});

describe('playground URL state and browser shims', () => {
  it('#code= is the base64url of the UTF-8 source; several files or settings go to #state=', () => {
    const text = 'const s = "é€😀";\n';
    const one = stateToHash({ files: [{ name: 'main.ts', text }] });
    expect(one).toBe(`#code=${b64(text)}`);
    expect(decodeBase64Url(one.slice('#code='.length))).toBe(text);
    const many = { files: [{ name: 'main.ts', text }, { name: 'locks.ts', text: 'export {};' }], active: 'locks.ts', config: { rules: { 'no-query-in-loop': 'off' } } };
    const hash = stateToHash(many);
    expect(hash.startsWith('#state=')).toBe(true);
    expect(hashToState(hash)).toEqual(many);
    expect(hashToState('#example=no-await-race')).toEqual({ example: 'no-await-race' });
    expect(() => hashToState(`#state=${b64(JSON.stringify({ files: [{ name: '../x.ts', text: '' }] }))}`)).toThrow(/bad file/);
  });

  it('the path and crypto shims agree with Node', () => {
    for (const s of ['', 'abc', 'x'.repeat(55), 'y'.repeat(64), 'é€😀'.repeat(30)]) {
      expect(createHash('sha1').update(s).digest('hex')).toBe(crypto.createHash('sha1').update(s).digest('hex'));
    }
    const cases: [keyof typeof path.posix, ...string[]][] = [
      ['dirname', '/app/main.ts'], ['dirname', '/'], ['basename', '/app/x.ts', '.ts'], ['extname', '/a/b.d.ts'],
      ['resolve', '/app/src', '../lib/./y'], ['relative', '/app/src', '/app/lib/x.ts'], ['join', 'a', 'b/../c'], ['normalize', '/a//b/./c/..'],
    ];
    for (const [fn, ...args] of cases) {
      const mine = (browserPath as unknown as Record<string, (...a: string[]) => string>)[fn]!(...args);
      expect(mine, `${fn}(${args.join(', ')})`).toBe((path.posix[fn] as (...a: string[]) => string)(...args));
    }
  });
});
