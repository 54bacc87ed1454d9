/**
 * Per-function facts for `no-misused-async-function`, computed once per function and program
 * (a SummaryKind with no dependencies: each fact reads only the function's own body), so a
 * function passed at many call sites, in many files, is walked once.
 *
 * Whether a function cannot reject (it handles its own failures) is a whole-program summary of
 * its own: analyzer/promises/rejections.ts.
 * - `awaitsFirstParam`: the first parameter is awaited (`await acc`, `await Promise.all([acc, ...])`)
 *   or chained with `.then`: a reducer that waits for its accumulator.
 */
import ts from '../../ts/typescript.cjs';
import type { SymbolRef, TypeQueries } from '../../program/type-queries.js';
import { isFunctionLike, type FunctionLike } from '../../program/callgraph.js';
import { getSummary, type SummaryKind } from '../../summaries/engine.js';
import { touch } from '../../program/dependencies.js';
import { skipOuterExpressions, walk } from '../../program/walk.js';

export interface FunctionFacts {
  awaitsFirstParam: boolean;
}

export const factsKind: SummaryKind<FunctionFacts> = {
  name: 'no-misused-async-function:facts',
  initial: () => ({ awaitsFirstParam: false }),
  dependencies: () => [],
  compute: (fn) => ({ awaitsFirstParam: awaitsFirstParam(fn) }),
  equals: (a, b) => a.awaitsFirstParam === b.awaitsFirstParam,
};

export function getFacts(program: ts.Program, fn: FunctionLike): FunctionFacts {
  touch(fn); // its body is read, and it may be in another file
  return getSummary(program, factsKind, fn);
}

/** Visit a subtree without entering nested functions or classes. */
function walkOwn(root: ts.Node, visit: (node: ts.Node) => void): void {
  walk(root, (node) => {
    if (node !== root && (isFunctionLike(node) || ts.isClassLike(node))) return false;
    visit(node);
    return true;
  });
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
export function functionBehind(types: TypeQueries, expression: ts.Expression): FunctionLike | undefined {
  const expr = skipOuterExpressions(expression);
  if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) return expr;
  const nameNode = ts.isPropertyAccessExpression(expr) ? expr.name : ts.isIdentifier(expr) ? expr : undefined;
  if (!nameNode) return undefined;
  return functionOfSymbol(types.symbolAt(nameNode), types);
}

/**
 * The first declaration of a symbol that is (or is initialised with) a function with a body;
 * `const alias = other` is followed (a few steps).
 */
export function functionOfSymbol(symbol: SymbolRef | undefined, types: TypeQueries): FunctionLike | undefined {
  let current = symbol;
  for (let depth = 0; current && depth < 5; depth++) {
    let next: SymbolRef | undefined;
    for (const decl of types.declarationsOf(current)) {
      const fn = withBody(decl);
      if (fn) return fn;
      if (ts.isVariableDeclaration(decl) && decl.initializer) {
        const init = skipOuterExpressions(decl.initializer);
        if (ts.isIdentifier(init) || ts.isPropertyAccessExpression(init)) next ??= types.symbolAt(ts.isIdentifier(init) ? init : init.name);
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
