/**
 * A helper that runs a query only when the caller did not give it something: the common shape
 * "use the caller's transaction, else open one of my own".
 *
 *   static addSwap = async (swap, options?) => {
 *     if (options !== undefined) return Swap.create(swap, options);
 *     return sequelize.transaction(async (transaction) => Swap.create(swap, { transaction }));
 *   };
 *
 * The second query is reached only when `options` is missing, so a caller inside a transaction
 * that passes `{ transaction: t }` never reaches it. `missingGuard` finds that condition for a
 * node of a function: an early exit taken when the parameter (or one of its properties) is
 * given, or a branch taken when it is missing. `givenAt` says whether a call gives it.
 */
import ts from '../../ts/typescript.cjs';
import type { FunctionLike } from '../../program/callgraph.js';
import type { TypeQueries } from '../../program/type-queries.js';
import { skipOuterExpressions } from '../../program/walk.js';

/** Reached only when parameter `index` (or its `property`, when named) is undefined or null. */
export interface MissingGuard {
  index: number;
  property?: string;
}

/** The condition on a parameter under which `node` (in `fn`, outside nested functions) is reached, if any. */
export function missingGuard(types: TypeQueries, fn: FunctionLike, node: ts.Node): MissingGuard | undefined {
  let child: ts.Node = node;
  for (let n = node.parent; n && n !== fn; child = n, n = n.parent) {
    if (ts.isFunctionLike(n)) return undefined;
    if (ts.isIfStatement(n) && child !== n.expression) {
      const test = testedParam(types, fn, n.expression);
      if (test && (child === n.thenStatement) === !test.given) return test.guard;
    }
    if (ts.isBinaryExpression(n) && child === n.right && (n.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || n.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      const test = testedParam(types, fn, n.left);
      if (test?.given) return test.guard;
    }
    if (ts.isBlock(n)) {
      for (const s of n.statements) {
        if (s === child) break;
        if (!ts.isIfStatement(s) || s.elseStatement || !alwaysExits(s.thenStatement)) continue;
        const test = testedParam(types, fn, s.expression);
        if (test?.given) return test.guard;
      }
    }
  }
  return undefined;
}

/** Does `call` give what the guard tests (an argument that cannot be undefined or null)? */
export function givenAt(types: TypeQueries, call: ts.CallExpression | ts.NewExpression, guard: MissingGuard): boolean {
  const args = call.arguments ?? [];
  if (args.slice(0, guard.index + 1).some((a) => ts.isSpreadElement(a))) return false;
  const arg = args[guard.index];
  if (!arg) return false;
  const value = skipOuterExpressions(arg);
  if (guard.property === undefined) return isPresent(types, value);
  if (!ts.isObjectLiteralExpression(value)) return false;
  return value.properties.some((p) =>
    (ts.isPropertyAssignment(p) && propertyName(p.name) === guard.property && isPresent(types, skipOuterExpressions(p.initializer)))
    || (ts.isShorthandPropertyAssignment(p) && p.name.text === guard.property && isPresent(types, p.name)));
}

/** A value that is never undefined or null: a literal object, array or function, or one whose type says so. */
function isPresent(types: TypeQueries, value: ts.Expression): boolean {
  if (ts.isObjectLiteralExpression(value) || ts.isArrayLiteralExpression(value) || ts.isFunctionLike(value) || ts.isNewExpression(value)) return true;
  if (isUndefined(value) || value.kind === ts.SyntaxKind.NullKeyword) return false;
  const type = types.typeAt(value);
  if (!type || types.isAnyOrUnknown(type)) return false;
  return !types.unionParts(type).some((t) => types.isNullish(t) || types.isAnyOrUnknown(t));
}

/** `p`, `p.x`, `p?.x` tested for being given (`p`, `p !== undefined`, `p != null`) or missing (`!p`, `p === undefined`, `p == null`). */
function testedParam(types: TypeQueries, fn: FunctionLike, cond: ts.Expression): { guard: MissingGuard; given: boolean } | undefined {
  const e = skipOuterExpressions(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = testedParam(types, fn, e.operand);
    return inner && { guard: inner.guard, given: !inner.given };
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const equal = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const unequal = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    if (!equal && !unequal) return undefined;
    const [subject, other] = isNothing(e.right, op) ? [e.left, e.right] : isNothing(e.left, op) ? [e.right, e.left] : [undefined, undefined];
    if (!subject || !other) return undefined;
    const guard = paramRead(types, fn, subject);
    return guard && { guard, given: unequal };
  }
  const guard = paramRead(types, fn, e);
  return guard && { guard, given: true };
}

/** `undefined` (any equality), or `null` with a loose one (`== null` also matches undefined). */
function isNothing(e: ts.Expression, op: ts.SyntaxKind): boolean {
  const v = skipOuterExpressions(e);
  return isUndefined(v) || (v.kind === ts.SyntaxKind.NullKeyword && (op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken));
}

function isUndefined(e: ts.Expression): boolean {
  return e.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isIdentifier(e) && e.text === 'undefined');
}

/** `p` or `p.x` / `p?.x` where `p` is a parameter of `fn`. */
function paramRead(types: TypeQueries, fn: FunctionLike, e: ts.Expression): MissingGuard | undefined {
  const v = skipOuterExpressions(e);
  const [id, property] = ts.isPropertyAccessExpression(v) && ts.isIdentifier(v.name) ? [skipOuterExpressions(v.expression), v.name.text] : [v, undefined];
  if (!ts.isIdentifier(id)) return undefined;
  const decl = types.valueDeclarationAt(id);
  if (!decl || !ts.isParameter(decl) || decl.parent !== fn || !ts.isIdentifier(decl.name)) return undefined;
  return { index: fn.parameters.indexOf(decl), property };
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** A statement after which control never continues: `return`, `throw`, or a block ending in one. */
function alwaysExits(s: ts.Statement): boolean {
  if (ts.isReturnStatement(s) || ts.isThrowStatement(s)) return true;
  if (ts.isBlock(s)) {
    const last = s.statements[s.statements.length - 1];
    return !!last && alwaysExits(last);
  }
  if (ts.isIfStatement(s)) return !!s.elseStatement && alwaysExits(s.thenStatement) && alwaysExits(s.elseStatement);
  return false;
}
