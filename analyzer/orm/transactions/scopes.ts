/**
 * Transaction scopes: where a transaction is open and which handle is its own.
 * - callback form: `dataSource.transaction(async (manager) => ...)`, `prisma.$transaction(async (tx) => ...)`,
 *   `sequelize.transaction(async (t) => ...)`, `knex.transaction(async (trx) => ...)`, Drizzle
 *   `db.transaction(async (tx) => ...)`, Kysely `db.transaction().execute(async (trx) => ...)`, MikroORM
 *   `em.transactional(async (em) => ...)`: the callback's body (and the callbacks it passes on);
 * - span form: TypeORM `queryRunner.startTransaction()`, Sequelize/Knex `const t = await x.transaction()`,
 *   Kysely `await db.startTransaction().execute()`: the rest of the function, until a commit or
 *   rollback that every later path has passed.
 */
import ts from '../../ts/typescript.cjs';
import type { TypeQueries } from '../../program/type-queries.js';
import { getCallGraph, isFunctionLike, type FunctionLike } from '../../program/callgraph.js';
import { skipOuterExpressions, walk } from '../../program/walk.js';
import { methodOf, ormOfModule } from '../recognize.js';
import { BUILDER_MODULES, CALLBACK_OPENERS, isTxOrm, SPAN_OPENERS, type TxOrm } from './catalog.js';
import { runsWithParent } from './summary.js';
import { wrapperOf } from './wrappers.js';

export interface TxScope {
  orm: TxOrm;
  kind: 'callback' | 'span';
  /** The call that opens the transaction. */
  opener: ts.CallExpression;
  /** The transaction's own handle (callback parameter or span variable), if named. */
  handle: ts.Identifier | undefined;
  /** How to name the handle in messages and suggestions (`manager`, `queryRunner.manager`). */
  handleText: string | undefined;
  /** The node whose calls run in the transaction: the callback, or the function holding the span. */
  body: ts.Node;
  /** The function holding the opener (its parameters are "the caller's handles"). */
  fn: FunctionLike | undefined;
  /** Span form: the calls that end the transaction. */
  ends: ts.CallExpression[];
  /** Sequelize: a managed (callback) transaction, which CLS joins. */
  managed: boolean;
}

function ownerMatches(owners: readonly string[] | RegExp, owner: string): boolean {
  return Array.isArray(owners) ? owners.includes(owner) : (owners as RegExp).test(owner);
}

function ormOfDecl(module: string | undefined): TxOrm | undefined {
  const orm = ormOfModule(module)?.orm;
  return isTxOrm(orm) ? orm : BUILDER_MODULES[module ?? ''];
}

function lastFunctionArg(call: ts.CallExpression): ts.ArrowFunction | ts.FunctionExpression | undefined {
  for (let i = call.arguments.length - 1; i >= 0; i--) {
    const a = skipOuterExpressions(call.arguments[i]!);
    if (ts.isArrowFunction(a) || ts.isFunctionExpression(a)) return a;
  }
  return undefined;
}

/** The ORM of a call to one of the ORMs' callback openers (`transaction`, `$transaction`, `transactional`, ...), whatever its arguments. */
export function callbackOpenerOrm(types: TypeQueries, call: ts.CallExpression): TxOrm | undefined {
  const m = methodOf(types, call);
  const orm = m?.owner ? ormOfDecl(m.module) : undefined;
  if (!m?.owner || !orm) return undefined;
  return CALLBACK_OPENERS.some((o) => o.orm === orm && o.method === m.name && ownerMatches(o.owners, m.owner!)) ? orm : undefined;
}

function callbackScope(orm: TxOrm, call: ts.CallExpression, cb: ts.ArrowFunction | ts.FunctionExpression, fn: FunctionLike | undefined): TxScope {
  const param = cb.parameters[0];
  const handle = param && ts.isIdentifier(param.name) ? param.name : undefined;
  return { orm, kind: 'callback', opener: call, handle, handleText: handle?.text, body: cb, fn, ends: [], managed: true };
}

