/**
 * `--format json`: a stable, versioned, deterministic report.
 *
 * Shape (version 1). Keys always appear, in this order; 2-space indentation; a trailing
 * newline. Paths are relative to the working directory, with forward slashes. Lines and
 * columns are 1-based (`endColumn` points just past the last character, as in ESLint and
 * SARIF); `start`/`end` are 0-based UTF-16 offsets into the file text, `end` exclusive.
 * There is no timing or timestamp, so equal runs give byte-identical output.
 *
 * ```jsonc
 * {
 *   "version": 1,
 *   "tool": { "name": "concurrency-lint", "version": "0.1.0" },
 *   "summary": { "files": 12, "errors": 1, "warnings": 0,    // files = files checked
 *                "skipped": [                            // only when files were left out:
 *                  { "files": 3, "reason": "excluded by tsconfig.json" } ] },  // or "not included by any tsconfig"
 *   "findings": [
 *     {
 *       "ruleId": "no-floating-lock",
 *       "severity": "error",                 // "error" | "warning"
 *       "file": "src/cache.ts",
 *       "line": 10, "column": 5, "endLine": 10, "endColumn": 19,
 *       "message": "…",                      // the full message
 *       "messageId": "floating",
 *       "trace": [                           // evidence across functions/files; may be []
 *         { "file": "src/lock.ts", "line": 3, "column": 1, "endLine": 3, "endColumn": 9,
 *           "message": "…" }
 *       ],
 *       "related": [],                       // other places of the same problem (same shape as
 *                                            // trace steps: entry points reaching one cause); may be []
 *       "fix": [                             // the safe autofix, or null
 *         { "file": "src/cache.ts", "start": 120, "end": 120, "text": "await " }
 *       ],
 *       "suggestions": [                     // manual fixes; may be []
 *         { "desc": "Add `await`", "messageId": "addAwait",
 *           "edits": [{ "file": "src/cache.ts", "start": 120, "end": 120, "text": "await " }] }
 *       ]
 *     }
 *   ],
 *   "diagnostics": [                         // problems with the run itself; may be []
 *     { "severity": "warning", "file": "src/broken.ts", "message": "…" }  // file optional
 *   ]
 * }
 * ```
 */
import type { Finding, Span, TextEdit, TraceStep } from '../../check/finding.js';
import type { FormatInput } from './index.js';
import { countSeverities, displayPath, skippedCounts } from './display.js';

export const JSON_FORMAT_VERSION = 1;

interface JsonPosition {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

function position(span: Span): JsonPosition {
  return { line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn };
}

function edit(cwd: string, e: TextEdit) {
  return { file: displayPath(cwd, e.file), start: e.start, end: e.end, text: e.text };
}

function step(cwd: string, s: TraceStep) {
  return { file: displayPath(cwd, s.file), ...position(s), message: s.message };
}

function finding(cwd: string, f: Finding) {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    file: displayPath(cwd, f.file),
    ...position(f),
    message: f.message,
    messageId: f.messageId,
    trace: f.trace.map((s) => step(cwd, s)),
    related: (f.related ?? []).map((s) => step(cwd, s)),
    fix: f.fix ? f.fix.map((e) => edit(cwd, e)) : null,
    suggestions: f.suggestions.map((s) => ({
      desc: s.desc,
      messageId: s.messageId,
      edits: s.edits.map((e) => edit(cwd, e)),
    })),
  };
}

/** `skipped` (only when files were skipped): counts with a reason, as in the pretty summary. */
function skipped(input: FormatInput): { skipped?: { files: number; reason: string }[] } {
  const counts = skippedCounts(input.cwd, input.skipped);
  return counts.length > 0 ? { skipped: counts } : {};
}

export function formatJson(input: FormatInput): string {
  const { errors, warnings } = countSeverities(input.findings);
  const report = {
    version: JSON_FORMAT_VERSION,
    tool: { name: 'concurrency-lint', version: input.toolVersion, ...(input.typescript ? { typescript: input.typescript } : {}) },
    summary: { files: input.filesChecked, errors, warnings, ...skipped(input) },
    findings: input.findings.map((f) => finding(input.cwd, f)),
    diagnostics: (input.diagnostics ?? []).map((d) =>
      d.file === undefined
        ? { severity: d.severity, message: d.message }
        : { severity: d.severity, file: displayPath(input.cwd, d.file), message: d.message },
    ),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
