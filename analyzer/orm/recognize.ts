/**
 * ORM recognition: which calls issue a query, load a relation through an entity, or page and
 * batch. A call is recognised by its resolved declaration: the module that declares the
 * method (package, or ambient `declare module '...'` name) and the class or interface that
 * owns it, looked up in `orm/catalog.ts`.
 */
import ts from '../ts/typescript.cjs';
import type { TypeQueries, TypeRef } from '../program/type-queries.js';
import { packageNameOf } from '../program/import-binding.js';
import { skipOuterExpressions } from '../program/walk.js';
import { codeText, quoteCode } from '../check/quote.js';
import { builderQueryOf, isBuilderBatch } from './builders.js';
import { isGeneratedPrismaMethod, PRISMA_MODULE } from './prisma-shape.js';
import { isConstDeclaration } from '../program/syntax.js';
import {
  BATCH_HELPERS, BATCH_KEYS, BULK_WRITES, MIKRO_RELATION_LOADERS, ORMS, PAGINATION_CALLS, PAGINATION_KEYS, PRISMA_BATCHED,
  SEQUELIZE_GETTER_MIXINS, type OrmName, type OrmSpec, type QueryKind,
} from './catalog.js';

export type QueryCall = ts.CallExpression | ts.TaggedTemplateExpression;

/** A method as declared: where, by whom, under which name. */
export interface MethodDecl {
  decl: ts.Declaration;
  module: string | undefined;
  owner: string | undefined;
  name: string;
}

export interface OrmQuery {
  orm: OrmName;
  spec: OrmSpec;
  owner: string;
  method: string;
  kind: QueryKind;
  call: QueryCall;
  /** Builder ORMs (see `builders.ts`): the call's value runs where it stands, or an executor runs it. */
  builder?: 'awaited' | 'executed';
}

/** The package of a declaration's file, or the name of the ambient module block around it. */
export function moduleOfDeclaration(decl: ts.Node): string | undefined {
  for (let n: ts.Node | undefined = decl.parent; n; n = n.parent) {
    if (ts.isModuleDeclaration(n) && ts.isStringLiteral(n.name)) return n.name.text;
  }
  const sf = decl.getSourceFile();
  return packageNameOf(sf.fileName) ?? generatedClientModule(sf);
}

const generated = new WeakMap<ts.SourceFile, string | null>();

/** Prisma 7's `prisma-client` generator writes the client into the project's own folders; its files
 * import Prisma's runtime, so their declarations belong to `@prisma/client` as the packaged client's do. */
function generatedClientModule(sf: ts.SourceFile): string | undefined {
  let value = generated.get(sf);
  if (value === undefined) {
    value = null;
    for (const st of sf.statements) {
      const spec = (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
      if (spec?.startsWith('@prisma/client/runtime')) value = '@prisma/client';
    }
    generated.set(sf, value);
  }
  return value ?? undefined;
}

function ownerName(decl: ts.Node): string | undefined {
  const parent = decl.parent;
  if (!parent) return undefined;
  if ((ts.isClassLike(parent) || ts.isInterfaceDeclaration(parent)) && parent.name) return parent.name.text;
  if (ts.isTypeLiteralNode(parent) && ts.isTypeAliasDeclaration(parent.parent)) return parent.parent.name.text;
  return undefined;
}

function memberName(callee: ts.Expression): ts.MemberName | undefined {
  const c = skipOuterExpressions(callee);
  return ts.isPropertyAccessExpression(c) ? c.name : undefined;
}

/** The declaration a call's method resolves to (signature first, then the callee's symbol). */
export function methodOf(types: TypeQueries, call: QueryCall): MethodDecl | undefined {
  const callee = ts.isCallExpression(call) ? call.expression : call.tag;
  const name = memberName(callee);
  if (!name) return undefined;
  let decl: ts.Declaration | undefined = ts.isCallExpression(call) ? types.calledDeclaration(call) : undefined;
  if (!decl || ts.isJSDocSignature(decl)) {
    const symbol = types.symbolAt(name);
    decl = symbol && (types.valueDeclarationOf(symbol) ?? types.declarationsOf(symbol)[0]);
  }
  if (!decl) return undefined;
  const owner = ownerName(decl);
  let module = moduleOfDeclaration(decl);
  // A Prisma client generated into the project's own source (Prisma 7) is Prisma all the same.
  if (!ormOfModule(module) && isGeneratedPrismaMethod(types, decl, name.text, owner)) module = PRISMA_MODULE;
  return { decl, module, owner, name: name.text };
}

export function ormOfModule(module: string | undefined): OrmSpec | undefined {
  if (!module) return undefined;
  return ORMS.find((o) => o.modules.includes(module));
}

const ownerMatches = (owners: OrmSpec['queries'][number]['owners'], owner: string): boolean =>
  typeof owners === 'function' ? owners(owner) : owners.includes(owner);

const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);

