/**
 * Bad input never crashes a run: every case below finishes with a clear one-line
 * diagnostic (or none, where the input is fine) and the rest of the run goes on.
 * Inputs are generated into temp folders here; nothing is committed.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyze } from '../analyzer/cli/analyze.js';
import { main } from '../analyzer/cli/main.js';
import { MAX_NESTING_DEPTH } from '../analyzer/project/project.js';
import type { AnalyzeResult, RuleSetting } from '../analyzer/check/run-types.js';
import { allChecks } from '../analyzer/checks/index.js';
import { capture } from './helpers/cli.js';

/** The strict rules too (the CLI runs configs.recommended by default). */
const EVERY_RULE = allChecks.flatMap((c) => ['--rule', c.meta.id]);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function temp(files: Record<string, string | Buffer> = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cl-patho-')));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function rules(): Map<string, RuleSetting> {
  return new Map(allChecks.map((c) => [c.meta.id, { severity: 'error' as const, options: {} }]));
}

function run(dir: string, paths: string[] = ['.'], project?: string): AnalyzeResult {
  return analyze({ paths, cwd: dir, rules: rules(), project });
}

const at = (r: AnalyzeResult, dir: string) => r.findings.map((f) => `${path.relative(dir, f.file)}:${f.line}:${f.column} ${f.ruleId}`);
const messages = (r: AnalyzeResult, dir: string) => r.diagnostics.map((d) => `${d.severity} ${d.file ? path.relative(dir, d.file) : ''}: ${d.message}`);
const FLOATING = 'async function work(): Promise<void> {}\nwork();\n';

function expectOneLineDiagnostics(r: AnalyzeResult): void {
  for (const d of r.diagnostics) expect(d.message).not.toMatch(/[\r\n]/);
}

describe('deep nesting', () => {
  it('skips a 10,000-deep parenthesised expression with a warning and checks the other files', () => {
    const dir = temp({ 'deep.ts': `export const x = ${'('.repeat(10_000)}1${')'.repeat(10_000)};\n`, 'ok.ts': FLOATING });
    const r = run(dir);
    expect(messages(r, dir)).toEqual([expect.stringMatching(/^warning deep\.ts: too deeply nested for the TypeScript parser .*; skipped$/)]);
    expect(at(r, dir)).toEqual(['ok.ts:2:1 no-floating-promise']);
    expectOneLineDiagnostics(r);
  });

  it('skips 10,000 nested blocks, calls and arrays the same way', () => {
    const dir = temp({
      'blocks.ts': `export function f(a: boolean) {\n${'if (a) {\n'.repeat(10_000)}${'}\n'.repeat(10_000)}}\n`,
      'calls.ts': `declare function g(x: unknown): Promise<number>;\nexport async function h() { g(${'g('.repeat(10_000)}1${')'.repeat(10_000)}); }\n`,
      'arrays.ts': `export const z = ${'['.repeat(10_000)}${']'.repeat(10_000)};\n`,
    });
    const r = run(dir);
    expect(r.diagnostics.map((d) => path.basename(d.file ?? ''))).toEqual(['arrays.ts', 'blocks.ts', 'calls.ts']);
    expect(r.diagnostics.every((d) => d.severity === 'warning' && /skipped$/.test(d.message))).toBe(true);
    expect(r.findings).toEqual([]);
  });

  it('analyzes a file nested up to the limit and skips one just past it, without overflowing TypeScript', () => {
    const nested = (n: number) => `declare function g(x: unknown): Promise<number>;\nexport async function h() {\n  g(${'g('.repeat(n)}1${')'.repeat(n)});\n}\n`;
    const dir = temp({ 'fine.ts': nested(MAX_NESTING_DEPTH - 20), 'over.ts': nested(MAX_NESTING_DEPTH + 50) });
    const r = run(dir);
    expect(at(r, dir)).toEqual(['fine.ts:3:3 no-floating-promise']);
    expect(messages(r, dir)).toEqual([expect.stringMatching(/^warning over\.ts: nested \d+ levels deep \(more than 250\), too deep to analyze safely; skipped$/)]);
  });

  it('finishes a 10,000-term `a + a + ...` chain (which TypeScript handles iteratively) through the real command', () => {
    const chain = Array.from({ length: 10_000 }, () => 'a').join(' + ');
    const dir = temp({
      'chain.ts': `declare const a: number;\nexport const y = ${chain};\nexport async function f(p: Promise<number>) {\n  return ${chain.replace(/a/g, 'p')};\n}\n`,
      'ok.ts': FLOATING,
    });
    // A child process with a generous time limit (a hang guard, not a speed test: TypeScript itself
    // is quadratic on such a chain): a runaway rule fails this test instead of hanging the suite.
    const child = spawnSync(process.execPath, [path.join(inject('builtPackage'), 'bin/concurrency-lint.js'), '--rule', 'no-floating-promise', '--format', 'json', '.'], { cwd: dir, encoding: 'utf8', timeout: 120_000, maxBuffer: 512 << 20 });
    expect(child.error, 'the command did not finish within 120 s').toBeUndefined();
    expect(child.stderr).not.toMatch(/internal error|Maximum call stack/);
    const report = JSON.parse(child.stdout) as { findings: { file: string; ruleId: string }[] };
    expect(report.findings.filter((f) => f.file === 'ok.ts').map((f) => f.ruleId)).toEqual(['no-floating-promise']);
    expect(report.findings.some((f) => f.ruleId === 'internal-error')).toBe(false);
  }, 150_000);
});

