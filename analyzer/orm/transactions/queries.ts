/**
 * Which call runs a query, and on which handle (connection): the relation rules' ORM catalog
 * (TypeORM, Prisma, Sequelize, MikroORM) plus the builder ORMs (Knex, Drizzle, Kysely), whose
 * queries are chains started on a database or transaction handle and run when awaited (Knex,
 * Drizzle: thenables) or at an `execute*()` terminal (Kysely).
 */
import ts from '../../ts/typescript.cjs';
import type { TypeQueries, TypeRef } from '../../program/type-queries.js';
import { skipOuterExpressions } from '../../program/walk.js';
import { chainCalls, literalObject, methodOf, moduleOfDeclaration, ormQueryOf } from '../recognize.js';
import { BUILDER_HANDLE_TYPES, BUILDER_MODULES, DRIZZLE_EXECUTORS, KYSELY_EXECUTORS, isTxOrm, type TxOrm } from './catalog.js';
import { methodName, receiverOf } from '../../program/syntax.js';

export interface QuerySite {
  orm: TxOrm;
  /** The call to report: the whole statement-level chain for builders. */
  call: ts.CallExpression;
  method: string;
  /** The expression that names the connection the query runs on (receiver, builder handle, or Sequelize's `transaction:` value). */
  handle: ts.Expression | undefined;
  /** Sequelize: the call passes no `transaction` option, so it runs outside any transaction (unless CLS joins it). */
  missingOption: boolean;
}

/** A query call (the outermost call of its chain), or undefined. */
export function querySiteOf(types: TypeQueries, call: ts.CallExpression): QuerySite | undefined {
  if (isInnerOfChain(call)) return undefined;
  // Builder chains first: their handle is where the chain starts, whatever catalog knows their terminals.
  const builder = builderSite(types, call);
  if (builder !== undefined) return builder ?? undefined;
  const classic = ormQueryOf(types, call);
  if (classic && isTxOrm(classic.orm) && !isBatchElement(call)) return classicSite(types, classic.orm, classic.method, call);
  return undefined;
}