/** A call that sends a query to the database through a repository, manager, model or client. */
export function ormQueryOf(types: TypeQueries, call: QueryCall): OrmQuery | undefined {
  const m = methodOf(types, call);
  if (!m || !m.owner) return ts.isCallExpression(call) ? builderQuery(types, call) : undefined;
  const spec = ormOfModule(m.module);
  if (!spec) return ts.isCallExpression(call) ? builderQuery(types, call) : undefined;
  for (const entry of spec.queries) {
    if (!ownerMatches(entry.owners, m.owner)) continue;
    if (entry.reads.includes(m.name)) return { orm: spec.orm, spec, owner: m.owner, method: m.name, kind: 'read', call };
    if (entry.writes.includes(m.name)) return { orm: spec.orm, spec, owner: m.owner, method: m.name, kind: 'write', call };
  }
  if (spec.builders && ts.isCallExpression(call)) return builderQuery(types, call);
  // Prisma's fluent relation API: `prisma.user.findUnique(...).posts()` runs its own query.
  if (spec.orm === 'prisma' && m.owner.startsWith('Prisma__') && !PROMISE_METHODS.has(m.name)) {
    return { orm: 'prisma', spec, owner: m.owner, method: m.name, kind: 'read', call };
  }
  return undefined;
}

/** A builder ORM's query that runs at this call (Drizzle, Kysely, Knex, Mongoose). */
function builderQuery(types: TypeQueries, call: ts.CallExpression): OrmQuery | undefined {
  const q = builderQueryOf(types, call);
  return q && { orm: q.spec.orm, spec: q.spec, owner: q.owner, method: q.method, kind: q.kind, call, builder: q.how };
}

/** Prisma `findUnique` (or a fluent call on one): batched with its siblings of the same tick. */
export function isPrismaBatchable(types: TypeQueries, query: OrmQuery, depth = 0): boolean {
  if (query.orm !== 'prisma' || depth > 20) return false;
  if (PRISMA_BATCHED.includes(query.method)) return true;
  if (!query.owner.startsWith('Prisma__') || !ts.isCallExpression(query.call)) return false;
  const callee = skipOuterExpressions(query.call.expression);
  const base = ts.isPropertyAccessExpression(callee) ? skipOuterExpressions(callee.expression) : undefined;
  if (!base || !ts.isCallExpression(base)) return false;
  const inner = ormQueryOf(types, base);
  return !!inner && isPrismaBatchable(types, inner, depth + 1);
}

/** The call chain under a call: `a.b().c().d()` -> [d, c, b] calls, outermost first. */
export function chainCalls(call: ts.CallExpression, limit = 50): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  let e: ts.Expression = call;
  while (ts.isCallExpression(e) && out.length < limit) {
    out.push(e);
    const callee = skipOuterExpressions(e.expression);
    if (!ts.isPropertyAccessExpression(callee)) break;
    e = skipOuterExpressions(callee.expression);
  }
  return out;
}

