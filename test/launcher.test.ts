/**
 * bin/concurrency-lint.js starts Node again with a 64 MB young generation (V8 reads its size only
 * at start-up), passing the arguments and the exit code through; started with Node options of
 * its own (a debugger, a preload, a chosen size) it runs in its own process.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './helpers/built-cli.js';
import { tempProjects } from './helpers/cli.js';

const PRELOAD = path.join(ROOT, 'test/helpers/report-exec-argv.cjs');
const projects = tempProjects('cl-launch-');
afterAll(() => projects.remove());

const FLOATING = { 'a.ts': 'async function f() {}\nf();\n', '.concurrency-lint.json': JSON.stringify({ rules: { 'no-floating-promise': 'error' } }) };

function run(nodeArgs: string[], env: Record<string, string>, cwd: string) {
  const r = spawnSync(process.execPath, [...nodeArgs, BIN, '.'], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  const started = [...r.stderr.matchAll(/^exec-argv: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as string[]);
  return { status: r.status, stdout: r.stdout, started };
}

describe('the command line launcher', () => {
  it('runs the CLI in a second Node with --max-semi-space-size=64 and passes its exit code on', () => {
    const dir = projects.make(FLOATING);
    const r = run([], { NODE_OPTIONS: `--require ${PRELOAD}` }, dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('no-floating-promise');
    expect(r.started).toEqual([['--max-semi-space-size=64'], []]);
  }, 120_000);

  it('runs in its own process when Node was started with options, or NODE_OPTIONS choose the size', () => {
    const dir = projects.make(FLOATING);
    const withOptions = run(['--require', PRELOAD], {}, dir);
    expect(withOptions.status).toBe(1);
    expect(withOptions.started).toEqual([['--require', PRELOAD]]);
    const chosen = run([], { NODE_OPTIONS: `--require ${PRELOAD} --max-semi-space-size=32` }, dir);
    expect(chosen.status).toBe(1);
    expect(chosen.started).toEqual([[]]);
  }, 120_000);
});