/** `a.b().c()`: `a.b()` is inner; only the outermost call of a chain is a site. */
function isInnerOfChain(call: ts.CallExpression): boolean {
  let n: ts.Node = call;
  while (ts.isParenthesizedExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  const p = n.parent;
  return ts.isPropertyAccessExpression(p) && p.expression === n && ts.isCallExpression(p.parent) && p.parent.expression === p;
}

/** `$transaction([prisma.a.create(), ...])`: the elements run in the batch's own transaction. */
function isBatchElement(call: ts.CallExpression): boolean {
  const p = call.parent;
  if (!ts.isArrayLiteralExpression(p) || !ts.isCallExpression(p.parent)) return false;
  const callee = skipOuterExpressions(p.parent.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === '$transaction';
}

function classicSite(types: TypeQueries, orm: TxOrm, method: string, call: ts.CallExpression): QuerySite | undefined {
  if (orm !== 'sequelize') return { orm, call, method, handle: receiverOf(call), missingOption: false };
  // Sequelize picks the connection from the `transaction` option, not from the receiver.
  let forwarded = false;
  for (const arg of call.arguments) {
    const obj = literalObject(types, arg);
    if (!obj) {
      if (isOptionsLike(types, arg)) forwarded = true;
      continue;
    }
    for (const p of obj.properties) {
      if (ts.isSpreadAssignment(p)) forwarded = true;
      if (ts.isShorthandPropertyAssignment(p) && p.name.text === 'transaction') return { orm, call, method, handle: p.name, missingOption: false };
      if (ts.isPropertyAssignment(p) && p.name.getText() === 'transaction') return { orm, call, method, handle: p.initializer, missingOption: false };
    }
  }
  // Options built elsewhere (`User.create(data, options)`) may carry the transaction: not judged.
  if (forwarded) return undefined;
  return { orm, call, method, handle: undefined, missingOption: true };
}

/** An argument that is an object built elsewhere (not a literal), which may hold `transaction`. */
function isOptionsLike(types: TypeQueries, arg: ts.Expression): boolean {
  const e = skipOuterExpressions(arg);
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isCallExpression(e)) {
    const type = types.typeAt(e);
    if (!type) return true;
    const props = types.propertiesOf(type).map((p) => types.symbolName(p));
    return props.length === 0 || props.includes('transaction');
  }
  return false;
}

/** The builder ORM whose handle type `expr` has, if any. */
export function builderOrmOf(types: TypeQueries, expr: ts.Expression): 'knex' | 'drizzle' | 'kysely' | undefined {
  const type = types.typeAt(expr);
  if (!type) return undefined;
  const t = types.nonNullable(type);
  // `Database | Transaction`: a helper that takes either.
  for (const part of types.unionParts(t)) {
    const orm = builderOrmOfType(types, part);
    if (orm) return orm;
  }
  return undefined;
}

function builderOrmOfType(types: TypeQueries, t: TypeRef): 'knex' | 'drizzle' | 'kysely' | undefined {
  const symbol = types.typeSymbol(t) ?? types.aliasSymbol(t);
  const decl = symbol && types.declarationsOf(symbol)[0];
  if (!symbol || !decl) return undefined;
  const orm = BUILDER_MODULES[moduleOfDeclaration(decl) ?? ''];
  if (orm !== 'knex' && orm !== 'drizzle' && orm !== 'kysely') return undefined;
  return BUILDER_HANDLE_TYPES[orm].test(types.symbolName(symbol)) ? orm : undefined;
}

/** `knex('t')...`, `db.select()...`, `db.query.users.findMany()`, `db.selectFrom('t')...execute()`, `sql\`\`.execute(db)`;
 * null for a builder chain that does not run here (a subquery, a value, a builder kept for later). */
function builderSite(types: TypeQueries, call: ts.CallExpression): QuerySite | null | undefined {
  const chain = chainCalls(call);
  const innermost = chain[chain.length - 1]!;
  const outerName = methodName(call);
  // Kysely raw SQL runs on the executor passed to `execute`.
  if (outerName === 'execute' && call.arguments.length === 1 && chain.length === 1) {
    const m = methodOf(types, call);
    if (m?.owner === 'RawBuilder' && moduleOfDeclaration(m.decl) === 'kysely') {
      const orm = builderOrmOf(types, call.arguments[0]!);
      return orm === 'kysely' ? { orm, call, method: 'sql`...`.execute', handle: call.arguments[0], missingOption: false } : null;
    }
  }
  const found = handleOf(types, innermost);
  if (!found) return undefined;
  const { orm, handle } = found;
  const transacting = chain.find((c) => methodName(c) === 'transacting');
  if (orm === 'kysely') {
    if (!outerName || !KYSELY_EXECUTORS.includes(outerName)) return null;
  } else if (!(outerName && DRIZZLE_EXECUTORS.includes(outerName) && orm === 'drizzle') && !isRunPosition(call)) {
    return null;
  }
  const method = methodName(innermost) ?? (orm === 'knex' ? 'knex(table)' : 'query');
  return { orm, call, method, handle: transacting?.arguments[0] ?? handle, missingOption: false };
}

/** The handle a builder chain starts on: the callee itself (`knex('t')`) or a receiver up to three properties down. */
function handleOf(types: TypeQueries, innermost: ts.CallExpression): { orm: 'knex' | 'drizzle' | 'kysely'; handle: ts.Expression } | undefined {
  let e: ts.Expression = skipOuterExpressions(innermost.expression);
  for (let depth = 0; depth < 4; depth++) {
    const orm = builderOrmOf(types, e);
    if (orm) {
      // Only the knex instance is itself callable; a drizzle or kysely handle is not.
      if (depth === 0 && orm !== 'knex') return undefined;
      return { orm, handle: e };
    }
    if (!ts.isPropertyAccessExpression(e)) return undefined;
    e = skipOuterExpressions(e.expression);
  }
  return undefined;
}

/** A builder whose value is awaited, returned, chained with `.then`, or awaited together with others: it runs. */
export function isRunPosition(expr: ts.Expression): boolean {
  let n: ts.Node = expr;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isAwaitExpression(p) || ts.isReturnStatement(p) || ts.isYieldExpression(p)) return true;
  if (ts.isArrowFunction(p) && p.body === n) return true;
  if (ts.isForOfStatement(p) && p.expression === n && !!p.awaitModifier) return true;
  if (ts.isPropertyAccessExpression(p) && ['then', 'catch', 'finally'].includes(p.name.text)) return true;
  if (ts.isArrayLiteralExpression(p) && ts.isCallExpression(p.parent)) return /^Promise\.(all|allSettled|race|any)$/.test(p.parent.expression.getText());
  return false;
}
