/**
 * Single-flight runs. An async function that is only ever started where its promise is published
 * in shared state, in the same synchronous step that checks the state is empty, has at most one
 * run in flight: every other caller gets the published promise instead of starting a run.
 *
 *   this.loading ??= (async () => { ... })();
 *   if (this.pending) return this.pending;  this.pending = (async () => { ... })().finally(...);
 *   if (!this.syncing) this.syncing = this.doSync();       (doSync private, started nowhere else)
 *
 * What such a run does across its own `await`s cannot race with another run of itself.
 */
import ts from '../ts/typescript.cjs';
import type { TypeQueries } from '../program/type-queries.js';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';

const PROMISE_CHAIN = new Set(['then', 'catch', 'finally']);

/** Is every start of `fn` a single-flight claim? */
export function isSingleFlight(types: TypeQueries, fn: FunctionLike): boolean {
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    const use = outer(fn);
    if (ts.isCallExpression(use.parent) && use.parent.expression === use) return isClaim(use.parent);
  }
  const starts = startsOf(types, fn);
  return !!starts && starts.length > 0 && starts.every(isClaim);
}

/**
 * Every call that starts `fn`, when the program shows them all: a private method (called only
 * inside its class), a function that is not exported, or a local `const f = async () => ...`,
 * referenced only as the callee of calls. Undefined when it can be started from elsewhere or
 * is used as a value.
 */
export function startsOf(types: TypeQueries, fn: FunctionLike): ts.CallExpression[] | undefined {
  let name: ts.PropertyName | undefined;
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    const use = outer(fn);
    if (ts.isVariableDeclaration(use.parent) && use.parent.initializer === use && ts.isIdentifier(use.parent.name) && !isExportedVariable(use.parent)) name = use.parent.name;
  } else if (ts.isFunctionDeclaration(fn) && fn.name && !isExported(fn)) name = fn.name;
  else if (ts.isMethodDeclaration(fn) && isPrivate(fn)) name = fn.name;
  if (!name || (!ts.isIdentifier(name) && !ts.isPrivateIdentifier(name))) return undefined;
  const symbol = types.symbolAt(name);
  if (!symbol) return undefined;
  const scope: ts.Node = ts.isMethodDeclaration(fn) ? fn.parent : (enclosingScope(name) ?? fn.getSourceFile());
  const calls: ts.CallExpression[] = [];
  let ok = true;
  walk(scope, (n) => {
    if (!ok) return false;
    if ((ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) && n !== name && n.text === name.text && types.symbolAt(n) === symbol) {
      const ref = ts.isPropertyAccessExpression(n.parent) && n.parent.name === n ? n.parent : n;
      const use = outer(ref as ts.Expression);
      if (ts.isCallExpression(use.parent) && use.parent.expression === use) calls.push(use.parent);
      else ok = false;
    }
    return true;
  });
  return ok ? calls : undefined;
}

function isExportedVariable(decl: ts.VariableDeclaration): boolean {
  const statement = decl.parent.parent;
  return ts.isVariableStatement(statement) && !!ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function outer(node: ts.Expression): ts.Expression {
  let n = node;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  return n;
}

function isExported(fn: ts.FunctionDeclaration): boolean {
  return (ts.getCombinedModifierFlags(fn) & (ts.ModifierFlags.Export | ts.ModifierFlags.Default)) !== 0 || !ts.isSourceFile(fn.parent);
}

function isPrivate(m: ts.MethodDeclaration): boolean {
  return ts.isPrivateIdentifier(m.name) || (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Private) !== 0;
}

function enclosingScope(node: ts.Node): ts.Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n) || ts.isSourceFile(n)) return n;
  return undefined;
}

