/**
 * The body walk behind the "cannot reject" summary (analyzer/promises/rejections.ts): may a
 * statement or expression throw, and may a promise-valued expression reject? Conservative about
 * the program's own code (an explicit `throw`, destructuring or a property read of a value whose
 * type admits null or undefined, a statement not understood) and about promises (one from outside
 * the program may reject); a synchronous call of code outside the program throws only when it is
 * one of the calls that fail on bad data (analyzer/promises/catalog-sync-throws.ts).
 */
import ts from '../ts/typescript.cjs';
import { getTypeQueries, type TypeQueries, type TypeRef } from '../program/type-queries.js';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { functionOfArgument, isAsyncFunction, isGeneratorFunction } from '../program/async-context.js';
import { skipOuterExpressions } from '../program/walk.js';
import type { SummaryContext } from '../summaries/engine.js';
import type { Outcome } from './rejections.js';
import { chainRoot, isAssignmentOperator } from '../program/syntax.js';
import { isGlobalName } from '../program/module-ref.js';
import { ASSERTION_ROOTS, LISTENER_RUNNING_METHODS, NON_THROWING_SYNC, PROMISE_CHAIN_METHODS, THROWING_CONSTRUCTORS, THROWING_FUNCTIONS, THROWING_METHODS } from './catalog-sync-throws.js';
import { COMPARATOR_METHODS, ITERATION_METHODS, PREDICATE_METHODS, REDUCER_METHODS } from './catalog-sync-callbacks.js';

interface Env {
  fn: FunctionLike;
  types: TypeQueries;
  callees: Map<ts.Node, FunctionLike[]>;
  get: (fn: FunctionLike) => Outcome;
  isAsync: boolean;
  /** Inside a `catch` block: synchronous calls of code outside the program are trusted (error reporting). */
  inHandler: boolean;
  catches: boolean;
}

/** Array methods that run their callback before they return: `items.map(parse)`. */
const CALLBACK_NOW_METHODS: ReadonlySet<string> = new Set(['map', 'flatMap', ...PREDICATE_METHODS.keys(), ...ITERATION_METHODS, ...COMPARATOR_METHODS, ...REDUCER_METHODS]);

/**
 * The functions given to `.then`/`.catch`/`.finally`, and to array methods that run them before
 * they return, in `fn`'s own body: their outcomes matter too.
 */
export function handlerFunctions(fn: FunctionLike, ctx: SummaryContext): FunctionLike[] {
  const types = getTypeQueries(ctx.program);
  const out: FunctionLike[] = [];
  for (const site of ctx.graph.info(fn).calls) {
    const callee = skipOuterExpressions(site.call.expression);
    if (!ts.isCallExpression(site.call) || !ts.isPropertyAccessExpression(callee)) continue;
    if (!PROMISE_CHAIN_METHODS.has(callee.name.text) && !CALLBACK_NOW_METHODS.has(callee.name.text)) continue;
    for (const arg of site.call.arguments) {
      const handler = handlerOf(arg, types);
      if (handler) out.push(handler);
    }
  }
  return out;
}

function handlerOf(arg: ts.Expression, types: TypeQueries): FunctionLike | undefined {
  const e = skipOuterExpressions(arg);
  return isFunctionLike(e) ? e : functionOfArgument(arg, types);
}

export function evaluateFunction(fn: FunctionLike, get: (fn: FunctionLike) => Outcome, ctx: SummaryContext): Outcome {
  if (!fn.body || isGeneratorFunction(fn)) return { mayThrow: false, mayReject: true, catches: false };
  const callees = new Map<ts.Node, FunctionLike[]>();
  for (const site of ctx.graph.info(fn).calls) callees.set(site.call, site.callees);
  const env: Env = { fn, types: getTypeQueries(ctx.program), callees, get, isAsync: isAsyncFunction(fn), inHandler: false, catches: false };
  const paramsThrow = fn.parameters.some((p) => bindingThrows(env, p.name, p) || (!!p.initializer && exprThrows(env, p.initializer)));
  if (ts.isBlock(fn.body)) {
    const bodyThrows = paramsThrow || statementsThrow(env, fn.body.statements);
    if (env.isAsync) return { mayThrow: false, mayReject: bodyThrows, catches: env.catches };
    return { mayThrow: bodyThrows, mayReject: returnsReject(env, fn.body), catches: env.catches };
  }
  const throws = paramsThrow || exprThrows(env, fn.body);
  const rejects = isPromiseValued(env, fn.body) && promiseRejects(env, fn.body);
  if (env.isAsync) return { mayThrow: false, mayReject: throws || rejects, catches: env.catches };
  return { mayThrow: throws, mayReject: rejects, catches: env.catches };
}

