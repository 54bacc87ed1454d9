/**
 * Query builders that are values (Drizzle, Kysely, Knex, Mongoose; see `BuilderSpec`): which
 * expression is a query of which ORM, and WHEN it runs. A builder runs when it is awaited,
 * `.then`-ed, returned from an async function, handed to `Promise.all`, iterated with `for await`,
 * or executed (`.execute()`, `.exec()`); making or refining one runs nothing. So a builder made
 * in a loop and run once after it is one query, and a call that only refines a builder
 * (`q.where(...)`) is no query at all.
 *
 * The answer "this call runs a query of ORM O through handle H" is `builderQueryOf` (O, and the
 * call that runs) with `queryHandle` (H: the root of the chain, `db` in `db.select().from(t)`).
 */
import ts from '../ts/typescript.cjs';
import { packageNameOf } from '../program/import-binding.js';
import type { TypeQueries, TypeRef } from '../program/type-queries.js';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { isAsyncFunction } from '../program/async-context.js';
import { skipOuterExpressions } from '../program/walk.js';
import { ORMS, type OrmSpec, type QueryKind } from './catalog.js';
import { perItemCallback } from './loops.js';
import { moduleOfDeclaration } from './recognize.js';
import { outermost } from '../program/syntax.js';
import { oncePerProgram } from '../program/per-program.js';

const loadedCache = oncePerProgram<readonly OrmSpec[]>();

/** The builder ORMs whose declarations are in the program (none: no call needs a type lookup). */
export function loadedBuilderOrms(program: ts.Program): readonly OrmSpec[] {
  return loadedCache(program, () => findBuilderOrms(program));
}

function findBuilderOrms(program: ts.Program): readonly OrmSpec[] {
  const packages = new Set<string>();
  for (const sf of program.getSourceFiles()) {
    const name = sf.isDeclarationFile ? packageNameOf(sf.fileName) : undefined;
    if (name) packages.add(name);
  }
  return ORMS.filter((spec) => spec.builders && spec.modules.some((m) => packages.has(m)));
}

/** The ORM whose builder the type is, or undefined. */
export function builderOrmOfType(types: TypeQueries, type: TypeRef, specs: readonly OrmSpec[] = ORMS): OrmSpec | undefined {
  for (const part of types.unionParts(type)) {
    for (const spec of specs) {
      const b = spec.builders;
      if (!b) continue;
      const member = types.propertyOf(part, b.marker.member);
      const decl = member && types.declarationsOf(member)[0];
      if (!decl || !spec.modules.includes(moduleOfDeclaration(decl) ?? '')) continue;
      const owner = decl.parent && (ts.isClassLike(decl.parent) || ts.isInterfaceDeclaration(decl.parent)) ? decl.parent.name?.text : undefined;
      if (!owner || !b.marker.owners.includes(owner)) continue;
      const name = typeName(types, part) ?? '';
      if (b.notQueries?.includes(name)) continue;
      return spec;
    }
  }
  return undefined;
}

/** The name of the alias a type was written through, else of the type's own symbol. */
function typeName(types: TypeQueries, type: TypeRef): string | undefined {
  const symbol = types.aliasSymbol(type) ?? types.typeSymbol(type);
  return symbol && types.symbolName(symbol);
}

/** The ORM whose builder the expression's value is. */
export function builderOrmOf(types: TypeQueries, expr: ts.Expression): OrmSpec | undefined {
  const specs = loadedBuilderOrms(types.program);
  if (specs.length === 0) return undefined;
  const type = types.typeAt(expr);
  return type ? builderOrmOfType(types, type, specs) : undefined;
}

const PROMISE_STATICS = /^Promise\.(all|allSettled|any|race|resolve)$/;

function isPromiseStaticArg(node: ts.Node): boolean {
  const p = node.parent;
  return !!p && ts.isCallExpression(p) && p.arguments.includes(node as ts.Expression) && PROMISE_STATICS.test(p.expression.getText());
}

/**
 * Does the value of `expr` (a thenable builder) run here: awaited, `.then`-ed, returned, in
 * `Promise.all([...])`, iterated by `for await`, or bound to a variable that is used so?
 */
export function runsAt(types: TypeQueries, expr: ts.Expression, viaVariable = true): boolean {
  const n = outermost(expr);
  const p = n.parent;
  if (!p) return false;
  if (ts.isAwaitExpression(p) || ts.isYieldExpression(p)) return true;
  if (ts.isPropertyAccessExpression(p) && ['then', 'catch', 'finally'].includes(p.name.text)) return ts.isCallExpression(p.parent) && p.parent.expression === p;
  if (ts.isReturnStatement(p)) return returnedValueRuns(types, p);
  if (ts.isArrowFunction(p) && p.body === n) return returnedValueRuns(types, p);
  if (isPromiseStaticArg(n)) return true;
  if (ts.isArrayLiteralExpression(p) || ts.isSpreadElement(p)) return ts.isArrayLiteralExpression(p) ? isPromiseStaticArg(outermost(p)) : runsAt(types, p.expression, false);
  if (ts.isForOfStatement(p) && p.expression === n) return true;
  if (viaVariable && ts.isVariableDeclaration(p) && p.initializer === n && ts.isIdentifier(p.name)) return variableRuns(types, p.name);
  return false;
}

