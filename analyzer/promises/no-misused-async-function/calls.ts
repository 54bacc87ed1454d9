/**
 * Async functions given as call arguments: array callbacks (`forEach`, predicates,
 * comparators, reducers), `new Promise` executors, and any parameter typed as a function
 * returning `void` (timers, event listeners, ...).
 */
import ts from '../../ts/typescript.cjs';
import { skipOuterExpressions, walk } from '../../program/walk.js';
import { isFunctionLike } from '../../program/callgraph.js';
import { isAwaitAllowed } from '../../check/fix-helpers.js';
import {
  AWAITING_VOID_CALLBACKS,
  COMPARATOR_METHODS,
  DETACHING_METHODS,
  ITERABLE_COLLECTIONS,
  ITERATION_METHODS,
  LOOSELY_TYPED_VOID_CALLBACKS,
  PREDICATE_METHODS,
  REDUCER_METHODS,
  STORING_COLLECTIONS,
  TYPED_ARRAYS,
  UNTYPED_ARRAY_METHODS,
} from '../catalog-sync-callbacks.js';
import { getFacts } from './function-facts.js';
import { isArrayLike, libTypeName, returnsThenable, voidArgumentIndices } from './void-signatures.js';
import {
  candidateOf,
  candidateTrace,
  cannotRejectInVoidSlot,
  voidMessage,
  describeCallee,
  describeCandidate,
  handlesOwnRejections,
  isAllowedApi,
  isDeclaredMaybeAsync,
  voidChecks,
  type Candidate,
  type Ctx,
} from './candidates.js';
import { forEachSuggestions } from './suggestions.js';
import { isAwaitedListener } from './awaited-listeners.js';
import { hasAsyncModifier } from '../../program/syntax.js';
import type { TypeRef } from '../../program/type-queries.js';

/** What the receiver of an array-method call is. */
type ReceiverKind = 'array' | 'typedArray' | 'collection' | 'untyped';

function receiverKind(ctx: Ctx, receiver: ts.Expression): ReceiverKind | undefined {
  const type = ctx.types.typeAt(receiver);
  if (!type) return undefined;
  if (ctx.types.isAnyOrUnknown(type)) return 'untyped';
  if (isArrayLike(ctx.types, type)) return 'array';
  if (libTypeName(ctx.types, type, TYPED_ARRAYS)) return 'typedArray';
  if (libTypeName(ctx.types, type, ITERABLE_COLLECTIONS)) return 'collection';
  return undefined;
}

function methodName(callee: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression)) return callee.argumentExpression.text;
  return undefined;
}

/**
 * A first look without types: could this argument be a function that returns a promise? Not a
 * literal, an arithmetic or unary expression, a class, nor a non-async inline function whose
 * block body returns no value.
 */
function mayBeFunction(arg: ts.Expression): boolean {
  const e = skipOuterExpressions(arg);
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return hasAsyncModifier(e) || !ts.isBlock(e.body) || returnsValue(e.body);
  if (ts.isBinaryExpression(e)) return LOGICAL_OR_COMMA.has(e.operatorToken.kind);
  return !(
    ts.isLiteralExpression(e) ||
    ts.isObjectLiteralExpression(e) ||
    ts.isArrayLiteralExpression(e) ||
    ts.isTemplateExpression(e) ||
    ts.isPrefixUnaryExpression(e) ||
    ts.isPostfixUnaryExpression(e) ||
    ts.isTypeOfExpression(e) ||
    ts.isVoidExpression(e) ||
    ts.isDeleteExpression(e) ||
    ts.isClassExpression(e) ||
    e.kind === ts.SyntaxKind.NullKeyword ||
    e.kind === ts.SyntaxKind.TrueKeyword ||
    e.kind === ts.SyntaxKind.FalseKeyword ||
    e.kind === ts.SyntaxKind.ThisKeyword
  );
}

const LOGICAL_OR_COMMA = new Set([
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.CommaToken,
]);

/** Does a function body have a `return <value>` of its own (not in nested functions)? */
function returnsValue(body: ts.Block): boolean {
  let found = false;
  walk(body, (node) => {
    if (found || isFunctionLike(node) || ts.isClassLike(node)) return false;
    if (ts.isReturnStatement(node) && node.expression) found = true;
    return !found;
  });
  return found;
}