/** A synchronous function's returned promises: may one of them reject? */
function returnsReject(env: Env, body: ts.Block): boolean {
  return ownReturns(body).some((e) => isPromiseValued(env, e) && promiseRejects(env, e));
}

function ownReturns(root: ts.Node): ts.Expression[] {
  const out: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) out.push(node.expression);
    ts.forEachChild(node, visit);
  };
  visit(root);
  return out;
}

function statementsThrow(env: Env, statements: readonly ts.Statement[]): boolean {
  return statements.some((s) => statementThrows(env, s));
}

function statementThrows(env: Env, s: ts.Statement): boolean {
  if (ts.isBlock(s)) return statementsThrow(env, s.statements);
  if (ts.isExpressionStatement(s)) return exprThrows(env, s.expression);
  if (ts.isVariableStatement(s)) return s.declarationList.declarations.some((d) => bindingThrows(env, d.name, d) || (!!d.initializer && exprThrows(env, d.initializer)));
  if (ts.isReturnStatement(s)) return !!s.expression && (exprThrows(env, s.expression) || (env.isAsync && isPromiseValued(env, s.expression) && promiseRejects(env, s.expression)));
  if (ts.isIfStatement(s)) return exprThrows(env, s.expression) || statementThrows(env, s.thenStatement) || (!!s.elseStatement && statementThrows(env, s.elseStatement));
  if (ts.isTryStatement(s)) return tryThrows(env, s);
  if (ts.isThrowStatement(s)) return true;
  if (ts.isForOfStatement(s)) return !!s.awaitModifier || !isArrayValued(env, s.expression) || exprThrows(env, s.expression) || statementThrows(env, s.statement);
  if (ts.isForStatement(s)) {
    const init = s.initializer && (ts.isVariableDeclarationList(s.initializer) ? s.initializer.declarations.some((d) => !!d.initializer && exprThrows(env, d.initializer)) : exprThrows(env, s.initializer));
    return !!init || (!!s.condition && exprThrows(env, s.condition)) || (!!s.incrementor && exprThrows(env, s.incrementor)) || statementThrows(env, s.statement);
  }
  if (ts.isWhileStatement(s) || ts.isDoStatement(s)) return exprThrows(env, s.expression) || statementThrows(env, s.statement);
  if (ts.isForInStatement(s)) return exprThrows(env, s.expression) || statementThrows(env, s.statement);
  if (ts.isSwitchStatement(s)) {
    return exprThrows(env, s.expression) || s.caseBlock.clauses.some((c) => (ts.isCaseClause(c) && exprThrows(env, c.expression)) || statementsThrow(env, c.statements));
  }
  if (ts.isLabeledStatement(s)) return statementThrows(env, s.statement);
  return !(
    ts.isEmptyStatement(s) ||
    ts.isBreakOrContinueStatement(s) ||
    ts.isDebuggerStatement(s) ||
    ts.isFunctionDeclaration(s) ||
    ts.isInterfaceDeclaration(s) ||
    ts.isTypeAliasDeclaration(s)
  );
}

/**
 * `try { ... } catch { ... } finally { ... }`: with a catch clause, what the try block throws is
 * caught, except a promise it returns un-awaited (the catch never sees that rejection).
 */
