/**
 * Small syntax questions the checks ask of a node, written once: operator kinds, modifiers,
 * `const`, a method call's name and receiver, the root of a chain, the expression around a
 * node's parentheses and type assertions, containment.
 * (The function around a node is `enclosingFunction` in callgraph.ts.)
 */
import ts from '../ts/typescript.cjs';
import { skipOuterExpressions } from './walk.js';

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

/** Is this keyword (`async`, `static`, ...) among the node's own modifiers? */
export function hasModifier(node: ts.Node, kind: ts.ModifierSyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

export function hasAsyncModifier(node: ts.Node): boolean {
  return hasModifier(node, ts.SyntaxKind.AsyncKeyword);
}

/** `const x = ...` (also `using`, `await using`). */
export function isConstDeclaration(decl: ts.VariableDeclaration): boolean {
  return (ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) !== 0;
}

/** `a.b.method(...)`: `method` (through parentheses and type assertions); undefined for other callees. */
export function methodName(call: ts.CallExpression): string | undefined {
  const callee = skipOuterExpressions(call.expression);
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
}

/** `a.b.method(...)`: `a.b`; undefined for other callees. */
export function receiverOf(call: ts.CallExpression): ts.Expression | undefined {
  const callee = skipOuterExpressions(call.expression);
  return ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
}

/** The expression with the parentheses, `!`, `as` and `satisfies` around it. */
export function outermost(node: ts.Expression): ts.Expression;
export function outermost(node: ts.Node): ts.Node;
export function outermost(node: ts.Node): ts.Node {
  let n = node;
  while (ts.isParenthesizedExpression(n.parent) || ts.isNonNullExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent)) n = n.parent;
  return n;
}

/** The identifier a chain of calls, property and element reads starts from: `expect` in `expect(x).not.toBe`, `ctx` in `ctx.state['tx']`. */
export function chainRoot(expression: ts.Expression): ts.Identifier | undefined {
  let e = skipOuterExpressions(expression);
  for (let depth = 0; depth < 32 && (ts.isPropertyAccessExpression(e) || ts.isCallExpression(e) || ts.isElementAccessExpression(e)); depth++) e = skipOuterExpressions(e.expression);
  return ts.isIdentifier(e) ? e : undefined;
}

/** Is the node within the container's text, in the same file? */
export function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end && node.getSourceFile() === container.getSourceFile();
}
