// The CLI checks the files the project checks: in a given folder, files the tsconfig
// `exclude`s (tests) or that no tsconfig includes (migrations) are skipped and counted in the
// summary; named one by one they are checked, with the default config as before.
import { describe, it, expect, afterAll } from 'vitest';
import path from 'node:path';
import { main } from '../analyzer/cli/main.js';
import { analyze } from '../analyzer/cli/analyze.js';
import { analyzeRun } from '../analyzer/cli/parallel.js';
import { resolveRuleSettings } from '../analyzer/cli/config.js';
import { capture, tempProjects } from './helpers/cli.js';

const projects = tempProjects('cl-select-');
afterAll(() => projects.remove());
const tempProject = (files: Record<string, string>): string => projects.make(files);

const FLOATING = 'export async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n';
const TSCONFIG = JSON.stringify({
  compilerOptions: { strict: true, module: 'NodeNext', target: 'ES2022', noEmit: true, types: [] },
  include: ['src', 'test'],
  exclude: ['test'],
});

function service(extra: Record<string, string> = {}): string {
  return tempProject({
    'tsconfig.json': TSCONFIG,
    'src/a.ts': FLOATING,
    'src/b.ts': FLOATING,
    'test/a.test.ts': FLOATING,
    'test/b.test.ts': FLOATING,
    'migrations/001-init.ts': FLOATING,
    ...extra,
  });
}

const RULES = resolveRuleSettings({ rules: {} }, ['no-floating-promise'], []);

/** The files with a finding, relative to `dir`. */
function reported(text: string): string[] {
  const report = JSON.parse(text) as { findings: { file: string }[] };
  return [...new Set(report.findings.map((f) => f.file))].sort();
}

describe('a folder: the project decides which files are checked', () => {
  it('skips what the tsconfig excludes and what no tsconfig includes, and says so in the summary line', async () => {
    const dir = service();
    const io = capture(dir);
    expect(await main(['.', '--rule', 'no-floating-promise'], io)).toBe(1);
    expect(io.out()).toContain('src/a.ts');
    expect(io.out()).not.toContain('test/a.test.ts');
    expect(io.out()).not.toContain('migrations/');
    const last = io.out().trimEnd().split('\n').pop();
    expect(last).toMatch(/^✖ 2 problems \(2 errors, 0 warnings\) in 2 files · 2 files skipped: excluded by tsconfig\.json, 1 not included by any tsconfig · \d+\.\d\ds( · TypeScript [^\n]*)?$/);
  });

  it('puts the counts and reasons in the JSON summary and the SARIF invocation', async () => {
    const dir = service();
    const json = capture(dir);
    await main(['.', '--rule', 'no-floating-promise', '-f', 'json'], json);
    expect(reported(json.out())).toEqual(['src/a.ts', 'src/b.ts']);
    expect(JSON.parse(json.out()).summary).toEqual({
      files: 2,
      errors: 2,
      warnings: 0,
      skipped: [
        { files: 2, reason: 'excluded by tsconfig.json' },
        { files: 1, reason: 'not included by any tsconfig' },
      ],
    });
    const sarif = capture(dir);
    await main(['.', '--rule', 'no-floating-promise', '-f', 'sarif'], sarif);
    expect(JSON.parse(sarif.out()).runs[0].invocations[0].properties).toEqual({
      skippedFiles: [
        { files: 2, reason: 'excluded by tsconfig.json' },
        { files: 1, reason: 'not included by any tsconfig' },
      ],
    });
  });

  it('names the tsconfig that excludes, relative to the working folder', async () => {
    const dir = service();
    const io = capture(path.dirname(dir));
    await main([path.basename(dir), '--rule', 'no-floating-promise'], io);
    expect(io.out()).toContain(`2 files skipped: excluded by ${path.basename(dir)}/tsconfig.json, 1 not included by any tsconfig`);
  });

  it('skips the same files on worker threads and with --project', async () => {
    const dir = service();
    const one = analyze({ paths: ['.'], cwd: dir, rules: RULES });
    const two = await analyzeRun({ paths: ['.', 'src'], projects: ['tsconfig.json'], cwd: dir, rules: RULES, threads: 2, cacheDir: '.cache' });
    const rel = (files: string[]) => files.map((f) => path.relative(dir, f)).sort();
    expect(rel(one.files)).toEqual(['src/a.ts', 'src/b.ts']);
    expect(rel(two.files)).toEqual(['src/a.ts', 'src/b.ts']);
    for (const r of [one, two]) {
      expect(r.skipped?.map((s) => [s.reason, rel(s.files)])).toEqual([
        ['excluded', ['test/a.test.ts', 'test/b.test.ts']],
        ['not-included', ['migrations/001-init.ts']],
      ]);
    }
  });
});

describe('files named one by one, and folders the project does not cover', () => {
  it('checks an excluded or unincluded file named on the command line, as before', async () => {
    const dir = service();
    const io = capture(dir);
    await main(['.', 'test/a.test.ts', 'migrations/001-init.ts', '--rule', 'no-floating-promise', '-f', 'json'], io);
    expect(reported(io.out())).toEqual(['migrations/001-init.ts', 'src/a.ts', 'src/b.ts', 'test/a.test.ts']);
    expect(JSON.parse(io.out()).summary.skipped).toEqual([{ files: 1, reason: 'excluded by tsconfig.json' }]);
  });

  it('checks a folder the tsconfig above covers nothing of (asking for it is asking for its files)', async () => {
    const dir = service();
    const io = capture(dir);
    await main(['migrations', '--rule', 'no-floating-promise', '-f', 'json'], io);
    expect(reported(io.out())).toEqual(['migrations/001-init.ts']);
    expect(JSON.parse(io.out()).summary.skipped).toBeUndefined();
    const pretty = capture(dir);
    await main(['migrations', '--rule', 'no-floating-promise'], pretty);
    expect(pretty.out()).not.toContain('skipped');
  });

  it('checks a folder with no tsconfig at all with the embedded default config', async () => {
    const dir = tempProject({ 'lib/a.ts': FLOATING, 'scripts/b.js': 'async function f() {}\nf();\n' });
    const io = capture(dir);
    await main(['.', '--rule', 'no-floating-promise', '-f', 'json'], io);
    expect(reported(io.out())).toEqual(['lib/a.ts', 'scripts/b.js']);
    expect(JSON.parse(io.out()).summary.skipped).toBeUndefined();
  });
});
