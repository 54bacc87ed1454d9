/**
 * Output formats of the CLI. Every format is a pure function of its input: the same input
 * gives byte-identical output (the pretty summary's elapsed seconds come from the input).
 */
import type { Finding } from '../../check/finding.js';
import type { CheckMeta } from '../../check/contract.js';
import type { AnalyzeResult, SkippedFiles } from '../../check/run-types.js';
import { allChecks } from '../../checks/index.js';
import { formatPretty } from './pretty.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatGithub } from './github.js';
import type { FormatName } from './names.js';

/** A problem with the run itself (unreadable file, bad config), not a finding. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** Absolute path, when the problem belongs to a file. */
  file?: string;
  message: string;
}

export interface FormatInput {
  /** Already sorted (see `compareFindings`). */
  findings: Finding[];
  /** Every rule known to the tool (SARIF `tool.driver.rules`). */
  rules: CheckMeta<unknown>[];
  /** Paths in the output are shown relative to this directory, with forward slashes. */
  cwd: string;
  /** Absolute file path -> file text, for code frames. */
  sources: Map<string, string>;
  filesChecked: number;
  elapsedMs: number;
  /** Pretty only. */
  color: boolean;
  toolVersion: string;
  /** Which compiler analysed the project ("TypeScript 5.9.3 (the project's)"); the CLI sets it. */
  typescript?: string;
  diagnostics?: Diagnostic[];
  /** Files under the given folders left out because the project leaves them out. */
  skipped?: SkippedFiles[];
}

/** The input for the formats from an analysis result: every rule's metadata, no timing, no
 * colour, unless `overrides` say otherwise (the CLI passes its elapsed time, colour, version). */
export function formatInputOf(result: AnalyzeResult, cwd: string, overrides: Partial<FormatInput> = {}): FormatInput {
  return {
    findings: result.findings,
    rules: allChecks.map((c) => c.meta),
    cwd,
    sources: result.sources,
    filesChecked: result.files.length,
    elapsedMs: 0,
    color: false,
    toolVersion: '0.0.0',
    diagnostics: result.diagnostics,
    ...(result.skipped?.length ? { skipped: result.skipped } : {}),
    ...overrides,
  };
}

export function formatResults(format: FormatName, input: FormatInput): string {
  switch (format) {
    case 'pretty':
      return formatPretty(input);
    case 'json':
      return formatJson(input);
    case 'sarif':
      return formatSarif(input);
    case 'github':
      return formatGithub(input);
    default: {
      const never: never = format;
      throw new Error(`Unknown format: ${String(never)}`);
    }
  }
}
