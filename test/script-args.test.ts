// The hand-run scripts' arguments (bench/script-args.mjs): `--help` prints the script's own
// usage comment and exits 0; an unknown option says so with the hint and exits 2, no stack trace.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '..');
const run = (script: string, ...args: string[]) => spawnSync(process.execPath, [path.join(REPO, script), ...args], { cwd: REPO, encoding: 'utf8' });

describe('hand-run scripts', () => {
  it.each([
    ['bench/run.mjs', '--record'],
    ['field/run.mjs', '--labels-dir'],
    ['field/speed.mjs', '--runs'],
    ['bench/profile.mjs', '--full-first'],
  ])('%s --help prints its usage, naming %s', (script, option) => {
    const r = run(script, '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(option);
    expect(r.stdout).not.toMatch(/^\s*\*/m);
  });

  it('an unknown option is a message and exit code 2', () => {
    const r = run('field/speed.mjs', '--no-such-option');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--no-such-option'");
    expect(r.stderr).toContain('--help');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