/** `withTransaction(async (tx) => ...)`: a project helper that runs its callback in a transaction. */
function wrapperScope(types: TypeQueries, call: ts.CallExpression, fn: FunctionLike | undefined): TxScope | undefined {
  for (const callee of getCallGraph(types.program).resolve(call)) {
    const w = wrapperOf(types, callee, (c) => callbackOpenerOrm(types, c));
    const arg = w && call.arguments[w.paramIndex] && skipOuterExpressions(call.arguments[w.paramIndex]!);
    if (w && arg && (ts.isArrowFunction(arg) || ts.isFunctionExpression(arg))) return callbackScope(w.orm, call, arg, fn);
  }
  return undefined;
}

/** The transaction scope a call opens, if any. */
export function scopeOf(types: TypeQueries, call: ts.CallExpression): TxScope | undefined {
  const m = methodOf(types, call);
  const fn = getCallGraph(types.program).enclosingFunction(call);
  const orm = m?.owner ? ormOfDecl(m.module) : undefined;
  if (!m?.owner || !orm) return lastFunctionArg(call) ? wrapperScope(types, call, fn) : undefined;
  const cb = lastFunctionArg(call);
  if (cb) {
    const opener = callbackOpenerOrm(types, call);
    return opener ? callbackScope(opener, call, cb, fn) : wrapperScope(types, call, fn);
  }
  const span = SPAN_OPENERS.find((o) => o.orm === orm && o.method === m.name && o.owners.includes(m.owner!));
  if (!span || !fn?.body) return undefined;
  const handle = span.handle === 'receiver' ? receiverIdentifier(call) : boundIdentifier(call);
  if (!handle) return undefined;
  const ends = endCalls(types, fn.body, handle, span.ends);
  const handleText = orm === 'typeorm' ? `${handle.text}.manager` : handle.text;
  return { orm, kind: 'span', opener: call, handle, handleText, body: fn.body, fn, ends, managed: false };
}

function receiverIdentifier(call: ts.CallExpression): ts.Identifier | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const r = skipOuterExpressions(callee.expression);
  return ts.isIdentifier(r) ? r : undefined;
}

/** `const t = await sequelize.transaction()`: the variable the transaction is bound to. */
function boundIdentifier(call: ts.CallExpression): ts.Identifier | undefined {
  let n: ts.Node = call;
  while (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name;
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) return p.left;
  return undefined;
}

function endCalls(types: TypeQueries, body: ts.Node, handle: ts.Identifier, ends: readonly string[]): ts.CallExpression[] {
  const symbol = types.symbolAt(handle);
  const out: ts.CallExpression[] = [];
  walk(body, (n) => {
    if (ts.isCallExpression(n)) {
      const callee = skipOuterExpressions(n.expression);
      if (ts.isPropertyAccessExpression(callee) && ends.includes(callee.name.text)) {
        const r = skipOuterExpressions(callee.expression);
        if (ts.isIdentifier(r) && types.symbolAt(r) === symbol) out.push(n);
      }
    }
    return true;
  });
  return out;
}

/** Every call that runs while the scope's transaction is open (callbacks passed on included, deferred ones not). */
export function callsInScope(scope: TxScope): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const root = scope.kind === 'callback' ? (scope.body as FunctionLike).body : scope.body;
  if (!root) return out;
  walk(root, (n) => {
    if (isFunctionLike(n) && !runsWithParent(n)) return false;
    if (ts.isClassLike(n)) return false;
    if (ts.isCallExpression(n) && n !== scope.opener && (scope.kind === 'callback' || isWhileOpen(scope, n))) out.push(n);
    return true;
  });
  return out;
}

/** Span form: after the opener, and not after an end call that every path to `node` has passed. */
function isWhileOpen(scope: TxScope, node: ts.Node): boolean {
  if (node.pos < scope.opener.end) return false;
  return !scope.ends.some((end) => end.end <= node.pos && dominates(end, node, scope.body));
}

function dominates(end: ts.Node, node: ts.Node, root: ts.Node): boolean {
  let child: ts.Node = node;
  for (let n = node.parent; n && n !== root.parent; child = n, n = n.parent) {
    if (ts.isBlock(n) || ts.isSourceFile(n)) {
      const index = n.statements.indexOf(child as ts.Statement);
      if (n.statements.slice(0, Math.max(index, 0)).some((s) => s.pos <= end.pos && end.end <= s.end)) return true;
    }
    if (isFunctionLike(n) && !runsWithParent(n)) return false;
  }
  return false;
}
