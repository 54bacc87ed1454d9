/**
 * The `concurrency-lint` command. `main` returns the exit code instead of exiting, so tests
 * can call it directly:
 *   0 no findings (or all baselined, or warnings within --max-warnings)
 *   1 findings: an error-severity finding, or more warnings than --max-warnings
 *   2 usage/configuration error, an 'error' run diagnostic, or an internal error
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageInfo } from '../project/package-info.js';
import { analyzeRun } from './parallel.js';
import choice from '../ts/typescript-choice.cjs';
import { allChecks, getCheck } from '../checks/index.js';
import { formatInputOf, formatResults } from './format/index.js';
import { displayPath, neutraliseText, plural } from './format/display.js';
import type { Finding } from '../check/finding.js';
import type { AnalyzeOptions, AnalyzeResult, RunDiagnostic } from '../check/run-types.js';
import { DEFAULT_BASELINE_FILE, HELP_TEXT, UsageError, parseCliArgs, type CliArgs } from './args.js';
import { createIgnoreMatcher, loadConfig, resolveRuleSettings } from './config.js';
import { createBaseline, filterBaselined, readBaseline, writeBaseline, type BaselineFile } from './baseline.js';
import { applyFixes } from './fix.js';
import { createProgress, type Progress, type ProgressStream } from './progress.js';

export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  cwd: string;
  /** Defaults to `process.env` (NO_COLOR, FORCE_COLOR, CI). */
  env?: NodeJS.ProcessEnv;
}

/** `--fix` re-analyzes and fixes again while fixes keep applying, at most this many times. */
export const MAX_FIX_PASSES = 10;

const PREFIX = 'concurrency-lint';

function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
}


export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let debug = argv.includes('--debug');
  try {
    const args = parseCliArgs(argv);
    debug = args.debug;
    if (args.help) {
      io.stdout.write(HELP_TEXT);
      return 0;
    }
    if (args.version) {
      io.stdout.write(`${packageInfo.version}\n${choice.describeTypeScript()}\n`);
      return 0;
    }
    return await run(args, io);
  } catch (err) {
    const usage = err instanceof UsageError;
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`${PREFIX}: ${usage ? '' : 'internal error: '}${neutraliseText(message.split('\n')[0] ?? '', false)}\n`);
    if (debug && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return 2;
  }
}

function checkRuleIds(ids: readonly string[], option: string): void {
  for (const id of ids) {
    if (!getCheck(id)) {
      const known = allChecks.map((c) => c.meta.id).join(', ');
      throw new UsageError(`unknown rule '${id}' in ${option} (known rules: ${known})`);
    }
  }
}

function useColor(args: CliArgs, stdout: ProgressStream, env: NodeJS.ProcessEnv): boolean {
  if (args.format !== 'pretty') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  return args.output === undefined && stdout.isTTY === true;
}

interface FixRun {
  result: AnalyzeResult;
  fixesApplied: number;
  filesChanged: Set<string>;
}

/** Analyze; with `fix`, apply fixes and re-analyze while fixes keep applying. */
async function analyzeWithFixes(
  analyze: () => Promise<AnalyzeResult>,
  fix: boolean,
  fixable: (f: Finding) => boolean,
): Promise<FixRun> {
  let result = await analyze();
  const run: FixRun = { result, fixesApplied: 0, filesChanged: new Set() };
  for (let pass = 0; fix && pass < MAX_FIX_PASSES; pass++) {
    const sources = result.sources;
    const applied = applyFixes(
      result.findings.filter(fixable),
      (file) => sources.get(file) ?? fs.readFileSync(file, 'utf8'),
      (file, text) => {
        const bom = fs.readFileSync(file, 'utf8').startsWith('\uFEFF') && !text.startsWith('\uFEFF');
        fs.writeFileSync(file, bom ? `\uFEFF${text}` : text);
      },
    );
    if (applied.fixesApplied === 0) break;
    run.fixesApplied += applied.fixesApplied;
    for (const file of applied.filesChanged) run.filesChanged.add(file);
    result = await analyze();
  }
  run.result = result;
  return run;
}

function reportDiagnostics(io: CliIo, cwd: string, diagnostics: readonly RunDiagnostic[]): void {
  for (const d of diagnostics) {
    const where = d.file ? `${displayPath(cwd, d.file)}: ` : '';
    // File names and messages are untrusted: no control characters may reach the terminal or a CI log.
    io.stderr.write(`${PREFIX}: ${d.severity}: ${neutraliseText(`${where}${d.message}`, false)}\n`);
  }
}

