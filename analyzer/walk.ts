import ts from 'typescript';

/**
 * Visit every node under `root` in source order, iteratively (expressions nested thousands
 * deep must not overflow the stack). Return false from `visit` to skip a node's children.
 */
export function walk(root: ts.Node, visit: (node: ts.Node) => boolean | void): void {
  const stack: ts.Node[] = [root];
  const children: ts.Node[] = [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    children.length = 0;
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
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
