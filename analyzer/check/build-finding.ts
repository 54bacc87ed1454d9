/**
 * Turn a check's `report(...)` input into a Finding: positions, filled message, trace steps.
 * Shared by the CLI engine and the ESLint adapter, so both produce the same Findings.
 */
import type ts from 'typescript';
import { fillTemplate, type Finding, type Severity, type Span } from './finding.js';
import type { AnyCheck, ReportInput } from './contract.js';

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
  const data = input.data ?? {};
  const template = check.meta.messages[input.messageId];
  if (template === undefined) throw new Error(`${check.meta.id}: unknown messageId '${input.messageId}'`);
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
    fix: input.fix,
    suggestions: (input.suggestions ?? []).map((s) => {
      const desc = check.meta.messages[s.messageId];
      if (desc === undefined) throw new Error(`${check.meta.id}: unknown suggestion messageId '${s.messageId}'`);
      return { messageId: s.messageId, desc: fillTemplate(desc, s.data ?? {}), edits: s.edits };
    }),
  };
}
