/**
 * Callbacks that run in place: a function literal handed to a call that runs it (once) to
 * produce its own result, so a query in it runs once per run of the code around the call. A
 * query inside `mutex.runExclusive(async () => repo.findOne(...))` or
 * `load(id).then(async (x) => repo.findOne(...))` in a loop is one query per element, just
 * like the same query written in the loop body.
 *
 * Runs in place: a lock's callback (`runExclusive(fn)`, async-lock `acquire(key, fn)`, a lock
 * wrapper of the program), a promise's `then(onFulfilled)`/`finally`, an ORM transaction
 * (`dataSource.transaction(fn)`), and a helper of this program that calls its parameter on every
 * run (no branch above the call). Not in place: `catch` and `then`'s rejection handler (they run
 * on failure only), other library callees (a cache's `wrap(key, loader)` runs the loader on a
 * miss only; an emitter's `on` later), callbacks stored or registered for later.
 */
import ts from '../ts/typescript.cjs';
import { getCallGraph, type FunctionLike } from '../program/callgraph.js';
import { getTypeQueries } from '../program/type-queries.js';
import { getLockContext } from '../locks/context.js';
import { lockOpAt } from '../locks/recognize.js';
import { skipOuterExpressions, walk } from '../program/walk.js';
import { isUnconditional } from './query-reach.js';
import { ormQueryOf } from './recognize.js';

export interface InPlaceHost {
  call: ts.CallExpression;
  /** The host holds a lock while the callback runs. */
  lock: boolean;
}

const cache = new WeakMap<ts.Node, InPlaceHost | null>();

/** The call that runs the function literal `fn` in place, or undefined. */
export function inPlaceHost(program: ts.Program, fn: ts.Node): ts.CallExpression | undefined {
  return inPlaceHostInfo(program, fn)?.call;
}

export function inPlaceHostInfo(program: ts.Program, fn: ts.Node): InPlaceHost | undefined {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  let cached = cache.get(fn);
  if (cached === undefined) {
    cached = computeHost(program, fn) ?? null;
    cache.set(fn, cached);
  }
  return cached ?? undefined;
}

function computeHost(program: ts.Program, fn: ts.ArrowFunction | ts.FunctionExpression): InPlaceHost | undefined {
  let use: ts.Node = fn;
  while (ts.isParenthesizedExpression(use.parent) || ts.isAsExpression(use.parent) || ts.isSatisfiesExpression(use.parent)) use = use.parent;
  const call = use.parent;
  if (!ts.isCallExpression(call)) return undefined;
  const index = call.arguments.indexOf(use as ts.Expression);
  if (index < 0 || call.arguments.slice(0, index).some(ts.isSpreadElement)) return undefined;
  const callee = skipOuterExpressions(call.expression);
  const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  // Failure handlers run on rejection only.
  if (method === 'catch' || (method === 'then' && index > 0)) return undefined;
  const op = lockOpAt(getLockContext(program, {}), call);
  if (op?.kind === 'callback' && op.callback && skipOuterExpressions(op.callback) === skipOuterExpressions(call.arguments[index]!)) return { call, lock: true };
  return runsInPlace(program, call, index, method) ? { call, lock: false } : undefined;
}

function runsInPlace(program: ts.Program, call: ts.CallExpression, index: number, method: string | undefined): boolean {
  const types = getTypeQueries(program);
  // A promise's continuation: runs once, when the promise it hangs on fulfils.
  if ((method === 'then' || method === 'finally') && types.isPromiseLike(skipOuterExpressions((skipOuterExpressions(call.expression) as ts.PropertyAccessExpression).expression))) return true;
  // An ORM's transaction runs its callback once (`dataSource.transaction(fn)`, `em.transactional(fn)`).
  if (ormQueryOf(types, call)) return true;
  // Any other library callee may run the callback on a cache miss only, later, or many times: not followed.
  const callees = getCallGraph(program).resolve(call);
  return callees.length > 0 && callees.every((f) => callsParameterEveryRun(f, index));
}

/** The helper calls its parameter `index` directly, on its straight-line path (`await fn()`). */
function callsParameterEveryRun(fn: FunctionLike, index: number): boolean {
  const param = fn.parameters[index];
  if (!param || !fn.body || !ts.isIdentifier(param.name) || param.dotDotDotToken) return false;
  const name = param.name.text;
  let found = false;
  walk(fn.body, (n) => {
    if (found || (n !== fn.body && ts.isFunctionLike(n))) return false;
    if (ts.isCallExpression(n) && ts.isIdentifier(skipOuterExpressions(n.expression)) && (skipOuterExpressions(n.expression) as ts.Identifier).text === name) {
      found = isUnconditional(n);
    }
    return !found;
  });
  return found;
}

/** The calls between the per-item context and the query that run their callback in place (`runExclusive`, `.then`). */
export function inPlaceSteps(program: ts.Program, call: ts.Node, context: ts.Node): Array<{ node: ts.Node; message: string }> {
  const out: Array<{ node: ts.Node; message: string }> = [];
  for (let n = call.parent; n && n !== context; n = n.parent) {
    if (!ts.isFunctionLike(n)) continue;
    const host = inPlaceHostInfo(program, n);
    if (!host) break;
    const what = `\`${shortText(host.call.expression)}\``;
    out.unshift({
      node: host.call.expression,
      message: host.lock ? `${what} runs the callback under the lock, once per element (each turn waits for the lock too)` : `${what} runs the callback once per element`,
    });
    n = host.call;
  }
  return out;
}

function shortText(node: ts.Node): string {
  const text = node.getText().replace(/\s+/g, ' ');
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
