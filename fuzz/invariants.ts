/**
 * The invariants every program must satisfy, checked on one workspace:
 *   crash        no exception escapes a check (CLI: no internal-error finding; ESLint: no throw)
 *   parity       the CLI and ESLint paths report the same findings (position, rule, message,
 *                trace) on every file that parses, and their autofixes make the same text
 *   fix-parse    applying every autofix leaves code that parses (no new syntax error)
 *   fix-types    ... and has no new type error (per file and diagnostic code)
 *   fix-twice    fixing converges: after `--fix`, fixing again changes nothing
 *   order        the output (JSON report, byte for byte) does not depend on the order of
 *                the files in the program, of the files checked, or of the rules
 *   cli          the real command (`main`) agrees with the engine and exits 0 or 1
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { applyEdits, applyFixes } from '../analyzer/cli/fix.js';
import { MAX_FIX_PASSES, main } from '../analyzer/cli/main.js';
import { checkProjects, INTERNAL_ERROR_RULE } from '../analyzer/cli/analyze.js';
import { formatJson } from '../analyzer/cli/format/json.js';
import { formatInputOf } from '../analyzer/cli/format/index.js';
import { createProgramFor, type LoadedProject } from '../analyzer/project/project.js';
import type { AnalyzeResult } from '../analyzer/check/run-types.js';
import type { Finding } from '../analyzer/check/finding.js';
import type { Files } from './generate.js';
import { allRules, findingKey, runCli, runEslint, type CliRun, type Workspace } from './harness.js';
import type { Rng } from './random.js';

export type InvariantName = 'crash' | 'parity' | 'fix-parse' | 'fix-types' | 'fix-twice' | 'order' | 'cli';

export interface Failure {
  invariant: InvariantName;
  /** Workspace-relative file the failure is about. */
  file: string;
  detail: string;
}

export interface CheckStats {
  findings: Map<string, number>;
  fixesApplied: number;
  files: number;
}

export interface CheckOptions {
  /** Shuffles for the order invariant. */
  rng: Rng;
  /** Also run the real command line (slower: a second analysis). */
  cli?: boolean;
}

function count<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Files whose text TypeScript parsed without a syntax error. */
function cleanFiles(projects: LoadedProject[]): Set<string> {
  const out = new Set<string>();
  for (const p of projects) for (const sf of p.files) if (p.program.getSyntacticDiagnostics(sf).length === 0) out.add(sf.fileName);
  return out;
}

function checkCrashes(ws: Workspace, run: CliRun, failures: Failure[]): void {
  for (const f of run.result.findings) {
    if (f.ruleId === INTERNAL_ERROR_RULE) failures.push({ invariant: 'crash', file: ws.rel(f.file), detail: f.message });
  }
  for (const d of run.result.diagnostics) {
    if (d.severity === 'error' && !d.message.includes(INTERNAL_ERROR_RULE)) failures.push({ invariant: 'crash', file: d.file ? ws.rel(d.file) : '', detail: d.message });
  }
}

