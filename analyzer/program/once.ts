/**
 * Compute-once guards: code that runs at most once per process (or per long-lived object),
 * although the function that holds it runs on every call.
 *
 *   let cachedKey: Buffer | undefined;
 *   function key(): Buffer {
 *     if (cachedKey) return cachedKey;          // early return when the state is set
 *     cachedKey = scryptSync(secret, salt, 32);  // ...and set after the guard
 *     return cachedKey;
 *   }
 *   class Plugins { private loaded = false; load() { if (this.loaded) return; ...; this.loaded = true; } }
 *   if (!template) { template = readFileSync(p, 'utf8'); }      cached ??= readFileSync(p);
 *
 * The state must outlive the call: a module-level `let`/`var`, a static property, or an
 * instance property (an instance guard runs once per object; a class whose own file creates
 * instances inside a function is not trusted). It must be set after the guard in the guarded
 * function (`??=` and `||=` set it themselves) and never reset: no assignment of `undefined`,
 * `null`, `false`, `0`, `''` or `delete` anywhere in its file, and no assignment at all in the
 * guarded function before the guard. A local variable, or a state reset per call, is no guard.
 * Everything is decided from the guard's own file, so cached per-file facts stay valid.
 */
import ts from '../ts/typescript.cjs';
import { getTypeQueries, type SymbolRef, type TypeQueries } from './type-queries.js';
import { enclosingFunction, isFunctionLike } from './callgraph.js';
import { skipOuterExpressions as skipOuter, walk } from './walk.js';
import { isAssignmentOperator } from './syntax.js';

/** Is `node` behind a compute-once guard of its function (or of a function it is nested in)? */
export function runsOnce(node: ts.Node, program: ts.Program): boolean {
  const types = getTypeQueries(program);
  let child: ts.Node = node;
  for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); child = n, n = n.parent) {
    const guard = guardAt(n, child, types);
    if (guard && settledOnce(guard, types)) return true;
    // Callbacks written inside the guarded function are created after the guard: keep looking outward.
    if (isFunctionLike(n) && !ts.isArrowFunction(n) && !ts.isFunctionExpression(n)) return false;
  }
  return false;
}

interface Guard {
  state: SymbolRef;
  /** The guard itself (the `if`, or the `??=`). */
  at: ts.Node;
  /** `x ??= compute()`: the guard sets the state. */
  setsItself: boolean;
}

function guardAt(n: ts.Node, child: ts.Node, types: TypeQueries): Guard | undefined {
  if (ts.isBlock(n)) {
    // An earlier `if (state) return ...;` in the same block.
    const index = n.statements.indexOf(child as ts.Statement);
    for (let i = index - 1; i >= 0; i--) {
      const s = n.statements[i]!;
      if (!ts.isIfStatement(s) || s.elseStatement || !exits(s.thenStatement)) continue;
      const state = stateOf(testedWhenSet(s.expression), types);
      if (state) return { state, at: s, setsItself: false };
    }
    return undefined;
  }
  if (ts.isIfStatement(n) && child === n.thenStatement) {
    const state = stateOf(testedWhenUnset(n.expression), types);
    return state ? { state, at: n, setsItself: false } : undefined;
  }
  if (ts.isIfStatement(n) && child === n.elseStatement) {
    const state = stateOf(testedWhenSet(n.expression), types);
    return state ? { state, at: n, setsItself: false } : undefined;
  }
  if (ts.isBinaryExpression(n) && child === n.right) {
    const op = n.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken) {
      const state = stateOf(n.left, types);
      return state ? { state, at: n, setsItself: true } : undefined;
    }
    // `cached ?? (cached = compute())`, `cached || (cached = compute())`
    const right = skipOuter(n.right);
    if ((op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) && ts.isBinaryExpression(right) && right.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const state = stateOf(n.left, types);
      return state && stateOf(right.left, types) === state ? { state, at: n, setsItself: true } : undefined;
    }
  }
  return undefined;
}

/** A `return` or `throw`, alone or ending a block. */
function exits(s: ts.Statement): boolean {
  if (ts.isBlock(s)) return s.statements.length > 0 && exits(s.statements[s.statements.length - 1]!);
  return ts.isReturnStatement(s) || ts.isThrowStatement(s);
}

const NULLISH = (e: ts.Expression) => e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'undefined') || ts.isVoidExpression(e);

/** The state a condition tests to be set: `s`, `!!s`, `s !== undefined`, `s != null`, `s === true`. */
function testedWhenSet(cond: ts.Expression): ts.Expression | undefined {
  const e = skipOuter(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = skipOuter(e.operand);
    return ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken ? inner.operand : undefined;
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const [value, other] = NULLISH(skipOuter(e.right)) || e.right.kind === ts.SyntaxKind.TrueKeyword ? [e.left, e.right] : [e.right, e.left];
    if ((op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) && NULLISH(skipOuter(other))) return value;
    if (op === ts.SyntaxKind.EqualsEqualsEqualsToken && other.kind === ts.SyntaxKind.TrueKeyword) return value;
    return undefined;
  }
  return e;
}

