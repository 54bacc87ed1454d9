/**
 * `--format github`: GitHub Actions workflow commands, one line per finding, which the
 * runner turns into annotations on the pull request:
 *
 *   ::error file=src/a.ts,line=3,col=5,endLine=3,endColumn=9,title=rule-id::message
 *
 * Escaping follows the runner (and `@actions/core`): in the data `%`, CR and LF become
 * `%25`, `%0D`, `%0A`; in property values `:` and `,` also become `%3A` and `%2C`. With
 * no raw line break left, a hostile file name or message cannot start a second command.
 * Other control characters (ESC, …) are replaced by visible stand-ins first, so they
 * cannot colour or rewrite the job log either.
 */
import type { Finding } from '../../check/finding.js';
import type { Diagnostic, FormatInput } from './index.js';
import { displayPath, neutraliseControls, shownRelated } from './display.js';

export function escapeData(text: string): string {
  return neutraliseControls(text)
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(name: 'error' | 'warning', props: [string, string | number][], data: string): string {
  const list = props.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',');
  return `::${name}${list ? ` ${list}` : ''}::${escapeData(data)}`;
}

function findingCommand(cwd: string, f: Finding): string {
  const props: [string, string | number][] = [
    ['file', displayPath(cwd, f.file)],
    ['line', f.line],
    ['col', f.column],
    ['endLine', f.endLine],
    ['endColumn', f.endColumn],
    ['title', f.ruleId],
  ];
  const trace = f.trace.map((s) => `\n  at ${displayPath(cwd, s.file)}:${s.line} ${s.message}`);
  const { shown, more } = shownRelated(f);
  const related = shown.map((s) => `\n  see ${displayPath(cwd, s.file)}:${s.line} ${s.message}`);
  if (more > 0) related.push(`\n  and ${more} more`);
  return command(f.severity, props, f.message + trace.join('') + related.join(''));
}

function diagnosticCommand(cwd: string, d: Diagnostic): string {
  const props: [string, string][] = d.file === undefined ? [] : [['file', displayPath(cwd, d.file)]];
  return command(d.severity, props, d.message);
}

export function formatGithub(input: FormatInput): string {
  const lines = [
    ...(input.diagnostics ?? []).map((d) => diagnosticCommand(input.cwd, d)),
    ...input.findings.map((f) => findingCommand(input.cwd, f)),
  ];
  return lines.length ? `${lines.join('\n')}\n` : '';
}
