/**
 * Releases handed to callbacks and promises, for the release flow (release-flow.ts): on which
 * outcomes `.then` / `.catch` / `.finally` run a release, and whether a callback the release
 * is handed to releases on every one of its own paths.
 */
import ts from '../ts/typescript.cjs';
import { isFunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';
import type { LockContext } from './context.js';
import { isReleaseCall, type AcquireOp, type Binding } from './release.js';

/** The state of one release-flow analysis. */
export interface Flow {
  ctx: LockContext;
  op: AcquireOp;
  binding: Binding;
  /** Nesting of loops entered during the analysis (a `break` inside them stays inside). */
  loops: number;
  /** Nesting of try blocks with a catch clause (an await or throw there goes to the catch). */
  caught: number;
  depth: number;
  /** A `.then(release)` / `.catch(release)` seen on the way: it releases on one outcome only. */
  oneOutcome?: ts.CallExpression;
}

/** Does the node contain a release call (not inside nested functions)? */
export function containsRelease(ctx: LockContext, op: AcquireOp, binding: Binding, node: ts.Node): boolean {
  let found = false;
  walk(node, (n) => {
    if (found || (n !== node && isFunctionLike(n))) return false;
    if (ts.isCallExpression(n) && isReleaseCall(ctx, op, binding, n)) found = true;
    return !found;
  });
  return found;
}

const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);

/** `release` itself (the release function), passed as an argument. */
export function isReleaseReference(flow: Flow, n: ts.Node): n is ts.Identifier {
  if (flow.binding.kind !== 'function' || !ts.isIdentifier(n)) return false;
  const call = n.parent;
  return ts.isCallExpression(call) && call.arguments.includes(n) && flow.ctx.types.symbolAt(n) === flow.binding.symbol;
}

/** Does a promise-method argument release: the release function itself, or a callback that calls it? */
function argReleases(flow: Flow, arg: ts.Expression | undefined): boolean {
  if (!arg) return false;
  const a = skipOuter(arg);
  if (isReleaseReference(flow, a)) return true;
  return isFunctionLike(a) && !!a.body && containsRelease(flow.ctx, flow.op, flow.binding, a.body);
}

function promiseMethodCall(n: ts.Node): ts.CallExpression | undefined {
  return ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && PROMISE_METHODS.has(n.expression.name.text) ? n : undefined;
}

/**
 * For a release handed to `.then` / `.catch` / `.finally` (as a callback or by reference): on
 * which outcomes of the promise chain it runs. `.finally(release)` and `.then(release, release)`
 * (or `.then(release).catch(...)` releasing too) cover both; `.then(release)` alone runs only
 * when the promise resolves (remembered for the message). Undefined: not a promise method.
 */
export function promiseOutcomes(flow: Flow, arg: ts.Node): 'both' | 'one' | undefined {
  let a: ts.Node = arg;
  while (ts.isParenthesizedExpression(a.parent)) a = a.parent;
  const call = promiseMethodCall(a.parent);
  if (!call || !call.arguments.includes(a as ts.Expression)) return undefined;
  let top: ts.CallExpression = call;
  for (let up = promiseMethodCall(top.parent.parent); up && up.expression === top.parent; up = promiseMethodCall(top.parent.parent)) top = up;
  let fulfilled = false;
  let rejected = false;
  for (let c = promiseMethodCall(top); c; c = promiseMethodCall(skipOuter((c.expression as ts.PropertyAccessExpression).expression))) {
    const method = (c.expression as ts.PropertyAccessExpression).name.text;
    const [first, second] = c.arguments;
    if (method === 'finally' && argReleases(flow, first)) fulfilled = rejected = true;
    if (method === 'then' && argReleases(flow, first)) fulfilled = true;
    if ((method === 'then' && argReleases(flow, second)) || (method === 'catch' && argReleases(flow, first))) rejected = true;
  }
  if (fulfilled && rejected) return 'both';
  flow.oneOutcome ??= call;
  return 'one';
}

/** Does an awaited expression settle the lock on both outcomes (`await work().finally(release)`)? */
export function settlesWithin(flow: Flow, expr: ts.Node): boolean {
  let both = false;
  walk(expr, (n) => {
    if (both) return false;
    if (isFunctionLike(n) || isReleaseReference(flow, n)) {
      both = promiseOutcomes(flow, n) === 'both';
      return false;
    }
    return true;
  });
  return both;
}

/**
 * A callback the release was handed to (an event listener, a cleanup), run from its start with
 * the lock held: the path that leaves it without releasing (an early `return`, the end of the
 * callback, an awaited call that can throw), if any. A `return` guarded by a flag the callback
 * itself sets (`if (released) return; released = true; release();`) is the release already done.
 */
export function callbackSkip(flow: Flow, fn: ts.FunctionLikeDeclaration, bodyLeak: (flow: Flow, body: ts.Block) => { reason: string; node: ts.Node } | undefined): ts.Node | undefined {
  if (!fn.body || !ts.isBlock(fn.body) || mayRunAgain(fn)) return undefined;
  const sub: Flow = { ...flow, loops: 0, caught: 0, depth: flow.depth + 1, oneOutcome: undefined };
  const leak = bodyLeak(sub, fn.body);
  if (!leak || leak.reason === 'callback') return undefined;
  if (leak.reason === 'return' && isGuardedByOwnFlag(leak.node, fn)) return undefined;
  return leak.node;
}

/**
 * Registrars and iterations that run a callback many times (`emitter.on`, `setInterval`,
 * `forEach`): one run that skips the release may be followed by one that releases.
 */
const MANY_RUNS = /^(on|addListener|prependListener|addEventListener|subscribe|watch|setInterval|forEach|map|flatMap|filter|some|every|find|findIndex|reduce)$/;

function mayRunAgain(fn: ts.Node): boolean {
  let arg = fn;
  while (ts.isParenthesizedExpression(arg.parent)) arg = arg.parent;
  const call = arg.parent;
  if (!ts.isCallExpression(call)) return false;
  const callee = skipOuter(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  return MANY_RUNS.test(name);
}

function isGuardedByOwnFlag(ret: ts.Node, fn: ts.FunctionLikeDeclaration): boolean {
  const assigned = new Set<string>();
  walk(fn.body!, (n) => {
    if (n !== fn.body && isFunctionLike(n)) return false;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) assigned.add(text(n.left));
    return true;
  });
  for (let n: ts.Node = ret; n !== fn; n = n.parent) {
    if (!ts.isIfStatement(n.parent) || n.parent.expression === n) continue;
    let guarded = false;
    walk(n.parent.expression, (m) => {
      if ((ts.isIdentifier(m) || ts.isPropertyAccessExpression(m)) && assigned.has(text(m))) guarded = true;
      return !guarded;
    });
    if (guarded) return true;
  }
  return false;
}

function text(e: ts.Expression): string {
  return skipOuter(e).getText().replace(/\s+/g, '');
}
