/**
 * The editor's early cut-off (program/generations.ts): after an edit its importers can see, the
 * edited file's facts are computed again; when what the kept facts of the files that import it
 * were derived from is the same as before, those files keep their facts instead of computing
 * them again on the new program. This module says what "the same" is, in one place, as
 * checks/fact-families.ts lists the families of facts:
 *
 * - the file's declarations (program/edit-reach.ts `sameDeclarations`: its text outside the
 *   bodies of functions with a declared return type), checked by generations.ts: the types, the
 *   calls the call graph resolves, the callbacks other files register;
 * - per function of the file the edit changed (matched by position through the edit; see
 *   `compared` for why the others need not be), in the previous program and in the new one:
 *   - every summary kind stored between programs (summaries with a codec: the blocking reach
 *     the promise and blocking rules keep per function and per async entry), as stored;
 *   - for each set of lock options in use, the locks it acquires (locks/summary.ts) and what a
 *     caller's lock operation reads of its body (locks/recognize.ts `lockFactsForCallers`):
 *     the lock edges each file keeps.
 *
 * Nodes of the edited file compare by their position after the edit (the previous program's
 * are moved through the edit); a node the edit changed the text of may only be a function or a
 * class (the function edited inside, compared through its summaries). Lock class ids and
 * instance paths are made from positions (locks/context.ts `nodeId`): an id of a node the edit
 * moved compares as the id of the node after the edit, and a kept fact of another file that
 * holds such an id is kept with the id after the edit (a lock reached through a module variable
 * declared below the edit), unless the id names a lock class: a class's sort key holds its
 * position too (locks/classes.ts), so that fact is computed again.
 *
 * Anything this cannot compare (a value holding a checker type, a node inside the edited text)
 * counts as different: the importers compute their facts again.
 */
import type ts from 'typescript';
import { getCallGraph, type CallGraph, type FunctionLike } from '../program/callgraph.js';
import { untracked } from '../program/dependencies.js';
import { fileIndex } from '../program/file-index.js';
import type { EditCutoff } from '../program/generations.js';
import { mayContainEdit, remapStored, type PositionMap } from '../program/position-map.js';
import { walk } from '../program/walk.js';
import { getSummary, storedSummaryKinds } from '../summaries/engine.js';
import { getLockContext, lockOptionsUsed, nodeIdBase } from '../locks/context.js';
import { lockFactsForCallers } from '../locks/recognize.js';
import { acquisitionsOf } from '../locks/summary.js';

const INCOMPARABLE = Symbol('incomparable');

/** Counters for tests: how many edits were compared and how many were found the same. */
export const surfaceStats = { compared: 0, same: 0 };

export const editSurface: EditCutoff = {
  compare(previous, before, program, after, map) {
    surfaceStats.compared++;
    try {
      const keeps = untracked(() => compareSurfaces(previous, before, program, after, map));
      if (keeps) surfaceStats.same++;
      return keeps;
    } catch (error) {
      if (error === INCOMPARABLE) return undefined;
      throw error;
    }
  },
};

function compareSurfaces(previous: ts.Program, before: ts.SourceFile, program: ts.Program, after: ts.SourceFile, map: PositionMap): ((json: string) => string | undefined) | undefined {
  const renamed = movedIds(before, after, map);
  const pairs = pairFunctions(before, after, map);
  if (!pairs) return undefined;
  const maps = new Map([[before.fileName, map]]);
  const old = normalizer(before, map, renamed);
  const now = normalizer(after, undefined, renamed);
  const lockContexts = lockOptionsUsed().map((options) => [getLockContext(previous, options), getLockContext(program, options)] as const);
  for (const [o, n] of compared(pairs, after, map, getCallGraph(program))) {
    for (const kind of storedSummaryKinds()) {
      const codec = kind.codec!;
      const a = remapStored(codec.encode(getSummary(previous, kind, o)), maps);
      if (a === undefined || JSON.stringify(a) !== JSON.stringify(codec.encode(getSummary(program, kind, n)))) return undefined;
    }
    for (const [was, is] of lockContexts) {
      if (old([acquisitionsOf(was, o), lockFactsForCallers(was, o)]) !== now([acquisitionsOf(is, n), lockFactsForCallers(is, n)])) return undefined;
    }
  }
  return (json) => {
    for (const [, id] of json.matchAll(CLASS_ID)) for (const token of id!.match(ID) ?? []) if (renamed.has(token)) return undefined;
    let inside = false;
    const moved = json.replace(ID, (token) => {
      if (!renamed.has(token)) return token;
      const id = renamed.get(token);
      if (id === undefined) inside = true;
      return id ?? token;
    });
    return inside ? undefined : moved;
  };
}

/** A lock node id (locks/context.ts `nodeIdBase`). */
const ID = /[0-9a-f]{12}/g;
/** A lock class's id in a stored fact (locks/graph-facts.ts: the classes an edge names). */
const CLASS_ID = /"id":"([^"]*)"/g;

/** The ids of the nodes of `before` the edit moved, with the id of each after it (undefined: inside the edited text). */
function movedIds(before: ts.SourceFile, after: ts.SourceFile, map: PositionMap): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  walk(before, (node) => {
    if (!map.unmoved(node.pos, node.end)) {
      const range = map.range(node.pos, node.end);
      out.set(nodeIdBase(before.fileName, node.pos, node.end, node.kind), range && nodeIdBase(after.fileName, range[0], range[1], node.kind));
    }
    return true;
  });
  return out;
}

