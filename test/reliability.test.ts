/**
 * Never crash, always finish: a failing check becomes an `internal-error` finding and the
 * run goes on (exit code 2); whole-program work terminates on any call graph and grows
 * linearly with the program; suppression comments are read in linear time as ESLint reads
 * them; baselines follow findings across edits.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { analyze, checkProjects, INTERNAL_ERROR_RULE } from '../analyzer/cli/analyze.js';
import { loadProjects } from '../analyzer/project/project.js';
import { main } from '../analyzer/cli/main.js';
import { allChecks } from '../analyzer/checks/index.js';
import { getCallGraph, isFunctionLike, type FunctionLike } from '../analyzer/program/callgraph.js';
import { getSummary, summaryStats, type SummaryKind } from '../analyzer/summaries/engine.js';
import { reachKind } from '../analyzer/summaries/reach.js';
import { parseDirectives } from '../analyzer/cli/suppressions.js';
import { createBaseline, filterBaselined } from '../analyzer/cli/baseline.js';
import { walk } from '../analyzer/program/walk.js';
import type { RuleSetting } from '../analyzer/check/run-types.js';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../rules/index.js';
import { key } from './helpers/fixtures.js';
import { capture } from './helpers/cli.js';

// A registry with one more check that fails on purpose (on files that ask for it).
vi.mock('../analyzer/checks/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../analyzer/checks/index.js')>();
  const broken = {
    meta: {
      id: 'test-broken',
      description: 'Fails on purpose.',
      recommended: 'off' as const,
      messages: { found: 'found {{what}}' },
      schema: { type: 'object' as const },
      defaultOptions: {},
    },
    run(ctx: { sourceFile: ts.SourceFile; report: (input: Record<string, unknown>) => void }) {
      const text = ctx.sourceFile.text;
      if (text.includes('THROW')) throw new Error('planted failure');
      if (text.includes('RECURSE')) {
        const forever = (n: number): number => forever(n + 1) + 1;
        forever(0);
      }
      if (text.includes('BAD-MESSAGE')) ctx.report({ node: ctx.sourceFile, messageId: 'no-such-message' });
      if (text.includes('FINE')) ctx.report({ node: ctx.sourceFile.statements[0], messageId: 'found', data: { what: 'it' } });
      if (text.includes('OUT-OF-RANGE')) ctx.report({ node: ctx.sourceFile, range: [-5, 1e9], messageId: 'found', data: { what: 'range' } });
    },
  };
  return {
    ...original,
    allChecks: [...original.allChecks, broken],
    getCheck: (id: string) => (id === broken.meta.id ? broken : original.getCheck(id)),
  };
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function temp(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cl-rel-')));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function rules(...ids: string[]): Map<string, RuleSetting> {
  return new Map(ids.map((id) => [id, { severity: 'error' as const, options: {} }]));
}

const FLOATING = 'async function work(): Promise<void> {}\nwork();\n';

describe('a check that fails', () => {
  const dir = temp({
    'a.ts': `// THROW\n${FLOATING}`,
    'b.ts': `// RECURSE\n${FLOATING}`,
    'c.ts': `// BAD-MESSAGE\n${FLOATING}`,
    'd.ts': `// FINE\n${FLOATING}`,
    'e.ts': `/* eslint-disable */\n// THROW\n${FLOATING}`,
  });
  const shown = (debug: boolean) => analyze({ paths: ['.'], cwd: dir, rules: rules('no-floating-promise', 'test-broken'), debug });

  it('becomes an internal-error finding on that file, and every other finding is still reported', () => {
    const r = shown(false);
    const lines = r.findings.map((f) => `${path.basename(f.file)}:${f.line}:${f.column} ${f.ruleId}`);
    expect(lines).toEqual([
      'a.ts:1:1 internal-error',
      'a.ts:3:1 no-floating-promise',
      'b.ts:1:1 internal-error',
      'b.ts:3:1 no-floating-promise',
      'c.ts:1:1 internal-error',
      'c.ts:3:1 no-floating-promise',
      'd.ts:2:1 test-broken',
      'd.ts:3:1 no-floating-promise',
      'e.ts:1:1 internal-error', // a suppression comment cannot hide it
    ]);
    const errors = r.findings.filter((f) => f.ruleId === INTERNAL_ERROR_RULE);
    expect(errors.every((f) => f.severity === 'error' && f.data.ruleId === 'test-broken')).toBe(true);
    expect(errors[0]!.message).toMatch(/^Rule test-broken failed on this file \(Error: planted failure\)/);
    expect(errors[1]!.message).toContain('RangeError: Maximum call stack size exceeded');
    expect(errors[2]!.message).toContain("unknown messageId 'no-such-message'");
    expect(errors[0]!.message).not.toContain('\n    at ');
    // One error run diagnostic per failure, so the CLI exits 2.
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(4);
  });

  it('carries the stack only under --debug', () => {
    const error = shown(true).findings.find((f) => f.ruleId === INTERNAL_ERROR_RULE)!;
    expect(error.message).toMatch(/\n\s+at .*reliability\.test\.ts/);
  });

  it('makes the command exit 2 and every format shows the internal-error finding', async () => {
    for (const format of ['json', 'sarif', 'github', 'pretty']) {
      const io = capture(dir);
      expect(await main(['--rule', 'test-broken', '--format', format, 'a.ts'], io)).toBe(2);
      expect(io.out()).toContain(INTERNAL_ERROR_RULE);
      if (format === 'sarif') {
        const result = JSON.parse(io.out()).runs[0].results[0];
        expect(result.ruleId).toBe(INTERNAL_ERROR_RULE);
        expect(result.ruleIndex).toBeUndefined();
      }
    }
  });
});

