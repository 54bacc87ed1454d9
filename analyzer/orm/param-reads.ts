/**
 * `orm:param-relation-reads`: per function and parameter, the TypeORM relations the function
 * reads on the entity passed there, directly (`order.items.length`) or by passing it on to
 * another function that does, with the chain of calls. Lets `no-lazy-relation-access` report
 * `render(order)` where `order` came from a query that did not load `items` and `render`, in
 * another file, reads `order.items`.
 */
import ts from '../ts/typescript.cjs';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { getTypeQueries, type TypeQueries } from '../program/type-queries.js';
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';
import { relationOfAccess } from './entities.js';
import { isGuarded, isWriteTarget } from './access.js';
import type { SummaryKind } from '../summaries/engine.js';
import { isAssignment } from '../program/syntax.js';

export interface ParamRead {
  relation: string;
  /** The entity class that declares the relation. */
  entity: string;
  /** The calls from the summarised function down to the one that reads (empty: it reads itself). */
  steps: { call: ts.CallExpression; callee: FunctionLike }[];
  /** The read (`order.items`). */
  read: ts.PropertyAccessExpression;
}

/** Reads per parameter index. */
export type ParamReads = ParamRead[][];

/** The parameter (by index) that an expression names, or -1. */
function parameterIndex(types: TypeQueries, fn: FunctionLike, expr: ts.Expression): number {
  const e = skipOuter(expr);
  if (!ts.isIdentifier(e)) return -1;
  const symbol = types.symbolAt(e);
  return symbol ? fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && types.symbolAt(p.name) === symbol) : -1;
}

function add(list: ParamRead[], read: ParamRead): void {
  if (!list.some((r) => r.relation === read.relation && r.entity === read.entity)) list.push(read);
}

export const paramReadsKind: SummaryKind<ParamReads> = {
  name: 'orm:param-relation-reads',
  initial: () => [],
  *dependencies(fn, ctx) {
    for (const site of ctx.graph.info(fn).calls) yield* site.callees;
  },
  compute(fn, get, ctx) {
    const types = getTypeQueries(ctx.program);
    if (!fn.body || fn.parameters.length === 0) return fn.parameters.map(() => []);
    const calls = new Map(ctx.graph.info(fn).calls.map((site) => [site.call, site.callees] as const));
    // One walk: the reads per parameter, and the parameters the body assigns
    // (`order = await reload(order)`), whose reads are then not about the argument.
    const found: ParamRead[][] = fn.parameters.map(() => []);
    const assigned = new Set<number>();
    walk(fn.body, (n) => {
      if (isFunctionLike(n)) return false; // a callback may run later, or never
      if (isAssignment(n)) {
        const i = parameterIndex(types, fn, n.left);
        if (i >= 0) assigned.add(i);
      } else if (ts.isPropertyAccessExpression(n)) {
        const i = parameterIndex(types, fn, n.expression);
        if (i < 0) return true;
        const access = relationOfAccess(types, n);
        if (access && access.entity.orm === 'typeorm' && !access.relation.lazy && !isWriteTarget(n) && !isGuarded(n)) {
          add(found[i]!, { relation: access.relation.name, entity: access.entity.name, steps: [], read: n });
        }
      } else if (ts.isCallExpression(n)) {
        n.arguments.forEach((arg, j) => {
          const i = parameterIndex(types, fn, arg);
          if (i < 0) return;
          for (const callee of calls.get(n) ?? []) {
            for (const r of get(callee)[j] ?? []) add(found[i]!, { ...r, steps: [{ call: n, callee }, ...r.steps] });
          }
        });
      }
      return true;
    });
    return found.map((reads, i) => (assigned.has(i) ? [] : reads));
  },
  equals(a, b) {
    return a.length === b.length && a.every((reads, i) => reads.length === b[i]!.length && reads.every((r, k) => r.relation === b[i]![k]!.relation && r.entity === b[i]![k]!.entity));
  },
};
