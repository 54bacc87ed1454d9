#!/usr/bin/env node
// The `concurrency-lint` command: runs the compiled CLI (build it first with `npm run build`).
// The TypeScript to analyse with is chosen from the arguments before the CLI (and with it
// TypeScript) loads: the project's own, or the bundled TypeScript 6 API.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/analyzer/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('concurrency-lint: the compiled CLI is missing; run `npm run build` first\n');
  process.exitCode = 2;
} else {
  const argv = process.argv.slice(2);
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
