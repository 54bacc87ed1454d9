/**
 * Two summaries for `no-lazy-relation-access`.
 *
 * `orm:returned-entities`: per function, where the entities it returns come from: the queries
 * that loaded them (with the relations each loaded, see `orm/loads.ts`), objects built in
 * memory, or unknown (`null`). Lets `no-lazy-relation-access` follow an entity from
 * `const order = await orderService.getOrder(id)` back to `findOne({ where: { id } })` in
 * another file without re-walking `getOrder` per call site.
 *
 * `orm:touched-params`: per function and parameter, whether a call may change the relations of
 * the entity passed there (see below).
 */
import ts from '../ts/typescript.cjs';
import type { Program } from 'typescript';
import { getCallGraph, returnedExpressions, type FunctionLike } from '../program/callgraph.js';
import { getTypeQueries } from '../program/type-queries.js';
import { walk } from '../program/walk.js';
import { getSummary, type SummaryContext, type SummaryKind } from '../summaries/engine.js';
import { originOf, sameOrigin, unionOrigins, type OriginContext, type Origins } from './origin.js';
import { argumentMayBeTouched, isLoadingOrmCall } from './touched.js';
import { implementationsOf } from '../program/implementations.js';
import { isAssignmentOperator } from '../program/syntax.js';

export const returnedEntitiesKind: SummaryKind<Origins> = {
  name: 'orm:returned-entities',
  initial: () => [],
  *dependencies(fn, ctx) {
    for (const site of ctx.graph.info(fn).calls) {
      if (site.callees.length > 0 || !ts.isCallExpression(site.call)) yield* site.callees;
      else for (const impl of implementationsOf(ctx.program, site.call)) yield impl.fn;
    }
  },
  compute(fn, get, ctx) {
    const origins: OriginContext = {
      types: getTypeQueries(ctx.program),
      graph: ctx.graph,
      returnsOf: get,
      touchedParams: (f) => getSummary(ctx.program, touchedParamsKind, f),
    };
    let result: Origins = [];
    for (const expr of returnedExpressions(fn)) {
      result = unionOrigins(result, originOf(expr, origins));
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
    types: getTypeQueries(program),
    graph: getCallGraph(program),
    returnsOf: (fn) => getSummary(program, returnedEntitiesKind, fn),
    touchedParams: (fn) => getSummary(program, touchedParamsKind, fn),
  };
}

/** The function and the functions written inside it (closures may change a parameter too). */
function withNested(fn: FunctionLike, ctx: SummaryContext): FunctionLike[] {
  const out = [fn];
  for (let i = 0; i < out.length && out.length < 200; i++) out.push(...ctx.graph.info(out[i]!).nested);
  return out;
}

/** How a parameter is used: only read (`p.title`, `p === q`, `` `${p.id}` ``), or possibly changed. */
function mayChange(id: ts.Identifier, ctx: SummaryContext, get: (fn: FunctionLike) => readonly boolean[]): boolean {
  const types = getTypeQueries(ctx.program);
  let n: ts.Node = id;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) {
    if (p.expression !== n) return false;
    const outer = p.parent;
    if (ts.isBinaryExpression(outer) && outer.left === p && isAssignmentOperator(outer.operatorToken.kind)) return true;
    return ts.isCallExpression(outer) && outer.expression === p && isLoadingOrmCall(types, outer);
  }
  if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments?.includes(n as ts.Expression)) {
    return argumentMayBeTouched(types, p, p.arguments.indexOf(n as ts.Expression), get);
  }
  if (ts.isBinaryExpression(p)) return p.left === n && isAssignmentOperator(p.operatorToken.kind);
  return !(
    ts.isPrefixUnaryExpression(p) || ts.isTypeOfExpression(p) || ts.isTemplateSpan(p) || ts.isReturnStatement(p) ||
    ts.isIfStatement(p) || (ts.isConditionalExpression(p) && p.condition === n) || ts.isAwaitExpression(p) || ts.isExpressionStatement(p)
  );
}

/**
 * `orm:touched-params`: per function, for each parameter, whether a call may change the
 * relations of the entity passed there: it assigns a property of it, hands it to a loading ORM
 * call (`populate`, `reload`, `merge`), to `Object.assign`, to an unresolved function or to a
 * helper that may, or lets it escape into another variable or object. A helper that only reads
 * its argument (a serializer, a logger, `save`) leaves the caller's analysis intact.
 */
export const touchedParamsKind: SummaryKind<readonly boolean[]> = {
  name: 'orm:touched-params',
  initial: (fn) => fn.parameters.map(() => false),
  *dependencies(fn, ctx) {
    for (const f of withNested(fn, ctx)) for (const site of ctx.graph.info(f).calls) yield* site.callees;
  },
  compute(fn, get, ctx) {
    const types = getTypeQueries(ctx.program);
    return fn.parameters.map((param) => {
      if (!ts.isIdentifier(param.name) || !fn.body) return true;
      const symbol = types.symbolAt(param.name);
      let changed = false;
      walk(fn.body, (node) => {
        if (changed) return false;
        if (ts.isIdentifier(node) && types.symbolAt(node) === symbol && mayChange(node, ctx, get)) changed = true;
        return true;
      });
      return changed;
    });
  },
  equals: (a, b) => a.length === b.length && a.every((x, i) => x === b[i]),
};