describe('the analyzed code', () => {
  it('is never executed, and configuration is read as data', async () => {
    const marker = path.join(os.tmpdir(), `cl-executed-${process.pid}`);
    const effect = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'executed');`;
    const dir = temp({
      'a.ts': `declare const require: (m: string) => { writeFileSync(f: string, t: string): void };\n${effect}\nasync function work(): Promise<void> {}\nwork();\n`,
      'b.js': `${effect}\nmodule.exports = {};\n`,
      'evil-plugin.js': `${effect}\nmodule.exports = () => ({ create: (info) => info.languageService });\n`,
      'tsconfig.json': JSON.stringify({ compilerOptions: { allowJs: true, plugins: [{ name: './evil-plugin.js' }] }, include: ['*.ts', '*.js'] }),
      'package.json': JSON.stringify({ name: 'x', scripts: { postinstall: effect }, 'concurrency-lint': { rules: {} } }),
    });
    // The run must get as far as analysis (a run that stops early would prove nothing): the
    // dropped `work()` is reported, so every run exits 1 with the finding in its output.
    for (const args of [['.'], ['--fix', '.'], ['--format', 'sarif', '.']]) {
      const io = capture(dir);
      const code = await main(['--rule', 'no-floating-promise', ...args], io);
      expect({ args, code, err: io.err() }).toEqual({ args, code: 1, err: '' });
      expect(io.out()).toContain('no-floating-promise');
    }
    expect(fs.existsSync(marker)).toBe(false);
  });
});

describe('a check that reports a range outside the file', () => {
  it('gets a finding clamped to the file', () => {
    const dir = temp({ 'a.ts': '// OUT-OF-RANGE\nexport {};\n' });
    const [f] = analyze({ paths: ['.'], cwd: dir, rules: rules('test-broken') }).findings;
    expect(f).toMatchObject({ ruleId: 'test-broken', start: 0, end: 27, line: 1, column: 1, endLine: 3, endColumn: 1 });
  });
});

describe('input the loader must not choke on', () => {
  it('drops the autofix of findings in a file that is not valid UTF-8', () => {
    const dir = temp({});
    fs.writeFileSync(path.join(dir, 'a.ts'), Buffer.from("// \xe9\nasync function ok(): Promise<boolean> {\n  return true;\n}\nexport async function f(): Promise<void> {\n  if (!ok()) return;\n}\n", 'latin1'));
    const r = analyze({ paths: ['.'], cwd: dir, rules: rules('no-missing-await') });
    expect(r.findings.map((f) => f.ruleId)).toEqual(['no-missing-await']);
    expect(r.findings[0]!.fix).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------
// Whole-program work on generated call graphs

type Shape = 'chain' | 'ring' | 'dense';

/** N async functions over N/10 files; each calls the next one (chain), wraps around (ring: one SCC), or calls the next five (dense). */
function callGraphProgram(shape: Shape, n: number): Record<string, string> {
  const perFile = 10;
  const fileOf = (i: number) => Math.floor(i / perFile);
  const callees = (i: number): number[] => {
    if (shape === 'chain') return i + 1 < n ? [i + 1] : [];
    if (shape === 'ring') return [(i + 1) % n];
    return [1, 2, 3, 5, 8].map((k) => (i + k) % n);
  };
  const files: Record<string, string> = { 'package.json': '{ "type": "module" }' };
  for (let f = 0; f * perFile < n; f++) {
    const own = Array.from({ length: perFile }, (_, k) => f * perFile + k).filter((i) => i < n);
    const imports = new Map<number, Set<number>>();
    for (const i of own) for (const c of callees(i)) if (fileOf(c) !== f) imports.set(fileOf(c), (imports.get(fileOf(c)) ?? new Set()).add(c));
    const lines = [
      "import { Mutex } from 'async-mutex';",
      "import { readFileSync } from 'node:fs';",
      ...[...imports].map(([file, fns]) => `import { ${[...fns].map((c) => `f${c}`).join(', ')} } from './m${file}.js';`),
      'const lock = new Mutex();',
      'let shared = 0;',
      'export function leaf(): string {',
      "  return readFileSync('x', 'utf8');",
      '}',
    ];
    for (const i of own) {
      const calls = callees(i).map((c) => `  if (n > ${c % 7}) shared += await f${c}(n - 1);`);
      const extra = i % 10 === 0 ? ['  leaf();', '  const release = await lock.acquire();', '  release();'] : [];
      lines.push(`export async function f${i}(n: number): Promise<number> {`, ...extra, ...calls, '  return shared;', '}');
    }
    files[`m${f}.ts`] = `${lines.join('\n')}\n`;
  }
  return files;
}

interface Work {
  checkerCalls: number;
  computeCalls: number;
  recursiveComponents: number;
  maxRounds: number;
}

const leafKind = reachKind<string>({
  name: 'test-leaf',
  match: (call) => (ts.isCallExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'leaf' ? 'leaf' : undefined),
});

/** Run every rule and the test summary over the generated program, counting the work. */
function measure(shape: Shape, n: number): Work {
  const dir = temp(callGraphProgram(shape, n));
  fs.symlinkSync(path.resolve(import.meta.dirname, '../node_modules'), path.join(dir, 'node_modules'), 'dir');
  const { projects, diagnostics } = loadProjects({ paths: ['.'], cwd: dir });
  expect(diagnostics).toEqual([]);
  const program = projects[0]!.program;
  // Count the questions the checks put to TypeScript's checker (wrapped before any TypeQueries exists).
  const checker = program.getTypeChecker() as unknown as Record<string, unknown>;
  let checkerCalls = 0;
  for (const name of Object.keys(checker)) {
    const method = checker[name];
    if (typeof method === 'function') {
      checker[name] = (...args: unknown[]) => {
        checkerCalls++;
        return (method as (...a: unknown[]) => unknown)(...args);
      };
    }
  }
  const result = checkProjects(projects, { rules: new Map(allChecks.map((c) => [c.meta.id, { severity: 'error' as const, options: {} }])) });
  expect(result.findings.filter((f) => f.ruleId === INTERNAL_ERROR_RULE)).toEqual([]);
  const fns: FunctionLike[] = [];
  for (const sf of projects[0]!.files) walk(sf, (node) => void (isFunctionLike(node) && fns.push(node)));
  getCallGraph(program);
  const reaching = fns.filter((fn) => getSummary(program, leafKind, fn) !== null).length;
  expect(reaching).toBeGreaterThan(0);
  const stats = summaryStats(program, leafKind as SummaryKind<unknown>);
  return { checkerCalls, computeCalls: stats.computeCalls, recursiveComponents: stats.recursiveComponents, maxRounds: Math.ceil(stats.computeCalls / fns.length) };
}

describe('whole-program work grows linearly', () => {
  for (const shape of ['chain', 'ring', 'dense'] as const) {
    it(`on a ${shape} of 100, 200 and 400 functions`, () => {
      const small = measure(shape, 100);
      const medium = measure(shape, 200);
      const large = measure(shape, 400);
      // Summaries: each function computed once (chain) or a bounded number of rounds (one SCC).
      if (shape === 'chain') expect([small, medium, large].map((w) => w.computeCalls)).toEqual([110, 220, 440]); // + one `leaf` per file
      else expect([small, medium, large].map((w) => w.recursiveComponents)).toEqual([1, 1, 1]);
      for (const w of [small, medium, large]) expect(w.maxRounds).toBeLessThanOrEqual(3);
      // Every rule together: doubling the program at most doubles the checker questions (25% slack).
      expect(medium.checkerCalls).toBeLessThanOrEqual(small.checkerCalls * 2 * 1.25);
      expect(large.checkerCalls).toBeLessThanOrEqual(medium.checkerCalls * 2 * 1.25);
    });
  }

  it('stops a summary that never settles after its bounded rounds', () => {
    const { projects } = loadProjects({ paths: ['.'], cwd: temp(callGraphProgram('ring', 30)) });
    const program = projects[0]!.program;
    let tick = 0;
    const restless: SummaryKind<number> = {
      name: 'test-restless',
      initial: () => 0,
      dependencies: (fn, ctx) => ctx.graph.info(fn).calls.flatMap((c) => c.callees),
      compute: () => ++tick, // a new value every time: never a fixpoint
      equals: (a, b) => a === b,
      maxRounds: 7,
    };
    const fn = projects[0]!.files.flatMap((sf) => sf.statements).find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === 'f0')!;
    expect(getSummary(program, restless, fn)).toBeGreaterThan(0);
    // 30 functions in one SCC, 7 rounds each; the 3 `leaf` helpers are computed once.
    expect(summaryStats(program, restless as SummaryKind<unknown>).computeCalls).toBe(7 * 30 + 3);
  });
});

// ---------------------------------------------------------------------------------------

describe('suppression comments', () => {
  it('are found in linear time in hostile text', () => {
    const started = performance.now();
    expect(parseDirectives('/*'.repeat(200_000))).toEqual([]);
    expect(parseDirectives(`/* eslint-disable${' '.repeat(300_000)}x */`)).toHaveLength(1);
    expect(parseDirectives(`${"'".repeat(100_000)}\n${'`'.repeat(100_001)}`)).toEqual([]);
    expect(parseDirectives(`// eslint-disable-line ${'-- '.repeat(100_000)}`)).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('are not found inside strings, template literals or regular expressions', () => {
    const text = [
      'const a = "// eslint-disable-line";',
      "const b = '/* eslint-disable */';",
      'const c = `${a} // eslint-disable-line ${ { k: "}" }.k } /* eslint-disable */`;',
      'const d = /\\/\\/ eslint-disable-line [/*]/;',
      'const e = 1 / 2; // eslint-disable-line concurrency/no-floating-promise',
    ].join('\n');
    expect(parseDirectives(text).map((d) => `${d.line} ${d.kind}`)).toEqual(['5 eslint-disable-line']);
  });

  it('are read as ESLint reads them', () => {
    const text = [
      '// eslint-disable', // line comments only carry -line / -next-line
      '/* eslint-disable-line',
      '   concurrency/no-floating-promise */', // -line must not span lines
      '/* eslint-disable-next-line "concurrency/no-floating-promise", other -- because */',
      '// eslint-disable-next-line-please',
      '/*eslint-enable*/',
    ].join('\n');
    expect(parseDirectives(text).map((d) => `${d.line} ${d.kind} ${[...(d.rules ?? ['*'])].join(',')}`)).toEqual([
      '4 eslint-disable-next-line no-floating-promise,\u0000other',
      '6 eslint-enable *',
    ]);
  });

  it('hide the same findings in the CLI and ESLint paths', () => {
    const dir = temp({
      'package.json': '{ "type": "module" }',
      'a.ts': [
        'async function work(): Promise<void> {}',
        'work(); // eslint-disable-line concurrency/no-floating-promise',
        '// eslint-disable-next-line concurrency/no-floating-promise -- shutdown flush',
        'work();',
        '// eslint-disable',
        'work();',
        'const s = "/* eslint-disable */"; work();',
        'const t = `// eslint-disable-line ${1}`; work();',
        '/* eslint-disable concurrency/no-floating-promise */ work();',
        'work();',
        '/* eslint-enable */',
        'work(); /* eslint-disable-line',
        '*/',
        'work();',
      ].join('\n'),
    });
    const { projects } = loadProjects({ paths: ['.'], cwd: dir });
    const cli = checkProjects(projects, { rules: rules('no-floating-promise') }).findings.map((f) => key(f.file, f.line, f.ruleId, dir));
    const linter = new Linter({ cwd: dir });
    const config: Linter.Config[] = [
      {
        files: ['**/*.ts'],
        plugins: { concurrency: plugin },
        languageOptions: { parser: tsParser, parserOptions: { programs: [projects[0]!.program] } },
        rules: { 'concurrency/no-floating-promise': 'error' },
      },
    ];
    const sf = projects[0]!.files[0]!;
    const messages = linter.verify(sf.text, config, { filename: sf.fileName });
    // ESLint's own complaint about the multi-line `eslint-disable-line` (ignored, as the CLI ignores it).
    expect(messages.filter((m) => m.ruleId === null).map((m) => m.message)).toEqual(['eslint-disable-line comment should not span multiple lines.']);
    const eslint = messages.filter((m) => m.ruleId !== null).map((m) => key(sf.fileName, m.line, m.ruleId!.replace('concurrency/', ''), dir));
    expect(cli).toEqual(['a.ts:6 no-floating-promise', 'a.ts:7 no-floating-promise', 'a.ts:8 no-floating-promise', 'a.ts:12 no-floating-promise', 'a.ts:14 no-floating-promise']);
    expect(eslint.sort()).toEqual([...cli].sort());
  });
});

