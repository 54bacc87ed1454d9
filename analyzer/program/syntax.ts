/**
 * Small syntax questions the checks ask of a node, written once: operator kinds, the `async`
 * modifier, the expression around a node's parentheses and type assertions, containment.
 * (The function around a node is `enclosingFunction` in callgraph.ts.)
 */
import ts from '../ts/typescript.cjs';

/** `&&`, `||`, `??`: the right operand may not run. */
export function isLogicalOperator(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.AmpersandAmpersandToken || kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.QuestionQuestionToken;
}

/** `=`, `+=`, `??=`, ... (every assignment operator). */
export function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** `a = b`, `a += b`, `a ??= b`, ... */
export function isAssignment(node: ts.Node): node is ts.BinaryExpression {
  return ts.isBinaryExpression(node) && isAssignmentOperator(node.operatorToken.kind);
}

/** Is the `async` keyword among the node's own modifiers? */
export function hasAsyncModifier(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
}

/** The expression with the parentheses, `!`, `as` and `satisfies` around it. */
export function outermost(node: ts.Expression): ts.Expression;
export function outermost(node: ts.Node): ts.Node;
export function outermost(node: ts.Node): ts.Node {
  let n = node;
  while (ts.isParenthesizedExpression(n.parent) || ts.isNonNullExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent)) n = n.parent;
  return n;
}

/** Is the node within the container's text, in the same file? */
export function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end && node.getSourceFile() === container.getSourceFile();
}
