/**
 * Load sites: the queries that produce entities, and the relations each one loaded.
 *
 * - TypeORM `find`/`findOne`/`findOneOrFail`/`findAndCount` (options: `relations`, the 0.3
 *   `join`, `loadEagerRelations`) and the `*By` finders (eager relations only), on a
 *   `Repository`, `EntityManager` (entity first) or `BaseEntity` class;
 * - TypeORM QueryBuilder `getOne`/`getMany`/...: the `leftJoinAndSelect`/`innerJoinAndSelect`
 *   (and `...AndMap...`) joins of its chain or of its variable; no eager relations;
 * - MikroORM `find`/`findOne`/`findOneOrFail`/`findAll`/`findAndCount` with `populate`.
 */
import ts from '../ts/typescript.cjs';
import type { TypeQueries } from '../program/type-queries.js';
import { skipOuterExpressions, walk } from '../program/walk.js';
import { TYPEORM_LOADERS, TYPEORM_QB_JOINS, TYPEORM_QB_TERMINALS } from './catalog.js';
import { entityOfType, type EntityInfo } from './entities.js';
import { addPath, addPopulateOption, addRelationsOption, emptyTree, optionValue, type LoadTree } from './load-tree.js';
import { chainCalls, literalObject, methodOf, ormOfModule } from './recognize.js';
import { methodName } from '../program/syntax.js';

export interface LoadSite {
  orm: 'typeorm' | 'mikro-orm';
  call: ts.CallExpression;
  method: string;
  entity: EntityInfo | undefined;
  tree: LoadTree;
  /** `options`: a find with an options argument at `argIndex`; `where`: a `*By` finder; `qb`: a QueryBuilder chain. */
  form: 'options' | 'where' | 'qb' | 'populate';
  argIndex: number;
  /** QueryBuilder aliases and the relation path each stands for (root alias -> []). */
  aliases?: Map<string, string[]>;
}

const sites = new WeakMap<ts.CallExpression, LoadSite | null>();

export function loadSiteOf(types: TypeQueries, call: ts.CallExpression): LoadSite | undefined {
  let site = sites.get(call);
  if (site === undefined) {
    site = computeSite(types, call) ?? null;
    sites.set(call, site);
  }
  return site ?? undefined;
}

const TYPEORM_FIND_OWNERS = ['Repository', 'TreeRepository', 'EntityManager', 'BaseEntity'];
const MIKRO_FIND = ['find', 'findOne', 'findOneOrFail', 'findAll', 'findAndCount'];

function computeSite(types: TypeQueries, call: ts.CallExpression): LoadSite | undefined {
  const m = methodOf(types, call);
  if (!m || !m.owner) return undefined;
  const orm = ormOfModule(m.module)?.orm;
  const entity = entityOfType(types, types.typeAt(call));
  if (orm === 'typeorm') {
    if (TYPEORM_FIND_OWNERS.includes(m.owner) && m.name in TYPEORM_LOADERS) {
      const shift = m.owner === 'EntityManager' ? 1 : 0;
      return typeormFind(types, call, m.name, entity, shift);
    }
    if (m.owner === 'SelectQueryBuilder' && TYPEORM_QB_TERMINALS.includes(m.name)) return queryBuilder(types, call, m.name, entity);
    return undefined;
  }
  if (orm === 'mikro-orm' && MIKRO_FIND.includes(m.name)) {
    const onManager = m.owner === 'EntityManager' || m.owner === 'SqlEntityManager';
    if (!onManager && m.owner !== 'EntityRepository' && m.owner !== 'SqlEntityRepository') return undefined;
    const argIndex = (onManager ? 1 : 0) + (m.name === 'findAll' ? 0 : 1);
    const tree = emptyTree(entity, true);
    const arg = call.arguments[argIndex];
    if (arg) {
      const obj = literalObject(types, arg);
      const populate = obj ? optionValue(obj, 'populate') : null;
      if (populate === null) tree.all = true;
      else if (populate) addPopulateOption(types, tree, populate);
    }
    return { orm: 'mikro-orm', call, method: m.name, entity, tree, form: 'populate', argIndex };
  }
  return undefined;
}