function propertyNameText(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name)) {
    const e = skipOuterExpressions(name.expression);
    if (ts.isPropertyAccessExpression(e)) return e.name.text; // `[Op.in]`
    if (ts.isStringLiteral(e)) return e.text;
  }
  return undefined;
}

/** Object-literal keys at the top of the call's arguments (following one `const` hop). */
function topLevelKeys(types: TypeQueries, call: ts.CallExpression): Set<string> {
  const keys = new Set<string>();
  for (const arg of call.arguments) {
    const obj = literalObject(types, arg);
    if (!obj) continue;
    for (const p of obj.properties) if (p.name) { const k = propertyNameText(p.name); if (k) keys.add(k); }
  }
  return keys;
}

/** An object literal, or a `const` bound to one. */
export function literalObject(types: TypeQueries, expr: ts.Expression): ts.ObjectLiteralExpression | undefined {
  const e = skipOuterExpressions(expr);
  if (ts.isObjectLiteralExpression(e)) return e;
  if (ts.isIdentifier(e)) {
    const decl = types.valueDeclarationAt(e);
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && isConstDeclaration(decl)) {
      const init = skipOuterExpressions(decl.initializer);
      if (ts.isObjectLiteralExpression(init)) return init;
    }
  }
  return undefined;
}

/** The query pages through a table (`skip`/`take`, `limit`/`offset`, a cursor): one page per loop turn is by design. */
export function isPaginated(types: TypeQueries, query: OrmQuery): boolean {
  if (!ts.isCallExpression(query.call)) return false;
  for (const c of chainCalls(query.call)) {
    const name = memberName(c.expression)?.text;
    // A builder's own last call counts too (`db.select().from(t).limit(10)` is the query).
    if ((c !== query.call || query.builder === 'awaited') && name && PAGINATION_CALLS.includes(name) && !isOne(c.arguments[0])) return true;
    const keys = topLevelKeys(types, c);
    if (PAGINATION_KEYS.some((k) => keys.has(k))) return true;
  }
  return query.method === 'findByCursor';
}

/** `limit(1)`, `take(1)`: a single-row lookup, not a page. */
function isOne(arg: ts.Expression | undefined): boolean {
  const e = arg && skipOuterExpressions(arg);
  return !!e && ts.isNumericLiteral(e) && e.text === '1';
}

/** The query covers a batch already: `In(ids)`, `{ in: ids }`, `$in`, `Op.in`, or a bulk write of an array. */
export function isBatchQuery(types: TypeQueries, query: OrmQuery): boolean {
  if (!ts.isCallExpression(query.call)) return false;
  if (BULK_WRITES.includes(query.method)) return true;
  if (query.builder && isBuilderBatch(types, query.call, query.spec, query.kind)) return true;
  if (query.kind === 'write' && query.call.arguments.some((a) => isArrayValued(types, a))) return true;
  let found = false;
  for (const c of chainCalls(query.call)) {
    for (const arg of c.arguments) {
      walkLiteral(types, arg, (node) => {
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && BATCH_HELPERS.includes(node.expression.text)) found = true;
        if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && BATCH_KEYS.includes(propertyNameText(node.name) ?? '')) found = true;
        if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) && /\bIN\s*\(/i.test(node.getText())) found = true;
      });
    }
  }
  return found;
}

function walkLiteral(types: TypeQueries, root: ts.Expression, visit: (n: ts.Node) => void): void {
  const start = literalObject(types, root) ?? root;
  const stack: ts.Node[] = [start];
  let budget = 500;
  while (stack.length > 0 && budget-- > 0) {
    const n = stack.pop()!;
    visit(n);
    if (ts.isFunctionLike(n)) continue;
    ts.forEachChild(n, (c) => {
      stack.push(c);
    });
  }
}

function isArrayValued(types: TypeQueries, expr: ts.Expression): boolean {
  const type = types.typeAt(expr);
  if (!type) return false;
  return types.isArrayOrTuple(types.nonNullable(type));
}

