#!/usr/bin/env node
/**
 * `npm run fuzz -- --runs N --seed S`: compile the analyzer, the plugin and the fuzzer
 * (fuzz/tsconfig.json) into node_modules/.cache/concurrency-lint-fuzz and run the campaign.
 * The CI batch is test/fuzz.test.ts (same code, fixed seed, run by vitest).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.join(root, 'node_modules', '.cache', 'concurrency-lint-fuzz');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'fuzz', 'tsconfig.json'), '--outDir', outDir], { stdio: 'inherit' });
} catch {
  // Type errors still emit (noEmitOnError is off); a missing entry point below is fatal.
  process.stderr.write('fuzz: TypeScript reported errors (above); running the emitted code anyway\n');
}
const { fuzzMain } = await import(pathToFileURL(path.join(outDir, 'fuzz', 'main.js')).href);
process.exitCode = await fuzzMain(process.argv.slice(2));
