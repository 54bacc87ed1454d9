/**
 * Positions of one file before and after an edit, for the editor's early cut-off
 * (program/generations.ts): the facts other files keep name the edited file's nodes by position
 * (`NodeRef`, program/file-facts.ts), so when they are kept their positions are moved with the
 * text. An edit is one changed region (the text between the common prefix and the common
 * suffix of the two versions): a position before it stays, a position after it moves by the
 * change in length, a position inside it has no counterpart.
 */
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

export function positionMap(file: string, before: string, after: string): PositionMap {
  const shorter = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  const tail = before.length - suffix; // the first old position of the common suffix
  const delta = after.length - before.length;
  // A position on the boundary of a pure insertion (prefix === tail) stays: a node that ends
  // there ends before the insertion; one that starts there is checked by its kind and range
  // when it is found again (nodeAt).
  const point = (x: number): number | undefined => (x <= prefix ? x : x >= tail ? x + delta : undefined);
  return {
    file,
    range(pos, end) {
      const p = point(pos);
      const e = end <= prefix ? end : end >= tail ? end + delta : undefined;
      return p === undefined || e === undefined ? undefined : [p, e];
    },
    unmoved(pos, end) {
      return end <= prefix || (delta === 0 && pos >= tail);
    },
    touches(pos, end, isAfter = false) {
      const start = prefix;
      const stop = isAfter ? tail + delta : tail;
      // A pure insertion touches the nodes it falls inside, and those that start where it is.
      return start === stop ? pos <= start && start < end : pos < stop && start < end;
    },
  };
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
