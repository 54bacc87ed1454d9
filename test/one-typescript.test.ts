import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, '..');
const PRELOAD = path.join(ROOT, 'test/helpers/loaded-typescript.cjs');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'one-ts-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A project with a floating promise, its tsconfig, and `extra` files. */
function project(name: string, extra: Record<string, string> = {}): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext' }, include: ['*.ts'] }));
  fs.writeFileSync(path.join(dir, 'a.ts'), 'async function work(): Promise<void> {}\nexport function start(): void {\n  work();\n}\n');
  for (const [file, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

/** Run `node --require <preload> <args>` in `cwd`: its output and the compiler modules it loaded. */
function runNode(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, ['--require', PRELOAD, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CONCURRENCY_LINT_TYPESCRIPT: '' } });
  const line = /\nloaded-typescript: (.*)\n$/.exec(r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/\nloaded-typescript: .*\n$/, ''), loaded: line ? (JSON.parse(line[1]!) as string[]) : [] };
}

describe('one TypeScript', () => {
  it('typescript-eslint resolves the same typescript module the analyzer imports', () => {
    const estree = require.resolve('@typescript-eslint/typescript-estree');
    const theirs = createRequire(estree)('typescript') as typeof ts;
    expect(theirs).toBe(require('typescript'));
    expect(theirs.version).toBe(ts.version);
    expect(theirs.SyntaxKind.CallExpression).toBe(ts.SyntaxKind.CallExpression);
  });

  it('the analyzer does not load a second compiler (ts-morph bundles its own)', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const root = path.resolve(import.meta.dirname, '..');
    const offenders: string[] = [];
    for (const dir of ['analyzer', 'rules']) {
      const stack = [path.join(root, dir)];
      while (stack.length > 0) {
        const current = stack.pop()!;
        for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
          const full = path.join(current, entry.name);
          if (entry.isDirectory()) stack.push(full);
          else if (/\.ts$/.test(entry.name) && /from ['"](ts-morph|@ts-morph\/)/.test(fs.readFileSync(full, 'utf8'))) offenders.push(full);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the ESLint way in: the plugin analyses typescript-eslint\'s program with typescript-eslint\'s own module, and no other is loaded', () => {
    const dir = project('eslint', {
      'eslint.config.mjs': `import plugin from ${JSON.stringify(path.join(ROOT, 'dist/rules/index.js'))};\nexport default [plugin.configs.strict];\n`,
    });
    const run = runNode([path.join(path.dirname(require.resolve('eslint/package.json')), 'bin/eslint.js'), '--format', 'json', 'a.ts'], dir);
    expect(run.stderr.trim()).toBe('');
    const results = JSON.parse(run.stdout) as { messages: { ruleId: string | null; line: number }[] }[];
    expect(results[0]!.messages.map((m) => `${m.line} ${m.ruleId}`)).toEqual(['3 concurrency/no-floating-promise']);
    const estree = require.resolve('@typescript-eslint/typescript-estree');
    expect(run.loaded).toEqual([fs.realpathSync(createRequire(estree).resolve('typescript'))]);
  }, 120_000);

  it('the CLI way in: a project on TypeScript 5.9 is analysed with its own TypeScript, and no other is loaded', () => {
    const dir = project('cli-5.9');
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(path.join(ROOT, 'node_modules/typescript-5.9'), path.join(dir, 'node_modules/typescript'), 'dir');
    const run = runNode([path.join(ROOT, 'bin/concurrency-lint.js'), '.', '--rule', 'no-floating-promise', '--format', 'json'], dir);
    expect(run.stderr.trim()).toBe('');
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { tool: { typescript: string }; findings: { line: number; ruleId: string }[] };
    expect(report.tool.typescript).toBe('TypeScript 5.9.3 (the project\'s)');
    expect(report.findings.map((f) => `${f.line} ${f.ruleId}`)).toEqual(['3 no-floating-promise']);
    expect(run.loaded).toEqual([fs.realpathSync(path.join(ROOT, 'node_modules/typescript-5.9/lib/typescript.js'))]);
  }, 120_000);

  it('the CLI way in: a project without TypeScript is analysed with the bundled TypeScript 6 API alone', () => {
    const dir = project('cli-none');
    const run = runNode([path.join(ROOT, 'bin/concurrency-lint.js'), dir, '--rule', 'no-floating-promise', '--format', 'json'], os.tmpdir());
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { tool: { typescript: string }; findings: unknown[] };
    expect(report.tool.typescript).toMatch(/^TypeScript 6\.0\.\d+ API \(bundled; the project has no TypeScript\)$/);
    expect(report.findings).toHaveLength(1);
    expect(run.loaded).toHaveLength(1);
    expect(run.loaded[0]).toMatch(/[\\/]@typescript[\\/]old[\\/]lib[\\/]typescript\.js$/);
  }, 120_000);

  it('is a TypeScript 6.0 compiler API (TypeScript 7 has none, and typescript-eslint 8 does not accept it)', () => {
    expect(ts.version).toMatch(/^6\.0\./);
    expect(typeof ts.createProgram).toBe('function');
  });
});
