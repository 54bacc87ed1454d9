/**
 * Per-function facts for `no-misused-async-function`, computed once per function and program
 * (a SummaryKind with no dependencies: each fact reads only the function's own body), so a
 * function passed at many call sites, in many files, is walked once.
 *
 * - `handlesRejections`: the function cannot reject. An async function whose whole body is
 *   `try { ... } catch { ... }` with a catch (and finally) that does not `throw`; or a
 *   function whose result is `p.catch(handler)` / `p.then(onFulfilled, onRejected)`.
 * - `awaitsFirstParam`: the first parameter is awaited (`await acc`, `await Promise.all([acc, ...])`)
 *   or chained with `.then`: a reducer that waits for its accumulator.
 */
import ts from '../../typescript.cjs';
import type { Door } from '../../checker.js';
import { isFunctionLike, type FunctionLike } from '../../callgraph.js';
import { getSummary, type SummaryKind } from '../../summaries/engine.js';
import { skipOuterExpressions, walk } from '../../walk.js';

export interface FunctionFacts {
  handlesRejections: boolean;
  awaitsFirstParam: boolean;
}

export const factsKind: SummaryKind<FunctionFacts> = {
  name: 'no-misused-async-function:facts',
  initial: () => ({ handlesRejections: false, awaitsFirstParam: false }),
  dependencies: () => [],
  compute: (fn) => ({ handlesRejections: handlesRejections(fn), awaitsFirstParam: awaitsFirstParam(fn) }),
  equals: (a, b) => a.handlesRejections === b.handlesRejections && a.awaitsFirstParam === b.awaitsFirstParam,
};

export function getFacts(program: ts.Program, fn: FunctionLike): FunctionFacts {
  return getSummary(program, factsKind, fn);
}

function isAsync(fn: FunctionLike): boolean {
  return (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
}

/** Visit a subtree without entering nested functions or classes. */
function walkOwn(root: ts.Node, visit: (node: ts.Node) => void): void {
  walk(root, (node) => {
    if (node !== root && (isFunctionLike(node) || ts.isClassLike(node))) return false;
    visit(node);
    return true;
  });
}

function containsThrow(block: ts.Node | undefined): boolean {
  if (!block) return false;
  let found = false;
  walkOwn(block, (node) => {
    if (ts.isThrowStatement(node)) found = true;
  });
  return found;
}

/** `p.catch(h)`, `p.then(a, h)`, `p.catch(h).finally(f)`, `await` of one of them. */
export function isHandledChain(expression: ts.Expression): boolean {
  let e = skipOuterExpressions(expression);
  if (ts.isAwaitExpression(e)) e = skipOuterExpressions(e.expression);
  for (let depth = 0; depth < 20; depth++) {
    if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return false;
    const method = e.expression.name.text;
    if (method === 'catch') return e.arguments.length >= 1;
    if (method === 'then') return e.arguments.length >= 2;
    if (method !== 'finally') return false;
    e = skipOuterExpressions(e.expression.expression);
  }
  return false;
}

function handlesRejections(fn: FunctionLike): boolean {
  const body = fn.body;
  if (!body) return false;
  if (!ts.isBlock(body)) return isHandledChain(body);
  if (body.statements.length !== 1) return false;
  const only = body.statements[0]!;
  if (ts.isReturnStatement(only)) return !!only.expression && isHandledChain(only.expression);
  if (isAsync(fn) && ts.isExpressionStatement(only)) return isHandledChain(only.expression) && ts.isAwaitExpression(skipOuterExpressions(only.expression));
  if (isAsync(fn) && ts.isTryStatement(only)) {
    return !!only.catchClause && !containsThrow(only.catchClause.block) && !containsThrow(only.finallyBlock);
  }
  return false;
}

function awaitsFirstParam(fn: FunctionLike): boolean {
  const first = fn.parameters[0];
  if (!first || !ts.isIdentifier(first.name) || !fn.body) return false;
  const name = first.name.text;
  let awaited = false;
  walkOwn(fn.body, (node) => {
    if (awaited) return;
    if (ts.isAwaitExpression(node)) {
      walkOwn(node.expression, (inner) => {
        if (ts.isIdentifier(inner) && inner.text === name) awaited = true;
      });
    } else if (ts.isPropertyAccessExpression(node) && node.name.text === 'then') {
      const target = skipOuterExpressions(node.expression);
      if (ts.isIdentifier(target) && target.text === name) awaited = true;
    }
  });
  return awaited;
}

/**
 * The function with a body behind an expression: an inline function, or the declaration a
 * name refers to (`save`, `this.onMessage`, an imported function, `const f = async () => ...`).
 */
export function functionBehind(door: Door, expression: ts.Expression): FunctionLike | undefined {
  const expr = skipOuterExpressions(expression);
  if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) return expr;
  const nameNode = ts.isPropertyAccessExpression(expr) ? expr.name : ts.isIdentifier(expr) ? expr : undefined;
  if (!nameNode) return undefined;
  return functionOfSymbol(door.symbolAt(nameNode), door);
}

/**
 * The first declaration of a symbol that is (or is initialised with) a function with a body;
 * with a door, `const alias = other` is followed (a few steps).
 */
export function functionOfSymbol(symbol: ts.Symbol | undefined, door?: Door): FunctionLike | undefined {
  let current = symbol;
  for (let depth = 0; current && depth < 5; depth++) {
    let next: ts.Symbol | undefined;
    for (const decl of current.getDeclarations() ?? []) {
      const fn = withBody(decl);
      if (fn) return fn;
      if (door && ts.isVariableDeclaration(decl) && decl.initializer) {
        const init = skipOuterExpressions(decl.initializer);
        if (ts.isIdentifier(init) || ts.isPropertyAccessExpression(init)) next ??= door.symbolAt(ts.isIdentifier(init) ? init : init.name);
      }
    }
    current = next;
  }
  return undefined;
}

function withBody(decl: ts.Node): FunctionLike | undefined {
  if (isFunctionLike(decl)) return decl.body ? decl : undefined;
  if ((ts.isVariableDeclaration(decl) || ts.isPropertyAssignment(decl) || ts.isPropertyDeclaration(decl)) && decl.initializer) {
    const init = skipOuterExpressions(decl.initializer);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  }
  return undefined;
}
