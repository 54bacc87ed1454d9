/**
 * Project helpers that open a transaction and run a callback in it:
 *
 *   export function withTransaction<T>(work: (tx: Prisma.TransactionClient) => Promise<T>) {
 *     return prisma.$transaction(work);                 // or: (tx) => work(tx)
 *   }
 *
 * A call `withTransaction(async (tx) => …)` opens a transaction as the ORM's own call does, and
 * the callback's first parameter is its handle. Found by the helper's body (once per function),
 * not by its name.
 */
import ts from '../../ts/typescript.cjs';
import type { TypeQueries } from '../../program/type-queries.js';
import { isFunctionLike, type FunctionLike } from '../../program/callgraph.js';
import { skipOuterExpressions, walk } from '../../program/walk.js';
import type { TxOrm } from './catalog.js';

export interface TxWrapper {
  orm: TxOrm;
  /** The parameter that receives the callback. */
  paramIndex: number;
}

const cache = new WeakMap<FunctionLike, TxWrapper | null>();

/** Does `fn` pass one of its parameters to a transaction opener as the callback (or call it with the transaction's handle)? */
export function wrapperOf(types: TypeQueries, fn: FunctionLike, openerOrm: (call: ts.CallExpression) => TxOrm | undefined): TxWrapper | undefined {
  let value = cache.get(fn);
  if (value === undefined) {
    value = compute(types, fn, openerOrm) ?? null;
    cache.set(fn, value);
  }
  return value ?? undefined;
}

function compute(types: TypeQueries, fn: FunctionLike, openerOrm: (call: ts.CallExpression) => TxOrm | undefined): TxWrapper | undefined {
  if (!fn.body) return undefined;
  const paramIndex = (e: ts.Expression): number => {
    const decl = ts.isIdentifier(e) ? types.valueDeclarationAt(e) : undefined;
    return decl && ts.isParameter(decl) && decl.parent === fn ? fn.parameters.indexOf(decl) : -1;
  };
  let found: TxWrapper | undefined;
  walk(fn.body, (n) => {
    if (found || (isFunctionLike(n) && n !== fn && !isCallbackOf(n))) return false;
    if (!ts.isCallExpression(n)) return true;
    const orm = openerOrm(n);
    if (!orm) return true;
    // The callback is the last function argument (options may follow it: `$transaction(fn, { timeout })`).
    for (let i = n.arguments.length - 1; i >= 0 && !found; i--) {
      const cb = skipOuterExpressions(n.arguments[i]!);
      const direct = paramIndex(cb);
      if (direct >= 0 && types.isCallable(cb)) found = { orm, paramIndex: direct };
      else if ((ts.isArrowFunction(cb) || ts.isFunctionExpression(cb)) && cb.parameters[0] && ts.isIdentifier(cb.parameters[0].name)) {
        const index = forwardedTo(types, cb, cb.parameters[0].name, paramIndex);
        if (index >= 0) found = { orm, paramIndex: index };
        break;
      }
    }
    return true;
  });
  return found;
}

function isCallbackOf(n: ts.Node): boolean {
  return ts.isCallExpression(n.parent) && n.parent.arguments.includes(n as ts.Expression);
}

/** `(tx) => work(tx)`: the wrapper's parameter called with the transaction's handle as the first argument. */
function forwardedTo(types: TypeQueries, cb: ts.ArrowFunction | ts.FunctionExpression, tx: ts.Identifier, paramIndex: (e: ts.Expression) => number): number {
  const txSymbol = types.symbolAt(tx);
  let index = -1;
  walk(cb.body, (n) => {
    if (index >= 0) return false;
    if (ts.isCallExpression(n) && n.arguments[0]) {
      const first = skipOuterExpressions(n.arguments[0]);
      if (ts.isIdentifier(first) && types.symbolAt(first) === txSymbol) index = paramIndex(skipOuterExpressions(n.expression));
    }
    return true;
  });
  return index;
}
