/**
 * The one Finding type. Every check produces these; the CLI formats them and the ESLint
 * adapter turns them into `context.report` calls.
 *
 * Positions: `line` is 1-based, `column` is 1-based (as editors and SARIF count);
 * `start`/`end` are 0-based character offsets into the file's text as TypeScript read it.
 */
export type Severity = 'error' | 'warning';

export interface Span {
  /** Absolute path of the file. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** 0-based offsets into the file text. */
  start: number;
  end: number;
}

/** Replace `[start, end)` of `file` with `text`. Insertions have start === end. */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface Suggestion {
  /** What applying the suggestion does, for menus ("Add `await`"). */
  desc: string;
  messageId: string;
  edits: TextEdit[];
}

/** One step of the evidence for a finding whose proof spans functions or files. */
export interface TraceStep extends Span {
  message: string;
}

/**
 * Another place that belongs to the same finding, not a step of its proof: the entry points
 * that reach one blocking helper, the other queries of one loop. Formats list these apart
 * from the trace (SARIF `relatedLocations`, pretty notes capped with "and N more").
 */
export interface RelatedLocation extends Span {
  message: string;
}

export interface Finding extends Span {
  ruleId: string;
  severity: Severity;
  messageId: string;
  /** The full message: what is wrong, why it matters, how to fix it. */
  message: string;
  /** Values the message template was filled with (ESLint `data`). */
  data: Record<string, string>;
  trace: TraceStep[];
  /** Other places of the same problem (absent or empty when there are none). */
  related?: RelatedLocation[];
  /** Edits that are safe to apply automatically (`--fix`, ESLint `fix`). */
  fix?: TextEdit[];
  suggestions: Suggestion[];
}

/** Stable order: file, then position, then rule, then message. */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (
    a.start - b.start ||
    a.end - b.end ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/** Fill `{{name}}` placeholders the way ESLint does. */
export function fillTemplate(template: string, data: Record<string, string>): string {
  return template.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (whole, key: string) =>
    Object.prototype.hasOwnProperty.call(data, key) ? data[key]! : whole,
  );
}
