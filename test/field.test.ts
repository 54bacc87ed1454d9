// The field-study script (field/run.mjs) on a tiny checkout built here: a planted floating
// promise (labelled true), a safe look-alike the tool stays quiet on, a second floating
// promise nobody labelled yet, and a label for a line that no longer has a finding.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '..');
const SCRIPT = path.join(REPO, 'field', 'run.mjs');
const COMMIT = 'a'.repeat(40);

const SERVICE = `export async function save(id: string): Promise<void> {
  if (!id) throw new Error('no id');
}

export function onRequest(id: string): void {
  save(id);
}

export function onRetry(id: string): void {
  save(id);
}
`;

const SAFE = `import { save } from './service.js';

export async function onCommand(id: string): Promise<void> {
  await save(id);
}

export function onEvent(id: string): void {
  save(id).catch((error: unknown) => console.error(error));
}
`;

let dir: string;
let checkout: string;
let run: { status: number | null; stdout: string; stderr: string };
let json: any;

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-test-'));
  checkout = path.join(dir, 'checkouts', 'tiny');
  write(path.join(checkout, 'src', 'service.ts'), SERVICE);
  write(path.join(checkout, 'src', 'safe.ts'), SAFE);
  write(path.join(checkout, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', target: 'ES2022', noEmit: true, types: [] }, include: ['src'] }));
  const spec = { name: 'tiny', repo: 'example/tiny', commit: COMMIT, root: '.', paths: ['src'], project: 'tsconfig.json', notes: 'written by the test' };
  write(path.join(dir, 'projects', 'tiny.json'), JSON.stringify(spec));
  const labels = [
    'project\tcommit\tfile\tline\trule\tverdict\treason',
    `tiny\t${COMMIT}\tsrc/service.ts\t6\tno-floating-promise\ttrue\tthe save rejects on an empty id and nobody hears it`,
    `tiny\t${COMMIT}\tsrc/safe.ts\t8\tno-floating-promise\tfalse\ta stale label: the catch handles it`,
  ];
  write(path.join(dir, 'labels', 'tiny.tsv'), `${labels.join('\n')}\n`);
  const out = path.join(dir, 'out.json');
  run = spawnSync(
    process.execPath,
    [SCRIPT, checkout, '--projects-dir', path.join(dir, 'projects'), '--labels-dir', path.join(dir, 'labels'), '--rule', 'no-floating-promise', '--json', out],
    { encoding: 'utf8' },
  );
  json = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : undefined;
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('field/run.mjs', () => {
  it('exits 0 and writes the tables as JSON', () => {
    expect(run.stderr).not.toMatch(/FAILED/);
    expect(run.status).toBe(0);
    expect(json.perProject).toEqual([
      { project: 'tiny', rule: 'no-floating-promise', findings: 2, labelled: 1, true: 1, false: 0, debatable: 0, precision: 1 },
    ]);
    expect(json.perRule).toEqual([
      { rule: 'no-floating-promise', findings: 2, labelled: 1, true: 1, false: 0, debatable: 0, sampledIn: [], precision: 1 },
    ]);
  });

  it('prints the per-project and per-rule rows', () => {
    expect(run.stdout).toMatch(/^tiny\s+no-floating-promise\s+2\s+1\s+1\s+0\s+0\s+100\.0%/m);
    expect(run.stdout).toMatch(/^no-floating-promise\s+2\s+1\s+1\s+0\s+0\s+100\.0%/m);
  });

  it('lists the unlabelled finding as a TSV line to fill in', () => {
    expect(run.stdout).toContain('Findings without a label: 1');
    const line = run.stdout.split('\n').find((l) => l.startsWith(`tiny\t${COMMIT}\tsrc/service.ts\t10\t`));
    expect(line).toBeDefined();
    const cols = line!.split('\t');
    expect(cols.slice(4, 6)).toEqual(['no-floating-promise', '?']);
    expect(cols[6]).toMatch(/\.$/);
    expect(json.unlabelled).toMatchObject([{ project: 'tiny', file: 'src/service.ts', line: 10, rule: 'no-floating-promise' }]);
  });

  it('lists the label that matches no finding as stale', () => {
    expect(run.stdout).toContain('Labels that match no finding (stale): 1');
    expect(run.stdout).toContain(`tiny\t${COMMIT}\tsrc/safe.ts\t8\tno-floating-promise\tfalse\t`);
    expect(json.stale).toMatchObject([{ file: 'src/safe.ts', line: 8, verdict: 'false' }]);
  });

  it('marks a sampled rule and exits 2 for a project it cannot run', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'projects', 'tiny.json'), 'utf8'));
    write(path.join(dir, 'projects2', 'tiny.json'), JSON.stringify({ ...spec, notes: 'sampled 1 of 2 no-floating-promise findings' }));
    write(path.join(dir, 'projects2', 'gone.json'), JSON.stringify({ ...spec, name: 'gone', paths: ['missing'] }));
    fs.mkdirSync(path.join(dir, 'checkouts', 'gone', 'src'), { recursive: true });
    const again = spawnSync(
      process.execPath,
      [SCRIPT, '--root', path.join(dir, 'checkouts'), '--projects-dir', path.join(dir, 'projects2'), '--labels-dir', path.join(dir, 'labels'), '--rule', 'no-floating-promise'],
      { encoding: 'utf8' },
    );
    expect(again.stdout).toMatch(/^tiny\s+no-floating-promise\s+2\s+1\s+1\s+0\s+0\s+100\.0%\s+sample: 1 of 2 labelled/m);
    expect(again.stdout).toContain('Findings without a label: 0 (and 1 outside the labelled sample of a sampled rule)');
    expect(again.stdout).toMatch(/FAILED gone: /);
    expect(again.status).toBe(2);
  }, 60_000);
});
