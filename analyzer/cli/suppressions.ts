/**
 * `eslint-disable` comments, honoured by the CLI so one suppression serves both paths.
 * Recognised as ESLint recognises them: `eslint-disable-next-line` and `eslint-disable-line`
 * in any comment (`-line` only in a comment on one line), block `eslint-disable` /
 * `eslint-enable` in block comments only, an optional `-- justification`, with no rule list
 * (every rule) or with our rules named as `concurrency/<id>` (the plugin name the docs use) or
 * `concurrency-lint/<id>`.
 *
 * Comments are found by one linear scan (no backtracking regex over the file), which skips
 * strings, template literals and regular expression literals, so hostile or enormous files
 * cost linear time.
 */
import type { Finding } from '../check/finding.js';

const KINDS = new Set(['eslint-disable-next-line', 'eslint-disable-line', 'eslint-disable', 'eslint-enable']);
const PREFIXES = ['concurrency/', 'concurrency-lint/'];

interface Directive {
  kind: string;
  /** undefined = every rule */
  rules?: Set<string>;
  line: number; // 1-based line of the comment start
  endLine: number; // 1-based line of the comment end
  /** 0-based offset of the comment start. */
  start: number;
}

function parseRules(list: string): Set<string> | undefined {
  const ids = new Set<string>();
  for (const raw of list.split(',')) {
    const name = raw.trim().replace(/^(['"]?)(.*)\1$/s, '$2');
    if (!name) continue;
    const prefix = PREFIXES.find((p) => name.startsWith(p));
    ids.add(prefix ? name.slice(prefix.length) : `\u0000${name}`); // foreign rules never match ours
  }
  return ids.size > 0 ? ids : undefined;
}

/** `kind` and rule list of a comment body, as ESLint reads it, or undefined. */
function parseBody(body: string, isLine: boolean): { kind: string; rules?: Set<string> } | undefined {
  const justification = /\s-{2,}\s/.exec(body);
  const part = (justification ? body.slice(0, justification.index) : body).trim();
  const label = /^[a-z]+(?:-[a-z]+)*(?=\s|$)/.exec(part)?.[0];
  if (!label || !KINDS.has(label)) return undefined;
  if (isLine && label !== 'eslint-disable-line' && label !== 'eslint-disable-next-line') return undefined;
  return { kind: label, rules: parseRules(part.slice(label.length)) };
}

/** Words after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'instanceof']);

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 36 || code === 95 || code > 127;
}

/** Could a `/` at `pos` start a regular expression, judging by the code before it? */
function regexAllowed(text: string, pos: number): boolean {
  let i = pos - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  if (i < 0) return true;
  const code = text.charCodeAt(i);
  if (isWordChar(code)) {
    let j = i;
    while (j >= 0 && isWordChar(text.charCodeAt(j))) j--;
    return REGEX_AFTER_WORD.has(text.slice(j + 1, i + 1));
  }
  return !')]}'.includes(text[i]!);
}

/** End (exclusive) of a quoted string starting at `pos` (stops at a line break when unterminated). */
function skipString(text: string, pos: number): number {
  const quote = text[pos];
  for (let i = pos + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === quote) return i + 1;
    else if (ch === '\n') return i;
  }
  return text.length;
}

function skipRegex(text: string, pos: number): number {
  let inClass = false;
  for (let i = pos + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '\n') return i;
    else if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    else if (ch === '/' && !inClass) return i + 1;
  }
  return text.length;
}

/** Template text from `pos` (just after '`' or '}'): returns the end and whether `${` opened. */
function skipTemplate(text: string, pos: number): { end: number; opened: boolean } {
  for (let i = pos; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '`') return { end: i + 1, opened: false };
    else if (ch === '$' && text[i + 1] === '{') return { end: i + 2, opened: true };
  }
  return { end: text.length, opened: false };
}

/** Call `onComment(body, start, end, isLine)` for every comment in the text, in order. */
export function scanComments(text: string, onComment: (body: string, start: number, end: number, isLine: boolean) => void): void {
  const braces: boolean[] = []; // true = the `}` closing this brace resumes a template
  // A `#!` line is never a directive.
  let i = text.startsWith('#!') ? Math.max(0, text.indexOf('\n')) : 0;
  if (text.startsWith('#!') && text.indexOf('\n') < 0) return;
  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === '/' && next === '/') {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? text.length : nl;
      onComment(text.slice(i + 2, end).replace(/\r$/, ''), i, end, true);
      i = end;
    } else if (ch === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? text.length : close + 2;
      if (close >= 0) onComment(text.slice(i + 2, close), i, end, false);
      i = end;
    } else if (ch === '/') {
      i = regexAllowed(text, i) ? skipRegex(text, i) : i + 1;
    } else if (ch === "'" || ch === '"') {
      i = skipString(text, i);
    } else if (ch === '`' || (ch === '}' && braces.length > 0 && braces[braces.length - 1])) {
      if (ch === '}') braces.pop();
      const t = skipTemplate(text, i + 1);
      if (t.opened) braces.push(true);
      i = t.end;
    } else {
      if (ch === '{') braces.push(false);
      else if (ch === '}') braces.pop();
      i++;
    }
  }
}

/** Find directive comments (comments only; strings, templates and regexes are skipped). */
export function parseDirectives(text: string): Directive[] {
  const out: Directive[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (pos: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  scanComments(text, (body, start, end, isLine) => {
    if (!body.includes('eslint-')) return;
    const parsed = parseBody(body, isLine);
    if (!parsed) return;
    const line = lineOf(start);
    const endLine = lineOf(Math.max(start, end - 1));
    // ESLint ignores an `eslint-disable-line` comment that spans lines.
    if (parsed.kind === 'eslint-disable-line' && endLine !== line) return;
    out.push({ kind: parsed.kind, rules: parsed.rules, line, endLine, start });
  });
  return out;
}

function covers(rules: Set<string> | undefined, ruleId: string): boolean {
  return !rules || rules.has(ruleId);
}

export function isSuppressed(finding: Finding, directives: Directive[]): boolean {
  let disabled = false;
  for (const d of directives) {
    if (d.kind === 'eslint-disable-next-line' && d.endLine + 1 === finding.line && covers(d.rules, finding.ruleId)) return true;
    if (d.kind === 'eslint-disable-line' && d.line === finding.line && covers(d.rules, finding.ruleId)) return true;
    if (d.start > finding.start) continue;
    if (d.kind === 'eslint-disable' && covers(d.rules, finding.ruleId)) disabled = true;
    if (d.kind === 'eslint-enable' && covers(d.rules, finding.ruleId)) disabled = false;
  }
  return disabled;
}

export function filterSuppressed(findings: Finding[], textOf: (file: string) => string): Finding[] {
  const cache = new Map<string, Directive[]>();
  return findings.filter((f) => {
    let directives = cache.get(f.file);
    if (!directives) {
      directives = parseDirectives(textOf(f.file));
      cache.set(f.file, directives);
    }
    return !isSuppressed(f, directives);
  });
}
