/**
 * The CLI path: load the program(s), run every enabled check over every file under the
 * given paths, apply suppression comments, return sorted Findings. Nothing a check does to
 * one file stops the run: a failure becomes an `internal-error` finding on that file.
 */
import type ts from '../ts/typescript.cjs';
import { compareFindings, type Finding } from '../check/finding.js';
import { loadProjects, type LoadedProject } from '../project/project.js';
import { filterSuppressed } from './suppressions.js';
import { getCheck } from '../checks/index.js';
import { runCheck } from '../check/run.js';
import { getTypeQueries } from '../program/type-queries.js';
import type { AnyCheck } from '../check/contract.js';
import type { AnalyzeOptions, AnalyzeResult, RuleSetting, RunDiagnostic } from '../check/run-types.js';

export function analyze(opts: AnalyzeOptions): AnalyzeResult {
  opts.onProgress?.({ phase: 'loading', project: opts.project ?? opts.paths.join(' ') });
  const { projects, diagnostics, skipped } = loadProjects({ paths: opts.paths, project: opts.project, cwd: opts.cwd });
  const result = checkProjects(projects, opts);
  result.diagnostics.unshift(...diagnostics);
  return skipped.length > 0 ? { ...result, skipped } : result;
}

/** The rule id of the finding that stands for a check that failed on a file. */
export const INTERNAL_ERROR_RULE = 'internal-error';

/**
 * Run the enabled checks over loaded projects (the part of `analyze` after loading). Never
 * throws for a check's sake: a check that fails on a file becomes an `internal-error` finding
 * on that file (plus an 'error' run diagnostic, so the CLI exits 2) and the run goes on.
 */
export function checkProjects(projects: LoadedProject[], opts: Pick<AnalyzeOptions, 'rules' | 'onProgress' | 'debug'>): AnalyzeResult {
  const diagnostics: RunDiagnostic[] = [];
  const enabled: [AnyCheck, RuleSetting][] = [];
  for (const [id, setting] of opts.rules) {
    const check = getCheck(id);
    if (check) enabled.push([check, setting]);
  }
  const total = projects.reduce((n, p) => n + p.files.length, 0);
  const sources = new Map<string, string>();
  const files: string[] = [];
  const lossy = new Set(projects.flatMap((p) => [...(p.lossy ?? [])]));
  let findings: Finding[] = [];
  const internal: Finding[] = [];
  let done = 0;
  for (const project of projects) {
    const ready = typeCheckerReady(project, diagnostics);
    for (const sf of project.files) {
      sources.set(sf.fileName, sf.text);
      files.push(sf.fileName);
      for (const [check, setting] of ready ? enabled : []) {
        try {
          for (const finding of runCheck(check, setting, project.program, sf)) findings.push(withoutLossyFix(finding, lossy));
        } catch (error) {
          internal.push(internalErrorFinding(check.meta.id, sf, error, opts.debug));
          diagnostics.push(internalError(check.meta.id, sf.fileName, error));
        }
      }
      opts.onProgress?.({ phase: 'checking', done: ++done, total });
    }
    if (opts.debug && ready) diagnostics.push(...debugNotes(project, enabled.map(([check]) => check)));
  }
  // Suppression comments cannot hide an internal error.
  findings = filterSuppressed(findings, (file) => sources.get(file) ?? '');
  findings.push(...internal);
  findings.sort(compareFindings);
  return { findings, files: files.sort(), diagnostics, sources };
}

/** `--debug`: why enabled checks may stay quiet on a project (warnings, not errors). */
function debugNotes(project: LoadedProject, checks: readonly AnyCheck[]): RunDiagnostic[] {
  const out: RunDiagnostic[] = [];
  for (const check of checks) {
    for (const note of check.notes?.(project.program) ?? []) out.push({ severity: 'warning', file: project.configPath, message: `debug: ${check.meta.id}: ${note}` });
  }
  return out;
}

/** Bind and create the type checker up front, so a compiler crash is one diagnostic, not one per check. */
function typeCheckerReady(project: LoadedProject, diagnostics: RunDiagnostic[]): boolean {
  try {
    getTypeQueries(project.program);
    return true;
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    diagnostics.push({ severity: 'error', file: project.configPath, message: `TypeScript failed on this program, so its ${project.files.length} files were not checked: ${detail}` });
    return false;
  }
}

/** A fix is written back as UTF-8 text: never into a file that was not valid UTF-8. */
function withoutLossyFix(finding: Finding, lossy: ReadonlySet<string>): Finding {
  if (lossy.size === 0 || !finding.fix?.some((e) => lossy.has(e.file))) return finding;
  const { fix: _dropped, ...rest } = finding;
  return rest;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0] ?? text;
}

/** An `internal-error` finding at the start of the file; the stack only with `debug`. */
export function internalErrorFinding(ruleId: string, sf: ts.SourceFile, error: unknown, debug?: boolean): Finding {
  const detail = errorText(error);
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return {
    file: sf.fileName,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    start: 0,
    end: 0,
    ruleId: INTERNAL_ERROR_RULE,
    severity: 'error',
    messageId: 'internalError',
    message:
      `Rule ${ruleId} failed on this file (${detail}), so its findings here may be missing. ` +
      `This is a bug in concurrency-lint, not in your code: please report it with the output of --debug.${stack}`,
    data: { ruleId, error: detail },
    trace: [],
    suggestions: [],
  };
}

function internalError(ruleId: string, file: string, error: unknown): RunDiagnostic {
  return { severity: 'error', file, message: `internal error in rule ${ruleId} (reported as an ${INTERNAL_ERROR_RULE} finding): ${errorText(error)}` };
}
