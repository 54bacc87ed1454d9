/**
 * The analyzer on the TypeScript 5.x API: every fixture folder through the built CLI (one
 * program per folder) with TypeScript 5.9 (the devDependency alias `typescript-5.9`, chosen
 * with CONCURRENCY_LINT_TYPESCRIPT as a project's own 5.9 would be) reports exactly the
 * `// expect:` markers, as under TypeScript 6.0 (test/fixtures.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFiles } from '../analyzer/files.js';
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
