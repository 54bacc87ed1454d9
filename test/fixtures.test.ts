import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectedKeys, FIXTURES, runFixtureFolder } from './helpers/fixtures.js';

/** Paths of this machine a snapshot must not hold, or it would differ on another one. */
const MACHINE_PATHS = [path.resolve(import.meta.dirname, '..'), fs.realpathSync(path.join(import.meta.dirname, '../node_modules')), os.homedir() + path.sep];

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

  it('type-checks (a fixture that needs an error says so with @ts-expect-error)', () => {
    expect(run.typeErrors).toEqual([]);
  });

  it('CLI path reports exactly the marked lines', () => {
    expect(run.cli).toEqual(run.expected);
  });

  it('ESLint path reports exactly what the CLI path reports', () => {
    expect(run.eslint).toEqual(run.cli);
  });

  it('CLI path reports the findings of its snapshot: messages, traces, fixes, suggestions (update on purpose with -u)', async () => {
    for (const machinePath of MACHINE_PATHS) expect(run.snapshot).not.toContain(machinePath);
    const header = `# The CLI path's findings on fixtures/${folder} (test/fixtures.test.ts; update: npx vitest run test/fixtures.test.ts -u)\n\n`;
    await expect(header + run.snapshot).toMatchFileSnapshot(`__snapshots__/fixtures/${folder}.snap`);
  });
});

describe('the fixture harness', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fixture-harness-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fails on a marker that names no rule (a typo would expect nothing)', () => {
    const file = path.join(dir, 'typo.ts');
    fs.writeFileSync(file, 'export const x = 1; // expect: no-floating-promises\n');
    expect(() => expectedKeys([file], dir)).toThrow(/unknown rule 'no-floating-promises'/);
  });

  it('sees a type error in a fixture', () => {
    const sub = fs.mkdtempSync(path.join(dir, 'typed-'));
    fs.writeFileSync(path.join(sub, 'bad.ts'), 'export const n: number = "text";\n');
    expect(runFixtureFolder(sub).typeErrors).toEqual([expect.stringMatching(/^bad\.ts:1 TS2322 /)]);
  });
});