/** Sequelize association getter (`post.getAuthor()`): typed by a `*GetAssociation(s)Mixin`, or by name on a model without the property. */
export function sequelizeGetterOf(types: TypeQueries, call: ts.CallExpression): ts.PropertyAccessExpression | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !/^get[A-Z]/.test(callee.name.text)) return undefined;
  const symbol = types.symbolAt(callee.name);
  if (symbol) {
    for (const d of types.declarationsOf(symbol)) {
      const typeNode = (ts.isPropertyDeclaration(d) || ts.isPropertySignature(d)) ? d.type : undefined;
      if (typeNode && ts.isTypeReferenceNode(typeNode)) {
        const alias = types.symbolAt(typeNode.typeName);
        const aliasDecl = alias && types.declarationsOf(alias)[0];
        if (aliasDecl && SEQUELIZE_GETTER_MIXINS.includes(symbolName(typeNode.typeName)) && isSequelizeDecl(aliasDecl)) return callee;
      }
    }
    return undefined;
  }
  // Untyped JS: association getters are added at run time, so the property is not declared.
  return extendsSequelizeModel(types, callee.expression) ? callee : undefined;
}

function symbolName(name: ts.EntityName): string {
  return ts.isIdentifier(name) ? name.text : name.right.text;
}

function isSequelizeDecl(decl: ts.Node): boolean {
  const m = moduleOfDeclaration(decl);
  return m === 'sequelize' || m === '@sequelize/core';
}

/** The expression's type is a class derived from Sequelize's `Model`. */
export function extendsSequelizeModel(types: TypeQueries, expr: ts.Expression): boolean {
  const type = types.typeAt(expr);
  if (!type) return false;
  let bases: TypeRef[] = [types.nonNullable(type)];
  for (let depth = 0; depth < 10 && bases.length > 0; depth++) {
    const next: TypeRef[] = [];
    for (const t of bases) {
      const symbol = types.typeSymbol(t);
      const decl = symbol && types.declarationsOf(symbol)[0];
      if (symbol && decl && types.symbolName(symbol) === 'Model' && isSequelizeDecl(decl)) return true;
      next.push(...types.baseTypes(t));
    }
    bases = next;
  }
  return false;
}

/** MikroORM `Reference`/`Collection`/`wrap(e)` loaders: `book.author.load()`, `author.books.init()`. */
const MIKRO_LOADER_NAMES = new Set(Object.values(MIKRO_RELATION_LOADERS).flat());

export function mikroLoaderOf(types: TypeQueries, call: ts.CallExpression): { owner: string; method: string; target: ts.Expression } | undefined {
  const name = memberName(call.expression);
  if (!name || !MIKRO_LOADER_NAMES.has(name.text)) return undefined;
  const m = methodOf(types, call);
  if (!m || !m.owner || ormOfModule(m.module)?.orm !== 'mikro-orm') return undefined;
  const methods = MIKRO_RELATION_LOADERS[m.owner];
  if (!methods || !methods.includes(m.name)) return undefined;
  const callee = skipOuterExpressions(call.expression) as ts.PropertyAccessExpression;
  return { owner: m.owner, method: m.name, target: skipOuterExpressions(callee.expression) };
}

/** A short name for a query call: `` `repo.findOneBy(...)` ``, `` `repo.createQueryBuilder(...)...getOne()` ``. */
export function describeQuery(call: ts.CallExpression, sf: ts.SourceFile): string {
  const chain = chainCalls(call);
  const names = chain.map((c) => memberName(c.expression)?.text);
  const innermost = chain[chain.length - 1]!;
  const callee = skipOuterExpressions(innermost.expression);
  const base = ts.isPropertyAccessExpression(callee) ? skipOuterExpressions(callee.expression) : callee;
  if (chain.length === 1 || !names[0] || !names[names.length - 1]) return quoteCode(`${codeText(callee, sf, 40)}(...)`);
  return quoteCode(`${codeText(base, sf, 40)}.${names[names.length - 1]}(...)${chain.length > 2 ? '...' : '.'}${names[0]}()`);
}
