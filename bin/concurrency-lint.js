#!/usr/bin/env node
// The `concurrency-lint` command: runs the compiled CLI (build it first with `npm run build`).
// The TypeScript to analyse with is chosen from the arguments before the CLI (and with it
// TypeScript) loads: the project's own, or the bundled TypeScript 6 API.
//
// The type checker allocates many short-lived objects while the program it holds grows to
// gigabytes: with V8's default 16 MB young generation, scavenges of a large program took a third
// of the run (outline, 772 files: 4,487 scavenges, 43 s of 115 s). A 64 MB semi-space cuts that;
// V8 reads the size only when the process starts, so the command starts Node again with it
// unless it was started with options of its own.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const SEMI_SPACE = '--max-semi-space-size';
const entry = new URL('../dist/analyzer/cli/main.js', import.meta.url);
const argv = process.argv.slice(2);
// Started with Node options of its own (`node --inspect ...`, a preload), or NODE_OPTIONS that
// choose the size or open the inspector: run here, as started.
const chosen = process.execArgv.length > 0 || (process.env.NODE_OPTIONS ?? '').split(/\s+/).some((a) => a.startsWith(SEMI_SPACE) || a.startsWith('--inspect'));

if (!existsSync(entry)) {
  process.stderr.write('concurrency-lint: the compiled CLI is missing; run `npm run build` first\n');
  process.exitCode = 2;
} else if (!chosen) {
  const child = spawn(process.execPath, [`${SEMI_SPACE}=64`, fileURLToPath(import.meta.url), ...argv], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`concurrency-lint: could not start Node: ${error.message}\n`);
    process.exitCode = 2;
  });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
  });
} else {
  try {
    const { selectTypeScript } = await import(new URL('../dist/analyzer/cli/select-typescript.js', import.meta.url).href);
    selectTypeScript(argv, process.cwd());
  } catch (error) {
    process.stderr.write(`concurrency-lint: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    process.exit(2);
  }
  const { main } = await import(entry.href);
  process.exitCode = await main(argv);
}
