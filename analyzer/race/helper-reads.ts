/**
 * What a check reads through a helper. Real guards are often a predicate method, a getter or a
 * module function over shared state (`if (!this.hasRoomFor(n)) return;`, `if (this.full) throw`,
 * `if (!isLoaded()) registry = await load()`): the state the helper reads is checked where it is
 * called. Only synchronous helpers count (an async one is its own suspension), and a helper that
 * also writes shared state is a claim, not a check (`if (!this.tryReserve(n)) return;` takes the
 * room in the same step), so it contributes no reads.
 *
 * Each helper is summarised once per declaration (its own reads plus those of the synchronous
 * helpers it calls, a few levels deep).
 */
import ts from '../typescript.cjs';
import type { Door } from '../checker.js';
import { functionName, getCallGraph, isFunctionLike, type FunctionLike } from '../callgraph.js';
import { walk } from '../walk.js';
import { collectEvents, type Access } from './events.js';
import type { Place } from './places.js';

export interface HelperRead {
  place: Place;
  /** The helper that reads it (the one called in the check), for traces: `hasRoomFor`. */
  helper: string;
}

const MAX_DEPTH = 3;

interface Summary {
  reads: HelperRead[];
  /** Writes shared state (or calls a helper that does): a claim, not a check. */
  claims: boolean;
}

const summaries = new WeakMap<FunctionLike, Summary | null>();

/** The shared reads of the helpers called (or getters read) in `condition`, as accesses at the call. */
export function helperReadsIn(door: Door, condition: ts.Expression): (Access & { via: string })[] {
  const out: (Access & { via: string })[] = [];
  walk(condition, (n) => {
    if (isFunctionLike(n)) return false;
    const helper = helperAt(door, n);
    if (!helper) return true;
    for (const read of summary(door, helper, 0).reads) out.push({ place: read.place, node: n as ts.Expression, via: read.helper });
    return true;
  });
  return out;
}

/** The synchronous helper a call or getter read runs, if the program declares it. */
function helperAt(door: Door, n: ts.Node): FunctionLike | undefined {
  if (ts.isCallExpression(n)) {
    const callee = getCallGraph(door.program).resolve(n)[0];
    return callee && isHelper(callee) ? callee : undefined;
  }
  if (ts.isPropertyAccessExpression(n) && !(ts.isCallExpression(n.parent) && n.parent.expression === n)) {
    const getter = door.symbolAt(n.name)?.getDeclarations()?.find((d): d is ts.GetAccessorDeclaration => ts.isGetAccessorDeclaration(d) && !!d.body);
    return getter && !getter.getSourceFile().isDeclarationFile ? getter : undefined;
  }
  return undefined;
}

function isHelper(fn: FunctionLike): boolean {
  if (!fn.body || fn.getSourceFile().isDeclarationFile) return false;
  const async = (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
  return !async && !fn.asteriskToken;
}

function summary(door: Door, fn: FunctionLike, depth: number): Summary {
  const cached = summaries.get(fn);
  if (cached !== undefined) return cached ?? { reads: [], claims: false };
  summaries.set(fn, null); // recursion guard
  const ev = collectEvents(door, fn);
  const name = functionName(fn);
  const result: Summary = { reads: ev.reads.map((r) => ({ place: r.place, helper: name })), claims: ev.writes.length > 0 || ev.suspensions.length > 0 };
  if (!result.claims && depth < MAX_DEPTH) {
    for (const site of getCallGraph(door.program).info(fn).calls) {
      const callee = site.callees[0];
      if (!callee || !isHelper(callee)) continue;
      const inner = summary(door, callee, depth + 1);
      result.claims ||= inner.claims;
      result.reads.push(...inner.reads.map((r) => ({ place: r.place, helper: name })));
    }
  }
  if (result.claims) result.reads = [];
  summaries.set(fn, result);
  return result;
}
