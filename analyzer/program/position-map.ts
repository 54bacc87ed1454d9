/**
 * Positions of one file before and after an edit, for the editor's early cut-off
 * (program/generations.ts): the facts other files keep name the edited file's nodes by position
 * (`NodeRef`, program/file-facts.ts), so when they are kept their positions are moved with the
 * text. The text between the two versions' common prefix and common suffix changed; when it
 * holds lines both versions share (two edits in different places between two lints), it is cut
 * into several changed regions by a line diff (jsdiff's). A position before a region stays, a
 * position after one moves by the regions' changes in length before it, a position inside one
 * has no counterpart.
 */
import { diffArrays } from 'diff';
import ts from '../ts/typescript.cjs';
import type { NodeRef } from './file-facts.js';

export interface PositionMap {
  /** The file's name as its SourceFile spells it (a NodeRef's `file`). */
  file: string;
  /** The range `[pos, end)` of a node before the edit, after it; undefined when an end lies inside the changed region. */
  range(pos: number, end: number): [number, number] | undefined;
  /** Is the range the same after the edit (entirely before the changed region)? */
  unmoved(pos: number, end: number): boolean;
  /** Does a node at this range before the edit (`after`: after it) hold part of the changed region (its text changed)? */
  touches(pos: number, end: number, after?: boolean): boolean;
}

/**
 * May a kept fact name a node whose text the edit changed? Only a function or class (the same
 * declaration, edited inside: what callers see of it is compared as its summaries) or the file.
 */
export function mayContainEdit(kind: number): boolean {
  return kind === ts.SyntaxKind.SourceFile || kind === ts.SyntaxKind.FunctionDeclaration || kind === ts.SyntaxKind.FunctionExpression || kind === ts.SyntaxKind.ArrowFunction ||
    kind === ts.SyntaxKind.MethodDeclaration || kind === ts.SyntaxKind.Constructor || kind === ts.SyntaxKind.GetAccessor || kind === ts.SyntaxKind.SetAccessor ||
    kind === ts.SyntaxKind.ClassDeclaration || kind === ts.SyntaxKind.ClassExpression;
}

/** A changed region: `[oldStart, oldEnd)` of the text before, `[newStart, newEnd)` after. */
interface Region {
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
}

export function positionMap(file: string, before: string, after: string): PositionMap {
  const regions = changedRegions(before, after);
  // A position on the boundary of a pure insertion (oldStart === oldEnd) stays before it: a node
  // that ends there ends before the insertion; one that starts there is checked by its kind and
  // range when it is found again (nodeAt).
  const point = (x: number): number | undefined => {
    let delta = 0;
    for (const r of regions) {
      if (x <= r.oldStart) return x + delta;
      if (x < r.oldEnd) return undefined;
      delta = r.newEnd - r.oldEnd;
    }
    return x + delta;
  };
  const touches = (pos: number, end: number, isAfter = false): boolean =>
    regions.some((r) => {
      const start = isAfter ? r.newStart : r.oldStart;
      const stop = isAfter ? r.newEnd : r.oldEnd;
      // A pure insertion touches the nodes it falls inside, and those that start where it is.
      return start === stop ? pos <= start && start < end : pos < stop && start < end;
    });
  const range = (pos: number, end: number): [number, number] | undefined => {
    const p = point(pos);
    const e = point(end);
    return p === undefined || e === undefined ? undefined : [p, e];
  };
  return {
    file,
    range,
    unmoved(pos, end) {
      const r = range(pos, end);
      return !!r && r[0] === pos && r[1] === end && !touches(pos, end);
    },
    touches,
  };
}

/** At most this many steps of the line diff (insertions plus deletions); past it, one region. */
const MAX_DIFF_STEPS = 200;

/**
 * The changed regions, in order: the text between the common prefix and suffix, cut at the lines
 * both versions share there (a line diff), each region then narrowed to the characters that
 * differ.
 */
