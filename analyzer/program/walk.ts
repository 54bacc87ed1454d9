import ts from '../ts/typescript.cjs';

/** Where `pushChild` puts children: set just before each `ts.forEachChild` (visits never run inside it). */
let childTarget: ts.Node[] = [];
const pushChild = (child: ts.Node): void => {
  childTarget.push(child);
};

/**
 * Visit every node under `root` in source order, iteratively (expressions nested thousands
 * deep must not overflow the stack). Return false from `visit` to skip a node's children.
 * A pure traversal: it records nothing for the analysis cache (see program/dependencies.ts).
 */
export function walk(root: ts.Node, visit: (node: ts.Node) => boolean | void): void {
  const stack: ts.Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    // Push the children, then reverse them in place so the first child is popped first.
    const mark = stack.length;
    childTarget = stack;
    ts.forEachChild(node, pushChild);
    for (let i = mark, j = stack.length - 1; i < j; i++, j--) {
      const t = stack[i]!;
      stack[i] = stack[j]!;
      stack[j] = t;
    }
  }
}

/** Strip parentheses, type assertions, `!` and `satisfies` from an expression. */
export function skipOuterExpressions(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isSatisfiesExpression(e) ||
    ts.isTypeAssertionExpression(e)
  ) {
    e = e.expression;
  }
  return e;
}

/** `export function f`, `export class C`, `export const x = ...` (a variable's `export` is on its statement). */
export function isExportedDeclaration(node: ts.Node): boolean {
  const holder = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  return ts.canHaveModifiers(holder) && !!ts.getModifiers(holder)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}
