/**
 * The analyzer on the TypeScript 5.x API: every fixture folder through the built CLI (one
 * program per folder) with TypeScript 5.9 (the devDependency alias `typescript-5.9`, chosen
 * with CONCURRENCY_LINT_TYPESCRIPT as a project's own 5.9 would be) reports exactly the
 * `// expect:` markers, as under TypeScript 6.0 (test/fixtures.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFiles } from '../analyzer/project/files.js';
import { FIXTURES, expectedKeys } from './helpers/fixtures.js';
import { ROOT, runBuiltCli } from './helpers/built-cli.js';

const TS59 = path.join(ROOT, 'node_modules/typescript-5.9');
const folders = fs
  .readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe.concurrent.each(folders)('fixtures/%s under TypeScript 5.9 (CLI)', (folder) => {
  it('reports exactly the marked lines', async () => {
    const dir = path.join(FIXTURES, folder);
    const run = await runBuiltCli([dir], { cwd: dir, root: dir, env: { CONCURRENCY_LINT_TYPESCRIPT: TS59 } });
    expect(run.stderr).toBe('');
    expect([0, 1]).toContain(run.code);
    expect(run.typescript).toBe('TypeScript 5.9.3 (from CONCURRENCY_LINT_TYPESCRIPT)');
    expect(run.keys).toEqual(expectedKeys(collectFiles([dir], []), dir));
  }, 240_000);
});

/** A scratch project: `files` written, `links` (name -> target) symlinked into node_modules. */
function scratchProject(files: Record<string, string>, links: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-versions-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  for (const [name, target] of Object.entries(links)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'node_modules', name)), { recursive: true });
    fs.symlinkSync(target, path.join(dir, 'node_modules', name), 'dir');
  }
  return dir;
}

describe('a project written for TypeScript 5.9, analysed with the TypeScript 6 API', () => {
  // Non-strict, no `types` (5.x includes every @types package, 6.0 none), deprecated `baseUrl`
  // and `downlevelIteration`: under 6.0's own defaults `sleep` would have no type (no
  // @types/node) and its floating promise would go unreported.
  const files = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: './src', downlevelIteration: true, lib: ['es2020'], noEmit: true }, include: ['src'] }),
    'src/lib/store.ts': 'export async function save(): Promise<void> {}\n',
    'src/main.ts': [
      "import { save } from 'lib/store';",
      "import { setTimeout as sleep } from 'node:timers/promises';",
      'export function run() {',
      '  save(); // expect: no-floating-promise',
      '  sleep(10); // expect: no-floating-promise',
      '}',
      '',
    ].join('\n'),
  };
  const links = { typescript: TS59, '@types/node': path.join(ROOT, 'node_modules/@types/node') };

  it('keeps its meaning (same findings as with its own TypeScript 5.9) and says in one line what was adjusted', async () => {
    const dir = scratchProject(files, links);
    try {
      const own = await runBuiltCli(['.'], { cwd: dir, root: dir, env: { CONCURRENCY_LINT_TYPESCRIPT: '' } });
      expect(own.typescript).toBe("TypeScript 5.9.3 (the project's)");
      expect(own.keys).toEqual(['src/main.ts:4 no-floating-promise', 'src/main.ts:5 no-floating-promise']);
      const six = await runBuiltCli(['.'], { cwd: dir, root: dir, env: { CONCURRENCY_LINT_TYPESCRIPT: path.join(ROOT, 'node_modules/typescript') } });
      expect(six.typescript).toMatch(/^TypeScript 6\.0\.\d+ \(from CONCURRENCY_LINT_TYPESCRIPT\)$/);
      expect(six.keys).toEqual(own.keys);
      expect(six.code).toBe(1);
      const notes = (JSON.parse(six.stdout) as { diagnostics: { severity: string; file: string; message: string }[] }).diagnostics;
      expect(notes).toHaveLength(1);
      expect(notes[0]!.severity).toBe('warning');
      expect(notes[0]!.file).toBe('tsconfig.json');
      expect(notes[0]!.message).not.toContain('\n');
      expect(notes[0]!.message).toMatch(/^written for TypeScript 5\.9\.3 \(installed\), analysed with the TypeScript 6\.0\.\d+ API: kept its TypeScript 5 defaults \(strict: false, types: all @types, .*\); accepted its deprecated baseUrl, downlevelIteration$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('an option the analysing TypeScript does not know is a one-line error naming it, not a stack trace', async () => {
    const dir = scratchProject(
      {
        'package.json': JSON.stringify({ devDependencies: { typescript: '^7.0.2' } }),
        'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, strictFutureChecks: true }, include: ['src'] }),
        'src/a.ts': 'async function f(): Promise<void> {}\nexport function g() {\n  f();\n}\n',
      },
      {},
    );
    try {
      const run = await runBuiltCli(['.'], { cwd: dir, root: dir, env: { CONCURRENCY_LINT_TYPESCRIPT: '' } });
      expect(run.code).toBe(2);
      expect(run.typescript).toMatch(/^TypeScript 6\.0\.\d+ API \(bundled; the project has no TypeScript\)$/);
      expect(run.stderr).toMatch(/^concurrency-lint: error: tsconfig\.json: Unknown compiler option 'strictFutureChecks'\. \(line 1, column \d+\): TypeScript 6\.0\.\d+, which analyses this project, does not know it \(the project is on TypeScript \^7\.0\.2: an option of a newer TypeScript\); the analysis went on without it\n$/);
      expect(run.keys).toEqual(['src/a.ts:3 no-floating-promise']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
