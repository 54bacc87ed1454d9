#!/usr/bin/env node
// The `concurrency-lint` command: runs the compiled CLI (build it first with `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/analyzer/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('concurrency-lint: the compiled CLI is missing; run `npm run build` first\n');
  process.exitCode = 2;
} else {
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv.slice(2));
}