/** Where a running builder value runs: the call itself, or the use of the variable it is bound to (`const q = ...; await q`). */
export function runSite(types: TypeQueries, call: ts.CallExpression): ts.Node {
  const p = outermost(call).parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return usesOf(types, p.name).find((use) => runsAt(types, use, false)) ?? call;
  return call;
}

/** A builder returned from `fn` runs when `fn` is async (the promise adopts it), when `fn` is a
 * per-element callback whose results go to `Promise.all`, or when `fn`'s caller runs it (checked
 * at the call: its value is a builder too). */
function returnedValueRuns(types: TypeQueries, at: ts.Node): boolean {
  let fn: ts.Node | undefined = at;
  while (fn && !isFunctionLike(fn)) fn = fn.parent;
  if (!fn) return true;
  if (isAsyncFunction(fn as FunctionLike)) return true;
  const callback = perItemCallback(types, fn);
  if (!callback) return true;
  return isPromiseStaticArg(outermost(callback.call)) || (ts.isSpreadElement(outermost(callback.call).parent) && runsAt(types, callback.call, false)) || boundToAwaitedList(types, callback.call);
}

/** `const pending = ids.map(...)` and later `Promise.all(pending)`. */
function boundToAwaitedList(types: TypeQueries, call: ts.CallExpression): boolean {
  const p = outermost(call).parent;
  if (!p || !ts.isVariableDeclaration(p) || !ts.isIdentifier(p.name)) return false;
  return usesOf(types, p.name).some((use) => isPromiseStaticArg(outermost(use)) || ts.isAwaitExpression(outermost(use).parent));
}

function variableRuns(types: TypeQueries, name: ts.Identifier): boolean {
  return usesOf(types, name).some((use) => runsAt(types, use, false));
}

/** References to a local variable in its enclosing function (or file). */
function usesOf(types: TypeQueries, name: ts.Identifier): ts.Identifier[] {
  const symbol = types.symbolAt(name);
  if (!symbol) return [];
  let scope: ts.Node = name;
  while (scope.parent && !isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  const out: ts.Identifier[] = [];
  const stack: ts.Node[] = [scope];
  let budget = 5000;
  while (stack.length > 0 && budget-- > 0) {
    const n = stack.pop()!;
    if (ts.isIdentifier(n) && n !== name && n.text === name.text && types.symbolAt(n) === symbol) out.push(n);
    ts.forEachChild(n, (c) => {
      stack.push(c);
    });
  }
  return out;
}

export interface BuilderQuery {
  spec: OrmSpec;
  /** The builder's value runs here (awaited...), or an executor (`.execute()`) runs it. */
  how: 'awaited' | 'executed';
  owner: string;
  method: string;
  kind: QueryKind;
}

function calleeName(call: ts.CallExpression): ts.MemberName | undefined {
  const c = skipOuterExpressions(call.expression);
  return ts.isPropertyAccessExpression(c) ? c.name : undefined;
}

/** The calls of a builder chain, outermost first, down to the call on the handle. */
export function builderChain(call: ts.CallExpression, limit = 60): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  let e: ts.Expression = call;
  while (out.length < limit) {
    e = skipOuterExpressions(e);
    if (ts.isCallExpression(e)) {
      out.push(e);
      e = e.expression;
    } else if (ts.isPropertyAccessExpression(e)) e = e.expression;
    else break;
  }
  return out;
}

/** A call that runs a query of a builder ORM: an executor on a builder, or a builder value that runs where it is. */
export function builderQueryOf(types: TypeQueries, call: ts.CallExpression): BuilderQuery | undefined {
  const name = calleeName(call);
  const receiver = name && skipOuterExpressions((skipOuterExpressions(call.expression) as ts.PropertyAccessExpression).expression);
  const onBuilder = receiver ? builderOrmOf(types, receiver) : undefined;
  if (onBuilder && name && onBuilder.builders!.executors.includes(name.text)) {
    return describe(types, call, onBuilder, 'executed');
  }
  const spec = builderOrmOf(types, call);
  if (!spec || !spec.builders!.awaitable || !runsAt(types, call)) return undefined;
  return describe(types, call, spec, 'awaited');
}

function describe(types: TypeQueries, call: ts.CallExpression, spec: OrmSpec, how: BuilderQuery['how']): BuilderQuery {
  const chain = builderChain(call);
  const names = chain.map((c) => calleeName(c)?.text).filter((n): n is string => !!n);
  const kind: QueryKind = names.some((n) => spec.builders!.writes.includes(n)) ? 'write' : 'read';
  const type = types.typeAt(how === 'executed' ? (skipOuterExpressions(call.expression) as ts.PropertyAccessExpression).expression : call);
  const owner = (type && typeName(types, type)) ?? spec.orm;
  // The verb: the first method called on the handle (`select`, `findMany`, `findById`, `where` on `knex('t')`).
  const method = how === 'executed' ? names[0]! : (names[names.length - 1] ?? names[0] ?? 'query');
  return { spec, how, owner, method, kind };
}