export function checkCall(ctx: Ctx, call: ts.CallExpression | ts.NewExpression): void {
  const args = call.arguments ?? ts.factory.createNodeArray<ts.Expression>();
  if (args.length === 0 || !args.some((a) => ts.isSpreadElement(a) || mayBeFunction(a))) return;
  const promising = new Map<number, Candidate>();
  args.forEach((arg, i) => {
    if (ts.isSpreadElement(arg)) {
      if (spreadReturnsThenable(ctx, arg)) promising.set(i, { expr: arg, inline: false, isAsync: false });
    } else if (mayBeFunction(arg) && returnsThenable(ctx.types, skipOuterExpressions(arg))) {
      promising.set(i, candidateOf(ctx, arg));
    }
  });
  if (promising.size === 0 || isAllowedApi(ctx, call)) return;
  const callee = skipOuterExpressions(call.expression);
  if (ts.isPropertyAccessExpression(callee) && DETACHING_METHODS.has(callee.name.text)) return;
  if (ts.isCallExpression(call) && checkArrayMethod(ctx, call, callee, promising)) promising.delete(0);
  // An async executor; a synchronous one that returns a promise is a plain void-return case below.
  if (ts.isNewExpression(call) && promising.get(0)?.isAsync && isPromiseConstructor(ctx, callee)) {
    const c = promising.get(0)!;
    // A whole-body try/catch that rejects is safe (if roundabout), like other self-handling callbacks.
    if (!handlesOwnRejections(ctx, c)) {
      ctx.report({ node: c.expr, messageId: 'executor', data: { fn: describeCandidate(c, ctx.sourceFile) }, trace: candidateTrace(ctx, c) });
    }
    promising.delete(0);
  }
  if (promising.size === 0 || !voidChecks(ctx.options)?.arguments || isAwaitingVoidCallback(ctx, call, callee)) return;
  if (storesIntoInferredCollection(ctx, call, callee)) return;
  const voids = voidArgumentIndices(ctx.types, call);
  for (const index of looselyTypedVoidArguments(ctx, call, callee)) voids.add(index);
  for (const [index, c] of promising) {
    if (!voids.has(index) || cannotRejectInVoidSlot(ctx, c) || isDeclaredMaybeAsync(ctx, c)) continue;
    // `bus.on(event, listener)` of an emitter the program dispatches itself, awaiting each listener.
    if (isAwaitedListener(ctx, call, index)) continue;
    ctx.report({
      node: c.expr,
      messageId: voidMessage(c, 'voidReturnArgument'),
      data: { fn: describeCandidate(c, ctx.sourceFile), api: describeCallee(call, ctx.sourceFile) },
      trace: candidateTrace(ctx, c),
    });
  }
}

