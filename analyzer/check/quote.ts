/**
 * Code quoted in a message, one rule for every check:
 *
 * - `codeText(node)`: the node's source as one line: comments dropped, whitespace collapsed,
 *   and, when it is long, template literals written `` `...` `` and then the rest cut at a
 *   token boundary with `...`.
 * - `quoteCode(text)`: the text as a markdown code span. Code that holds a backtick (a
 *   template literal) is fenced with one backtick more than its longest run and padded with a
 *   space (CommonMark), so the message stays valid markdown in SARIF and GitHub output:
 *   `` `` sql`...` `` ``.
 * - `fenceInTemplate(text)`: the same for a value a message template already wraps in single
 *   backticks (`` `{{expr}}` ``): the extra fence and padding go into the value.
 */
import ts from '../ts/typescript.cjs';

/** How long a quoted expression may be before it is shortened. */
export const QUOTE_LIMIT = 60;

/** Where the source breaks a line or has a comment between tokens, no space is kept after these... */
const NO_SPACE_AFTER = new Set(['(', '[', '.', '?.', '...']);
/** ...nor before these (`users // note\n  .filter(...)` reads `users.filter(...)`). */
const NO_SPACE_BEFORE = new Set([')', ']', '.', '?.', ',', ';']);

/** The node's code on one line, without comments, at most `limit` characters (cut between tokens). */
export function codeText(node: ts.Node, sf: ts.SourceFile, limit = QUOTE_LIMIT): string {
  const full = render(node, sf, false, limit);
  if (full.complete) return full.text;
  const short = render(node, sf, true, limit);
  return short.complete ? short.text : `${render(node, sf, true, limit - 3).text}...`;
}

/** `text` as a markdown code span whose fence outlasts every backtick run inside it. */
export function quoteCode(text: string): string {
  const fence = '`'.repeat(longestBacktickRun(text) + 1);
  return fence.length === 1 ? `\`${text}\`` : `${fence} ${text} ${fence}`;
}

/** A value for a placeholder the template wraps in single backticks: `` `{{x}}` `` then reads as `quoteCode(text)`. */
export function fenceInTemplate(text: string): string {
  const run = longestBacktickRun(text);
  if (run === 0) return text;
  const extra = '`'.repeat(run);
  return `${extra} ${text} ${extra}`;
}

/** A function's name as code (`` `Queue.push` ``); a description of an anonymous one (`<anonymous in run>`) as it is. */
export function codeName(name: string): string {
  return name.startsWith('<') ? name : quoteCode(name);
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return longest;
}

interface Rendered {
  text: string;
  /** Every token fitted within the limit. */
  complete: boolean;
}

/** Join the node's tokens (template literals abbreviated when `abbreviate`), stopping before the one that would pass `limit`. */
function render(node: ts.Node, sf: ts.SourceFile, abbreviate: boolean, limit: number): Rendered {
  let text = '';
  let lastEnd = -1;
  let previous = '';
  let complete = true;
  const add = (piece: string, start: number, end: number): boolean => {
    const gap = lastEnd >= 0 && start > lastEnd && !NO_SPACE_AFTER.has(previous) && !NO_SPACE_BEFORE.has(piece);
    const next = text + (gap ? ' ' : '') + piece;
    if (next.length > limit) return (complete = false);
    text = next;
    lastEnd = end;
    previous = piece;
    return true;
  };
  const visit = (n: ts.Node): boolean => {
    if (n.kind >= ts.SyntaxKind.FirstJSDocNode && n.kind <= ts.SyntaxKind.LastJSDocNode) return true;
    if (abbreviate && (ts.isTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n))) return add('`...`', n.getStart(sf), n.getEnd());
    const children = n.getChildren(sf);
    if (children.length === 0) {
      const start = n.getStart(sf);
      return start >= n.getEnd() || add(sf.text.slice(start, n.getEnd()).replace(/\s+/g, ' '), start, n.getEnd());
    }
    return children.every(visit);
  };
  visit(node);
  return { text, complete };
}

/** Text that is not a node of the file (a type printed by the checker) on one line, cut to `max` characters with `...`. */
export function shorten(text: string, max = QUOTE_LIMIT): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 3)}...` : oneLine;
}
