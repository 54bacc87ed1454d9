/** Small helpers for building messages and safe edits, shared by the checks. */
import ts from 'typescript';
import { isFunctionLike } from '../callgraph.js';
import { skipOuterExpressions } from '../walk.js';

/** Is `await` valid at this position: inside an async function, or at the top level of an ES module? */
export function isAwaitAllowed(node: ts.Node, sf: ts.SourceFile): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (isFunctionLike(n)) return hasAsync(n);
    if (ts.isClassStaticBlockDeclaration(n) || ts.isPropertyDeclaration(n)) return false;
  }
  return ts.isExternalModule(sf) && !/\.c[jt]s$/.test(sf.fileName);
}

function hasAsync(fn: ts.Node): boolean {
  return (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0;
}

/** Does inserting a prefix operator (`await `, `void `) before this expression need parentheses? */
export function needsParens(expr: ts.Expression): boolean {
  const e = expr;
  if (ts.isParenthesizedExpression(e)) return false;
  return (
    ts.isBinaryExpression(e) ||
    ts.isConditionalExpression(e) ||
    ts.isArrowFunction(e) ||
    ts.isYieldExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isSatisfiesExpression(e)
  );
}

/** A short, readable name for an expression in a message: `` `sendEmail(...)` ``, `` `this.repo.save(...)` ``. */
export function describeExpression(expr: ts.Expression, sf: ts.SourceFile): string {
  const e = skipOuterExpressions(expr);
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) {
    const callee = skipOuterExpressions(e.expression);
    if (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) return 'this immediately-invoked async function';
    return `\`${ts.isNewExpression(e) ? 'new ' : ''}${shorten(callee.getText(sf))}(...)\``;
  }
  return `\`${shorten(e.getText(sf))}\``;
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}