function checkParity(ws: Workspace, run: CliRun, failures: Failure[]): void {
  const clean = cleanFiles(run.projects);
  const cli = new Map<string, Finding>();
  for (const f of run.result.findings) if (clean.has(f.file) && f.ruleId !== INTERNAL_ERROR_RULE) cli.set(findingKey(ws, f), f);
  const cliKeys = run.result.findings.filter((f) => clean.has(f.file) && f.ruleId !== INTERNAL_ERROR_RULE).map((f) => findingKey(ws, f));
  const eslintKeys: string[] = [];
  for (const p of run.projects) {
    const files = p.files.filter((sf) => clean.has(sf.fileName));
    const eslint = runEslint(ws, p.program, files);
    const fatal = new Set(eslint.problems.filter((x) => x.fatal).map((x) => x.file));
    for (const problem of eslint.problems) if (!problem.fatal) failures.push({ invariant: 'crash', file: problem.file, detail: `ESLint path: ${problem.detail}` });
    for (const m of eslint.messages) {
      if (fatal.has(m.file)) continue;
      eslintKeys.push(m.key);
      const finding = cli.get(m.key);
      if (!finding?.fix || finding.fix.some((e) => e.file !== finding.file)) continue;
      const text = run.result.sources.get(finding.file) ?? '';
      const fixed = applyEdits(text, finding.fix);
      if (fixed !== m.fixed) failures.push({ invariant: 'parity', file: m.file, detail: `autofix differs between the paths for: ${m.key}` });
    }
    for (const file of fatal) for (let i = cliKeys.length - 1; i >= 0; i--) if (cliKeys[i]!.startsWith(`${file}:`)) cliKeys.splice(i, 1);
  }
  for (const [only, other, label] of [[cliKeys, eslintKeys, 'CLI only'], [eslintKeys, cliKeys, 'ESLint only']] as const) {
    const rest = new Map<string, number>();
    for (const k of other) count(rest, k);
    for (const k of only) {
      const left = rest.get(k) ?? 0;
      if (left > 0) rest.set(k, left - 1);
      else failures.push({ invariant: 'parity', file: k.slice(0, k.indexOf(':')), detail: `${label}: ${k}` });
    }
  }
}

/** Syntax and type errors per file and code: `file\0code` -> count. */
function errorCounts(ws: Workspace, run: CliRun): { syntax: Map<string, number>; types: Map<string, number>; text: Map<string, string> } {
  const syntax = new Map<string, number>();
  const types = new Map<string, number>();
  const text = new Map<string, string>();
  for (const p of run.projects) {
    for (const sf of p.files) {
      const rel = ws.rel(sf.fileName);
      for (const d of p.program.getSyntacticDiagnostics(sf)) count(syntax, `${rel}\0${d.code}`);
      for (const d of p.program.getSemanticDiagnostics(sf)) {
        if (d.category !== ts.DiagnosticCategory.Error) continue;
        count(types, `${rel}\0${d.code}`);
        text.set(`${rel}\0${d.code}`, ts.flattenDiagnosticMessageText(d.messageText, ' '));
      }
    }
  }
  return { syntax, types, text };
}

interface FixLoop {
  files: Files;
  applied: number;
  converged: boolean;
  last: CliRun;
}

/** `--fix` in memory: apply every fix, re-analyze, until nothing applies (at most MAX_FIX_PASSES). */
function fixLoop(ws: Workspace, files: Files, first: CliRun): FixLoop {
  let current = files;
  let run = first;
  let applied = 0;
  for (let pass = 0; pass <= MAX_FIX_PASSES; pass++) {
    const fixable = run.result.findings.filter((f) => f.fix && f.fix.length > 0);
    const next: Files = { ...current };
    const result = applyFixes(fixable, (abs) => next[ws.rel(abs)] ?? '', (abs, text) => {
      next[ws.rel(abs)] = text;
    });
    if (result.fixesApplied === 0) return { files: current, applied, converged: true, last: run };
    if (pass === MAX_FIX_PASSES) break;
    applied += result.fixesApplied;
    current = next;
    ws.write(current);
    run = runCli(ws);
  }
  return { files: current, applied, converged: false, last: run };
}

function checkFixes(ws: Workspace, files: Files, run: CliRun, failures: Failure[]): number {
  if (!run.result.findings.some((f) => f.fix && f.fix.length > 0)) return 0;
  const loop = fixLoop(ws, files, run);
  try {
    if (!loop.converged) failures.push({ invariant: 'fix-twice', file: '', detail: `fixes still apply after ${MAX_FIX_PASSES} passes` });
    const before = errorCounts(ws, run);
    const after = errorCounts(ws, loop.last);
    for (const [key, n] of after.syntax) {
      if (n > (before.syntax.get(key) ?? 0)) failures.push({ invariant: 'fix-parse', file: key.split('\0')[0]!, detail: `syntax error TS${key.split('\0')[1]} after autofix` });
    }
    for (const [key, n] of after.types) {
      if (n > (before.types.get(key) ?? 0)) {
        failures.push({ invariant: 'fix-types', file: key.split('\0')[0]!, detail: `new type error after autofix: TS${key.split('\0')[1]} ${after.text.get(key)}` });
      }
    }
    return loop.applied;
  } finally {
    ws.write(files);
  }
}

