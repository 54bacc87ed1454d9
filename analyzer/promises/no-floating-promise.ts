/**
 * no-floating-promise: a promise-valued expression statement whose result is dropped.
 * Modelled on typescript-eslint's `no-floating-promises` (default options), with thenables
 * reported by default and a trace to the async function behind a cross-file call.
 */
import ts from '../ts/typescript.cjs';
import type { Check, CheckContext, SuggestionInput } from '../check/contract.js';
import type { TextEdit } from '../check/finding.js';
import type { SymbolRef } from '../program/type-queries.js';
import { calleeMatches, specifierSchema, typeMatches, type Specifier } from '../program/specifiers.js';
import { isExportedDeclaration, skipOuterExpressions, walk } from '../program/walk.js';
import { getCallGraph, functionName } from '../program/callgraph.js';
import { calleeModule } from '../program/module-ref.js';
import { canInsertAwait, describeExpression, needsParens } from '../check/fix-helpers.js';
import { codeName } from '../check/quote.js';
import { awaitsAnything, handlesOwnFailures } from './rejections.js';
import { isAsyncFunction, isGeneratorFunction } from '../program/async-context.js';
import { lostRejectionWording, unhandledRejectionHandler } from './process-handlers.js';
import { isAssignmentOperator, isLogicalOperator } from '../program/syntax.js';
import { fileIndex } from '../program/file-index.js';

export interface Options {
  ignoreVoid: boolean;
  ignoreIIFE: boolean;
  checkThenables: boolean;
  allowForKnownSafePromises: Specifier[];
  allowForKnownSafeCalls: Specifier[];
}

type Verdict = { unhandled: false } | { unhandled: true; kind: 'promise' | 'array' | 'then' | 'uselessHandler' | 'settled' };

const HANDLED: Verdict = { unhandled: false };

/** `{{lost}}` says what happens to the rejection in this program (analyzer/promises/process-handlers.ts). */
const WHY = 'nothing waits for it, so code after it may run before it settles, and {{lost}}';

const messages = {
  floating: `The promise from {{what}} is dropped: ${WHY}. Await it, return it, or handle its rejection with \`.catch(...)\`; mark deliberate fire-and-forget with \`void\`.`,
  floatingSettled: `The promise from {{what}} is dropped. The async function it calls awaits nothing, so its work is done by the time it returns; but an error thrown inside it becomes a rejection, and {{lost}}. Mark the deliberate drop with \`void\`, handle failures inside it, or make it a plain synchronous function.`,
  floatingThen: `\`.then()\` without a rejection handler drops the failure of {{what}}: ${WHY}. Add \`.catch(...)\` (or a second argument to \`.then\`), or await the chain.`,
  uselessHandler: 'The rejection handler given to {{what}} is not a function, so it is ignored and the rejection stays unhandled. Pass a function, e.g. `.catch((error) => log(error))`.',
  floatingArray: `This array of promises ({{what}}) is dropped: none of them is awaited, and if one rejects, {{lost}}. Wrap it in \`await Promise.all(...)\` (or \`Promise.allSettled\` to tolerate failures).`,
  floatingVoid: `\`void\` discards the promise from {{what}}, so if it rejects, {{lost}}. Await it, or handle its rejection with \`.catch(...)\` before discarding it.`,
  fixAwait: 'Add `await`',
  fixVoid: 'Mark it as deliberately not awaited with `void`',
  fixCatch: 'Handle the rejection with `.catch(...)`',
  fixPromiseAll: 'Wrap in `await Promise.all(...)`',
};

/** The ids of the messages above: what `ctx.report` and the helpers that build reports may use. */
export type MessageId = keyof typeof messages;

const check: Check<Options, MessageId> = {
  meta: {
    id: 'no-floating-promise',
    description: 'A promise is created and dropped: nothing waits for it and its rejection is lost.',
    // In configs.strict only until it meets the field study's bar (90% true; measured 47.3%, see its docs page).
    recommended: 'off',
    strictOptions: { ignoreVoid: false },
    messages,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ignoreVoid: { type: 'boolean', description: 'Allow `void promise` as a deliberate fire-and-forget.' },
        ignoreIIFE: { type: 'boolean', description: 'Allow `(async () => {...})();` statements.' },
        checkThenables: { type: 'boolean', description: 'Report any thenable, not only built-in promises.' },
        allowForKnownSafePromises: { type: 'array', items: specifierSchema, description: 'Promise types that may float.' },
        allowForKnownSafeCalls: { type: 'array', items: specifierSchema, description: 'Functions whose promises may float.' },
      },
    },
    defaultOptions: {
      ignoreVoid: true,
      ignoreIIFE: false,
      checkThenables: true,
      allowForKnownSafePromises: [],
      allowForKnownSafeCalls: [],
    },
    hasSuggestions: true,
  },
  run(ctx) {
    for (const node of fileIndex(ctx.sourceFile).of(ts.SyntaxKind.ExpressionStatement, ts.SyntaxKind.ArrowFunction)) {
      if (ts.isExpressionStatement(node)) {
        checkStatement(ctx, node, node.expression);
      } else if (!ctx.options.ignoreVoid && ts.isArrowFunction(node) && ts.isVoidExpression(node.body)) {
        checkStatement(ctx, node.body, node.body);
      }
    }
  },
};

