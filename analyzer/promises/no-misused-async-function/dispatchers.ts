/**
 * A program's own dispatcher of an emitter's listeners: it reads them with
 * `emitter.listeners(event)` (or `rawListeners`) and calls them itself. Does it wait for what
 * each listener returns? Accepted shapes (anything else is "not shown to wait"):
 *
 * - `for (const l of emitter.listeners(e)) { await l(); }`, also `await (l() as X)`, and
 *   `const r = l() as void | Promise<void>; if (r) await r;` (a local the loop body awaits);
 * - `await Promise.all(emitter.listeners(e).map((l) => l()))` (or `allSettled`, or returned:
 *   then the dispatcher's caller gets the promise), the callback returning the call's result
 *   or, when async, awaiting it as in a loop;
 * - either of the above through one `const ls = emitter.listeners(e)`, every use of `ls` being one.
 *
 * `for (const l of ...) l();` or `listeners(e).forEach((l) => l())` drops the results.
 */
import ts from '../../ts/typescript.cjs';
import type { SymbolRef, TypeQueries } from '../../program/type-queries.js';
import { isFunctionLike } from '../../program/callgraph.js';
import { isConstDeclaration, outermost } from '../../program/syntax.js';
import { skipOuterExpressions, walk } from '../../program/walk.js';

const SETTLE_ALL = new Set(['all', 'allSettled']);

/** Does this `emitter.listeners(e)` call's value reach only callers that await each listener's result? */
export function awaitsEachListener(types: TypeQueries, read: ts.CallExpression): boolean {
  const e = outermost(read);
  const p = e.parent;
  if (ts.isVariableDeclaration(p) && p.initializer === e && ts.isIdentifier(p.name) && isConstDeclaration(p)) {
    const symbol = types.symbolAt(p.name);
    const scope = scopeOf(p);
    const uses = symbol ? referencesIn(types, scope, symbol).filter((id) => id !== p.name) : [];
    return uses.length > 0 && uses.every((id) => listenersConsumed(types, id));
  }
  return listenersConsumed(types, read);
}

/** The listeners array `value` goes to a loop or a `map` that awaits each call. */
function listenersConsumed(types: TypeQueries, value: ts.Expression): boolean {
  const e = outermost(value);
  const p = e.parent;
  if (ts.isForOfStatement(p) && p.expression === e) return loopAwaits(types, p);
  if (ts.isPropertyAccessExpression(p) && p.expression === e && p.name.text === 'map' && ts.isCallExpression(p.parent) && p.parent.expression === p) {
    return mapAwaited(types, p.parent);
  }
  return false;
}

/** `for (const l of listeners) { ... }`: every use of `l` is a call whose result the body awaits. */
function loopAwaits(types: TypeQueries, loop: ts.ForOfStatement): boolean {
  if (loop.awaitModifier || !ts.isVariableDeclarationList(loop.initializer)) return false;
  const decl = loop.initializer.declarations[0];
  if (!decl || loop.initializer.declarations.length !== 1 || !ts.isIdentifier(decl.name)) return false;
  const symbol = types.symbolAt(decl.name);
  if (!symbol) return false;
  const uses = referencesIn(types, loop.statement, symbol);
  return uses.length > 0 && uses.every((id) => {
    const call = callOf(id);
    return !!call && resultAwaited(types, call, loop.statement);
  });
}

/** `Promise.all(listeners.map((l) => l()))`, awaited or returned. */
function mapAwaited(types: TypeQueries, map: ts.CallExpression): boolean {
  const callback = map.arguments[0] && skipOuterExpressions(map.arguments[0]);
  if (!callback || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return false;
  const param = callback.parameters[0];
  if (!param || !ts.isIdentifier(param.name)) return false;
  const symbol = types.symbolAt(param.name);
  if (!symbol) return false;
  const uses = referencesIn(types, callback.body, symbol);
  const everyCallDelivered = uses.length > 0 && uses.every((id) => {
    const call = callOf(id);
    return !!call && (returnedBy(callback, call) || (isAsync(callback) && resultAwaited(types, call, callback.body)));
  });
  if (!everyCallDelivered) return false;
  const all = outermost(map).parent;
  if (!ts.isCallExpression(all) || outermost(all.arguments[0] ?? all) !== outermost(map) || !isPromiseAll(all)) return false;
  return delivered(types, all);
}

function isPromiseAll(call: ts.CallExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  return ts.isPropertyAccessExpression(callee) && SETTLE_ALL.has(callee.name.text) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Promise';
}

/** The promise is awaited, returned, or kept in a local that its scope awaits. */
function delivered(types: TypeQueries, promise: ts.Expression): boolean {
  const e = outermost(promise);
  const p = e.parent;
  if (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === e)) return true;
  return resultAwaited(types, promise, scopeOf(e));
}

/** `l(...)`, `l.call(...)`, `l.apply(...)` with `id` the callee: the call; else undefined. */
function callOf(id: ts.Identifier): ts.CallExpression | undefined {
  let callee: ts.Expression = outermost(id);
  const p = callee.parent;
  if (ts.isPropertyAccessExpression(p) && p.expression === callee && (p.name.text === 'call' || p.name.text === 'apply')) callee = p;
  const call = outermost(callee).parent;
  return ts.isCallExpression(call) && outermost(call.expression) === outermost(callee) ? call : undefined;
}

/** `await call`, or `const r = call` with an `await` in `scope` whose operand uses `r`. */
function resultAwaited(types: TypeQueries, call: ts.Expression, scope: ts.Node): boolean {
  const e = outermost(call);
  const p = e.parent;
  if (ts.isAwaitExpression(p)) return true;
  if (!ts.isVariableDeclaration(p) || p.initializer !== e || !ts.isIdentifier(p.name)) return false;
  const symbol = types.symbolAt(p.name);
  if (!symbol) return false;
  let awaited = false;
  walkOwn(scope, (node) => {
    if (!awaited && ts.isAwaitExpression(node)) awaited = referencesIn(types, node.expression, symbol).length > 0;
  });
  return awaited;
}

/** The callback returns the call's result: its expression body, or a `return` of its own. */
function returnedBy(callback: ts.ArrowFunction | ts.FunctionExpression, call: ts.CallExpression): boolean {
  const e = outermost(call);
  if (e === callback.body) return true;
  const p = e.parent;
  return ts.isReturnStatement(p) && ownFunction(p) === callback;
}

function isAsync(fn: ts.FunctionLikeDeclaration): boolean {
  return (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
}

function ownFunction(node: ts.Node): ts.Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n)) return n;
  return undefined;
}

/** The function body (or file) a local lives in. */
function scopeOf(node: ts.Node): ts.Node {
  return ownFunction(node) ?? node.getSourceFile();
}

/** Identifiers under `root` that refer to `symbol`. */
function referencesIn(types: TypeQueries, root: ts.Node, symbol: SymbolRef): ts.Identifier[] {
  const name = types.symbolName(symbol);
  const out: ts.Identifier[] = [];
  walk(root, (node) => {
    if (ts.isIdentifier(node) && node.text === name && types.symbolAt(node) === symbol) out.push(node);
  });
  return out;
}

/** Visit a subtree without entering nested functions. */
function walkOwn(root: ts.Node, visit: (node: ts.Node) => void): void {
  walk(root, (node) => {
    if (node !== root && isFunctionLike(node)) return false;
    visit(node);
    return true;
  });
}