describe('baselines', () => {
  const V1 = [
    'async function save(): Promise<void> {}',
    'async function flush(): Promise<void> {}',
    'export function handler(): number {',
    '  save();',
    '  return 1;',
    '}',
    'export function other(): number {',
    '  return 2;',
    '}',
    '',
  ].join('\n');

  function findingsOf(dir: string, text: string) {
    fs.writeFileSync(path.join(dir, 'a.ts'), text);
    return analyze({ paths: ['.'], cwd: dir, rules: rules('no-floating-promise') });
  }

  it('follow a finding across edits elsewhere and line shifts, and never hide a changed one', () => {
    const dir = temp({});
    const first = findingsOf(dir, V1);
    expect(first.findings).toHaveLength(1);
    const baseline = createBaseline(first.findings, first.sources, dir);
    const still = (text: string) => {
      const r = findingsOf(dir, text);
      return filterBaselined(r.findings, baseline, r.sources, dir);
    };
    // Lines added above, another function edited, the line re-indented: still the same finding.
    const shifted = `// header\nimport 'node:fs';\n\n${V1.replace('return 2;', 'const x = 3;\n  return x;').replace('  save();', '      save();')}`;
    expect(still(shifted)).toEqual({ findings: [], baselined: 1 });
    // The flagged call changes: a new finding, reported.
    const changed = still(V1.replace('  save();', '  flush();'));
    expect(changed.findings.map((f) => f.line)).toEqual([4]);
    // A second copy of the same problem: one is new.
    const copied = still(V1.replace('  save();', '  save();\n  save();'));
    expect(copied).toMatchObject({ baselined: 1, findings: [{ line: 5 }] });
  });
});