/** The state a condition tests to be unset: `!s`, `s === undefined`, `s == null`, `s === false`. */
function testedWhenUnset(cond: ts.Expression): ts.Expression | undefined {
  const e = skipOuter(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return e.operand;
  if (!ts.isBinaryExpression(e)) return undefined;
  const op = e.operatorToken.kind;
  const [value, other] = NULLISH(skipOuter(e.right)) || e.right.kind === ts.SyntaxKind.FalseKeyword ? [e.left, e.right] : [e.right, e.left];
  if ((op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken) && NULLISH(skipOuter(other))) return value;
  if (op === ts.SyntaxKind.EqualsEqualsEqualsToken && other.kind === ts.SyntaxKind.FalseKeyword) return value;
  return undefined;
}

/** The symbol of a state that outlives a call: a module-level `let`/`var`, or a property of `this` or of a class. */
function stateOf(expr: ts.Expression | undefined, types: TypeQueries): SymbolRef | undefined {
  if (!expr) return undefined;
  const e = skipOuter(expr);
  if (ts.isIdentifier(e)) {
    const symbol = types.symbolAt(e);
    const decl = symbol && types.valueDeclarationOf(symbol);
    if (!decl || !ts.isVariableDeclaration(decl) || !ts.isVariableDeclarationList(decl.parent)) return undefined;
    if (decl.parent.flags & ts.NodeFlags.Const) return undefined;
    const statement = decl.parent.parent;
    return ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent) ? symbol : undefined;
  }
  if (!ts.isPropertyAccessExpression(e)) return undefined;
  const receiver = skipOuter(e.expression);
  if (receiver.kind !== ts.SyntaxKind.ThisKeyword && !ts.isIdentifier(receiver)) return undefined;
  const symbol = types.symbolAt(e.name);
  const decl = symbol && types.valueDeclarationOf(symbol);
  if (!decl || !ts.isPropertyDeclaration(decl) || !ts.isClassLike(decl.parent)) return undefined;
  const isStatic = (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Static) !== 0;
  if (!isStatic && (receiver.kind !== ts.SyntaxKind.ThisKeyword || createdPerCall(decl.parent, types))) return undefined;
  return symbol;
}

/** Does the class's own file create instances of it inside a function (one per call, perhaps)? */
const perCall = new WeakMap<ts.ClassLikeDeclaration, boolean>();

function createdPerCall(cls: ts.ClassLikeDeclaration, types: TypeQueries): boolean {
  let answer = perCall.get(cls);
  if (answer === undefined) perCall.set(cls, (answer = findsPerCallNew(cls, types)));
  return answer;
}

function findsPerCallNew(cls: ts.ClassLikeDeclaration, types: TypeQueries): boolean {
  let found = false;
  walk(cls.getSourceFile(), (n) => {
    if (found) return false;
    if (ts.isNewExpression(n) && enclosingFunction(n) !== undefined && types.valueDeclarationAt(skipOuter(n.expression)) === cls) found = true;
    return !found;
  });
  return found;
}


const FALSY = (e: ts.Expression) =>
  NULLISH(e) || e.kind === ts.SyntaxKind.FalseKeyword || (ts.isNumericLiteral(e) && Number(e.text) === 0) || (ts.isStringLiteralLike(e) && e.text === '');

const settledByGuard = new WeakMap<ts.Node, boolean>();

function settledOnce(guard: Guard, types: TypeQueries): boolean {
  let answer = settledByGuard.get(guard.at);
  if (answer === undefined) settledByGuard.set(guard.at, (answer = settled(guard.state, guard.at, guard.setsItself, types)));
  return answer;
}

/** Is the state set after the guard (or by it) and never reset in its file or before the guard? */
function settled(state: SymbolRef, guard: ts.Node, setsItself: boolean, types: TypeQueries): boolean {
  const fn = declaredEnclosingFunction(guard);
  if (!fn) return false;
  let setAfter = setsItself;
  let reset = false;
  walk(guard.getSourceFile(), (n) => {
    if (reset) return false;
    if (ts.isDeleteExpression(n) && stateOf(n.expression, types) === state) reset = true;
    if (!ts.isBinaryExpression(n) || !isAssignmentOperator(n.operatorToken.kind)) return true;
    if (stateOf(n.left, types) !== state) return true;
    const plain = n.operatorToken.kind === ts.SyntaxKind.EqualsToken;
    if (plain && FALSY(skipOuter(n.right))) reset = true;
    else if (declaredEnclosingFunction(n) === fn && n.getStart() < guard.getStart()) reset = true;
    else if (plain && declaredEnclosingFunction(n) === fn) setAfter = true;
    return !reset;
  });
  return setAfter && !reset;
}

/** The nearest enclosing declared function (a method or `function`), else the nearest function of any kind. */
function declaredEnclosingFunction(node: ts.Node): ts.Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n) && !ts.isArrowFunction(n) && !ts.isFunctionExpression(n)) return n;
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n)) return n;
  return undefined;
}