function tryThrows(env: Env, s: ts.TryStatement): boolean {
  let throws: boolean;
  if (s.catchClause) {
    env.catches = true;
    const escaping = env.isAsync && ownReturns(s.tryBlock).some((e) => !ts.isAwaitExpression(skipOuterExpressions(e)) && isPromiseValued(env, e) && promiseRejects(env, e));
    const outer = env.inHandler;
    env.inHandler = true;
    throws = escaping || statementsThrow(env, s.catchClause.block.statements);
    env.inHandler = outer;
  } else {
    throws = statementsThrow(env, s.tryBlock.statements);
  }
  return throws || (!!s.finallyBlock && statementsThrow(env, s.finallyBlock.statements));
}

/** Does the function's own body have a `throw` that no enclosing `try { } catch` of its own catches? */
function throwsOutright(fn: FunctionLike): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || (node !== fn && (isFunctionLike(node) || ts.isClassLike(node)))) return;
    if (ts.isThrowStatement(node)) found = true;
    else if (ts.isTryStatement(node) && node.catchClause) {
      visit(node.catchClause.block);
      if (node.finallyBlock) visit(node.finallyBlock);
    } else ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/** Destructuring may throw: `{ a } = undefined`, `[a] = notIterable`; a plain name never does. */
function bindingThrows(env: Env, name: ts.BindingName, owner: ts.Node): boolean {
  if (ts.isIdentifier(name)) return false;
  const elements = name.elements as readonly (ts.BindingElement | ts.OmittedExpression)[];
  const inner = elements.some((el) => ts.isBindingElement(el) && (bindingThrows(env, el.name, el) || (!!el.initializer && exprThrows(env, el.initializer))));
  if (inner) return true;
  const type = env.types.typeAt(ts.isParameter(owner) || ts.isVariableDeclaration(owner) ? owner.name : name);
  if (!type) return true;
  return ts.isArrayBindingPattern(name) ? !env.types.isArrayOrTuple(type) : mayBeNullish(env, type);
}

function mayBeNullish(env: Env, type: TypeRef): boolean {
  if (env.types.isAnyOrUnknown(type)) return true;
  return env.types.unionParts(type).some((t) => env.types.isNullish(t));
}

function receiverMayBeNullish(env: Env, receiver: ts.Expression): boolean {
  if (env.inHandler) return false; // `catch (error) { log(error.message) }`: trusted, as the reporting calls are
  const e = skipOuterExpressions(receiver);
  if (e.kind === ts.SyntaxKind.ThisKeyword || e.kind === ts.SyntaxKind.SuperKeyword) return false;
  const type = env.types.typeAt(e);
  return !type || mayBeNullish(env, type);
}

function isArrayValued(env: Env, expr: ts.Expression): boolean {
  const type = env.types.typeAt(expr);
  return !!type && env.types.isArrayOrTuple(type);
}

function isPromiseValued(env: Env, expr: ts.Expression): boolean {
  const type = env.types.typeAt(expr);
  return !type || env.types.isAnyOrUnknown(type) || env.types.isPromiseLike(expr, type, true);
}

function isDeclaredPromise(env: Env, call: ts.CallExpression): boolean {
  const type = env.types.typeAt(call);
  return !!type && !env.types.isAnyOrUnknown(type) && env.types.isPromiseLike(call, type, true);
}

/** May evaluating `expr` throw synchronously? (Inside an async function: reject.) */
export function exprThrows(env: Env, expression: ts.Expression): boolean {
  const e = skipOuterExpressions(expression);
  if (isFunctionLike(e) || ts.isLiteralExpression(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isIdentifier(e)) return false;
  switch (e.kind) {
    case ts.SyntaxKind.ThisKeyword:
    case ts.SyntaxKind.SuperKeyword: // `super(...)`: the base constructor is judged as the call's callee
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
      return false;
  }
  if (ts.isTemplateExpression(e)) return e.templateSpans.some((span) => exprThrows(env, span.expression));
  if (ts.isObjectLiteralExpression(e)) return e.properties.some((p) => propertyThrows(env, p));
  if (ts.isArrayLiteralExpression(e)) return e.elements.some((el) => (ts.isSpreadElement(el) ? !isArrayValued(env, el.expression) || exprThrows(env, el.expression) : exprThrows(env, el)));
  if (ts.isPropertyAccessExpression(e)) return exprThrows(env, e.expression) || (!e.questionDotToken && receiverMayBeNullish(env, e.expression));
  if (ts.isElementAccessExpression(e)) return exprThrows(env, e.expression) || exprThrows(env, e.argumentExpression) || (!e.questionDotToken && receiverMayBeNullish(env, e.expression));
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) return callThrows(env, e);
  if (ts.isAwaitExpression(e)) return exprThrows(env, e.expression) || (isPromiseValued(env, e.expression) && promiseRejects(env, e.expression));
  if (ts.isBinaryExpression(e)) return binaryThrows(env, e);
  if (ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) return exprThrows(env, e.operand);
  if (ts.isTypeOfExpression(e) || ts.isVoidExpression(e)) return exprThrows(env, e.expression);
  if (ts.isConditionalExpression(e)) return exprThrows(env, e.condition) || exprThrows(env, e.whenTrue) || exprThrows(env, e.whenFalse);
  return true;
}

