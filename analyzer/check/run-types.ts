import type { Finding, Severity } from './finding.js';

/** How one rule runs: its severity and its options object (already validated). */
export interface RuleSetting {
  severity: Severity;
  options: Record<string, unknown>;
}

export type ProgressEvent =
  | { phase: 'loading'; project: string }
  | { phase: 'checking'; done: number; total: number };

export interface AnalyzeOptions {
  /** Files or folders to check (relative to cwd or absolute). Defaults to ['.']. */
  paths: string[];
  /** Explicit tsconfig.json; otherwise found from the paths, or an embedded default config. */
  project?: string;
  cwd: string;
  /** Enabled rules by id. Rules not in the map do not run. */
  rules: Map<string, RuleSetting>;
  onProgress?: (event: ProgressEvent) => void;
  /** Keep internal-error stacks in diagnostics. */
  debug?: boolean;
}

/** A problem with the input or the run itself (not a finding in the user's code). */
export interface RunDiagnostic {
  severity: 'error' | 'warning';
  file?: string;
  message: string;
}

/**
 * Files found under a given folder and left out because the project leaves them out: its
 * tsconfig `exclude`s them (`config` says which), or no tsconfig includes them.
 */
export interface SkippedFiles {
  reason: 'excluded' | 'not-included';
  /** The tsconfig whose `exclude` drops the files (for 'excluded'). */
  config?: string;
  /** Absolute paths. */
  files: string[];
}

export interface AnalyzeResult {
  /** Sorted with compareFindings; suppression comments already applied. */
  findings: Finding[];
  /** Absolute paths of the files that were checked. */
  files: string[];
  diagnostics: RunDiagnostic[];
  /** Text of every checked file, as analyzed (for code frames and fingerprints). */
  sources: Map<string, string>;
  /** Files under the given folders that were not checked because the project leaves them out. */
  skipped?: SkippedFiles[];
}
