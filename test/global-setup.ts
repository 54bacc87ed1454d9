/**
 * Built once, before any test: the package compiled into a temporary folder (bin/, dist/,
 * package.json and a link to this repository's node_modules), so the tests that run the command
 * or worker threads use code built from this tree, never a stale dist/ left in the repository.
 * A failed build fails the run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(import.meta.dirname, '..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built package: `<dir>/bin/concurrency-lint.js`, `<dir>/dist/...`. */
    builtPackage: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concurrency-lint-built-'));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', path.join(dir, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    const out = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`the package does not build:\n${out}`);
  }
  fs.cpSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  project.provide('builtPackage', dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
