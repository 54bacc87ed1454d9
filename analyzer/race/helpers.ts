/**
 * Shared state read or written through a helper. Real guards are often a predicate method, a
 * getter or a module function over shared state (`if (!this.hasRoomFor(n)) return;`,
 * `if (this.full) throw`, `if (!isLoaded()) registry = await load()`), and real acts a small
 * method that updates it (`this.reserve(n)` doing `this.used += n`). The state a helper reads is
 * checked where it is called; the state it writes is written at the call.
 *
 * Only synchronous helpers count (an async one suspends on its own). A helper that writes shared
 * state is a claim, not a check (`if (!this.tryReserve(n)) return;` takes the room in the same
 * step), so as a check it contributes no reads. Each helper is summarised once per declaration
 * (its own accesses plus those of the synchronous helpers it calls, a few levels deep).
 */
import ts from '../ts/typescript.cjs';
import type { TypeQueries } from '../program/type-queries.js';
import { functionName, getCallGraph, isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { walk } from '../program/walk.js';
import { carriedNodeValue, carryNodeValue } from '../program/file-facts.js';
import { isAsyncFunction } from '../program/async-context.js';
import { collectEvents, consumes, type Access, type FunctionEvents, type Write } from './events.js';
import type { Place } from './places.js';

/** An access made inside a helper, placed at the call (or getter read) that runs it. */
export type HelperAccess = Access & { via: string };

const MAX_DEPTH = 3;

interface Summary {
  reads: { place: Place; helper: string }[];
  writes: { place: Place; kind: Write['kind']; consumes: boolean; helper: string }[];
  /** Writes shared state (or calls a helper that does), or suspends: not a plain check. */
  claims: boolean;
  /** Computed in full: no helper left out for depth or recursion, so the same wherever it is first asked for. */
  complete: boolean;
}

/** Complete summaries hold places and nodes of the helper's own file only: the editor's next program may keep them. */
const CARRIED = 'race-helper-summary';

/** Per program: an editor keeps unchanged source files (and their nodes) across programs, but
 * what a helper reads can change with another file; program/file-facts.ts's carried values keep
 * a complete summary only while the helper's file and what it imports are unchanged. */
const summariesByProgram = new WeakMap<ts.Program, WeakMap<FunctionLike, Summary | null>>();

function summariesOf(program: ts.Program): WeakMap<FunctionLike, Summary | null> {
  let map = summariesByProgram.get(program);
  if (!map) {
    map = new WeakMap();
    summariesByProgram.set(program, map);
  }
  return map;
}

/** The shared reads of the helpers called (or getters read) in `condition`, as accesses at the call. */
export function helperReadsIn(types: TypeQueries, condition: ts.Expression): HelperAccess[] {
  const out: HelperAccess[] = [];
  walk(condition, (n) => {
    if (isFunctionLike(n)) return false;
    const helper = helperAt(types, n);
    if (!helper) return true;
    const s = summary(types, helper, 0);
    const own = onThis(n);
    if (!s.claims) for (const read of s.reads) if (own || !isThisPlace(read.place)) out.push({ place: read.place, node: n as ts.Expression, via: read.helper });
    return true;
  });
  return out;
}

/** The shared writes of the synchronous helpers `fn` calls in its own body, as writes at the calls. */
export function helperWritesOf(types: TypeQueries, ev: FunctionEvents): Write[] {
  const out: Write[] = [];
  for (const site of getCallGraph(types.program).info(ev.fn).calls) {
    const callee = site.callees[0];
    if (!ts.isCallExpression(site.call) || !callee || !isHelper(callee) || callee === ev.fn) continue;
    const own = onThis(site.call);
    for (const w of summary(types, callee, 0).writes) {
      if (!own && isThisPlace(w.place)) continue;
      out.push({ place: w.place, node: site.call, kind: w.kind, expr: site.call, via: w.helper, consumes: w.consumes });
    }
  }
  return out;
}

/** The synchronous helper a call or getter read runs, if the program declares it. */
function helperAt(types: TypeQueries, n: ts.Node): FunctionLike | undefined {
  if (ts.isCallExpression(n)) {
    const callee = getCallGraph(types.program).resolve(n)[0];
    return callee && isHelper(callee) ? callee : undefined;
  }
  if (ts.isPropertyAccessExpression(n) && !(ts.isCallExpression(n.parent) && n.parent.expression === n)) {
    const symbol = types.symbolAt(n.name);
    const getter = symbol && types.declarationsOf(symbol).find((d): d is ts.GetAccessorDeclaration => ts.isGetAccessorDeclaration(d) && !!d.body);
    return getter && !getter.getSourceFile().isDeclarationFile ? getter : undefined;
  }
  return undefined;
}

/**
 * Is the helper run on the caller's own object (`this.hasRoom()`, `this.full`, a bare call)? Its
 * `this.x` is then the caller's `this.x`. On another object (`user.getFlag(...)` of a row this call
 * loaded) it is that object's field, which the caller's own events place and judge.
 */
function onThis(n: ts.Node): boolean {
  const target = ts.isCallExpression(n) ? n.expression : n;
  if (!ts.isPropertyAccessExpression(target)) return true;
  return target.expression.kind === ts.SyntaxKind.ThisKeyword;
}

function isThisPlace(place: Place): boolean {
  return place.key.startsWith('this:');
}

function isHelper(fn: FunctionLike): boolean {
  if (!fn.body || fn.getSourceFile().isDeclarationFile || ts.isConstructorDeclaration(fn)) return false;
  return !isAsyncFunction(fn) && !fn.asteriskToken;
}

/** State every call of the caller shares with this helper: fields of the object, statics, module state. */
function sharedWithCaller(place: Place): boolean {
  return place.key.startsWith('this:') || place.key.startsWith('class:') || place.key.startsWith('module:');
}

/**
 * The helper tests the state itself before it writes it (`if (this.timer) return; ... this.timer =
 * setTimeout(...)`): check and write run in one synchronous step, so its write acts on a fresh
 * check, not on the caller's stale one.
 */
function rechecked(ev: FunctionEvents, w: Write): boolean {
  return ev.reads.some((r) => r.place.key === w.place.key && r.node.getStart() < w.node.getStart() && inIfCondition(r.node));
}

function inIfCondition(node: ts.Node): boolean {
  for (let n: ts.Node = node; n.parent && !isFunctionLike(n.parent); n = n.parent) {
    if (ts.isIfStatement(n.parent) && n.parent.expression === n) return true;
  }
  return false;
}

function summary(types: TypeQueries, fn: FunctionLike, depth: number): Summary {
  const summaries = summariesOf(types.program);
  const cached = summaries.get(fn);
  if (cached !== undefined) return cached ?? { reads: [], writes: [], claims: true, complete: false };
  const carried = carriedNodeValue(types.program, CARRIED, fn) as Summary | undefined;
  if (carried) {
    summaries.set(fn, carried);
    return carried;
  }
  summaries.set(fn, null); // recursion guard
  const ev = collectEvents(types, fn);
  const name = functionName(fn);
  const result: Summary = {
    reads: ev.reads.filter((r) => sharedWithCaller(r.place)).map((r) => ({ place: r.place, helper: name })),
    writes: ev.suspensions.length > 0 ? [] : ev.writes.filter((w) => sharedWithCaller(w.place) && !rechecked(ev, w)).map((w) => ({ place: w.place, kind: w.kind, consumes: consumes(ev, w), helper: name })),
    claims: ev.writes.length > 0 || ev.suspensions.length > 0,
    complete: ev.suspensions.length > 0 || depth < MAX_DEPTH,
  };
  if (ev.suspensions.length === 0 && depth < MAX_DEPTH) {
    for (const site of getCallGraph(types.program).info(fn).calls) {
      const callee = site.callees[0];
      if (!callee || !isHelper(callee)) continue;
      const inner = summary(types, callee, depth + 1);
      result.claims ||= inner.claims;
      result.complete &&= inner.complete;
      result.reads.push(...inner.reads.map((r) => ({ place: r.place, helper: name })));
      result.writes.push(...inner.writes.map((w) => ({ ...w, helper: name })));
    }
  }
  summaries.set(fn, result);
  if (result.complete) carryNodeValue(types.program, CARRIED, fn, result);
  return result;
}
