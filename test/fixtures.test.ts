import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runFixtureFolder } from './helpers/fixtures.js';

const folders = fs
  .readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe.each(folders)('fixtures/%s', (folder) => {
  const run = runFixtureFolder(path.join(FIXTURES, folder));

  it('has files to check', () => {
    expect(run.files.length).toBeGreaterThan(0);
  });

  it('CLI path reports exactly the marked lines', () => {
    expect(run.cli).toEqual(run.expected);
  });

  it('ESLint path reports exactly what the CLI path reports', () => {
    expect(run.eslint).toEqual(run.cli);
  });
});
