/**
 * `orm:param-relation-reads`: per function and parameter, the TypeORM relations the function
 * reads on the entity passed there, directly (`order.items.length`) or by passing it on to
 * another function that does, with the chain of calls. Lets `no-lazy-relation-access` report
 * `render(order)` where `order` came from a query that did not load `items` and `render`, in
 * another file, reads `order.items`.
 */
import ts from '../typescript.cjs';
import { isFunctionLike, type FunctionLike } from '../callgraph.js';
import { getDoor, type Door } from '../checker.js';
import { skipOuterExpressions as skipOuter, walk } from '../walk.js';
import { relationOfAccess } from '../orm/entities.js';
import { isGuarded, isWriteTarget } from '../orm/access.js';
import type { SummaryKind } from './engine.js';

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

/** The parameter (by index) that an expression names, when the function never assigns it. */
function parameterIndex(door: Door, fn: FunctionLike, expr: ts.Expression, assigned: ReadonlySet<ts.Symbol>): number {
  const e = skipOuter(expr);
  if (!ts.isIdentifier(e)) return -1;
  const symbol = door.symbolAt(e);
  if (!symbol || assigned.has(symbol)) return -1;
  return fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && door.symbolAt(p.name) === symbol);
}

/** Parameters the body assigns (`order = await reload(order)`): their reads are not about the argument. */
function assignedParameters(door: Door, fn: FunctionLike): Set<ts.Symbol> {
  const out = new Set<ts.Symbol>();
  if (!fn.body) return out;
  walk(fn.body, (n) => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const left = skipOuter(n.left);
      const symbol = ts.isIdentifier(left) ? door.symbolAt(left) : undefined;
      if (symbol) out.add(symbol);
    }
    return true;
  });
  return out;
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
    const door = getDoor(ctx.program);
    const out: ParamReads = fn.parameters.map(() => []);
    if (!fn.body || fn.parameters.length === 0) return out;
    const assigned = assignedParameters(door, fn);
    const calls = new Map(ctx.graph.info(fn).calls.map((site) => [site.call, site.callees] as const));
    walk(fn.body, (n) => {
      if (isFunctionLike(n)) return false; // a callback may run later, or never
      if (ts.isPropertyAccessExpression(n)) {
        const i = parameterIndex(door, fn, n.expression, assigned);
        if (i < 0) return true;
        const found = relationOfAccess(door, n);
        if (found && found.entity.orm === 'typeorm' && !found.relation.lazy && !isWriteTarget(n) && !isGuarded(n)) {
          add(out[i]!, { relation: found.relation.name, entity: found.entity.name, steps: [], read: n });
        }
      } else if (ts.isCallExpression(n)) {
        n.arguments.forEach((arg, j) => {
          const i = parameterIndex(door, fn, arg, assigned);
          if (i < 0) return;
          for (const callee of calls.get(n) ?? []) {
            for (const r of get(callee)[j] ?? []) add(out[i]!, { ...r, steps: [{ call: n, callee }, ...r.steps] });
          }
        });
      }
      return true;
    });
    return out;
  },
  equals(a, b) {
    return a.length === b.length && a.every((reads, i) => reads.length === b[i]!.length && reads.every((r, k) => r.relation === b[i]![k]!.relation && r.entity === b[i]![k]!.entity));
  },
};
