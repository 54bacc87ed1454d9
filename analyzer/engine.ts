/**
 * The CLI path: load the program(s), run every enabled check over every file under the
 * given paths, apply suppression comments, return sorted Findings.
 */
import ts from 'typescript';
import { compareFindings, type Finding } from './finding.js';
import { getDoor } from './checker.js';
import { loadProjects, type LoadedProject } from './project.js';
import { buildFinding } from './report.js';
import { filterSuppressed } from './suppressions.js';
import { getCheck } from './checks/index.js';
import type { AnyCheck } from './checks/types.js';
import type { AnalyzeOptions, AnalyzeResult, RuleSetting, RunDiagnostic } from './engine-types.js';

export type { AnalyzeOptions, AnalyzeResult } from './engine-types.js';

/** Run one check on one file of a program. Throws what the check throws. */
export function runCheck(check: AnyCheck, setting: RuleSetting, program: ts.Program, sourceFile: ts.SourceFile): Finding[] {
  const findings: Finding[] = [];
  check.run({
    program,
    door: getDoor(program),
    sourceFile,
    options: { ...check.meta.defaultOptions, ...setting.options },
    report: (input) => findings.push(buildFinding(check, setting.severity, sourceFile, input)),
  });
  return findings;
}

export function analyze(opts: AnalyzeOptions): AnalyzeResult {
  opts.onProgress?.({ phase: 'loading', project: opts.project ?? opts.paths.join(' ') });
  const { projects, diagnostics } = loadProjects({ paths: opts.paths, project: opts.project, cwd: opts.cwd });
  const result = checkProjects(projects, opts);
  result.diagnostics.unshift(...diagnostics);
  return result;
}

/** Run the enabled checks over loaded projects (the part of `analyze` after loading). */
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
  let findings: Finding[] = [];
  let done = 0;
  for (const project of projects) {
    for (const sf of project.files) {
      sources.set(sf.fileName, sf.text);
      files.push(sf.fileName);
      for (const [check, setting] of enabled) {
        try {
          findings.push(...runCheck(check, setting, project.program, sf));
        } catch (error) {
          diagnostics.push(internalError(check.meta.id, sf.fileName, error, opts.debug));
        }
      }
      opts.onProgress?.({ phase: 'checking', done: ++done, total });
    }
  }
  findings = filterSuppressed(findings, (file) => sources.get(file) ?? '');
  findings.sort(compareFindings);
  return { findings, files: files.sort(), diagnostics, sources };
}

function internalError(ruleId: string, file: string, error: unknown, debug?: boolean): RunDiagnostic {
  const detail = error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
  return { severity: 'error', file, message: `internal-error in ${ruleId}: ${detail}` };
}
