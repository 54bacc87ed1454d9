/**
 * Where a handle (a repository, manager, client, builder root or Sequelize transaction value)
 * comes from, seen from one function: the transaction's own handle, a parameter of the
 * function, `this` (an injected field), something ambient (a module-level client, an imported
 * singleton, a model class), or unknown. Follows `const` initializers, property reads and
 * method calls on a handle (`manager.getRepository(User)` is the manager's), and whether a
 * MikroORM fork (`em.fork()`) was made on the way.
 */
import ts from '../../ts/typescript.cjs';
import type { SymbolRef, TypeQueries } from '../../program/type-queries.js';
import { enclosingFunction, type FunctionLike } from '../../program/callgraph.js';
import { skipOuterExpressions, walk } from '../../program/walk.js';
import { chainRoot } from '../../program/syntax.js';

export type Source =
  | { kind: 'tx'; symbol: SymbolRef }
  | { kind: 'param'; index: number; decl: ts.ParameterDeclaration }
  | { kind: 'this' }
  | { kind: 'ambient' }
  | { kind: 'unknown' };

export interface Origin {
  source: Source;
  /** A MikroORM `fork()` (without `useContext: true`) lies on the way: that manager is not routed into transactions. */
  fork: boolean;
  /** The expression at the root (for messages and suggestions). */
  root: ts.Expression;
}

export interface OriginContext {
  types: TypeQueries;
  /** The function whose parameters count as `param` sources (a summarised helper, or the function holding a transaction). */
  fn: FunctionLike | undefined;
  /** Symbols of transaction handles (callback parameters, span variables). */
  tx: ReadonlySet<SymbolRef>;
}

const UNKNOWN = (root: ts.Expression): Origin => ({ source: { kind: 'unknown' }, fork: false, root });

export function originOf(ctx: OriginContext, expr: ts.Expression, depth = 0): Origin {
  const e = stripAwait(expr);
  if (depth > 12) return UNKNOWN(e);
  if (e.kind === ts.SyntaxKind.ThisKeyword || e.kind === ts.SyntaxKind.SuperKeyword) return { source: { kind: 'this' }, fork: false, root: e };
  if (ts.isIdentifier(e)) return identifierOrigin(ctx, e, depth);
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    if (ts.isPropertyAccessExpression(e) && fieldIsFork(ctx, e)) return { source: { kind: 'ambient' }, fork: true, root: e };
    return originOf(ctx, e.expression, depth + 1);
  }
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) return callOrigin(ctx, e, depth);
  if (ts.isObjectLiteralExpression(e)) return objectOrigin(ctx, e, depth);
  return UNKNOWN(e);
}

/**
 * An object that carries a handle (`{ transaction }`, `{ ...options, transaction: t }`, a request
 * context made by `createContext({ transaction })`): what is read from it later (`ctx.state.transaction`)
 * is that handle. The transaction's wins; else a parameter's; else it is unknown, never ambient.
 */
function objectOrigin(ctx: OriginContext, e: ts.ObjectLiteralExpression, depth: number): Origin {
  let fromParam: Origin | undefined;
  for (const p of e.properties) {
    const value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : ts.isSpreadAssignment(p) ? p.expression : undefined;
    if (!value) continue;
    // `{ transaction }`: the name's symbol is the property's; the value is the variable's.
    const o = ts.isShorthandPropertyAssignment(p)
      ? identifierOrigin(ctx, p.name, depth + 1, ctx.types.shorthandValueSymbol(p))
      : originOf(ctx, value, depth + 1);
    if (o.source.kind === 'tx') return o;
    if (o.source.kind === 'param' && !fromParam && isHandleLike(ctx, value)) fromParam = o;
  }
  return fromParam ?? UNKNOWN(e);
}

function stripAwait(expr: ts.Expression): ts.Expression {
  let e = skipOuterExpressions(expr);
  while (ts.isAwaitExpression(e)) e = skipOuterExpressions(e.expression);
  return e;
}

/** A call's result: the transaction's if an argument is (`new Repo(manager)`, `makeRepo(trx)`), else its receiver's, else ambient. */
function callOrigin(ctx: OriginContext, call: ts.CallExpression | ts.NewExpression, depth: number): Origin {
  let fromParam: Origin | undefined;
  for (const arg of call.arguments ?? []) {
    if (ts.isFunctionLike(arg) || ts.isSpreadElement(arg)) continue;
    const o = originOf(ctx, arg, depth + 1);
    if (o.source.kind === 'tx') return o;
    if (o.source.kind === 'param' && !fromParam && isHandleLike(ctx, arg)) fromParam = o;
  }
  const callee = skipOuterExpressions(call.expression);
  // A callable handle: `trx('users')` is the transaction's, `db('users')` the parameter's.
  if (ts.isIdentifier(callee)) {
    const own = identifierOrigin(ctx, callee, depth + 1);
    if (own.source.kind === 'tx' || own.source.kind === 'param') return own;
  }
  if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(callee)) {
    // MikroORM: a fork is a new context with `useContext: false` and, unless asked to keep it, no
    // transaction context: whatever it was forked from, it runs outside the running transaction.
    if (callee.name.text === 'fork' && !isRoutedFork(call)) return { source: { kind: 'ambient' }, fork: true, root: call };
    return originOf(ctx, callee.expression, depth + 1);
  }
  return fromParam ?? { source: { kind: 'ambient' }, fork: false, root: call };
}

