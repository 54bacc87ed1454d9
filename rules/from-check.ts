/**
 * The ESLint adapter: one thin rule over each analyzer check. The rule gets the typed
 * program from typescript-eslint's parser services and calls the same check function the
 * CLI calls, on the same `ts.SourceFile`; whole-program summaries are cached per program,
 * so they stay warm across files and keystrokes.
 */
import path from 'node:path';
import type { Rule } from 'eslint';
import type ts from 'typescript';
import { docsUrl, type AnyCheck } from '../analyzer/check/contract.js';
import { runCheck } from '../analyzer/check/run.js';
import { followProgram } from '../analyzer/program/generations.js';
import { editSurface } from '../analyzer/checks/edit-surface.js';
import type { Finding, TraceStep } from '../analyzer/check/finding.js';
import { applyDefault, typedServices } from './rule-creator.js';

/** The message id every adapted rule has for a failure inside its check. */
const INTERNAL_ERROR = 'internalError';

/** Placeholder every ESLint message ends with; filled with the trace (or nothing). */
const TRACE_KEY = 'concurrencyTrace';

export function formatTraceSuffix(trace: TraceStep[], cwd: string): string {
  if (trace.length === 0) return '';
  const steps = trace.map((s) => `${s.message} (${path.relative(cwd, s.file).replace(/\\/g, '/')}:${s.line}:${s.column})`);
  return ` Trace: ${steps.join(' -> ')}.`;
}

/** An ESLint rule, with the `name` and `defaultOptions` typescript-eslint's rule creator adds. */
export type AdaptedRule = Rule.RuleModule & { name: string; defaultOptions: [Record<string, unknown>] };

/** The ESLint rule of a check; its default options are the check's, with the check's `editorOptions` over them. */
export function ruleFromCheck(check: AnyCheck): AdaptedRule {
  const messages: Record<string, string> = {};
  for (const [id, text] of Object.entries(check.meta.messages)) messages[id] = `${text}{{ ${TRACE_KEY} }}`;
  messages[INTERNAL_ERROR] = `internal-error in ${check.meta.id}: {{ error }}. The rule skipped this file; please report it with the file that triggers it.`;
  const defaultOptions: [Record<string, unknown>] = [{ ...(check.meta.defaultOptions as Record<string, unknown>), ...check.meta.editorOptions }];
  return {
    name: check.meta.id,
    meta: {
      type: 'problem',
      docs: { description: check.meta.description, url: docsUrl(check.meta.id) },
      messages,
      schema: [check.meta.schema] as NonNullable<Rule.RuleMetaData['schema']>,
      fixable: check.meta.fixable,
      hasSuggestions: check.meta.hasSuggestions,
    },
    defaultOptions,
    create(context) {
      const [options] = applyDefault(defaultOptions, context.options);
      const services = typedServices(context, check.meta.id);
      const program = services.program;
      return {
        Program(node) {
          const sf = services.esTreeNodeToTSNodeMap.get(node) as ts.SourceFile;
          let findings: Finding[];
          try {
            followProgram(program, editSurface);
            findings = runCheck(check, { severity: 'error', options }, program, sf);
          } catch (error) {
            // One rule failing on one file must not abort the editor's or CI's whole ESLint run.
            const text = error instanceof Error ? error.message : String(error);
            context.report({ loc: { line: 1, column: 0 }, messageId: INTERNAL_ERROR, data: { error: text.split('\n')[0] ?? '' } });
            return;
          }
          const shift = sf.text.length - context.sourceCode.text.length;
          for (const finding of findings) report(context, finding, shift);
        },
      };
    },
  };
}

function report(context: Rule.RuleContext, finding: Finding, shift: number): void {
  const edit = (fixer: Rule.RuleFixer, edits: { start: number; end: number; text: string }[]) =>
    edits.map((e) => fixer.replaceTextRange([e.start - shift, e.end - shift], e.text));
  context.report({
    loc: {
      start: { line: finding.line, column: finding.column - 1 },
      end: { line: finding.endLine, column: finding.endColumn - 1 },
    },
    messageId: finding.messageId,
    data: { ...finding.data, [TRACE_KEY]: formatTraceSuffix(finding.trace, context.cwd) },
    fix: finding.fix ? (fixer) => edit(fixer, finding.fix!) : undefined,
    // `desc` is the suggestion text already filled with its data (ESLint accepts `desc` or `messageId`).
    suggest: finding.suggestions.map(
      (s) => ({ desc: s.desc, fix: (fixer: Rule.RuleFixer) => edit(fixer, s.edits) }) as unknown as Rule.SuggestionReportDescriptor,
    ),
  });
}
