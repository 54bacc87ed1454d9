/**
 * Per-item contexts: the loops and array callbacks whose body runs once per element of a
 * collection, and the facts the relation rules need about them (a short literal list, an exit
 * right after the query, the element a callback parameter stands for).
 */
import ts from '../ts/typescript.cjs';
import type { TypeQueries } from '../program/type-queries.js';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions } from '../program/walk.js';
import { PER_ITEM_ARRAY_METHODS, SMALL_LITERAL_LIST } from './catalog.js';
import { inPlaceHost } from './in-place.js';

export interface PerItemCallback {
  call: ts.CallExpression;
  method: string;
  receiver: ts.Expression;
  fn: FunctionLike;
  /** The parameter that holds the element (the second one for `reduce`). */
  item: ts.ParameterDeclaration | undefined;
}

export type PerItemContext =
  | { kind: 'loop'; node: ts.IterationStatement; iterable: ts.Expression | undefined }
  | { kind: 'callback'; node: ts.CallExpression; callback: PerItemCallback };

function isArrayLike(types: TypeQueries, expr: ts.Expression): boolean {
  const type = types.typeAt(expr);
  if (!type) return false;
  const t = types.nonNullable(type);
  if (types.isArrayOrTuple(t)) return true;
  const symbol = types.typeSymbol(t);
  const name = symbol && types.symbolName(symbol);
  return name === 'ReadonlyArray' || name === 'Array';
}

/** `xs.map((x) => ...)` and the other per-element array methods, on an array-typed receiver. */
export function perItemCallback(types: TypeQueries, fn: ts.Node): PerItemCallback | undefined {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const call = fn.parent;
  if (!ts.isCallExpression(call) || call.arguments[0] !== fn) return undefined;
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !PER_ITEM_ARRAY_METHODS.includes(callee.name.text)) return undefined;
  const receiver = skipOuterExpressions(callee.expression);
  if (!isArrayLike(types, receiver)) return undefined;
  const method = callee.name.text;
  const item = method.startsWith('reduce') ? fn.parameters[1] : fn.parameters[0];
  return { call, method, receiver, fn, item };
}

/** Loops whose turns walk a collection: for-of/for-in (also `for await`), and while/do/for
 * loops whose condition compares or measures (`i < ids.length`, `queue.length > 0`), unless
 * the comparison only counts up to a constant (`i < 3`, `attempt++ < MAX_ATTEMPTS`: a retry
 * loop, whose number of turns no data decides). `while (true)` and `while (!done)` poll or
 * page; they are not one turn per element. */
export function isCollectionLoop(loop: ts.IterationStatement, types?: TypeQueries): boolean {
  if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) return true;
  const condition = ts.isForStatement(loop) ? loop.condition : (loop as ts.WhileStatement | ts.DoStatement).expression;
  if (!condition) return false;
  const c = skipOuterExpressions(condition);
  if (types && isConstantCount(types, c)) return false;
  if (ts.isBinaryExpression(c) && isComparison(c.operatorToken.kind)) return true;
  return ts.isPropertyAccessExpression(c) && (c.name.text === 'length' || c.name.text === 'size');
}

function isComparison(op: ts.SyntaxKind): boolean {
  return op === ts.SyntaxKind.LessThanToken || op === ts.SyntaxKind.LessThanEqualsToken || op === ts.SyntaxKind.GreaterThanToken || op === ts.SyntaxKind.GreaterThanEqualsToken;
}

/**
 * The condition stops the loop after a constant number of turns: a counter that starts at a
 * constant compared with a constant (`let i = 0; i < 3`, `attempt++ < MAX`), alone or as one
 * side of `&&` (`!done && attempt < MAX`).
 */