function report(ws: Workspace, result: AnalyzeResult): string {
  return formatJson(formatInputOf(result, ws.dir));
}

function checkOrder(ws: Workspace, run: CliRun, rng: Rng, failures: Failure[]): void {
  const projects: LoadedProject[] = [...run.projects].reverse().map((p) => {
    const program = createProgramFor(rng.shuffle(p.program.getRootFileNames()), p.program.getCompilerOptions(), []);
    const wanted = new Set(p.files.map((sf) => sf.fileName));
    const files = rng.shuffle(program.getSourceFiles().filter((sf) => wanted.has(sf.fileName)));
    return { program, configPath: p.configPath, files, lossy: p.lossy };
  });
  const shuffled = checkProjects(projects, { rules: allRules((ids) => rng.shuffle(ids)), debug: true });
  const a = report(ws, run.result).split('\n');
  const b = report(ws, shuffled).split('\n');
  const at = a.findIndex((line, i) => line !== b[i]);
  if (at >= 0 || a.length !== b.length) {
    const file = /"file": "([^"]*)"/.exec(a.slice(0, at + 1).reverse().join('\n'))?.[1] ?? '';
    failures.push({ invariant: 'order', file, detail: `output differs at line ${at + 1}: ${a[at]} vs ${b[at]}` });
  }
}

async function checkCommandLine(ws: Workspace, run: CliRun, failures: Failure[]): Promise<void> {
  let out = '';
  let err = '';
  // The command runs the same rules with the same options as the engine run (by default it runs
  // only configs.recommended, and groups blocking findings by cause).
  const config = path.join(ws.dir, 'fuzz-rules.json');
  fs.writeFileSync(config, JSON.stringify({ rules: Object.fromEntries([...allRules()].map(([id, s]) => [id, [s.severity, s.options]])) }));
  const code = await main(['--format', 'json', '--config', config, '.'], {
    cwd: ws.dir,
    env: {},
    stdout: { write: (s: string) => ((out += s), true), isTTY: false },
    stderr: { write: (s: string) => ((err += s), true), isTTY: false },
  });
  const crashed = run.result.findings.some((f) => f.ruleId === INTERNAL_ERROR_RULE);
  if (code === 2 && !crashed) failures.push({ invariant: 'cli', file: '', detail: `exit code 2: ${err.split('\n')[0]}` });
  try {
    const parsed = JSON.parse(out) as { findings: { file: string; line: number; ruleId: string }[] };
    const fromCli = parsed.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`).sort();
    const fromEngine = run.result.findings.map((f) => `${ws.rel(f.file)}:${f.line} ${f.ruleId}`).sort();
    if (fromCli.join('\n') !== fromEngine.join('\n')) failures.push({ invariant: 'cli', file: '', detail: 'the command reports other findings than the engine' });
  } catch (error) {
    failures.push({ invariant: 'cli', file: '', detail: `invalid JSON output (${String(error)})` });
  }
}

/** Check every invariant on the workspace holding `files`. */
export async function checkInvariants(ws: Workspace, files: Files, options: CheckOptions): Promise<{ failures: Failure[]; stats: CheckStats }> {
  ws.write(files);
  const failures: Failure[] = [];
  const run = runCli(ws);
  checkCrashes(ws, run, failures);
  checkParity(ws, run, failures);
  checkOrder(ws, run, options.rng, failures);
  if (options.cli) await checkCommandLine(ws, run, failures);
  const fixesApplied = checkFixes(ws, files, run, failures);
  const findings = new Map<string, number>();
  for (const f of run.result.findings) count(findings, f.ruleId);
  return { failures, stats: { findings, fixesApplied, files: run.result.files.length } };
}