function changedRegions(before: string, after: string): Region[] {
  const shorter = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  const whole: Region = { oldStart: prefix, oldEnd: before.length - suffix, newStart: prefix, newEnd: after.length - suffix };
  if (whole.oldStart === whole.oldEnd && whole.newStart === whole.newEnd) return [];
  // The lines the changed text is on, whole: from the start of the first (in the common prefix)
  // to the end of the last (in the common suffix, the same length in both).
  const from = before.lastIndexOf('\n', prefix - 1) + 1;
  const atBreak = whole.oldEnd === 0 || before.charCodeAt(whole.oldEnd - 1) === 10;
  const lineEnd = atBreak ? whole.oldEnd : before.indexOf('\n', whole.oldEnd);
  const extra = lineEnd < 0 ? before.length - whole.oldEnd : atBreak ? 0 : lineEnd + 1 - whole.oldEnd;
  const oldLines = linesOf(before, from, whole.oldEnd + extra);
  const newLines = linesOf(after, from, whole.newEnd + extra);
  const hunks = oldLines.length + newLines.length > 2 ? lineHunks(oldLines, newLines) : undefined;
  if (!hunks || hunks.length <= 1) return [whole];
  return hunks.map((h) => narrowed(before, after, h));
}

interface Line {
  text: string;
  start: number;
}

/** The lines of `text[from, to)` (each with its line break), with their start offsets. */
function linesOf(text: string, from: number, to: number): Line[] {
  const lines: Line[] = [];
  let start = from;
  while (start < to) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 || nl + 1 > to ? to : nl + 1;
    lines.push({ text: text.slice(start, end), start });
    start = end;
  }
  lines.push({ text: '', start: to }); // the end, as a line start
  return lines;
}

/**
 * The hunks where two line lists differ, as character regions (line starts), by jsdiff's line
 * diff (Myers); undefined past MAX_DIFF_STEPS. Both lists end with an empty sentinel line (the
 * end offset), which is not compared.
 */
function lineHunks(a: Line[], b: Line[]): Region[] | undefined {
  const texts = (lines: Line[]) => lines.slice(0, -1).map((l) => l.text);
  const changes = diffArrays(texts(a), texts(b), { maxEditLength: MAX_DIFF_STEPS });
  if (!changes) return undefined;
  const hunks: Region[] = [];
  let open: Region | undefined;
  let i = 0;
  let j = 0;
  for (const change of changes) {
    const count = change.count ?? change.value.length;
    if (!change.added && !change.removed) {
      if (open) hunks.push(open);
      open = undefined;
      i += count;
      j += count;
      continue;
    }
    open ??= { oldStart: a[i]!.start, oldEnd: a[i]!.start, newStart: b[j]!.start, newEnd: b[j]!.start };
    if (change.removed) open.oldEnd = a[(i += count)]!.start;
    else open.newEnd = b[(j += count)]!.start;
  }
  if (open) hunks.push(open);
  return hunks;
}

/** A hunk narrowed to the characters that differ (its common prefix and suffix left out). */
function narrowed(before: string, after: string, h: Region): Region {
  let { oldStart, oldEnd, newStart, newEnd } = h;
  while (oldStart < oldEnd && newStart < newEnd && before.charCodeAt(oldStart) === after.charCodeAt(newStart)) {
    oldStart++;
    newStart++;
  }
  while (oldEnd > oldStart && newEnd > newStart && before.charCodeAt(oldEnd - 1) === after.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  return { oldStart, oldEnd, newStart, newEnd };
}

function isNodeRef(value: Record<string, unknown>): value is Record<string, unknown> & NodeRef {
  return typeof value.file === 'string' && typeof value.pos === 'number' && typeof value.end === 'number' && typeof value.kind === 'number';
}

/**
 * Stored data (plain JSON) with every `NodeRef` into a file of `maps` moved to its position after
 * the edit; undefined when one names a node inside a changed region, or a node other than a
 * function or class whose text the edit changed (the data cannot be kept).
 * Data with nothing to move is returned as it is.
 */
export function remapStored(data: unknown, maps: ReadonlyMap<string, PositionMap>): unknown {
  const FAIL = Symbol('fail');
  const visit = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v = visit(value[i]);
        if (v === FAIL) return FAIL;
        if (v !== value[i]) (out ??= value.slice())[i] = v;
      }
      return out ?? value;
    }
    const record = value as Record<string, unknown>;
    if (isNodeRef(record)) {
      const map = maps.get(record.file);
      if (!map) return value;
      const range = map.range(record.pos, record.end);
      if (!range || (map.touches(record.pos, record.end) && !mayContainEdit(record.kind))) return FAIL;
      return range[0] === record.pos && range[1] === record.end ? value : { ...record, pos: range[0], end: range[1] };
    }
    let out: Record<string, unknown> | undefined;
    for (const [key, v] of Object.entries(record)) {
      const mapped = visit(v);
      if (mapped === FAIL) return FAIL;
      if (mapped !== v) (out ??= { ...record })[key] = mapped;
    }
    return out ?? value;
  };
  const result = visit(data);
  return result === FAIL ? undefined : result;
}
