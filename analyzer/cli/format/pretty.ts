/**
 * `--format pretty` (the default): a human report for the terminal.
 *
 *   src/cache.ts:10:5  error  Lock acquired but never released  no-floating-lock
 *     >  10 |   const release = await mutex.acquire();
 *        |     ^^^^^^^^^^^^^
 *     note: src/lock.ts:3:1 acquired here
 *       > 3 | export function lock() {
 *
 *   ✖ 1 problem (1 error, 0 warnings) in 12 files · 0.42s
 *
 * Source lines, messages and paths are untrusted: terminal escape sequences and other
 * control characters (except tab) are replaced by visible stand-ins before printing.
 */
import { codeFrameColumns } from '@babel/code-frame';
import picocolors from 'picocolors';
import type { Finding, Span, TraceStep } from '../../check/finding.js';
import type { Diagnostic, FormatInput } from './index.js';
import { countSeverities, displayPath, neutraliseControls, neutraliseText, plural, shownRelated, skippedCounts } from './display.js';

type Colors = ReturnType<typeof picocolors.createColors>;

/** Spans longer than this many lines are framed at their first line only. */
const MAX_FRAMED_LINES = 1;

/** Line breaks as `@babel/code-frame` (and TypeScript) count them. */
const NEWLINE = /\r\n|[\n\r\u2028\u2029]/;

interface FramedSource {
  text: string;
  lineCount: number;
}

interface Ctx {
  cwd: string;
  c: Colors;
  sources: Map<string, string>;
  framed: Map<string, FramedSource | undefined>;
}

function framedSource(ctx: Ctx, file: string): FramedSource | undefined {
  if (!ctx.framed.has(file)) {
    const raw = ctx.sources.get(file);
    const text = raw === undefined ? undefined : neutraliseControls(raw);
    ctx.framed.set(file, text === undefined ? undefined : { text, lineCount: text.split(NEWLINE).length });
  }
  return ctx.framed.get(file);
}

function endOf(span: Span, lineCount: number): { line: number; column: number } | undefined {
  const lines = span.endLine - span.line;
  if (span.endLine > lineCount || lines < 0 || lines >= MAX_FRAMED_LINES) return undefined;
  if (lines === 0 && span.endColumn < span.column) return undefined;
  return { line: span.endLine, column: span.endColumn };
}

/** A code frame of `span`, each line prefixed with `indent`; '' when the source is unknown. */
function frame(ctx: Ctx, span: Span, around: number, indent: string): string {
  const source = framedSource(ctx, span.file);
  if (!source || span.line < 1 || span.line > source.lineCount) return '';
  const start = { line: span.line, column: Math.max(1, span.column) };
  const text = codeFrameColumns(
    source.text,
    { start, end: endOf(span, source.lineCount) },
    { highlightCode: false, linesAbove: around, linesBelow: around },
  );
  return text
    .split('\n')
    .map((line) => `${indent}${line}`.trimEnd())
    .join('\n');
}

/** A message on one or more lines; continuation lines get `indent`. */
function message(text: string, indent: string): string {
  return neutraliseText(text, true).replace(/\n/g, `\n${indent}`);
}

function where(ctx: Ctx, span: Span): string {
  return `${neutraliseText(displayPath(ctx.cwd, span.file), false)}:${span.line}:${span.column}`;
}

function severity(c: Colors, level: 'error' | 'warning'): string {
  return level === 'error' ? c.red(level) : c.yellow(level);
}

function note(ctx: Ctx, step: TraceStep): string[] {
  const head = `  ${ctx.c.cyan('note:')} ${where(ctx, step)} ${message(step.message, '    ')}`;
  const small = frame(ctx, step, 0, '    ');
  return small ? [head, small] : [head];
}

function findingBlock(ctx: Ctx, f: Finding): string[] {
  const { c } = ctx;
  const head = `${c.bold(where(ctx, f))}  ${severity(c, f.severity)}  ${message(f.message, '    ')}  ${c.dim(f.ruleId)}`;
  const lines = [head];
  const big = frame(ctx, f, 2, '  ');
  if (big) lines.push(big);
  for (const step of f.trace) lines.push(...note(ctx, step));
  const { shown, more } = shownRelated(f);
  for (const place of shown) lines.push(...note(ctx, place));
  if (more > 0) lines.push(`  ${ctx.c.cyan('note:')} and ${more} more`);
  return lines;
}

function diagnosticLine(ctx: Ctx, d: Diagnostic): string {
  const where = d.file === undefined ? '' : `${neutraliseText(displayPath(ctx.cwd, d.file), false)}: `;
  return `${where}${severity(ctx.c, d.severity)}: ${message(d.message, '  ')}`;
}

/** ` · 12 files skipped: excluded by tsconfig.json, 3 not included by any tsconfig`, or ''. */
function skippedNote(input: FormatInput): string {
  const counts = skippedCounts(input.cwd, input.skipped);
  if (counts.length === 0) return '';
  const parts = counts.map((c, i) => (i === 0 ? `${plural(c.files, 'file')} skipped: ${c.reason}` : `${c.files} ${c.reason}`));
  return ` · ${neutraliseText(parts.join(', '), false)}`;
}

function summary(ctx: Ctx, input: FormatInput): string {
  const seconds = `${(Math.max(0, input.elapsedMs) / 1000).toFixed(2)}s${input.typescript ? ` · ${input.typescript}` : ''}`;
  const files = `${plural(input.filesChecked, 'file')}${skippedNote(input)}`;
  if (input.findings.length === 0) return ctx.c.green(`✔ No problems in ${files} · ${seconds}`);
  const { errors, warnings } = countSeverities(input.findings);
  const counts = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  const text = `✖ ${plural(input.findings.length, 'problem')} (${counts}) in ${files} · ${seconds}`;
  return ctx.c.bold(errors > 0 ? ctx.c.red(text) : ctx.c.yellow(text));
}

export function formatPretty(input: FormatInput): string {
  const ctx: Ctx = {
    cwd: input.cwd,
    c: picocolors.createColors(input.color),
    sources: input.sources,
    framed: new Map(),
  };
  const out: string[] = [];
  const diagnostics = input.diagnostics ?? [];
  for (const d of diagnostics) out.push(diagnosticLine(ctx, d));
  if (diagnostics.length > 0) out.push('');
  for (const f of input.findings) out.push(...findingBlock(ctx, f), '');
  out.push(summary(ctx, input));
  return `${out.join('\n')}\n`;
}