/** An argument that is an object (a manager, client, transaction), not a plain value like an id. */
function isHandleLike(ctx: OriginContext, arg: ts.Expression): boolean {
  const type = ctx.types.typeAt(arg);
  return !type || ctx.types.isObjectType(type) || ctx.types.isAnyOrUnknown(type);
}

/** `em.fork({ useContext: true })` resolves the context like the global manager; `keepTransactionContext: true` keeps the transaction. */
function isRoutedFork(call: ts.CallExpression): boolean {
  return call.arguments.some((a) => ts.isObjectLiteralExpression(a) && a.properties.some((p) => ts.isPropertyAssignment(p) && /^(useContext|keepTransactionContext)$/.test(p.name.getText()) && p.initializer.kind === ts.SyntaxKind.TrueKeyword));
}

function identifierOrigin(ctx: OriginContext, id: ts.Identifier, depth: number, symbol = ctx.types.symbolAt(id)): Origin {
  if (!symbol) return UNKNOWN(id);
  if (ctx.tx.has(symbol)) return { source: { kind: 'tx', symbol }, fork: false, root: id };
  const decl = ctx.types.valueDeclarationOf(symbol) ?? ctx.types.declarationsOf(symbol)[0];
  if (!decl) return UNKNOWN(id);
  if (ts.isParameter(decl)) {
    if (decl.parent === ctx.fn && ts.isIdentifier(decl.name)) return { source: { kind: 'param', index: decl.parent.parameters.indexOf(decl), decl }, fork: false, root: id };
    return UNKNOWN(id);
  }
  const variable = ts.isVariableDeclaration(decl) ? decl : ts.isBindingElement(decl) ? enclosingVariable(decl) : undefined;
  if (variable) {
    const given = ctx.tx.size > 0 ? handleAssignedBefore(ctx, id, symbol, depth) : undefined;
    if (given) return given;
    const local = enclosingFunction(variable) !== undefined;
    if (!variable.initializer) return local ? UNKNOWN(id) : { source: { kind: 'ambient' }, fork: false, root: id };
    if (ts.isForOfStatement(variable.parent.parent) || ts.isForInStatement(variable.parent.parent)) return UNKNOWN(id);
    const inner = originOf(ctx, variable.initializer, depth + 1);
    if (local) return { ...inner, root: inner.source.kind === 'tx' ? inner.root : id };
    return { source: { kind: 'ambient' }, fork: inner.fork, root: id };
  }
  if (ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl) || ts.isImportSpecifier(decl) || ts.isImportClause(decl) || ts.isNamespaceImport(decl) || ts.isEnumDeclaration(decl)) {
    return { source: { kind: 'ambient' }, fork: false, root: id };
  }
  return UNKNOWN(id);
}

/**
 * An object given the transaction's handle by assignment before `id` is read, in the function
 * that reads it (`ctx.state.transaction = transaction; await helper(ctx)`): what is read from
 * it later is that handle, as with `createContext({ transaction })`. Only straight-line order in
 * that function counts (an assignment in a nested function may run later, or never).
 */
function handleAssignedBefore(ctx: OriginContext, id: ts.Identifier, symbol: SymbolRef, depth: number): Origin | undefined {
  const body = enclosingFunction(id)?.body;
  if (!body) return undefined;
  for (const { target, value } of propertyAssignmentsIn(body)) {
    if (value.end > id.pos) break;
    if (ctx.types.symbolAt(target) !== symbol) continue;
    const o = originOf(ctx, value, depth + 1);
    if (o.source.kind === 'tx') return { ...o, root: id };
  }
  return undefined;
}

interface PropertyAssignment {
  /** The identifier whose property is assigned (`ctx` in `ctx.state.transaction = t`). */
  target: ts.Identifier;
  value: ts.Expression;
}

const assignmentsByBody = new WeakMap<ts.Node, PropertyAssignment[]>();

/** `a.b... = value` in a function body, outside its nested functions, in source order. */
function propertyAssignmentsIn(body: ts.Node): PropertyAssignment[] {
  let found = assignmentsByBody.get(body);
  if (found) return found;
  found = [];
  const out = found;
  walk(body, (n) => {
    if (n !== body && ts.isFunctionLike(n)) return false;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left))) {
      const target = chainRoot(n.left);
      if (target) out.push({ target, value: n.right });
    }
    return true;
  });
  assignmentsByBody.set(body, out);
  return out;
}

function enclosingVariable(b: ts.BindingElement): ts.VariableDeclaration | undefined {
  let n: ts.Node = b;
  while (ts.isBindingElement(n) || ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) n = n.parent;
  return ts.isVariableDeclaration(n) ? n : undefined;
}

/** `this.em` declared as `private readonly em = orm.em.fork()`, or assigned a fork in the constructor. */
function fieldIsFork(ctx: OriginContext, e: ts.PropertyAccessExpression): boolean {
  const decl = ctx.types.valueDeclarationAt(e.name);
  if (!decl || !ts.isPropertyDeclaration(decl)) return false;
  if (decl.initializer) return containsFork(decl.initializer);
  const ctor = decl.parent.members.find(ts.isConstructorDeclaration);
  let found = false;
  if (ctor?.body) {
    walk(ctor.body, (n) => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left)
        && n.left.expression.kind === ts.SyntaxKind.ThisKeyword && n.left.name.text === e.name.text && containsFork(n.right)) found = true;
      return !found;
    });
  }
  return found;
}

function containsFork(expr: ts.Node): boolean {
  let found = false;
  walk(expr, (n) => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'fork' && !isRoutedFork(n)) found = true;
    return !found;
  });
  return found;
}
