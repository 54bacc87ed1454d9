/**
 * Facts about one relation read (`order.user`): is it a write target, is it guarded (the
 * code already expects it may be missing), and is its entity one element of a collection
 * walked by a loop or an array callback.
 */
import ts from '../ts/typescript.cjs';
import type { TypeQueries } from '../program/type-queries.js';
import { isFunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions, walk } from '../program/walk.js';
import type { PerItemContext } from './loops.js';
import { isAssignmentOperator, isInside } from '../program/syntax.js';

/** `order.user = x`, `delete order.user`, `[order.user] = ...`: not a read. */
export function isWriteTarget(access: ts.Expression): boolean {
  let n: ts.Node = access;
  while (ts.isParenthesizedExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isBinaryExpression(p) && p.left === n && isAssignmentOperator(p.operatorToken.kind)) return true;
  if (ts.isDeleteExpression(p)) return true;
  if ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)) return true;
  return ts.isArrayLiteralExpression(p) || ts.isShorthandPropertyAssignment(p);
}

function isNullish(e: ts.Expression): boolean {
  const x = skipOuterExpressions(e);
  return x.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(x) && x.text === 'undefined') || ts.isVoidExpression(x);
}

/** The read itself tests for presence: `x.rel?.a`, `!x.rel`, `x.rel ?? d`, `if (x.rel)`, `x.rel === undefined`, `typeof x.rel`. */
function isGuardUse(access: ts.Expression): boolean {
  let n: ts.Node = access;
  while (ts.isParenthesizedExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p) || ts.isCallExpression(p)) && p.questionDotToken && p.expression === n) return true;
  if (ts.isPrefixUnaryExpression(p) && p.operator === ts.SyntaxKind.ExclamationToken) return true;
  if (ts.isTypeOfExpression(p)) return true;
  if (ts.isBinaryExpression(p)) {
    const op = p.operatorToken.kind;
    if (p.left === n && (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken)) return true;
    const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    if (eq && isNullish(p.left === n ? p.right : p.left)) return true;
  }
  if ((ts.isIfStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) && p.expression === n) return true;
  if (ts.isConditionalExpression(p) && p.condition === n) return true;
  return false;
}

const guardCache = new WeakMap<ts.Node, Set<string>>();

function enclosingScope(node: ts.Node): ts.Node {
  for (let n = node.parent; n; n = n.parent) {
    if (isFunctionLike(n) || ts.isSourceFile(n)) return n;
  }
  return node.getSourceFile();
}

function textOf(e: ts.Expression): string {
  return skipOuterExpressions(e).getText().replace(/\s+/g, '').replace(/\?\./g, '.');
}

/** The read is guarded, or the same expression is tested for presence somewhere in its function
 * (`if (!order.user) throw ...; order.user.email`, `if (!guild) guild = ...; guild.name`). */
export function isGuarded(access: ts.Expression): boolean {
  if (isGuardUse(access)) return true;
  const scope = enclosingScope(access);
  let texts = guardCache.get(scope);
  if (!texts) {
    const found = new Set<string>();
    walk(scope, (n) => {
      if (n !== scope && isFunctionLike(n)) return false;
      if ((ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) || ts.isIdentifier(n)) && isGuardUse(n)) found.add(textOf(n));
      return true;
    });
    texts = found;
    guardCache.set(scope, texts);
  }
  return texts.has(textOf(access));
}

function declaredInside(types: TypeQueries, id: ts.Identifier, container: ts.Node): boolean {
  const decl = types.valueDeclarationAt(id);
  return !!decl && isInside(decl, container);
}

/** `i++`, `i += 1`, `i = i + 1` inside the loop: the index walks the collection. */
function writtenInside(types: TypeQueries, id: ts.Identifier, container: ts.Node): boolean {
  const symbol = types.symbolAt(id);
  let found = false;
  walk(container, (n) => {
    if (found) return false;
    let target: ts.Expression | undefined;
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) target = n.operand;
    else if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind)) target = n.left;
    if (target && ts.isIdentifier(target) && types.symbolAt(target) === symbol) found = true;
    return true;
  });
  return found;
}

/** Is the entity expression one element of the context's collection: its variable is declared by
 * the loop or callback (`for (const post of posts)`, `posts.map((post) => ...)`), or it is
 * indexed by the loop's counter (`posts[i]`)? */
export function isPerItem(types: TypeQueries, entity: ts.Expression, ctx: PerItemContext): boolean {
  const container = ctx.kind === 'loop' ? ctx.node : ctx.callback.fn;
  let e = skipOuterExpressions(entity);
  for (let depth = 0; depth < 20; depth++) {
    if (ts.isIdentifier(e)) return declaredInside(types, e, container);
    if (ts.isElementAccessExpression(e)) {
      const index = skipOuterExpressions(e.argumentExpression);
      if (ts.isIdentifier(index) && (declaredInside(types, index, container) || writtenInside(types, index, container))) return true;
      e = skipOuterExpressions(e.expression);
    } else if (ts.isPropertyAccessExpression(e)) {
      e = skipOuterExpressions(e.expression);
    } else if (ts.isCallExpression(e) && e.arguments[0]) {
      e = skipOuterExpressions(e.arguments[0]); // `wrap(book)`
    } else {
      return false;
    }
  }
  return false;
}