/** Is the promise of `call` (through `.then/.catch/.finally`) published at a claim of shared state? */
function isClaim(call: ts.CallExpression): boolean {
  let e: ts.Expression = outer(call);
  // `start().finally(() => ...)`: the chain's promise is what gets published.
  while (ts.isPropertyAccessExpression(e.parent) && e.parent.expression === e && PROMISE_CHAIN.has(e.parent.name.text) && ts.isCallExpression(e.parent.parent)) {
    e = outer(e.parent.parent);
  }
  const assign = e.parent;
  if (!ts.isBinaryExpression(assign) || assign.right !== e) return false;
  const target = skipOuter(assign.left);
  if (!ts.isPropertyAccessExpression(target) && !ts.isIdentifier(target) && !ts.isElementAccessExpression(target)) return false;
  const op = assign.operatorToken.kind;
  if (op === ts.SyntaxKind.QuestionQuestionEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken) return true;
  return op === ts.SyntaxKind.EqualsToken && guardedByEmptyCheck(assign, pathText(target));
}

function pathText(e: ts.Expression): string {
  return skipOuter(e).getText().replace(/\s+/g, '');
}

/**
 * Was `target` checked empty in the same synchronous step: the assignment is in the then-branch of
 * `if (!target)` / `if (target == null)`, or follows `if (target) return ...;` in its block, with
 * no `await` between the check and the assignment.
 */
function guardedByEmptyCheck(assign: ts.BinaryExpression, target: string): boolean {
  let child: ts.Node = assign;
  for (let n: ts.Node = assign.parent; n && !isFunctionLike(n); child = n, n = n.parent) {
    if (ts.isIfStatement(n) && n.thenStatement === child && testsEmpty(n.expression, target)) return !awaitsBetween(n.expression.end, assign.getStart(), n);
    if (ts.isBlock(n) || ts.isSourceFile(n)) {
      const index = n.statements.indexOf(child as ts.Statement);
      for (let i = index - 1; i >= 0; i--) {
        const s = n.statements[i]!;
        if (ts.isIfStatement(s) && !s.elseStatement && testsSet(s.expression, target) && exits(s.thenStatement)) return !awaitsBetween(s.end, assign.getStart(), n);
      }
    }
  }
  return false;
}

function testsEmpty(condition: ts.Expression, target: string): boolean {
  const c = skipOuter(condition);
  if (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken) return pathText(c.operand) === target;
  if (ts.isBinaryExpression(c)) {
    const k = c.operatorToken.kind;
    if (k === ts.SyntaxKind.BarBarToken) return testsEmpty(c.left, target);
    const equality = k === ts.SyntaxKind.EqualsEqualsToken || k === ts.SyntaxKind.EqualsEqualsEqualsToken;
    const right = skipOuter(c.right);
    const empty = right.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(right) && right.text === 'undefined');
    return equality && empty && pathText(c.left) === target;
  }
  return false;
}

function testsSet(condition: ts.Expression, target: string): boolean {
  const c = skipOuter(condition);
  if (pathText(c) === target) return true;
  if (ts.isBinaryExpression(c)) {
    const k = c.operatorToken.kind;
    const inequality = k === ts.SyntaxKind.ExclamationEqualsToken || k === ts.SyntaxKind.ExclamationEqualsEqualsToken;
    const right = skipOuter(c.right);
    const empty = right.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(right) && right.text === 'undefined');
    return inequality && empty && pathText(c.left) === target;
  }
  return false;
}

function exits(s: ts.Statement): boolean {
  if (ts.isReturnStatement(s) || ts.isThrowStatement(s)) return true;
  if (ts.isBlock(s)) {
    const last = s.statements[s.statements.length - 1];
    return !!last && exits(last);
  }
  return false;
}

/** Is there an `await` (or `yield`) of the same function in [from, to) under `root`? */
function awaitsBetween(from: number, to: number, root: ts.Node): boolean {
  let found = false;
  walk(root, (n) => {
    if (found || n.end <= from || n.pos >= to) return false;
    if (isFunctionLike(n)) return false;
    if ((ts.isAwaitExpression(n) || ts.isYieldExpression(n)) && n.getStart() >= from && n.end <= to) found = true;
    return true;
  });
  return found;
}
