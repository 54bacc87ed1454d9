/**
 * Run one check on one file: the single entry shared by the CLI (cli/analyze.ts) and the ESLint
 * adapter (rules/from-check.ts), so both build the same Findings from the same report calls.
 */
import type ts from '../ts/typescript.cjs';
import type { Finding } from './finding.js';
import { getTypeQueries } from '../program/type-queries.js';
import { buildFinding } from './build-finding.js';
import { trackCheck } from '../program/dependencies.js';
import type { AnyCheck } from './contract.js';
import type { RuleSetting } from './run-types.js';

/** Run one check on one file of a program. Throws what the check throws. */
export function runCheck(check: AnyCheck, setting: RuleSetting, program: ts.Program, sourceFile: ts.SourceFile): Finding[] {
  const findings: Finding[] = [];
  // trackCheck records which files the check looked at, for the analysis cache (program/dependencies.ts).
  trackCheck(check.meta.id, sourceFile, () =>
    check.run({
      program,
      types: getTypeQueries(program),
      sourceFile,
      options: { ...check.meta.defaultOptions, ...setting.options },
      report: (input) => findings.push(buildFinding(check, setting.severity, sourceFile, input)),
    }),
  );
  return findings;
}