function isConstantCount(types: TypeQueries, condition: ts.Expression): boolean {
  const c = skipOuterExpressions(condition);
  if (!ts.isBinaryExpression(c)) return false;
  const op = c.operatorToken.kind;
  if (op === ts.SyntaxKind.AmpersandAmpersandToken) return isConstantCount(types, c.left) || isConstantCount(types, c.right);
  if (!isComparison(op)) return false;
  return (isCounter(types, c.left) && isConstant(types, c.right, 0)) || (isCounter(types, c.right) && isConstant(types, c.left, 0));
}

/** `i`, `i++`, `++i`, `i--`: a variable declared with a constant start. */
function isCounter(types: TypeQueries, expr: ts.Expression): boolean {
  let e = skipOuterExpressions(expr);
  if (ts.isPostfixUnaryExpression(e) || ts.isPrefixUnaryExpression(e)) e = skipOuterExpressions(e.operand);
  if (!ts.isIdentifier(e)) return false;
  const decl = types.valueDeclarationAt(e);
  return !!decl && ts.isVariableDeclaration(decl) && !!decl.initializer && isConstant(types, decl.initializer, 0);
}

/** A number no data decides: a literal, a constant or readonly property initialised with one, an enum member, arithmetic of those. */
function isConstant(types: TypeQueries, expr: ts.Expression, depth: number): boolean {
  if (depth > 6) return false;
  const e = skipOuterExpressions(expr);
  if (ts.isNumericLiteral(e)) return true;
  if (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken)) return isConstant(types, e.operand, depth + 1);
  if (ts.isBinaryExpression(e) && ARITHMETIC.has(e.operatorToken.kind)) return isConstant(types, e.left, depth + 1) && isConstant(types, e.right, depth + 1);
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return false;
  const decl = types.valueDeclarationAt(ts.isPropertyAccessExpression(e) ? e.name : e);
  if (!decl) return false;
  if (ts.isEnumMember(decl)) return true;
  const fixed =
    (ts.isVariableDeclaration(decl) && (ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) !== 0) ||
    (ts.isPropertyDeclaration(decl) && (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Readonly) !== 0);
  const init = fixed ? (decl as ts.VariableDeclaration | ts.PropertyDeclaration).initializer : undefined;
  return !!init && isConstant(types, init, depth + 1);
}

const ARITHMETIC = new Set([ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.PercentToken]);

function iterableOf(loop: ts.IterationStatement): ts.Expression | undefined {
  return ts.isForOfStatement(loop) || ts.isForInStatement(loop) ? loop.expression : undefined;
}

/** The innermost per-item context around `node` in its function (a per-item callback counts as its own context). */
export function perItemContextOf(types: TypeQueries, node: ts.Node): PerItemContext | undefined {
  let child: ts.Node = node;
  for (let n = node.parent; n; child = n, n = n.parent) {
    if (isFunctionLike(n)) {
      const callback = perItemCallback(types, n);
      if (callback) return { kind: 'callback', node: callback.call, callback };
      // A lock's critical section or a `.then` continuation runs where its call is: look on from there.
      const host = inPlaceHost(types.program, n);
      if (!host) return undefined;
      n = host;
      continue;
    }
    if (ts.isClassLike(n) || ts.isSourceFile(n)) return undefined;
    if (ts.isIterationStatement(n, false) && child === n.statement && isCollectionLoop(n, types)) {
      return { kind: 'loop', node: n, iterable: iterableOf(n) };
    }
  }
  return undefined;
}

/** Is the expression a literal list of at most SMALL_LITERAL_LIST elements (or a `const` bound to one)? */
export function isSmallLiteralList(types: TypeQueries, expr: ts.Expression | undefined): boolean {
  if (!expr) return false;
  let e = skipOuterExpressions(expr);
  if (ts.isIdentifier(e)) {
    const decl = types.valueDeclarationAt(e);
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !(decl.parent.flags & ts.NodeFlags.Const)) return false;
    e = skipOuterExpressions(decl.initializer);
  }
  return ts.isArrayLiteralExpression(e) && e.elements.length <= SMALL_LITERAL_LIST && !e.elements.some(ts.isSpreadElement);
}

