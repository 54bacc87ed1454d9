/**
 * Promises held in variables. A parameter, or a variable that is assigned again, is reported
 * only when it is never used as a promise anywhere in its scope (awaited, returned, passed on,
 * `.then`-ed, stored): such a variable that is also awaited is a deliberate promise handle,
 * which the code may reassign or receive as `undefined`. A variable that keeps the promise it
 * was initialised with is always a promise, so testing it is always the bug, whatever else the
 * code does with it. A variable declared `any` whose initializer is a promise keeps the
 * promise type here (TypeScript has forgotten it).
 */
import ts from '../../ts/typescript.cjs';
import { isFunctionLike } from '../../program/callgraph.js';
import { isExportedDeclaration, walk } from '../../program/walk.js';
import type { SymbolRef } from '../../program/type-queries.js';
import { collectionKeyTypeOf, isValueSinkCall } from './sinks.js';
import { isAlwaysPromise, isExactPromise, isSometimesPromise, outerOf, type PromiseFact, type Scan, type VariableOrigin, type VariableVerdict } from './context.js';
import { isAssignmentOperator, isLogicalOperator } from '../../program/syntax.js';

type UseClass = 'handle' | 'value' | 'neutral' | 'reassign';

/**
 * The promise behind an expression in a value position, or undefined when there is none or when
 * the expression is a variable that the code also uses as a promise.
 * `mode`: 'always' requires every union member to be a promise (conditions, values);
 * 'sometimes' any member (spreads, as typescript-eslint).
 */
export function promiseFactOf(scan: Scan, expr: ts.Expression, mode: 'always' | 'sometimes'): PromiseFact | undefined {
  const { types } = scan;
  let variable: VariableOrigin | undefined;
  let typed: ts.Expression = expr;
  if (ts.isIdentifier(expr)) {
    // Cheap first: the checker has the identifier's type cached; only a promise (or an `any`
    // whose initializer may be one) needs the variable's uses, which costs a name lookup.
    const direct = types.typeAt(expr);
    if (direct && !types.isAny(direct) && !isSometimesPromise(types, expr, direct)) return undefined;
    const found = variableOf(scan, expr);
    if (found === 'handle') return undefined;
    variable = found;
    if (variable?.declaredAny && variable.initializer) typed = variable.initializer;
  }
  const type = types.typeAt(typed);
  if (!type) return undefined;
  const ok = mode === 'always' ? isAlwaysPromise(types, typed, type) : isSometimesPromise(types, typed, type);
  if (!ok) return undefined;
  return { type, exact: isExactPromise(types, typed, type), variable };
}

/** The local variable or parameter an identifier names; 'handle' when it is used as a promise somewhere. */
function variableOf(scan: Scan, id: ts.Identifier): VariableOrigin | 'handle' | undefined {
  const symbol = scan.types.symbolAt(id);
  const decl = symbol && scan.types.valueDeclarationOf(symbol);
  if (!symbol || !decl) return undefined;
  if (!(ts.isVariableDeclaration(decl) || ts.isParameter(decl)) || !ts.isIdentifier(decl.name)) return undefined;
  // Declared elsewhere (imported) or exported: other files may await it; we cannot see every use cheaply.
  if (decl.getSourceFile() !== scan.sf || isExportedDeclaration(decl)) return 'handle';
  let verdict = scan.handles.get(symbol);
  if (!verdict) {
    verdict = classifyUses(scan, symbol, decl as ts.VariableDeclaration | ts.ParameterDeclaration);
    scan.handles.set(symbol, verdict);
  }
  // A variable that keeps the promise it was initialised with is a promise wherever it is tested
  // or printed, whatever else the code does with it (`const user = getUser(id); if (!user) throw
  // ...; return user;`).
  if (verdict.handle && !keepsInitializer(decl, verdict)) return 'handle';
  const declaredAny = decl.type?.kind === ts.SyntaxKind.AnyKeyword && !verdict.reassigned;
  // The initializer is the promise's origin only when it is a promise itself.
  const init = decl.initializer;
  const initType = init && scan.types.typeAt(init);
  const initializer = init && initType && isSometimesPromise(scan.types, init, initType) ? init : undefined;
  return { name: decl.name.text, decl, initializer, declaredAny };
}

function keepsInitializer(decl: ts.VariableDeclaration | ts.ParameterDeclaration, verdict: VariableVerdict): boolean {
  return ts.isVariableDeclaration(decl) && !!decl.initializer && !verdict.reassigned;
}

function scopeOf(decl: ts.Node): ts.Node {
  for (let n = decl.parent; n; n = n.parent) {
    if (isFunctionLike(n) || ts.isSourceFile(n)) return n;
  }
  return decl.getSourceFile();
}

function classifyUses(scan: Scan, symbol: SymbolRef, decl: ts.VariableDeclaration | ts.ParameterDeclaration): VariableVerdict {
  const name = (decl.name as ts.Identifier).text;
  let handle = false;
  let reassigned = false;
  walk(scopeOf(decl), (node) => {
    if (handle && reassigned) return false;
    if (!ts.isIdentifier(node) || node.text !== name || node === decl.name) return true;
    // `{ p }` names the property symbol, not the variable: the promise goes into an object.
    if (ts.isShorthandPropertyAssignment(node.parent) || ts.isExportSpecifier(node.parent)) {
      handle = true;
      return false;
    }
    if (scan.types.symbolAt(node) !== symbol) return false;
    const use = classifyUse(scan, node);
    if (use === 'handle') handle = true;
    if (use === 'reassign') reassigned = true;
    return false;
  });
  return { handle, reassigned };
}