export default check;

function checkStatement(ctx: CheckContext<Options, MessageId>, reportNode: ts.Node, expression: ts.Expression): void {
  const expr = skipParentheses(expression);
  if (ctx.options.ignoreIIFE && isIIFE(expr)) return;
  if (ts.isCallExpression(expr) && (calleeMatches(ctx.types, expr, ctx.options.allowForKnownSafeCalls) || isTestRunnerCall(ctx, expr))) return;
  const verdict = verdictOf(ctx, expr);
  if (!verdict.unhandled) return;
  let target = ts.isVoidExpression(expr) ? skipOuterExpressions(expr.expression) : expr;
  // `.then(cb)` without a handler: name the promise being chained, not the whole chain.
  if (verdict.kind === 'then' && ts.isCallExpression(target) && ts.isPropertyAccessExpression(target.expression)) {
    target = skipOuterExpressions(target.expression.expression);
  }
  const messageId =
    verdict.kind === 'array' ? 'floatingArray'
    : verdict.kind === 'then' ? 'floatingThen'
    : verdict.kind === 'uselessHandler' ? 'uselessHandler'
    : verdict.kind === 'settled' ? 'floatingSettled'
    : ts.isVoidExpression(expr) ? 'floatingVoid'
    : 'floating';
  const handler = unhandledRejectionHandler(ctx.program);
  ctx.report({
    node: reportNode,
    messageId,
    data: { what: describeExpression(target, ctx.sourceFile), lost: lostRejectionWording(ctx.program) },
    trace: [...traceFor(ctx, target), ...(handler ? [{ node: handler.call, message: 'the process-wide `unhandledRejection` handler that would receive the rejection' }] : [])],
    suggestions: suggestionsFor(ctx, expression, verdict.kind === 'array'),
  });
}

function skipParentheses(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** `describe`/`it`/`test`... from `node:test` return promises that the test runner itself awaits. */
const TEST_RUNNER_MODULES = new Set(['test', 'node:test']);

function isTestRunnerCall(ctx: CheckContext<Options, MessageId>, call: ts.CallExpression): boolean {
  const callee = calleeModule(call.expression, ctx.types);
  return !!callee && TEST_RUNNER_MODULES.has(callee.module);
}

function isIIFE(expr: ts.Expression): boolean {
  if (!ts.isCallExpression(expr)) return false;
  const callee = skipOuterExpressions(expr.expression);
  return ts.isArrowFunction(callee) || ts.isFunctionExpression(callee);
}

function isPromise(ctx: CheckContext<Options, MessageId>, node: ts.Node): boolean {
  const type = ctx.types.typeAt(node);
  if (!type) return false;
  if (typeMatches(ctx.types, type, ctx.options.allowForKnownSafePromises)) return false;
  if (ctx.types.isPromiseLike(node, type, false)) return true;
  return ctx.options.checkThenables && ctx.types.isPromiseLike(node, type, true) && !configuresReceivedBuilder(ctx, node);
}

/**
 * A fluent call on a thenable builder that the function was handed (`qb.where(...)` in
 * `.modify((qb) => ...)`, `this.where(...)` in a knex `function () {}` callback): the code
 * configures a query its caller runs, it does not drop one. Built-in promises are never excused.
 */
function configuresReceivedBuilder(ctx: CheckContext<Options, MessageId>, node: ts.Node): boolean {
  // A fluent call: it returns the builder it was called on (`where(...): this`).
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
  const result = typeSymbolAt(ctx, node);
  const receiver = typeSymbolAt(ctx, node.expression.expression);
  if (!result || result !== receiver) return false;
  // Down the chain of fluent calls to the builder they start from, which must be one already.
  let e = node as ts.Expression;
  for (;;) {
    while (ts.isNonNullExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
    if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || typeSymbolAt(ctx, e) !== result) break;
    e = e.expression.expression;
  }
  if (typeSymbolAt(ctx, e) !== result) return false; // `db.table('jobs').where(...)`: a new builder, dropped
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isNonNullExpression(e) || ts.isParenthesizedExpression(e)) {
    e = e.expression;
  }
  if (e.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (!ts.isIdentifier(e)) return false;
  const symbol = ctx.types.symbolAt(e);
  const decl = symbol && ctx.types.valueDeclarationOf(symbol);
  if (!symbol || !decl) return false;
  if (ts.isParameter(decl)) return true;
  // A builder in a variable that the code uses again (`app.register(cors); ... app.listen()`,
  // `q.where(...); ... await q`) or exports is configured here and run (or awaited) elsewhere.
  return ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) && (isExportedDeclaration(decl) || usedAfter(ctx, symbol, decl, node));
}

