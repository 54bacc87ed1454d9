/**
 * Same input, byte-identical output: running twice gives the same bytes in every format,
 * and neither the order of the files in the program, the order files are checked in, nor
 * the order of the rules changes a byte of the report (traces and witness chains included).
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type CliIo } from '../analyzer/cli/main.js';
import { checkProjects } from '../analyzer/cli/analyze.js';
import { compareFindings } from '../analyzer/check/finding.js';
import { formatJson } from '../analyzer/cli/format/json.js';
import { formatInputOf } from '../analyzer/cli/format/index.js';
import { formatSarif } from '../analyzer/cli/format/sarif.js';
import { createProgramFor, loadProjects, type LoadedProject } from '../analyzer/project/project.js';
import { allChecks } from '../analyzer/checks/index.js';
import type { AnalyzeResult, RuleSetting } from '../analyzer/check/run-types.js';
import { FIXTURES } from './helpers/fixtures.js';

/** Cross-file findings with traces, and quick to check. */
const SAMPLE = path.join(FIXTURES, 'no-lock-order-inversion');

/** The CLI's output; it must have found the fixture's cycles (exit 1) and said nothing on stderr. */
async function run(args: string[]): Promise<string> {
  let out = '';
  let err = '';
  const io: CliIo = {
    cwd: SAMPLE,
    env: {},
    stdout: { write: (s: string) => ((out += s), true), isTTY: false },
    stderr: { write: (s: string) => ((err += s), true), isTTY: false },
  };
  // no-lock-order-inversion is in configs.strict: named, so the CLI runs it.
  const code = await main(['--rule', 'no-lock-order-inversion', ...args], io);
  expect({ args, code, err }).toEqual({ args, code: 1, err: '' });
  expect(out).toContain('no-lock-order-inversion');
  return out;
}

function rules(ids: string[]): Map<string, RuleSetting> {
  return new Map(ids.map((id) => [id, { severity: 'error' as const, options: {} }]));
}

function report(dir: string, result: AnalyzeResult): string {
  const input = formatInputOf(result, dir);
  return `${formatJson(input)}${formatSarif(input)}`;
}

/** The same projects, built with the root files reversed, checked in reverse order. */
function reversed(projects: LoadedProject[]): LoadedProject[] {
  return [...projects].reverse().map((p) => {
    const program = createProgramFor([...p.program.getRootFileNames()].reverse(), p.program.getCompilerOptions(), []);
    const wanted = new Set(p.files.map((sf) => sf.fileName));
    return { program, configPath: p.configPath, files: program.getSourceFiles().filter((sf) => wanted.has(sf.fileName)).reverse(), lossy: p.lossy };
  });
}

describe('deterministic output', () => {
  it('gives the same bytes twice in every format (pretty: but for the elapsed time)', async () => {
    for (const format of ['json', 'sarif', 'github']) {
      expect(await run(['--format', format, '.'])).toBe(await run(['--format', format, '.']));
    }
    const time = /\d+\.\d\ds/g;
    expect((await run(['.'])).replace(time, 'T')).toBe((await run(['.'])).replace(time, 'T'));
  });

  // The folders whose findings carry cross-function traces (the fuzz batch checks the order
  // invariant on mutated copies of every fixture folder too).
  const TRACED = ['sample-app', 'no-lock-order-inversion', 'require-lock-release', 'no-blocking-in-async', 'no-await-race', 'no-floating-promise'];
  const folders = fs
    .readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && TRACED.includes(d.name))
    .map((d) => d.name)
    .sort();

  it.each(folders)('fixtures/%s: the same report whatever the order of files and rules', (folder) => {
    const dir = path.join(FIXTURES, folder);
    const ids = allChecks.map((c) => c.meta.id);
    const { projects } = loadProjects({ paths: [dir], cwd: dir });
    const first = checkProjects(projects, { rules: rules(ids) });
    const second = checkProjects(reversed(projects), { rules: rules([...ids].reverse()) });
    expect(report(dir, second)).toBe(report(dir, first));
    // Sorted, and the sort leaves no tie to chance.
    for (let i = 1; i < first.findings.length; i++) expect(compareFindings(first.findings[i - 1]!, first.findings[i]!)).toBeLessThan(0);
  });
});

describe('a lock-order cycle with equally short witnesses in several files', () => {
  // Found by the fuzzer (seed 4242, 10,000 runs): the site reported for a cycle was the witness
  // seen first, so reversing the program's files moved the finding to another file.
  it('is reported at the same site whatever the order of the files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-witness-order-'));
    try {
      fs.symlinkSync(path.resolve(import.meta.dirname, '../node_modules'), path.join(dir, 'node_modules'), 'dir');
      const nested = (outer: string, inner: string, name: string) =>
        `export async function ${name}(): Promise<void> {\n  await ${outer}.runExclusive(async () => {\n    await ${inner}.runExclusive(async () => {});\n  });\n}\n`;
      fs.writeFileSync(path.join(dir, 'locks.ts'), "import { Mutex } from 'async-mutex';\nexport const first = new Mutex();\nexport const second = new Mutex();\n");
      for (const [file, outer, inner] of [['a.ts', 'first', 'second'], ['b.ts', 'first', 'second'], ['c.ts', 'second', 'first'], ['d.ts', 'second', 'first']]) {
        fs.writeFileSync(path.join(dir, file!), `import { first, second } from './locks.js';\n${nested(outer!, inner!, `in_${file!.slice(0, 1)}`)}`);
      }
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'es2022', module: 'nodenext', types: [] }, include: ['*.ts'] }));
      const ids = ['no-lock-order-inversion'];
      const { projects } = loadProjects({ paths: [dir], cwd: dir });
      const first = checkProjects(projects, { rules: rules(ids) });
      const second = checkProjects(reversed(projects), { rules: rules(ids) });
      expect(first.findings.map((f) => path.basename(f.file))).toEqual(['a.ts']);
      expect(report(dir, second)).toBe(report(dir, first));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
