/**
 * `orm:returned-entities`: per function, where the entities it returns come from: the queries
 * that loaded them (with the relations each loaded, see `orm/loads.ts`), objects built in
 * memory, or unknown (`null`). Lets `no-lazy-relation-access` follow an entity from
 * `const order = await orderService.getOrder(id)` back to `findOne({ where: { id } })` in
 * another file without re-walking `getOrder` per call site.
 */
import ts from 'typescript';
import { isFunctionLike, type FunctionLike } from '../callgraph.js';
import type { Program } from 'typescript';
import { getDoor } from '../checker.js';
import { getCallGraph } from '../callgraph.js';
import { walk } from '../walk.js';
import { getSummary, type SummaryKind } from './engine.js';
import { originOf, sameOrigin, unionOrigins, type OriginContext, type Origins } from '../orm/origin.js';

/** The expressions a function returns (an arrow's expression body, or its `return` statements). */
export function returnedExpressions(fn: FunctionLike): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: ts.Expression[] = [];
  walk(fn.body, (n) => {
    if (isFunctionLike(n) || ts.isClassLike(n)) return false;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    return true;
  });
  return out;
}

export const returnedEntitiesKind: SummaryKind<Origins> = {
  name: 'orm:returned-entities',
  initial: () => [],
  *dependencies(fn, ctx) {
    for (const site of ctx.graph.info(fn).calls) yield* site.callees;
  },
  compute(fn, get, ctx) {
    const octx: OriginContext = { door: getDoor(ctx.program), graph: ctx.graph, returnsOf: get };
    let result: Origins = [];
    for (const expr of returnedExpressions(fn)) {
      result = unionOrigins(result, originOf(expr, octx));
      if (result === null) break;
    }
    return result;
  },
  equals(a, b) {
    if (a === null || b === null) return a === b;
    return a.length === b.length && a.every((o, i) => sameOrigin(o, b[i]!));
  },
};

/** The origin context of a program, with helper returns read from the summary. */
export function originContext(program: Program): OriginContext {
  return {
    door: getDoor(program),
    graph: getCallGraph(program),
    returnsOf: (fn) => getSummary(program, returnedEntitiesKind, fn),
  };
}
