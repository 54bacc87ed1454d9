/**
 * The plugin on typescript-eslint's experimental tsgo backend (TypeScript 7 underneath) gives
 * the same findings as on its classic backend, for every fixture folder. The backend needs
 * `@typescript/native`, a TypeScript 7.1 dev build installed under that alias next to classic
 * TypeScript 6: it is installed once into the OS temp folder (needs the npm registry) and lent
 * to typescript-eslint through NODE_PATH. If it cannot be installed the tests are skipped,
 * saying so. Each fixture folder is copied with a tsconfig.json holding the CLI's embedded
 * default options (the tsgo backend takes no `programs` and no `allowDefaultProject`).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const NATIVE = 'typescript@7.1.0-dev.20261021.1';
const CACHE = path.join(os.tmpdir(), 'concurrency-lint-tsgo');
const DEFAULT_TSCONFIG = {
  compilerOptions: {
    strict: true, allowJs: true, checkJs: false, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext',
    experimentalDecorators: true, emitDecoratorMetadata: true, skipLibCheck: true, noEmit: true, jsx: 'preserve', types: ['*'],
  },
  include: ['**/*'],
};

/** Installs the dev build once; returns why it could not, or undefined. */
function installNative(): string | undefined {
  const manifest = path.join(CACHE, 'node_modules/@typescript/native/package.json');
  const wanted = NATIVE.split('@')[1];
  if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version === wanted) return undefined;
  fs.mkdirSync(CACHE, { recursive: true });
  if (!fs.existsSync(path.join(CACHE, 'package.json'))) fs.writeFileSync(path.join(CACHE, 'package.json'), '{"private":true}\n');
  const r = spawnSync('npm', ['install', `@typescript/native@npm:${NATIVE}`], { cwd: CACHE, encoding: 'utf8' });
  return r.status === 0 ? undefined : `npm install @typescript/native@npm:${NATIVE} failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`;
}

function lint(dir: string, backend: 'classic' | 'tsgo'): Promise<string[]> {
  const child = spawn(process.execPath, [path.join(ROOT, 'test/helpers/eslint-backend.mjs'), dir, backend, path.join(ROOT, 'dist')], {
    cwd: dir,
    env: { ...process.env, NODE_PATH: path.join(CACHE, 'node_modules'), TYPESCRIPT_ESLINT_EXPERIMENTAL_BACKEND: '' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`${backend} backend: exit ${code}: ${err.trim().split('\n').slice(-3).join(' ')}`)))),
  );
}

const folders = fs.readdirSync(path.join(ROOT, 'fixtures'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tsgo-fixtures-'));
let skipped: string | undefined;
let classic: string[] = [];
let tsgo: string[] = [];

beforeAll(async () => {
  skipped = installNative();
  if (skipped) {
    process.stdout.write(`SKIPPED: the tsgo backend tests, because the TypeScript 7.1 dev build cannot be installed (${skipped})\n`);
    return;
  }
  fs.cpSync(path.join(ROOT, 'fixtures'), path.join(scratch, 'fixtures'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  for (const folder of folders) {
    const config = path.join(scratch, 'fixtures', folder, 'tsconfig.json');
    // Subfolders with their own tsconfig.json are their own projects (as the CLI treats them): left out.
    const nested = fs.readdirSync(path.dirname(config), { recursive: true, encoding: 'utf8' })
      .filter((f) => path.basename(f) === 'tsconfig.json' && f !== 'tsconfig.json')
      .map((f) => path.dirname(f).split(path.sep).join('/'));
    if (!fs.existsSync(config)) fs.writeFileSync(config, JSON.stringify({ ...DEFAULT_TSCONFIG, exclude: nested.map((d) => `${d}/**`) }));
  }
  [classic, tsgo] = await Promise.all([lint(path.join(scratch, 'fixtures'), 'classic'), lint(path.join(scratch, 'fixtures'), 'tsgo')]);
}, 900_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('typescript-eslint tsgo backend', () => {
  it('lints every fixture without a parser or rule error on either backend', (ctx) => {
    if (skipped) return ctx.skip();
    expect(classic.length).toBeGreaterThan(500);
    expect([...classic, ...tsgo].filter((k) => k.includes(' ERROR '))).toEqual([]);
  });

  it.for(folders)('fixtures/%s: the same findings as the classic backend', (folder, ctx) => {
    if (skipped) return ctx.skip();
    const mine = (keys: string[]) => keys.filter((k) => k.startsWith(`${folder}/`));
    expect(mine(classic).length).toBeGreaterThan(0);
    expect(mine(tsgo)).toEqual(mine(classic));
  });
});