function typeormFind(types: TypeQueries, call: ts.CallExpression, method: string, entity: EntityInfo | undefined, shift: number): LoadSite {
  const form = TYPEORM_LOADERS[method]!;
  const argIndex = shift;
  const tree = emptyTree(entity, true);
  const site: LoadSite = { orm: 'typeorm', call, method, entity, tree, form, argIndex };
  const arg = call.arguments[argIndex];
  if (form === 'where' || !arg) return site;
  const obj = literalObject(types, arg);
  if (!obj) {
    tree.all = true;
    return site;
  }
  const eagerOpt = optionValue(obj, 'loadEagerRelations');
  if (eagerOpt === null || optionValue(obj, 'loadRelationIds') !== undefined) tree.all = true;
  else if (eagerOpt && eagerOpt.kind === ts.SyntaxKind.FalseKeyword) tree.eager = false;
  const relations = optionValue(obj, 'relations');
  if (relations === null) tree.all = true;
  else if (relations) addRelationsOption(types, tree, relations);
  const join = optionValue(obj, 'join');
  if (join === null) tree.all = true;
  else if (join) addJoinOption(types, tree, join);
  return site;
}

/** TypeORM 0.3 `join: { alias: 'o', leftJoinAndSelect: { user: 'o.user' } }`. */
function addJoinOption(types: TypeQueries, tree: LoadTree, join: ts.Expression): void {
  const obj = literalObject(types, join);
  const aliasExpr = obj ? optionValue(obj, 'alias') : null;
  if (!obj || !aliasExpr || !ts.isStringLiteral(aliasExpr)) { tree.all = true; return; }
  const aliases = new Map<string, string[]>([[aliasExpr.text, []]]);
  for (const kind of ['leftJoinAndSelect', 'innerJoinAndSelect']) {
    const joins = optionValue(obj, kind);
    if (joins === null) { tree.all = true; continue; }
    const joinObj = joins ? literalObject(types, joins) : undefined;
    if (!joinObj) continue;
    for (const p of joinObj.properties) {
      if (!ts.isPropertyAssignment(p) || !ts.isStringLiteral(p.initializer) || !p.name || !ts.isIdentifier(p.name)) { tree.all = true; continue; }
      addJoin(types, tree, aliases, p.initializer.text, p.name.text);
    }
  }
}

function addJoin(types: TypeQueries, tree: LoadTree, aliases: Map<string, string[]>, property: string, alias: string | undefined): void {
  const dot = property.indexOf('.');
  const parent = dot > 0 ? aliases.get(property.slice(0, dot)) : undefined;
  if (!parent) return;
  const path = [...parent, ...property.slice(dot + 1).split('.')];
  addPath(types, tree, path);
  if (alias) aliases.set(alias, path);
}

function stringArg(call: ts.CallExpression, i: number): string | undefined {
  const a = call.arguments[i];
  const e = a && skipOuterExpressions(a);
  return e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) ? e.text : undefined;
}

/** Apply one QueryBuilder call of the chain to the tree (marking it `all` when a join cannot be named). */
function applyQbCall(types: TypeQueries, tree: LoadTree, aliases: Map<string, string[]>, c: ts.CallExpression): void {
  const name = methodName(c);
  if (!name) return;
  if (name === 'createQueryBuilder' || name === 'from') {
    const alias = stringArg(c, c.arguments.length > 1 ? 1 : 0);
    if (alias && (name === 'from' || aliases.size === 0)) aliases.set(alias, []);
    return;
  }
  if (name === 'setFindOptions') {
    const obj = c.arguments[0] && literalObject(types, c.arguments[0]);
    const rel = obj ? optionValue(obj, 'relations') : null;
    tree.eager = true;
    if (rel === null) tree.all = true;
    else if (rel) addRelationsOption(types, tree, rel);
    return;
  }
  if (!TYPEORM_QB_JOINS.includes(name)) return;
  const mapped = name.includes('AndMap');
  const property = stringArg(c, 0);
  if (property === undefined) {
    // An entity class or a sub-query joined by condition: it is not mapped onto a relation,
    // unless the call maps it (`...AndMap...`) onto a property we cannot name.
    if (mapped || c.arguments.length < 2) tree.all = true;
    return;
  }
  addJoin(types, tree, aliases, property, stringArg(c, mapped ? 2 : 1));
}

