/**
 * Nothing wrong in the output, whatever the file names and source text: end to end through
 * the command (`main`), with files whose names carry `%`, `,`, `:`, CR, LF, ESC, bidi
 * controls and workflow-command look-alikes, and source lines and messages carrying terminal
 * escape sequences. GitHub annotations cannot be injected, SARIF and JSON stay valid and
 * name the files exactly, and the pretty format prints no control sequence of ours or theirs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allChecks } from '../analyzer/checks/index.js';
import { main, type CliIo } from '../analyzer/cli/main.js';
import { sarifValidator } from './helpers/sarif-schema.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const ESC = '\u001b';
const HOSTILE_LINE = `work(); // ${ESC}[2J${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\ \u0007 \u009b31m ::warning::fake %0A done \u202eevil`;
const SOURCE = [
  'async function work(): Promise<void> {}',
  `const table: Record<string, () => Promise<void>> = { "${ESC}[31mred": work };`,
  HOSTILE_LINE,
  `table["${ESC}[31mred"]();`,
  `table[\`line\n::error file=x.ts::injected\`]();`,
  '',
].join('\n');

/** File names a Linux file system accepts. */
const NAMES = [
  '100%,a:b.ts',
  'line\nbreak.ts',
  'carriage\rreturn.ts',
  '::error file=x,line=1::pwned.ts',
  `esc${ESC}[31mred.ts`,
  'bidi\u202eevil.ts',
  'space # ?&.ts',
  '日本語.ts',
];

function project(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cl-hostile-')));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'sub,dir:x%'));
  for (const name of NAMES) fs.writeFileSync(path.join(dir, 'sub,dir:x%', name), SOURCE);
  fs.writeFileSync(path.join(dir, `broken\n::error::${ESC}[2J.ts`), 'function (\n');
  return dir;
}

async function run(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    cwd: dir,
    env,
    stdout: { write: (s: string) => ((out += s), true), isTTY: false },
    stderr: { write: (s: string) => ((err += s), true), isTTY: false },
  };
  // Every rule, the strict ones too: the output must stay safe whatever is reported.
  const code = await main([...allChecks.flatMap((c) => ['--rule', c.meta.id]), ...args], io);
  return { code, out, err };
}

/** Workflow commands: `::name props::data`, one per line. */
const COMMAND = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/;

function unescapeProperty(value: string): string {
  return value.replace(/%(25|0D|0A|3A|2C)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Every line a GitHub runner would read: none may be a command it did not come from us. */
function expectNoInjection(text: string): void {
  for (const line of text.split('\n')) {
    expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/);
    if (line.startsWith('::')) expect(line).toMatch(COMMAND);
    else expect(line).not.toMatch(/^\s*::/);
  }
}

describe('hostile file names and source text', () => {
  const dir = project();
  const expectedFiles = NAMES.map((n) => `sub,dir:x%/${n}`).sort();

  it('github: one well-formed command per finding, properties and data escaped, nothing injected', async () => {
    const { code, out, err } = await run(dir, ['--format', 'github', '.']);
    expect(code).toBe(1);
    expectNoInjection(out);
    expectNoInjection(err);
    const commands = out.trimEnd().split('\n').map((line) => COMMAND.exec(line)!);
    expect(commands.every(Boolean)).toBe(true);
    const findingFiles = new Set<string>();
    for (const [, , props, data] of commands) {
      expect(data).not.toMatch(/[\r\n]/);
      const pairs = (props ?? '').split(',');
      for (const pair of pairs) expect(pair).toMatch(/^[a-zA-Z]+=[^,:]*$/);
      const file = pairs.find((p) => p.startsWith('file='));
      if (file && pairs.some((p) => p.startsWith('line='))) findingFiles.add(unescapeProperty(file.slice(5)));
    }
    // Decoded, the file property names the file (CR and LF escaped and restored; other
    // control characters shown as pictures, bidi controls as U+FFFD).
    const shown = (f: string) => f.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0))).replace(/\u202e/g, '\ufffd');
    expect([...findingFiles].sort()).toEqual(expectedFiles.map(shown).sort());
  });

  it('sarif: valid against the schema, every URI decodes to the file name', async () => {
    const { out } = await run(dir, ['--format', 'sarif', '.']);
    const log = JSON.parse(out);
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const uris = new Set<string>(log.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0]!.physicalLocation.artifactLocation.uri));
    expect([...uris].map((u) => decodeURIComponent(u)).sort()).toEqual(expectedFiles);
    for (const uri of uris) expect(uri).toMatch(/^[A-Za-z0-9\-._~%!$&'()*+;=/]+$/);
  });

  it('json: valid, every path is the file name as it is', async () => {
    const { out } = await run(dir, ['--format', 'json', '.']);
    const report = JSON.parse(out) as { findings: { file: string; message: string }[]; diagnostics: { file?: string }[] };
    expect([...new Set(report.findings.map((f) => f.file))].sort()).toEqual(expectedFiles);
    expect(report.diagnostics.map((d) => d.file)).toEqual([`broken\n::error::${ESC}[2J.ts`]);
  });

  it('pretty: no escape sequence from the source, the messages or the file names', async () => {
    const plain = await run(dir, ['--format', 'pretty', '.']);
    expect(plain.out).toContain('work(); // ');
    expect(plain.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    // With colours on, the only escape sequences are our own SGR colour codes.
    const coloured = await run(dir, ['--format', 'pretty', '.'], { FORCE_COLOR: '1' });
    expect(coloured.out).toContain(`${ESC}[`);
    expect(coloured.out.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    // Every line of the report is one line: a file name with a line break does not split it.
    const heads = plain.out.split('\n').filter((l) => /^\S.*:\d+:\d+ {2}(error|warning) /.test(l));
    expect(heads.length).toBeGreaterThanOrEqual(NAMES.length);
  });

  it('stderr: diagnostics about hostile paths cannot inject workflow commands either', async () => {
    const { code, err } = await run(dir, ['--format', 'github', `missing\n::error::pwned${ESC}[2J`, '.']);
    expect(code).toBe(2);
    expectNoInjection(err);
  });
});