function propertyThrows(env: Env, p: ts.ObjectLiteralElementLike): boolean {
  if (p.name && ts.isComputedPropertyName(p.name) && exprThrows(env, p.name.expression)) return true;
  if (ts.isPropertyAssignment(p)) return exprThrows(env, p.initializer);
  if (ts.isSpreadAssignment(p)) return exprThrows(env, p.expression);
  return false; // shorthand, methods, accessors
}

function binaryThrows(env: Env, e: ts.BinaryExpression): boolean {
  const op = e.operatorToken.kind;
  if (isAssignmentOperator(op)) {
    const left = skipOuterExpressions(e.left);
    if (ts.isObjectLiteralExpression(left) || ts.isArrayLiteralExpression(left)) return true; // destructuring assignment
    return exprThrows(env, left) || exprThrows(env, e.right);
  }
  return exprThrows(env, e.left) || exprThrows(env, e.right);
}

/** May this call (or `new`) throw synchronously? */
function callThrows(env: Env, call: ts.CallExpression | ts.NewExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  const args = call.arguments ?? [];
  if (args.some((a) => (ts.isSpreadElement(a) ? !isArrayValued(env, a.expression) || exprThrows(env, a.expression) : exprThrows(env, a)))) return true;
  if (ts.isPropertyAccessExpression(callee)) {
    if (exprThrows(env, callee.expression)) return true;
    if (!callee.questionDotToken && receiverMayBeNullish(env, callee.expression)) return true;
  } else if (!isFunctionLike(callee) && !ts.isIdentifier(callee) && exprThrows(env, callee)) {
    return true;
  }
  const callees = env.callees.get(call) ?? [];
  // In a `catch` block a synchronous helper (`formatError(error)`) reports the failure: trusted
  // unless it rethrows by its own `throw`.
  if (callees.length > 0 && env.inHandler) return callees.some((fn) => !isAsyncFunction(fn) && throwsOutright(fn));
  if (callees.length > 0) return callees.some((fn) => env.get(fn).mayThrow);
  // A promise-returning API with no body to read reports failures through its promise (judged
  // where the promise is awaited or returned), not by throwing.
  if (ts.isCallExpression(call) && isDeclaredPromise(env, call)) return false;
  // In a `catch` block a call of code outside the program reports the failure: trusted.
  return !env.inHandler && (throwsOnBadData(call, callee) || callbackThrows(env, call, callee));
}

/** `rows.map((row) => JSON.parse(row))`: a library method that runs a callback now throws what the callback throws. */
function callbackThrows(env: Env, call: ts.CallExpression | ts.NewExpression, callee: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(callee) || !CALLBACK_NOW_METHODS.has(callee.name.text)) return false;
  return (call.arguments ?? []).some((arg) => {
    const fn = handlerOf(arg, env.types);
    return !!fn && !isAsyncFunction(fn) && env.get(fn).mayThrow;
  });
}

/**
 * A call with no body in the program to read (a library's, a declaration's) that throws on data
 * it does not accept (analyzer/promises/catalog-sync-throws.ts). Judged by name: a function of
 * the program with one of these names has a body, and is judged by it instead.
 */