function queryBuilder(types: TypeQueries, terminal: ts.CallExpression, method: string, entity: EntityInfo | undefined): LoadSite {
  const tree = emptyTree(entity, false);
  const site: LoadSite = { orm: 'typeorm', call: terminal, method, entity, tree, form: 'qb', argIndex: 0 };
  const calls: ts.CallExpression[] = [];
  let base = collectChain(terminal, calls);
  for (let hops = 0; hops < 5 && ts.isIdentifier(base) && methodName(calls[calls.length - 1]!) !== 'createQueryBuilder'; hops++) {
    const decl = types.valueDeclarationAt(base);
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) break;
    const extra = callsOnVariable(types, base, decl);
    if (!extra) { tree.all = true; return site; }
    calls.push(...extra);
    base = collectChain(decl.initializer, calls);
  }
  const root = calls[calls.length - 1];
  if (!root || methodName(root) !== 'createQueryBuilder') { tree.all = true; return site; }
  const aliases = new Map<string, string[]>();
  // Innermost first: the alias is declared before the joins that use it.
  const ordered = [...calls].sort((a, b) => a.getStart() - b.getStart() || a.getEnd() - b.getEnd());
  for (const c of [root, ...ordered.filter((c) => c !== root)]) applyQbCall(types, tree, aliases, c);
  if (aliases.size === 0) tree.all = true;
  site.aliases = aliases;
  return site;
}

/** Push the calls of `expr`'s chain (outermost first); return the chain's base expression. */
function collectChain(expr: ts.Expression, into: ts.CallExpression[]): ts.Expression {
  let e = skipOuterExpressions(expr);
  if (ts.isAwaitExpression(e)) e = skipOuterExpressions(e.expression);
  if (!ts.isCallExpression(e)) return e;
  const chain = chainCalls(e);
  into.push(...chain);
  const last = chain[chain.length - 1]!;
  const callee = skipOuterExpressions(last.expression);
  return ts.isPropertyAccessExpression(callee) ? skipOuterExpressions(callee.expression) : callee;
}

/** Statements like `qb.leftJoinAndSelect(...)` on a QueryBuilder variable, in its scope; undefined when it escapes. */
function callsOnVariable(types: TypeQueries, id: ts.Identifier, decl: ts.VariableDeclaration): ts.CallExpression[] | undefined {
  const symbol = types.symbolAt(id);
  const scope = scopeOf(decl);
  const out: ts.CallExpression[] = [];
  let escapes = false;
  walk(scope, (n) => {
    if (!ts.isIdentifier(n) || n === decl.name || types.symbolAt(n) !== symbol) return;
    const parent = n.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === n && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
      out.push(...outerChain(parent.parent));
    } else if (ts.isBinaryExpression(parent) && parent.left === n && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      collectChain(parent.right, out);
    } else if (ts.isCallExpression(parent) || ts.isNewExpression(parent) || ts.isReturnStatement(parent)) {
      escapes = true;
    }
  });
  return escapes ? undefined : out;
}

/** From a call on the variable, the calls chained after it: `qb.a().b()` -> [a, b]. */
function outerChain(call: ts.CallExpression): ts.CallExpression[] {
  const out = [call];
  let c: ts.Node = call;
  while (ts.isPropertyAccessExpression(c.parent) && ts.isCallExpression(c.parent.parent) && c.parent.parent.expression === c.parent) {
    c = c.parent.parent;
    out.push(c as ts.CallExpression);
  }
  return out;
}

export function scopeOf(node: ts.Node): ts.Node {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isFunctionLike(n) || ts.isSourceFile(n)) return n;
  }
  return node.getSourceFile();
}