/** Array callbacks; returns true when argument 0 was dealt with (reported or deliberately left). */
function checkArrayMethod(ctx: Ctx, call: ts.CallExpression, callee: ts.Expression, promising: Map<number, Candidate>): boolean {
  const method = methodName(callee);
  const c = promising.get(0);
  if (!method || !c || !(ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) return false;
  const kind = receiverKind(ctx, callee.expression);
  if (!kind) return false;
  const inlineAsync = c.inline && hasAsyncModifier(c.expr);
  if (kind === 'untyped' && !(inlineAsync && UNTYPED_ARRAY_METHODS.has(method))) return false;
  const data = { fn: describeCandidate(c, ctx.sourceFile), method };
  const trace = candidateTrace(ctx, c);
  if (ITERATION_METHODS.has(method)) {
    // Nobody waits for the callbacks. Outside an async function, a callback that catches its own
    // rejections is a deliberate fire-and-forget; inside one, the caller expects the work done.
    if (!isAwaitAllowed(call, ctx.sourceFile) && handlesOwnRejections(ctx, c)) return true;
    const suggestions = kind === 'array' ? forEachSuggestions(ctx, call, c) : [];
    ctx.report({ node: c.expr, messageId: 'forEach', data, trace, suggestions });
    return true;
  }
  if (kind === 'collection') return false;
  if (PREDICATE_METHODS.has(method)) {
    // A synchronous callback that returns an un-awaited promise is `no-missing-await`'s.
    if (c.inline && !c.isAsync) return true;
    ctx.report({ node: c.expr, messageId: 'predicate', data: { ...data, effect: PREDICATE_METHODS.get(method)! }, trace });
    return true;
  }
  if (COMPARATOR_METHODS.has(method)) {
    if (c.inline && !c.isAsync) return true;
    ctx.report({ node: c.expr, messageId: 'sort', data, trace });
    return true;
  }
  if (REDUCER_METHODS.has(method)) {
    if (!c.isAsync || !c.fn || getFacts(ctx.program, c.fn).awaitsFirstParam) return true;
    const first = c.fn.parameters[0];
    const acc = first && ts.isIdentifier(first.name) ? `\`${first.name.text}\`` : '(its first parameter)';
    ctx.report({ node: c.expr, messageId: 'reduce', data: { ...data, acc }, trace });
    return true;
  }
  return false;
}

/** `new Promise(...)` with TypeScript's global `Promise`. */
function isPromiseConstructor(ctx: Ctx, callee: ts.Expression): boolean {
  if (!ts.isIdentifier(callee) || callee.text !== 'Promise') return false;
  const symbol = ctx.types.symbolAt(callee);
  return !symbol || ctx.types.originOf(symbol).kind === 'lib';
}

/** `...callbacks`: does an element of the spread array or tuple return a thenable? */
function spreadReturnsThenable(ctx: Ctx, spread: ts.SpreadElement): boolean {
  const type = ctx.types.typeAt(spread.expression);
  if (!type) return false;
  const elements = ctx.types.elementTypes(type);
  const returnsPromise = (t: TypeRef): boolean => ctx.types.callReturnTypes(t).some((ret) => ctx.types.isPromiseLike(spread, ret));
  return elements.some((element) => returnsPromise(element) || (ctx.types.isUnion(element) && ctx.types.unionParts(element).some(returnsPromise)));
}

/** A method name, also when written `p[name]` with `name` a constant string. */
function staticMethodName(ctx: Ctx, callee: ts.Expression): string | undefined {
  const direct = methodName(callee);
  if (direct || !ts.isElementAccessExpression(callee)) return direct;
  const type = ctx.types.typeAt(callee.argumentExpression);
  return type && ctx.types.stringLiteralValue(type);
}

/** `promise.finally(cb)` waits for the promise `cb()` returns, although `cb` is typed `() => void`. */
function isAwaitingVoidCallback(ctx: Ctx, call: ts.CallExpression | ts.NewExpression, callee: ts.Expression): boolean {
  if (!ts.isCallExpression(call) || !(ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) return false;
  const method = staticMethodName(ctx, callee);
  return AWAITING_VOID_CALLBACKS.some(
    (entry) => entry.method === method && entry.receiver === 'Promise' && ctx.types.isPromiseLike(callee.expression),
  );
}


/** `setTimeout(handler: TimerHandler)` (DOM) or `process.nextTick(callback: Function)`: void by what the API does. */
function looselyTypedVoidArguments(ctx: Ctx, call: ts.CallExpression | ts.NewExpression, callee: ts.Expression): number[] {
  if (!ts.isCallExpression(call)) return [];
  const text = callee.getText(ctx.sourceFile).replace(/^(globalThis|window)\./, '');
  const entries = LOOSELY_TYPED_VOID_CALLBACKS.filter((e) => e.callee === text);
  if (entries.length === 0) return [];
  const symbol = ctx.types.symbolAt(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
  if (!symbol) return [];
  const origin = ctx.types.originOf(symbol);
  const from = origin.kind === 'lib' ? 'lib' : origin.kind === 'package' ? origin.name : undefined;
  return entries.filter((e) => from && e.origins.includes(from)).map((e) => e.argument);
}

/**
 * `steps.push(asyncStep)` where `steps` was declared without a type (`const steps = [syncStep]`,
 * `this.steps = [syncStep]` in JS): the element type `() => void` was inferred from the first
 * values, not declared, so it says nothing about how the functions will be called.
 */
function storesIntoInferredCollection(ctx: Ctx, call: ts.CallExpression | ts.NewExpression, callee: ts.Expression): boolean {
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(callee) || ITERATION_METHODS.has(callee.name.text)) return false;
  const receiver = skipOuterExpressions(callee.expression);
  const type = ctx.types.typeAt(receiver);
  if (!type || !(isArrayLike(ctx.types, type) || libTypeName(ctx.types, type, STORING_COLLECTIONS))) return false;
  const nameNode = ts.isPropertyAccessExpression(receiver) ? receiver.name : ts.isIdentifier(receiver) ? receiver : undefined;
  const symbol = nameNode && ctx.types.symbolAt(nameNode);
  const decls = symbol ? ctx.types.declarationsOf(symbol) : undefined;
  return !!decls && decls.length > 0 && decls.every((d) => !hasDeclaredType(d));
}

function hasDeclaredType(decl: ts.Node): boolean {
  if ((ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isParameter(decl) || ts.isPropertySignature(decl)) && decl.type) return true;
  if (ts.isVariableDeclaration(decl) && decl.initializer && isTypedInitializer(decl.initializer)) return true;
  return ts.getJSDocType(decl) !== undefined;
}

/** `new Array<() => void>()`, `[] as Array<() => void>`, `new Set<Handler>()`: a declared element type. */
function isTypedInitializer(init: ts.Expression): boolean {
  const e = init;
  if (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) return true;
  return ts.isNewExpression(e) && !!e.typeArguments && e.typeArguments.length > 0;
}