function throwsOnBadData(call: ts.CallExpression | ts.NewExpression, callee: ts.Expression): boolean {
  if (ts.isNewExpression(call)) return ts.isIdentifier(callee) && THROWING_CONSTRUCTORS.has(callee.text);
  if (ts.isIdentifier(callee)) return THROWING_FUNCTIONS.has(callee.text) || ASSERTION_ROOTS.has(callee.text) || isThrowingSync(callee.text);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const method = callee.name.text;
  if (THROWING_METHODS.has(method) || LISTENER_RUNNING_METHODS.has(method) || isThrowingSync(method)) return true;
  const root = chainRoot(callee.expression);
  return !!root && ASSERTION_ROOTS.has(root.text);
}

/** `readFileSync`, `execSync`: a synchronous file or process call, which throws when it fails. */
function isThrowingSync(name: string): boolean {
  return name.endsWith('Sync') && !NON_THROWING_SYNC.has(name);
}

/** May the promise that `expr` evaluates to reject? (`expr` is promise-valued or unknown.) */
export function promiseRejects(env: Env, expression: ts.Expression): boolean {
  const e = skipOuterExpressions(expression);
  if (ts.isConditionalExpression(e)) return valueRejects(env, e.whenTrue) || valueRejects(env, e.whenFalse);
  if (ts.isBinaryExpression(e) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.QuestionQuestionToken].includes(e.operatorToken.kind)) {
    return valueRejects(env, e.left) || valueRejects(env, e.right);
  }
  if (!ts.isCallExpression(e)) return true;
  const callee = skipOuterExpressions(e.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const method = callee.name.text;
    const receiver = skipOuterExpressions(callee.expression);
    if (PROMISE_CHAIN_METHODS.has(method) && env.types.isPromiseLike(receiver)) return chainRejects(env, e, method, receiver);
    if (isGlobalName(env.types, receiver, 'Promise')) {
      if (method === 'resolve') return e.arguments.length > 0 && valueRejects(env, e.arguments[0]!);
      if (method === 'allSettled') return false;
      return true;
    }
  }
  const callees = env.callees.get(e) ?? [];
  if (callees.length === 0) return true;
  let rejects = false;
  for (const fn of callees) {
    const outcome = env.get(fn);
    if (outcome.mayReject) rejects = true;
    else if (outcome.catches) env.catches = true;
  }
  return rejects;
}

/** A value that may or may not be a promise: only a promise can reject. */
function valueRejects(env: Env, expr: ts.Expression): boolean {
  return isPromiseValued(env, expr) && promiseRejects(env, expr);
}

/** `p.catch(h)`, `p.then(ok, h)`, `p.then(ok)`, `p.finally(f)`. */
function chainRejects(env: Env, call: ts.CallExpression, method: string, receiver: ts.Expression): boolean {
  const [first, second] = call.arguments;
  if (call.arguments.some(ts.isSpreadElement)) return true;
  if (method === 'catch') {
    if (!first) return promiseRejects(env, receiver);
    const bad = handlerFails(env, first);
    if (!bad) env.catches = true;
    return bad;
  }
  if (method === 'then') {
    const onFulfilled = !!first && handlerFails(env, first);
    if (!second) return onFulfilled || promiseRejects(env, receiver);
    const bad = onFulfilled || handlerFails(env, second);
    if (!bad) env.catches = true;
    return bad;
  }
  return promiseRejects(env, receiver) || (!!first && handlerFails(env, first));
}

/** May a handler given to `.then`/`.catch`/`.finally` throw or return a promise that rejects? */
function handlerFails(env: Env, arg: ts.Expression): boolean {
  const e = skipOuterExpressions(arg);
  if (e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'undefined')) return false;
  const fn = handlerOf(arg, env.types);
  if (fn) {
    const outcome = env.get(fn);
    return outcome.mayThrow || outcome.mayReject;
  }
  // `report`, `console.error`, `logger.warn` passed by reference, with no body to read: a
  // handler's reporting call, trusted as synchronous calls in a `catch` block are.
  return !env.types.isCallable(e);
}
