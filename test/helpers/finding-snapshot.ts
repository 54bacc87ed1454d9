/**
 * A fixture folder's findings as snapshot text, one block per finding, in the CLI's order
 * (`compareFindings`: file, position, rule, message):
 *
 *     file:line:col rule messageId message
 *       trace: file:line:col step message
 *       related: file:line:col message
 *       fix: file:line:col-line:col -> "text"
 *       suggestion: messageId description
 *         edit: file:line:col-line:col -> "text"
 *
 * Paths are relative to the fixture folder with forward slashes, also inside messages, so the
 * text is the same on every machine; a file of the repository outside the folder (a
 * `node_modules` declaration a message may name) reads `<repo>/...`.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * The parts of the analyzer's `Finding` the snapshot shows, declared here by shape so that this
 * file imports nothing from the analyzer (its files may move).
 */
interface Place {
  file: string;
  line: number;
  column: number;
}
interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}
interface Finding extends Place {
  ruleId: string;
  messageId: string;
  message: string;
  trace: readonly (Place & { message: string })[];
  related?: readonly (Place & { message: string })[];
  fix?: readonly TextEdit[];
  suggestions: readonly { desc: string; messageId: string; edits: readonly TextEdit[] }[];
}

const REPO = path.resolve(import.meta.dirname, '../..');
/** TypeScript names a declaration by its real path: a linked `node_modules` is elsewhere. */
const MODULES = fs.realpathSync(path.join(REPO, 'node_modules'));

interface Paths {
  /** An absolute file path, relative to the fixture folder. */
  file(abs: string): string;
  /** A message with every absolute path of the folder or the repository in it made relative. */
  text(message: string): string;
}

export function renderFindings(findings: readonly Finding[], root: string, sources: ReadonlyMap<string, string>): string {
  const paths = relativePaths(root);
  const blocks = findings.map((f) => renderFinding(f, paths, sources));
  return blocks.length === 0 ? '(no findings)\n' : blocks.join('\n');
}

function renderFinding(f: Finding, paths: Paths, sources: ReadonlyMap<string, string>): string {
  const lines = [`${at(f, paths)} ${f.ruleId} ${f.messageId} ${oneLine(paths.text(f.message))}`];
  for (const step of f.trace) lines.push(`  trace: ${at(step, paths)} ${oneLine(paths.text(step.message))}`);
  for (const place of f.related ?? []) lines.push(`  related: ${at(place, paths)} ${oneLine(paths.text(place.message))}`);
  for (const edit of f.fix ?? []) lines.push(`  fix: ${editText(edit, paths, sources)}`);
  for (const s of f.suggestions) {
    lines.push(`  suggestion: ${s.messageId} ${oneLine(paths.text(s.desc))}`);
    for (const edit of s.edits) lines.push(`    edit: ${editText(edit, paths, sources)}`);
  }
  return lines.join('\n') + '\n';
}

function at(span: Place, paths: Paths): string {
  return `${paths.file(span.file)}:${span.line}:${span.column}`;
}

/** `file:line:col-line:col -> "text"`, positions 1-based like a finding's, the text as a JSON string. */
function editText(edit: TextEdit, paths: Paths, sources: ReadonlyMap<string, string>): string {
  const text = sources.get(edit.file);
  if (text === undefined) throw new Error(`an edit in a file the run did not check: ${edit.file}`);
  return `${paths.file(edit.file)}:${lineCol(text, edit.start)}-${lineCol(text, edit.end)} -> ${JSON.stringify(edit.text)}`;
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `${before.split('\n').length}:${offset - before.lastIndexOf('\n')}`;
}

/** A message stays on its block's line: line breaks and tabs are written as `\n` and `\t`. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, '\\n').replace(/\t/g, '\\t');
}

function relativePaths(root: string): Paths {
  const prefixes: [string, string][] = [
    [root + path.sep, ''],
    [root, '.'],
    [MODULES + path.sep, '<repo>/node_modules/'],
    [REPO + path.sep, '<repo>/'],
    [REPO, '<repo>'],
  ];
  const text = (message: string): string => prefixes.reduce((out, [from, to]) => out.split(from).join(to), message);
  return {
    file: (abs) => {
      const inside = path.relative(root, abs);
      return (inside.startsWith('..') ? text(abs) : inside).replace(/\\/g, '/');
    },
    text,
  };
}