const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);

/** How one reference uses the variable. Unknown positions count as 'handle' (quiet). */
function classifyUse(scan: Scan, id: ts.Identifier): UseClass {
  const node = outerOf(id);
  const parent = node.parent;
  if (ts.isAwaitExpression(parent) || ts.isReturnStatement(parent) || ts.isYieldExpression(parent) || ts.isVoidExpression(parent)) return 'handle';
  if (ts.isArrowFunction(parent)) return parent.body === node ? 'handle' : 'neutral';
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) return callUse(scan, parent, node);
  if (ts.isPropertyAccessExpression(parent)) return PROMISE_METHODS.has(parent.name.text) ? 'handle' : 'value';
  if (ts.isElementAccessExpression(parent)) return parent.expression === node ? 'value' : 'neutral';
  if (ts.isBinaryExpression(parent)) return binaryUse(scan, parent, node);
  if (ts.isConditionalExpression(parent)) return parent.condition === node ? 'value' : 'handle';
  if (ts.isPrefixUnaryExpression(parent) || ts.isSpreadAssignment(parent)) return 'value';
  if (ts.isSpreadElement(parent)) return 'value';
  if (ts.isTypeOfExpression(parent) || ts.isExpressionStatement(parent) || ts.isDeleteExpression(parent)) return 'neutral';
  if (ts.isTemplateSpan(parent)) return ts.isTaggedTemplateExpression(parent.parent.parent) ? 'handle' : 'value';
  if (ts.isIfStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent) || ts.isForStatement(parent)) return 'value';
  if (ts.isForOfStatement(parent)) return parent.awaitModifier ? 'handle' : 'value';
  if (ts.isVariableDeclaration(parent)) return ts.isIdentifier(parent.name) ? 'handle' : 'value';
  return 'handle';
}

function callUse(scan: Scan, call: ts.CallExpression | ts.NewExpression, node: ts.Node): UseClass {
  if (call.expression === node) return 'neutral';
  if (ts.isCallExpression(call) && isConsoleCall(call)) return 'neutral';
  if (ts.isCallExpression(call) && isValueSinkCall(scan, call, call.arguments.indexOf(node as ts.Expression))) return 'value';
  if (ts.isCallExpression(call) && isValueKey(scan, call, node)) return 'value';
  return 'handle';
}

/** `seen.has(p)` on a collection keyed by values (not by promises). */
function isValueKey(scan: Scan, call: ts.CallExpression, node: ts.Node): boolean {
  const keyed = collectionKeyTypeOf(scan, call, call.arguments.indexOf(node as ts.Expression));
  return !!keyed && !isSometimesPromise(scan.types, node, keyed.key);
}

function isConsoleCall(call: ts.CallExpression): boolean {
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'console';
}

function binaryUse(scan: Scan, parent: ts.BinaryExpression, node: ts.Node): UseClass {
  const op = parent.operatorToken.kind;
  if (isAssignmentOperator(op)) {
    if (parent.left === node) return 'reassign';
    return op === ts.SyntaxKind.EqualsToken ? 'handle' : 'value';
  }
  if (op === ts.SyntaxKind.InstanceOfKeyword || op === ts.SyntaxKind.CommaToken) return parent.left === node && op === ts.SyntaxKind.CommaToken ? 'neutral' : 'handle';
  if (op === ts.SyntaxKind.QuestionQuestionToken) return isInTest(parent) ? 'value' : 'handle';
  if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
    // The left operand is tested; the right one is the expression's value unless the whole is a test.
    return parent.left === node || isInTest(parent) ? 'value' : 'handle';
  }
  if (isComparison(op)) {
    const other = parent.left === node ? parent.right : parent.left;
    const type = scan.types.typeAt(other);
    return type && isSometimesPromise(scan.types, other, type) ? 'handle' : 'value';
  }
  return 'value';
}

export function isComparison(op: ts.SyntaxKind): boolean {
  return (
    op === ts.SyntaxKind.EqualsEqualsToken ||
    op === ts.SyntaxKind.EqualsEqualsEqualsToken ||
    op === ts.SyntaxKind.ExclamationEqualsToken ||
    op === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
    op === ts.SyntaxKind.LessThanToken ||
    op === ts.SyntaxKind.LessThanEqualsToken ||
    op === ts.SyntaxKind.GreaterThanToken ||
    op === ts.SyntaxKind.GreaterThanEqualsToken
  );
}

/** Is this logical expression (through enclosing logical operators) the test of a statement, `?:` or `!`? */
function isInTest(expr: ts.BinaryExpression): boolean {
  let n: ts.Node = outerOf(expr);
  for (let depth = 0; depth < 50; depth++) {
    const p = n.parent;
    if (ts.isBinaryExpression(p) && isLogicalOperator(p.operatorToken.kind)) {
      n = outerOf(p);
      continue;
    }
    if (ts.isIfStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) return p.expression === n;
    if (ts.isForStatement(p)) return p.condition === n;
    if (ts.isConditionalExpression(p)) return p.condition === n;
    if (ts.isPrefixUnaryExpression(p)) return p.operator === ts.SyntaxKind.ExclamationToken;
    return false;
  }
  return false;
}