function writeOutput(args: CliArgs, io: CliIo, cwd: string, text: string): void {
  const out = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  if (args.output === undefined) {
    io.stdout.write(out);
    return;
  }
  const file = path.resolve(cwd, args.output);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, out);
  } catch (err) {
    throw new UsageError(`cannot write ${args.output} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function exitCode(findings: readonly Finding[], diagnostics: readonly RunDiagnostic[], args: CliArgs, io: CliIo): number {
  if (diagnostics.some((d) => d.severity === 'error') || findings.some((f) => f.ruleId === 'internal-error')) return 2;
  if (findings.some((f) => f.severity === 'error')) return 1;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  if (args.maxWarnings !== undefined && warnings > args.maxWarnings) {
    io.stderr.write(`${PREFIX}: too many warnings (${warnings}); the maximum allowed is ${args.maxWarnings}\n`);
    return 1;
  }
  return 0;
}

interface Prepared {
  cwd: string;
  env: NodeJS.ProcessEnv;
  opts: AnalyzeOptions;
  isIgnored: (file: string) => boolean;
  baselineFile?: string;
  baseline?: BaselineFile;
}

/** Everything that can fail before analysis: rule ids, config, baseline file. */
function prepare(args: CliArgs, io: CliIo, progress: Progress): Prepared {
  const cwd = path.resolve(io.cwd);
  checkRuleIds(args.rules, '--rule');
  checkRuleIds(args.disable, '--disable');
  const config = loadConfig(cwd, args.config);
  const rules = resolveRuleSettings(config, args.rules, args.disable);
  const baselineArg = args.baseline ?? (args.updateBaseline ? DEFAULT_BASELINE_FILE : undefined);
  const baselineFile = baselineArg === undefined ? undefined : path.resolve(cwd, baselineArg);
  const baseline = baselineFile && !args.updateBaseline ? readBaseline(baselineFile, baselineArg) : undefined;
  const opts: AnalyzeOptions = {
    paths: args.paths,
    project: args.project,
    cwd,
    rules,
    debug: args.debug,
    onProgress: (event) => progress.update(event),
  };
  const isIgnored = createIgnoreMatcher(config.ignore, config.baseDir);
  return { cwd, env: io.env ?? process.env, opts, isIgnored, baselineFile, baseline };
}

/** The analysis the arguments ask for: projects, worker threads, shard, cache (parallel.ts, cache.ts). */
function analysisOf(args: CliArgs, opts: AnalyzeOptions): () => Promise<AnalyzeResult> {
  return () =>
    analyzeRun({
      paths: opts.paths,
      projects: args.projects,
      cwd: opts.cwd,
      rules: opts.rules,
      threads: args.threads,
      shard: args.shard,
      cacheDir: args.cache,
      debug: opts.debug,
      onProgress: opts.onProgress,
    });
}

async function run(args: CliArgs, io: CliIo): Promise<number> {
  const started = performance.now();
  const progress = createProgress(io.stderr, { env: io.env ?? process.env });
  const reported = (f: Finding): boolean => !p.isIgnored(f.file) && (!args.quiet || f.severity === 'error');
  let p: Prepared;
  let fixRun: FixRun;
  try {
    p = prepare(args, io, progress);
    fixRun = await analyzeWithFixes(analysisOf(args, p.opts), args.fix, reported);
  } finally {
    progress.stop();
  }
  const elapsedMs = performance.now() - started;
  const { result } = fixRun;
  if (fixRun.fixesApplied > 0) {
    io.stderr.write(`Fixed ${plural(fixRun.fixesApplied, 'problem')} in ${plural(fixRun.filesChanged.size, 'file')}.\n`);
  }
  const diagnostics = result.diagnostics.filter((d) => !args.quiet || d.severity === 'error');
  if (args.updateBaseline) return updateBaseline(args, io, p, result, diagnostics);
  let findings = result.findings.filter(reported);
  if (p.baseline && p.baselineFile) {
    const filtered = filterBaselined(findings, p.baseline, result.sources, path.dirname(p.baselineFile));
    findings = filtered.findings;
    if (filtered.baselined > 0 && !args.quiet) {
      io.stderr.write(`${plural(filtered.baselined, 'finding')} matched the baseline and ${filtered.baselined === 1 ? 'is' : 'are'} not shown.\n`);
    }
  }
  const text = formatResults(
    args.format,
    formatInputOf(result, p.cwd, {
      findings,
      filesChecked: result.files.filter((f) => !p.isIgnored(f)).length,
      elapsedMs,
      color: useColor(args, io.stdout, p.env),
      toolVersion: packageInfo.version,
      typescript: choice.describeTypeScript(),
      diagnostics,
    }),
  );
  writeOutput(args, io, p.cwd, text);
  // Pretty output on stdout shows diagnostics itself; otherwise make sure errors are seen.
  if (args.format !== 'pretty' || args.output !== undefined) {
    reportDiagnostics(io, p.cwd, diagnostics.filter((d) => d.severity === 'error'));
  }
  return exitCode(findings, diagnostics, args, io);
}

function updateBaseline(args: CliArgs, io: CliIo, p: Prepared, result: AnalyzeResult, diagnostics: RunDiagnostic[]): number {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    reportDiagnostics(io, p.cwd, errors);
    io.stderr.write(`${PREFIX}: baseline not written because of the errors above\n`);
    return 2;
  }
  const findings = result.findings.filter((f) => !p.isIgnored(f.file));
  const file = p.baselineFile!;
  try {
    writeBaseline(file, createBaseline(findings, result.sources, path.dirname(file)));
  } catch (err) {
    throw new UsageError(`cannot write baseline ${displayPath(p.cwd, file)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!args.quiet) {
    io.stderr.write(`Wrote ${plural(findings.length, 'finding')} to baseline ${displayPath(p.cwd, file)}.\n`);
  }
  return 0;
}