/**
 * The functions of both versions, matched by position through the edit. A function with no
 * match (added or removed by the edit) must be nested in a matched one, whose summaries take in
 * its effects; undefined otherwise.
 */
function pairFunctions(before: ts.SourceFile, after: ts.SourceFile, map: PositionMap): [FunctionLike, FunctionLike][] | undefined {
  const key = (pos: number, end: number, kind: number) => `${pos}:${end}:${kind}`;
  const byRange = new Map(fileIndex(after).functions.map((fn) => [key(fn.pos, fn.end, fn.kind), fn] as const));
  const pairs: [FunctionLike, FunctionLike][] = [];
  const matchedOld = new Set<ts.Node>();
  const matchedNew = new Set<ts.Node>();
  for (const fn of fileIndex(before).functions) {
    if (fn.getSourceFile() !== before) return undefined; // a node the new version reuses (an incremental parse)
    const range = map.range(fn.pos, fn.end);
    const twin = range && byRange.get(key(range[0], range[1], fn.kind));
    if (!twin) continue;
    pairs.push([fn, twin]);
    matchedOld.add(fn);
    matchedNew.add(twin);
  }
  const nestedInMatched = (fn: ts.Node, matched: Set<ts.Node>) => {
    for (let p = fn.parent; p; p = p.parent) if (matched.has(p)) return true;
    return false;
  };
  for (const fn of fileIndex(before).functions) if (!matchedOld.has(fn) && !nestedInMatched(fn, matchedOld)) return undefined;
  for (const fn of fileIndex(after).functions) if (!matchedNew.has(fn) && !nestedInMatched(fn, matchedNew)) return undefined;
  return pairs;
}

/**
 * The matched functions whose summaries may differ: those whose text the edit changed (it is
 * inside them). A summary is made from the function's own body (the same text elsewhere, its
 * nodes moved), what the checker says about it (the same declarations: generations.ts) and the
 * summaries of its callees; the callees in other files did not change (the edited file is in no
 * import cycle), so when the edited functions' summaries are the same, so are those of the
 * functions of the file that call them. Unless an edited function calls back into its own file
 * (a recursive component could settle elsewhere): then every function is compared.
 */
function compared(pairs: [FunctionLike, FunctionLike][], after: ts.SourceFile, map: PositionMap, graph: CallGraph): [FunctionLike, FunctionLike][] {
  const edited = pairs.filter(([o]) => map.touches(o.pos, o.end));
  const queue = edited.map(([, n]) => n);
  for (let i = 0; i < queue.length; i++) {
    const info = graph.info(queue[i]!);
    if (info.calls.some((site) => site.callees.some((callee) => callee.getSourceFile() === after))) return pairs;
    queue.push(...info.nested);
  }
  return edited;
}

function isNode(value: object): value is ts.Node {
  const v = value as { kind?: unknown; getSourceFile?: unknown };
  return typeof v.kind === 'number' && typeof v.getSourceFile === 'function';
}

/**
 * A value as text to compare: nodes by file and position (the edited file's by their position
 * after the edit: `map` moves the previous version's), plain objects, arrays, maps and sets by
 * their contents. Throws INCOMPARABLE on anything else (a checker's type or symbol, a function).
 */
function normalizer(edited: ts.SourceFile, map: PositionMap | undefined, renamed: ReadonlyMap<string, string | undefined>): (value: unknown) => string {
  const translate = (text: string): string =>
    map
      ? text.replace(ID, (token) => {
          if (!renamed.has(token)) return token;
          const id = renamed.get(token);
          if (id === undefined) throw INCOMPARABLE;
          return id;
        })
      : text;
  const nodeName = (node: ts.Node): string => {
    const sf = node.getSourceFile();
    if (sf !== edited) return `${sf.fileName}@${node.pos}:${node.end}:${node.kind}`;
    if (map) {
      const range = map.range(node.pos, node.end);
      if (!range || (map.touches(node.pos, node.end) && !mayContainEdit(node.kind))) throw INCOMPARABLE;
      return `@${range[0]}:${range[1]}:${node.kind}`;
    }
    return `@${node.pos}:${node.end}:${node.kind}`;
  };
  const onPath = new Set<object>();
  const visit = (value: unknown): unknown => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return translate(value);
    if (typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value !== 'object') throw INCOMPARABLE;
    if (isNode(value)) return nodeName(value);
    if (onPath.has(value)) throw INCOMPARABLE;
    onPath.add(value);
    try {
      if (Array.isArray(value)) return value.map(visit);
      if (value instanceof Map) return ['Map', [...value].map(([k, v]) => [visit(k), visit(v)])];
      if (value instanceof Set) return ['Set', [...value].map(visit)];
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw INCOMPARABLE;
      const record = value as Record<string, unknown>;
      return Object.keys(record)
        .sort()
        .filter((k) => record[k] !== undefined)
        .map((k) => [k, visit(record[k])]);
    } finally {
      onPath.delete(value);
    }
  };
  return (value) => JSON.stringify(visit(value));
}