/** The context runs over a short literal list (`for (const k of ['a', 'b'])`, `for (let i = 0; i < 3; i++)`). */
export function isSmallContext(types: TypeQueries, ctx: PerItemContext): boolean {
  if (ctx.kind === 'callback') return isSmallLiteralList(types, ctx.callback.receiver);
  if (ctx.iterable) return isSmallLiteralList(types, ctx.iterable);
  const loop = ctx.node;
  if (!ts.isForStatement(loop) || !loop.condition) return false;
  const c = skipOuterExpressions(loop.condition);
  if (!ts.isBinaryExpression(c) || !ts.isNumericLiteral(c.right)) return false;
  const bound = Number(c.right.text);
  if (c.operatorToken.kind === ts.SyntaxKind.LessThanToken) return bound <= SMALL_LITERAL_LIST;
  if (c.operatorToken.kind === ts.SyntaxKind.LessThanEqualsToken) return bound < SMALL_LITERAL_LIST;
  return false;
}

/** After `node` runs, the loop is left unconditionally (`return`, `throw`, or a `break` of this loop):
 * at most one query per run of the loop. */
export function exitsAfter(node: ts.Node, loop: ts.IterationStatement): boolean {
  let child: ts.Node = node;
  for (let n = node.parent; n && n !== loop; child = n, n = n.parent) {
    if (isFunctionLike(n)) return false;
    if (ts.isReturnStatement(n) || ts.isThrowStatement(n)) return true;
    const list = ts.isBlock(n) ? n.statements : ts.isCaseClause(n) || ts.isDefaultClause(n) ? n.statements : undefined;
    if (!list) continue;
    const index = list.indexOf(child as ts.Statement);
    for (const after of list.slice(index + 1)) {
      if (ts.isReturnStatement(after) || ts.isThrowStatement(after)) return true;
      if (ts.isBreakStatement(after) && (after.label ? labelOf(loop) === after.label.text : breakTargets(n, loop))) return true;
    }
  }
  return false;
}

/** Does an unlabeled `break` written in `at` leave `loop` (no switch or inner loop in between)? */
function breakTargets(at: ts.Node, loop: ts.IterationStatement): boolean {
  for (let n: ts.Node | undefined = at; n && n !== loop; n = n.parent) {
    if (ts.isSwitchStatement(n) || ts.isIterationStatement(n, false)) return false;
  }
  return true;
}

function labelOf(loop: ts.IterationStatement): string | undefined {
  return ts.isLabeledStatement(loop.parent) ? loop.parent.label.text : undefined;
}

/** A short text for the collection a context walks: `` `orders` ``, `` `ids.map(...)` ``. */
export function describeContext(ctx: PerItemContext, sf: ts.SourceFile): string {
  const text = (e: ts.Node) => {
    const t = e.getText(sf).replace(/\s+/g, ' ');
    return t.length > 40 ? `${t.slice(0, 37)}...` : t;
  };
  if (ctx.kind === 'callback') return `\`${text(ctx.callback.receiver)}.${ctx.callback.method}(...)\``;
  if (ctx.iterable) return `\`${text(ctx.iterable)}\``;
  const loop = ctx.node;
  const condition = ts.isForStatement(loop) ? loop.condition : ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? loop.expression : undefined;
  if (!condition) return 'the loop';
  // `i < ids.length`: the collection measured; otherwise the condition that decides the turns.
  let measured: ts.Expression | undefined;
  const find = (n: ts.Node): void => {
    if (measured) return;
    if (ts.isPropertyAccessExpression(n) && (n.name.text === 'length' || n.name.text === 'size')) measured = n.expression;
    else ts.forEachChild(n, find);
  };
  find(condition);
  return measured ? `\`${text(measured)}\`` : `the loop \`${text(condition)}\``;
}