/** The handle a query runs through: the root of its chain (`db` in `db.select().from(t)`, `trx` in
 * `trx('users').where(...)`, `User` in `User.find()`), below the ORM's own properties (`db.query.users`). */
export function queryHandle(types: TypeQueries, call: ts.CallExpression, spec: OrmSpec): ts.Expression {
  let e: ts.Expression = call;
  for (let depth = 0; depth < 60; depth++) {
    e = skipOuterExpressions(e);
    if (ts.isCallExpression(e)) e = e.expression;
    else if (ts.isPropertyAccessExpression(e) && isOrmMember(types, e, spec)) e = e.expression;
    else break;
  }
  // Raw SQL run on a handle: `sql\`...\`.execute(db)`.
  if (ts.isTaggedTemplateExpression(e) && call.arguments[0]) return call.arguments[0];
  return e;
}

function isOrmMember(types: TypeQueries, access: ts.PropertyAccessExpression, spec: OrmSpec): boolean {
  const symbol = types.symbolAt(access.name);
  const decl = symbol && types.declarationsOf(symbol)[0];
  return !!decl && spec.modules.includes(moduleOfDeclaration(decl) ?? '');
}

/** The expressions that pick the table of a builder query: the handle and the table pickers' arguments. */
export function builderTables(types: TypeQueries, call: ts.CallExpression, spec: OrmSpec): ts.Node[] {
  const out: ts.Node[] = [queryHandle(types, call, spec)];
  for (const c of builderChain(call)) {
    const name = calleeName(c)?.text;
    if (name && spec.builders!.tablePickers.includes(name) && c.arguments[0]) out.push(c.arguments[0]);
    if (!name && c.arguments[0]) out.push(c.arguments[0]); // `knex('users')`, `trx(table)`
  }
  return out;
}

/** The builder query covers a list already: `whereIn('id', ids)`, `where('id', 'in', ids)`, a multi-row insert. */
export function isBuilderBatch(types: TypeQueries, call: ts.CallExpression, spec: OrmSpec, kind: QueryKind): boolean {
  const b = spec.builders!;
  let found = false;
  for (const c of builderChain(call)) {
    const name = calleeName(c)?.text;
    if (name && b.batchCalls?.includes(name)) return true;
    if (kind === 'write' && c.arguments.some((a) => isArray(types, a))) return true;
    if (b.batchOperator) for (const a of c.arguments) visitCalls(a, (inner) => {
      const op = inner.arguments[1] && skipOuterExpressions(inner.arguments[1]);
      if (op && ts.isStringLiteral(op) && op.text === b.batchOperator) found = true;
    });
    const op = c.arguments[1] && skipOuterExpressions(c.arguments[1]);
    if (b.batchOperator && op && ts.isStringLiteral(op) && op.text === b.batchOperator) found = true;
  }
  return found;
}

/** Calls under an argument, into callbacks (`where((eb) => eb('id', 'in', ids))`). */
function visitCalls(root: ts.Node, visit: (c: ts.CallExpression) => void): void {
  const stack: ts.Node[] = [root];
  let budget = 500;
  while (stack.length > 0 && budget-- > 0) {
    const n = stack.pop()!;
    if (ts.isCallExpression(n)) visit(n);
    ts.forEachChild(n, (c) => {
      stack.push(c);
    });
  }
}

function isArray(types: TypeQueries, expr: ts.Expression): boolean {
  const type = types.typeAt(expr);
  if (!type) return false;
  return types.isArrayOrTuple(types.nonNullable(type));
}

/** The leading SQL text of a raw builder query (`knex.raw('ALTER ...')`, `db.execute(sql\`CREATE ...\`)`,
 * ``sql`DROP ...`.execute(db)``), or '' when it is no raw query. */
export function rawSqlText(call: ts.CallExpression): string {
  const chain = builderChain(call);
  const innermost = chain[chain.length - 1];
  const callee = innermost && skipOuterExpressions(innermost.expression);
  const root = callee && ts.isPropertyAccessExpression(callee) ? skipOuterExpressions(callee.expression) : undefined;
  const candidates = [root, innermost?.arguments[0]].filter((e): e is ts.Expression => !!e);
  for (const c of candidates) {
    const e = skipOuterExpressions(c);
    const template = ts.isTaggedTemplateExpression(e) ? e.template : e;
    if (ts.isStringLiteral(template) || ts.isNoSubstitutionTemplateLiteral(template)) return template.text;
    if (ts.isTemplateExpression(template)) return template.head.text;
  }
  return '';
}
