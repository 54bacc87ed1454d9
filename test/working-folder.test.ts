/**
 * Findings never depend on the process's working folder (type roots, @types, config lookup
 * and module resolution come from the project): the built CLI started inside a fixture folder
 * and from the OS temp folder reports the same lines, the marked ones; so does the in-process
 * fixture run after a chdir. no-floating-promise needs @types/node (found above the fixtures),
 * sample-app has a tsconfig.
 */
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFiles } from '../analyzer/project/files.js';
import { FIXTURES, expectedKeys, runFixtureFolder } from './helpers/fixtures.js';
import { runBuiltCli } from './helpers/built-cli.js';

const FOLDERS = ['no-floating-promise', 'sample-app'];

describe.each(FOLDERS)('fixtures/%s from another working folder', (folder) => {
  const dir = path.join(FIXTURES, folder);

  it('the CLI reports the same marked lines started inside the folder and from the temp folder', async () => {
    const expected = expectedKeys(collectFiles([dir], []), dir);
    const inside = await runBuiltCli(['.'], { cwd: dir, root: dir });
    const outside = await runBuiltCli([dir], { cwd: os.tmpdir(), root: dir });
    for (const run of [inside, outside]) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
    }
    expect(inside.keys).toEqual(expected);
    expect(outside.keys).toEqual(inside.keys);
  }, 240_000);

  it('the in-process fixture run does not depend on process.cwd()', () => {
    const before = process.cwd();
    try {
      process.chdir(os.tmpdir());
      const run = runFixtureFolder(dir);
      expect(run.cli).toEqual(run.expected);
      expect(run.eslint).toEqual(run.cli);
    } finally {
      process.chdir(before);
    }
  }, 240_000);
});
