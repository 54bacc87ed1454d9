/**
 * `return promise` without `await` in an async function, where it matters: inside `try` (the
 * rejection skips the `catch`; the `finally` runs before the work ends), inside a `catch` whose
 * `try` has a `finally`, and after a `using`/`await using` declaration (the resource is disposed
 * before the work ends). As typescript-eslint's `return-await` in its default `in-try-catch` mode
 * (its `requiredPromiseAwait` reports); the ordinary-context half of that option (a useless
 * `return await` outside `try`) is style, and not this rule's concern.
 */
import ts from '../../ts/typescript.cjs';
import { enclosingFunction, getCallGraph, isFunctionLike } from '../../program/callgraph.js';
import { reportUse } from './findings.js';
import { isExactPromise, isSometimesPromise, skipParens, type Scan } from './context.js';
import { hasAsyncModifier } from '../../program/syntax.js';
import { skipOuterExpressions } from '../../program/walk.js';
import { handlesOwnFailures } from '../rejections.js';
import { isGlobalName } from '../../program/module-ref.js';

interface Context {
  where: string;
  effect: string;
}

export function checkReturn(scan: Scan, node: ts.ReturnStatement): void {
  if (!scan.ctx.options.checksReturnInTry || !node.expression) return;
  const fn = enclosingFunction(node);
  if (!fn || !hasAsyncModifier(fn)) return;
  const context = errorHandlingContext(node) ?? usingContext(node, fn);
  if (!context) return;
  for (const expr of possiblyReturned(node.expression)) {
    // `(await x) as Promise<T>`: the value is awaited here; only the cast says promise.
    if (ts.isAwaitExpression(skipOuterExpressions(expr))) continue;
    const type = scan.types.typeAt(expr);
    if (!type || !isSometimesPromise(scan.types, expr, type)) continue;
    if (cannotReject(scan, expr, context)) continue;
    const fact = { type, exact: isExactPromise(scan.types, expr, type) };
    reportUse(scan, { expr, kind: 'returnInTry', data: { ...context }, fixable: true, tests: false, wrap: false, suggest: true }, fact);
  }
}

/**
 * A returned promise for which `await` changes nothing: one already settled with a plain value
 * (`Promise.resolve()`, `Promise.resolve(count)`), or, where the only loss is the `catch`
 * (no `finally`), a call of program functions that handle their own failures, whose promise
 * cannot reject (analyzer/promises/rejections.ts).
 */
function cannotReject(scan: Scan, expr: ts.Expression, context: Context): boolean {
  const e = skipOuterExpressions(expr);
  if (!ts.isCallExpression(e)) return false;
  const callee = skipOuterExpressions(e.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve' && isGlobalName(scan.types, callee.expression, 'Promise')) {
    const [value] = e.arguments;
    return !value || (!ts.isSpreadElement(value) && !scan.types.isPromiseLike(value, undefined, true));
  }
  if (context.effect !== SKIPS_CATCH) return false;
  const callees = getCallGraph(scan.ctx.program).resolve(e);
  return callees.length > 0 && callees.every((fn) => handlesOwnFailures(scan.ctx.program, fn));
}

/** `cond ? a : b` returns `a` or `b` (typescript-eslint checks each branch). */
function possiblyReturned(expression: ts.Expression): ts.Expression[] {
  const out: ts.Expression[] = [];
  const stack = [expression];
  while (stack.length > 0) {
    const e = skipParens(stack.pop()!);
    if (ts.isConditionalExpression(e)) stack.push(e.whenTrue, e.whenFalse);
    else out.push(e);
  }
  return out;
}

const SKIPS_CATCH = 'a rejection skips this `catch` and goes straight to the caller';
const FINALLY_EARLY = 'the `finally` block runs before the work has finished';

/** typescript-eslint's `affectsExplicitErrorHandling`, phrased for the message. */
function errorHandlingContext(node: ts.Node): Context | undefined {
  let child: ts.Node = node;
  for (let depth = 0; depth < 200; depth++) {
    const found = containingTry(child);
    if (!found) return undefined;
    const { tryStatement, block } = found;
    if (block === 'try') {
      if (tryStatement.catchClause) {
        return { where: 'a `try` block', effect: tryStatement.finallyBlock ? `${SKIPS_CATCH}, and ${FINALLY_EARLY}` : SKIPS_CATCH };
      }
      return { where: 'a `try` block', effect: FINALLY_EARLY };
    }
    if (block === 'catch' && tryStatement.finallyBlock) return { where: 'a `catch` block (its `try` has a `finally`)', effect: FINALLY_EARLY };
    child = tryStatement;
  }
  return undefined;
}

function containingTry(node: ts.Node): { tryStatement: ts.TryStatement; block: 'try' | 'catch' | 'finally' } | undefined {
  let child = node;
  for (let ancestor = node.parent; ancestor && !isFunctionLike(ancestor); child = ancestor, ancestor = ancestor.parent) {
    if (ts.isTryStatement(ancestor)) {
      const block = child === ancestor.tryBlock ? 'try' : child === ancestor.catchClause ? 'catch' : 'finally';
      return { tryStatement: ancestor, block };
    }
  }
  return undefined;
}

/** A `using`/`await using` declared before the `return`, in a block between it and the function. */
function usingContext(node: ts.Node, fn: ts.Node): Context | undefined {
  let child = node;
  for (let ancestor = node.parent; ancestor && ancestor !== fn; child = ancestor, ancestor = ancestor.parent) {
    const statements = ts.isBlock(ancestor) || ts.isSourceFile(ancestor) || ts.isCaseClause(ancestor) || ts.isDefaultClause(ancestor) ? ancestor.statements : undefined;
    if (statements) {
      for (const s of statements) {
        if (s === child) break;
        if (ts.isVariableStatement(s) && isUsing(s.declarationList)) return usingFound(s.declarationList);
      }
    }
    if ((ts.isForOfStatement(ancestor) || ts.isForStatement(ancestor)) && ancestor.initializer && ts.isVariableDeclarationList(ancestor.initializer) && isUsing(ancestor.initializer) && child === ancestor.statement) {
      return usingFound(ancestor.initializer);
    }
  }
  return undefined;
}

function isUsing(list: ts.VariableDeclarationList): boolean {
  const flags = list.flags & ts.NodeFlags.BlockScoped;
  return flags === ts.NodeFlags.Using || flags === ts.NodeFlags.AwaitUsing;
}

function usingFound(list: ts.VariableDeclarationList): Context {
  const first = list.declarations[0];
  const name = first && ts.isIdentifier(first.name) ? first.name.text : 'the resource';
  const keyword = (list.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.AwaitUsing ? 'await using' : 'using';
  return { where: `the scope of \`${keyword} ${name}\``, effect: `\`${name}\` is disposed before the work has finished` };
}