describe('odd files', () => {
  it('skips binary junk named .ts with one warning', () => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 256;
    const dir = temp({ 'junk.ts': junk, 'ok.ts': FLOATING });
    const r = run(dir);
    expect(messages(r, dir)).toEqual(['warning junk.ts: binary file (it contains NUL bytes), not source code; skipped']);
    expect(at(r, dir)).toEqual(['ok.ts:2:1 no-floating-promise']);
  });

  it('reads non-UTF-8 text with a warning and never autofixes it (the bytes stay as they were)', async () => {
    const source = Buffer.from("// caf\xe9 au lait\nasync function isOpen(): Promise<boolean> {\n  return true;\n}\nexport async function serve(): Promise<void> {\n  if (!isOpen()) throw new Error('closed');\n}\n", 'latin1');
    const dir = temp({ 'latin1.ts': source });
    const r = run(dir);
    expect(messages(r, dir)).toEqual([expect.stringMatching(/^warning latin1\.ts: not valid UTF-8/)]);
    expect(at(r, dir)).toEqual(['latin1.ts:6:8 no-missing-await']);
    expect(r.findings[0]!.fix).toBeUndefined();
    expect(await main([...EVERY_RULE, '--fix', '.'], capture(dir))).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'latin1.ts')).equals(source)).toBe(true);
  });

  it('accepts an empty file', () => {
    const dir = temp({ 'empty.ts': '', 'blank.js': '\n\n' });
    const r = run(dir);
    expect(r.findings).toEqual([]);
    expect(r.diagnostics).toEqual([]);
    expect(r.files.map((f) => path.basename(f))).toEqual(['blank.js', 'empty.ts']);
  });

  it('reports the right lines and columns in a BOM + CRLF file, and --fix keeps both', async () => {
    const text = '\uFEFFasync function isOpen(): Promise<boolean> {\r\n  return true;\r\n}\r\nexport async function serve(): Promise<void> {\r\n\r\n    if (!isOpen()) throw new Error("closed");\r\n  isOpen();\r\n}\r\n';
    const dir = temp({ 'bom.ts': text });
    const r = run(dir);
    expect(at(r, dir)).toEqual(['bom.ts:6:10 no-missing-await', 'bom.ts:7:3 no-floating-promise']);
    const f = r.findings[0]!;
    expect(r.sources.get(f.file)!.slice(f.start, f.end)).toBe('isOpen()');
    await main([...EVERY_RULE, '--fix', '.'], capture(dir));
    const fixed = fs.readFileSync(path.join(dir, 'bom.ts'), 'utf8');
    expect(fixed.startsWith('\uFEFF')).toBe(true);
    expect(fixed).toContain('if (!(await isOpen())) throw');
    expect(fixed.split('\r\n').length).toBe(text.split('\r\n').length);
    expect(fixed.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('checks a file of several MB', () => {
    const functions = Array.from({ length: 500 }, (_, i) => `export async function f${i}(): Promise<number> {\n  return ${i};\n}\nexport function g${i}(): void {\n  f${i}();\n}\n`);
    const rows = Array.from({ length: 45_000 }, (_, i) => `  "row ${i}: lorem ipsum dolor sit amet, consectetur adipiscing elit",`);
    const big = `${functions.join('')}export const TEXT = [\n${rows.join('\n')}\n];\n`;
    expect(big.length).toBeGreaterThan(3_000_000);
    const dir = temp({ 'big.ts': big });
    const r = run(dir);
    expect(r.diagnostics).toEqual([]);
    expect(r.findings.filter((f) => f.ruleId === 'no-floating-promise')).toHaveLength(500);
  });

  it('analyzes what parses in a file with syntax errors and says so', () => {
    const dir = temp({ 'broken.ts': `${FLOATING}function (\nconst = ;\n` });
    const r = run(dir);
    expect(messages(r, dir)).toEqual([expect.stringMatching(/^warning broken\.ts: syntax error at 3:10: .*; analyzed what parses$/)]);
    expect(at(r, dir)).toContain('broken.ts:2:1 no-floating-promise');
  });
});

describe('odd projects', () => {
  it('cuts symlink loops with a warning and checks each file once', () => {
    const dir = temp({ 'src/a.ts': FLOATING });
    fs.symlinkSync('.', path.join(dir, 'src/self'));
    fs.symlinkSync('..', path.join(dir, 'src/parent'));
    fs.symlinkSync('knot', path.join(dir, 'knot'));
    fs.symlinkSync('src/a.ts', path.join(dir, 'alias.ts'));
    const r = run(dir);
    expect(at(r, dir)).toEqual(['alias.ts:2:1 no-floating-promise']);
    expect(messages(r, dir).sort()).toEqual([
      'warning knot: symbolic link loop; skipped',
      'warning src/parent: symbolic link loop (links to a folder that contains it); skipped',
      'warning src/self: symbolic link loop (links to a folder that contains it); skipped',
    ]);
  });

  it('follows circular imports', () => {
    const dir = temp({
      'package.json': '{ "type": "module" }',
      'a.ts': "import { b } from './b.js';\nexport async function a(n: number): Promise<void> {\n  if (n > 0) await b(n - 1);\n}\n",
      'b.ts': "import { a } from './a.js';\nexport async function b(n: number): Promise<void> {\n  a(n);\n}\n",
    });
    const r = run(dir);
    expect(at(r, dir)).toEqual(['b.ts:3:3 no-floating-promise']);
    expect(r.diagnostics).toEqual([]);
  });

  it('reports a malformed tsconfig.json in one line with its position, and still checks the files', async () => {
    const dir = temp({ 'tsconfig.json': '{ "compilerOptions": { "strict": true, }, "include": ["*.ts"', 'a.ts': FLOATING });
    const r = run(dir);
    expect(messages(r, dir)).toEqual([expect.stringMatching(/^error tsconfig\.json: .* expected\. \(line 1, column \d+\)$/)]);
    expect(at(r, dir)).toEqual(['a.ts:2:1 no-floating-promise']);
    expect(await main(['.'], capture(dir))).toBe(2);
  });

  it('reports an `extends` that does not resolve, and still checks the files', () => {
    const dir = temp({ 'tsconfig.json': '{ "extends": "./missing/base.json", "include": ["*.ts"] }', 'a.ts': FLOATING });
    const r = run(dir);
    expect(messages(r, dir)).toEqual([expect.stringMatching(/^error tsconfig\.json: Cannot read file '.*missing\/base\.json'\.$/)]);
    expect(at(r, dir)).toEqual(['a.ts:2:1 no-floating-promise']);
  });

  it('reports an --project that does not exist', () => {
    const dir = temp({ 'a.ts': FLOATING });
    const r = run(dir, ['.'], 'nope/tsconfig.json');
    expect(messages(r, dir)).toEqual(['error nope/tsconfig.json: tsconfig not found (--project)']);
  });

  it('reports a path that does not exist and checks the other paths', async () => {
    const dir = temp({ 'a.ts': FLOATING });
    const r = run(dir, ['missing', 'a.ts']);
    expect(messages(r, dir)).toEqual(['error missing: path does not exist']);
    expect(at(r, dir)).toEqual(['a.ts:2:1 no-floating-promise']);
    const io = capture(dir);
    expect(await main(['missing', 'a.ts'], io)).toBe(2);
    expect(io.err()).toBe('');
    expect(io.out()).toMatch(/^missing: error: path does not exist\n/);
  });
});