/** The symbol of the type at a node (its class or interface), if any. */
function typeSymbolAt(ctx: CheckContext<Options, MessageId>, node: ts.Node): SymbolRef | undefined {
  const type = ctx.types.typeAt(node);
  return type && ctx.types.typeSymbol(type);
}

/** Is the variable read after `node` within the scope it is declared in? */
function usedAfter(ctx: CheckContext<Options, MessageId>, symbol: SymbolRef, decl: ts.VariableDeclaration, node: ts.Node): boolean {
  let scope: ts.Node = decl;
  while (scope.parent && !ts.isBlock(scope) && !ts.isSourceFile(scope) && !ts.isModuleBlock(scope)) scope = scope.parent;
  const name = (decl.name as ts.Identifier).text;
  let used = false;
  walk(scope, (n) => {
    if (used || n.end <= node.end) return false; // done, or wholly before the statement
    if (ts.isIdentifier(n) && n.text === name && n.pos >= node.end && ctx.types.symbolAt(n) === symbol) used = true;
    return !used;
  });
  return used;
}

function verdictOf(ctx: CheckContext<Options, MessageId>, node: ts.Expression): Verdict {
  // Only parentheses: `value as Promise<T>;` is judged by the type it is asserted to have.
  const expr = skipParentheses(node);
  if (ts.isBinaryExpression(expr)) {
    const op = expr.operatorToken.kind;
    if (isAssignmentOperator(op)) return HANDLED;
    if (op === ts.SyntaxKind.CommaToken) {
      const left = verdictOf(ctx, expr.left);
      return left.unhandled ? left : verdictOf(ctx, expr.right);
    }
  }
  if (!ctx.options.ignoreVoid && ts.isVoidExpression(expr)) return verdictOf(ctx, expr.expression);
  if (ctx.types.isPromiseArray(expr, ctx.options.checkThenables)) {
    const type = ctx.types.typeAt(expr);
    if (!type || !typeMatches(ctx.types, type, ctx.options.allowForKnownSafePromises)) return { unhandled: true, kind: 'array' };
  }
  if (ts.isAwaitExpression(expr)) return HANDLED;
  if (!isPromise(ctx, expr)) return HANDLED;
  if (ts.isCallExpression(expr)) return callVerdict(ctx, expr);
  if (ts.isConditionalExpression(expr)) {
    const whenFalse = verdictOf(ctx, expr.whenFalse);
    return whenFalse.unhandled ? whenFalse : verdictOf(ctx, expr.whenTrue);
  }
  if (ts.isBinaryExpression(expr) && isLogicalOperator(expr.operatorToken.kind)) {
    const left = verdictOf(ctx, expr.left);
    return left.unhandled ? left : verdictOf(ctx, expr.right);
  }
  return { unhandled: true, kind: 'promise' };
}

/** A promise-valued call: `.catch(h)` and `.then(a, h)` handle it; `.finally()` passes it through. */
function callVerdict(ctx: CheckContext<Options, MessageId>, call: ts.CallExpression): Verdict {
  const callee = skipOuterExpressions(call.expression);
  const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (!method || !ts.isPropertyAccessExpression(callee)) return calleeVerdict(ctx, call);
  if (method === 'catch' || method === 'then') {
    // With a spread argument the handler's position is unknown: do not assume one.
    if (call.arguments.some(ts.isSpreadElement)) return { unhandled: true, kind: 'promise' };
    const handler = method === 'catch' ? call.arguments[0] : call.arguments[1];
    if (!handler) return { unhandled: true, kind: method === 'then' ? 'then' : 'promise' };
    return isValidHandler(ctx, handler) ? HANDLED : { unhandled: true, kind: 'uselessHandler' };
  }
  if (method === 'finally') return verdictOf(ctx, callee.expression);
  return calleeVerdict(ctx, call);
}

