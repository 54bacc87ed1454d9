/**
 * Turn a check's `report(...)` input into a Finding: positions, filled message, trace steps.
 * Shared by the CLI engine and the ESLint adapter, so both produce the same Findings.
 */
import type ts from 'typescript';
import { fillTemplate, type Finding, type Severity, type Span, type TextEdit } from './finding.js';
import type { AnyCheck, ReportInput } from './contract.js';
import { fenceInTemplate } from './quote.js';

/** The span of `[start, end)` in `sf`, clamped to the file so a bad range cannot give impossible positions. */
export function spanOf(sf: ts.SourceFile, start: number, end: number): Span {
  const length = sf.text.length;
  const from = Math.min(Math.max(0, Number.isFinite(start) ? Math.floor(start) : 0), length);
  const to = Math.min(Math.max(from, Number.isFinite(end) ? Math.floor(end) : from), length);
  const s = sf.getLineAndCharacterOfPosition(from);
  const e = sf.getLineAndCharacterOfPosition(to);
  return { file: sf.fileName, line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1, start: from, end: to };
}

export function nodeSpan(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): Span {
  return spanOf(sf, node.getStart(sf), node.getEnd());
}

export function buildFinding(check: AnyCheck, severity: Severity, sf: ts.SourceFile, input: ReportInput<string>): Finding {
  const template = check.meta.messages[input.messageId];
  if (template === undefined) throw new Error(`${check.meta.id}: unknown messageId '${input.messageId}'`);
  const data = fencedData(template, input.data ?? {});
  const [start, end] = input.range ?? [input.node.getStart(sf), input.node.getEnd()];
  return {
    ...spanOf(sf, start, end),
    ruleId: check.meta.id,
    severity,
    messageId: input.messageId,
    message: fillTemplate(template, data),
    data,
    trace: (input.trace ?? []).map((step) => ({ ...nodeSpan(step.node, step.sourceFile), message: step.message })),
    ...(input.related?.length ? { related: input.related.map((r) => ({ ...nodeSpan(r.node, r.sourceFile), message: r.message })) } : {}),
    fix: input.fix && nonEmpty(withoutNoOps(input.fix)),
    suggestions: (input.suggestions ?? []).flatMap((s) => {
      const desc = check.meta.messages[s.messageId];
      if (desc === undefined) throw new Error(`${check.meta.id}: unknown suggestion messageId '${s.messageId}'`);
      const edits = withoutNoOps(s.edits);
      return edits.length === 0 ? [] : [{ messageId: s.messageId, desc: fillTemplate(desc, fencedData(desc, s.data ?? {})), edits }];
    }),
  };
}

/** The edits without those that change nothing (an empty text inserted at a point). */
function withoutNoOps(edits: readonly TextEdit[]): TextEdit[] {
  return edits.filter((e) => e.text !== '' || e.start !== e.end);
}

function nonEmpty(edits: TextEdit[]): TextEdit[] | undefined {
  return edits.length > 0 ? edits : undefined;
}

/**
 * The data with each value the template quotes as code (`` `{{expr}}` ``) fenced for the
 * backticks it holds (`quote.ts`), so `` `sql`...` `` stays one code span. The Finding keeps
 * these values, so ESLint, filling the same template, writes the same message.
 */
function fencedData(template: string, data: Record<string, string>): Record<string, string> {
  let out = data;
  for (const m of template.matchAll(/`\{\{\s*([^{}]+?)\s*\}\}`/g)) {
    const key = m[1]!;
    const value = Object.prototype.hasOwnProperty.call(data, key) ? data[key]! : undefined;
    if (value === undefined || !value.includes('`')) continue;
    out = { ...out, [key]: fenceInTemplate(value) };
  }
  return out;
}