/**
 * A call of program functions that handle their own failures (the awaited work in a try/catch
 * that does not rethrow, a result chained with `.catch(handler)`, through helpers; see
 * analyzer/promises/rejections.ts): its promise cannot reject, so dropping it is deliberate
 * fire-and-forget. A function that merely happens not to reject (no handler at all) is reported.
 */
function calleeVerdict(ctx: CheckContext<Options, MessageId>, call: ts.CallExpression): Verdict {
  const callees = getCallGraph(ctx.program).resolve(call);
  if (callees.length > 0 && callees.every((fn) => handlesOwnFailures(ctx.program, fn))) return HANDLED;
  // An async function that awaits nothing (an in-memory publish, a cache write): its promise has
  // settled when it returns, and only a synchronous throw inside it would reject.
  if (callees.length > 0 && callees.every((fn) => isAsyncFunction(fn) && !isGeneratorFunction(fn) && !awaitsAnything(fn))) return { unhandled: true, kind: 'settled' };
  return { unhandled: true, kind: 'promise' };
}

/** A function (every part of its type: `onError?: (e) => void` may be undefined at run time),
 * or something the checker cannot type (`any`: trust the author). */
function isValidHandler(ctx: CheckContext<Options, MessageId>, handler: ts.Expression): boolean {
  const type = ctx.types.typeAt(handler);
  if (!type || ctx.types.isAny(type)) return true;
  return ctx.types.unionParts(type).every((part) => ctx.types.callSignatures(ctx.types.apparentType(part)).length > 0);
}

/** Where a cross-file call's promise comes from: the async function behind it. */
function traceFor(ctx: CheckContext<Options, MessageId>, expr: ts.Expression) {
  let call = expr;
  while (ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && ['then', 'finally'].includes(call.expression.name.text)) {
    call = skipOuterExpressions(call.expression.expression);
  }
  if (!ts.isCallExpression(call)) return [];
  const [callee] = getCallGraph(ctx.program).resolve(call);
  if (!callee || callee.getSourceFile() === ctx.sourceFile) return [];
  const at = callee.name ?? callee;
  return [{ node: at, message: `${codeName(functionName(callee))} returns a promise (declared here)` }];
}

function suggestionsFor(ctx: CheckContext<Options, MessageId>, expression: ts.Expression, isArray: boolean): SuggestionInput<MessageId>[] {
  const sf = ctx.sourceFile;
  const start = expression.getStart(sf);
  const end = expression.getEnd();
  const wrap = (before: string, after: string): TextEdit[] => [
    ...(before ? [{ file: sf.fileName, start, end: start, text: before }] : []),
    ...(after ? [{ file: sf.fileName, start: end, end, text: after }] : []),
  ];
  const paren = needsParens(expression);
  const suggestions: SuggestionInput<MessageId>[] = [];
  const awaitOk = canInsertAwait(expression, sf, ctx.program);
  if (isArray) {
    if (awaitOk) suggestions.push({ messageId: 'fixPromiseAll', edits: wrap('await Promise.all(', ')') });
    return suggestions;
  }
  if (awaitOk) {
    if (ts.isVoidExpression(expression)) {
      suggestions.push({ messageId: 'fixAwait', edits: [{ file: sf.fileName, start, end: start + 4, text: 'await' }] });
    } else {
      suggestions.push({ messageId: 'fixAwait', edits: paren ? wrap('await (', ')') : wrap('await ', '') });
    }
  }
  if (!ts.isVoidExpression(expression)) {
    suggestions.push({ messageId: 'fixVoid', edits: paren ? wrap('void (', ')') : wrap('void ', '') });
    const handler = isJs(sf) ? '(error) => console.error(error)' : '(error: unknown) => console.error(error)';
    const asTarget = ts.isLeftHandSideExpression(expression) && !ts.isVoidExpression(expression);
    suggestions.push({ messageId: 'fixCatch', edits: asTarget ? wrap('', `.catch(${handler})`) : wrap('(', `).catch(${handler})`) });
  }
  return suggestions;
}

function isJs(sf: ts.SourceFile): boolean {
  return /\.[cm]?jsx?$/.test(sf.fileName);
}
