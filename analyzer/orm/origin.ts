/**
 * Where an entity value comes from: the query that loaded it (with the relation path from the
 * loaded root down to the value), an object built in memory, or something the analysis cannot
 * see. Values are followed through `await`, `const` (and never-reassigned `let`) variables,
 * array destructuring of `Promise.all([...])`, element access, `for-of` variables, array
 * callback parameters, element-preserving array methods, relation reads, and the returns of
 * helper functions across files (via the `orm:returned-entities` summary).
 */
import ts from '../ts/typescript.cjs';
import type { SymbolRef, TypeQueries } from '../program/type-queries.js';
import { functionName, type CallGraph, type FunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions } from '../program/walk.js';
import { ELEMENT_PRESERVING_METHODS } from './catalog.js';
import { entityOfExpression } from './entities.js';
import { childTree, isLoaded, type LoadTree } from './load-tree.js';
import { loadSiteOf, type LoadSite } from './loads.js';
import { perItemCallback } from './loops.js';
import { methodOf, ormOfModule, ormQueryOf } from './recognize.js';
import { implementationsOf } from '../program/implementations.js';
import { isTouched } from './touched.js';
import { isAssignmentOperator } from '../program/syntax.js';

export interface Hop {
  node: ts.Node;
  message: string;
  /** The call runs an implementation of an interface or abstract method (found program-wide). */
  dispatch?: boolean;
}

export interface LoadOrigin {
  kind: 'load';
  site: LoadSite;
  /** Relation path from the loaded root entity to the value. */
  path: readonly string[];
  /** Helper calls between the value and the load (outermost first). */
  hops: readonly Hop[];
}

/** `memory`: built with `new`/`create()`/a literal; `touched`: handed to code that may load or set relations. */
export type Origin = LoadOrigin | { kind: 'memory' } | { kind: 'touched' };

/** `null`: some path is unknown (a parameter, `this`, an untyped call). */
export type Origins = readonly Origin[] | null;

export interface OriginContext {
  types: TypeQueries;
  graph: CallGraph;
  /** The `orm:returned-entities` summary of a helper. */
  returnsOf(fn: FunctionLike): Origins;
  /** The `orm:touched-params` summary of a helper. */
  touchedParams(fn: FunctionLike): readonly boolean[];
}

const MAX_ORIGINS = 8;
const MAX_DEPTH = 30;
const MEMORY: Origins = [{ kind: 'memory' }];
const TOUCHED: Origins = [{ kind: 'touched' }];

export function unionOrigins(a: Origins, b: Origins): Origins {
  if (a === null || b === null) return null;
  const out = [...a];
  for (const o of b) if (!out.some((x) => sameOrigin(x, o))) out.push(o);
  return out.length > MAX_ORIGINS ? null : out;
}

export function sameOrigin(a: Origin, b: Origin): boolean {
  if (a.kind !== 'load' || b.kind !== 'load') return a.kind === b.kind;
  return a.site.call === b.site.call && a.path.join('.') === b.path.join('.');
}

/** The loaded tree at an origin's path, or undefined where a relation on the way was not loaded. */
export function treeAt(types: TypeQueries, origin: LoadOrigin): LoadTree | undefined {
  let tree: LoadTree | undefined = origin.site.tree;
  for (const name of origin.path) {
    if (!tree) return undefined;
    tree = childTree(types, tree, name);
  }
  return tree;
}

/** The relation was loaded with the collection (or the entity was built or handed around): no query per item. */
export function loadedWithCollection(types: TypeQueries, origins: Origins, relation: string | undefined): boolean {
  if (origins === null) return false;
  if (origins.some((o) => o.kind !== 'load')) return true;
  if (relation === undefined || origins.length === 0) return false;
  return (origins as LoadOrigin[]).every((o) => {
    const tree = treeAt(types, o);
    return !tree || isLoaded(tree, relation);
  });
}

/** Every origin is a query whose load tree holds `relation`: only then may a message say it is loaded. */
export function provenLoaded(types: TypeQueries, origins: Origins, relation: string | undefined): boolean {
  if (!origins || origins.length === 0 || relation === undefined) return false;
  return origins.every((o) => {
    const tree = o.kind === 'load' ? treeAt(types, o) : undefined;
    return tree !== undefined && isLoaded(tree, relation);
  });
}

export function originOf(expr: ts.Expression, ctx: OriginContext, depth = 0): Origins {
  if (depth > MAX_DEPTH) return null;
  const e = skipOuterExpressions(expr);
  if (ts.isAwaitExpression(e)) return originOf(e.expression, ctx, depth + 1);
  if (ts.isCallExpression(e)) return callOrigin(e, ctx, depth);
  if (ts.isNewExpression(e) || ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e)) return MEMORY;
  if (ts.isIdentifier(e)) return identifierOrigin(e, ctx, depth);
  if (ts.isPropertyAccessExpression(e)) return relationOrigin(e, ctx, depth);
  if (ts.isElementAccessExpression(e)) {
    const index = ts.isNumericLiteral(e.argumentExpression) ? Number(e.argumentExpression.text) : undefined;
    return index === undefined ? originOf(e.expression, ctx, depth + 1) : elementOrigin(e.expression, index, ctx, depth + 1);
  }
  if (ts.isConditionalExpression(e)) return unionOrigins(originOf(e.whenTrue, ctx, depth + 1), originOf(e.whenFalse, ctx, depth + 1));
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) {
      return unionOrigins(originOf(e.left, ctx, depth + 1), originOf(e.right, ctx, depth + 1));
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return originOf(e.right, ctx, depth + 1);
  }
  return null;
}

/** Origin of element `index` of a tuple-like value (`const [a, b] = await Promise.all([...])`). */
function elementOrigin(expr: ts.Expression, index: number, ctx: OriginContext, depth: number): Origins {
  let e = skipOuterExpressions(expr);
  if (ts.isAwaitExpression(e)) e = skipOuterExpressions(e.expression);
  if (ts.isCallExpression(e) && isPromiseStatic(e, ctx, 'all') && e.arguments[0]) {
    const list = skipOuterExpressions(e.arguments[0]);
    if (ts.isArrayLiteralExpression(list)) {
      const el = list.elements[index];
      return el && !ts.isSpreadElement(el) ? originOf(el, ctx, depth + 1) : null;
    }
  }
  if (ts.isIdentifier(e)) {
    const decl = ctx.types.valueDeclarationAt(e);
    if (decl && ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) && decl.initializer && !isReassigned(decl, ctx)) {
      return elementOrigin(decl.initializer, index, ctx, depth + 1);
    }
  }
  return originOf(e, ctx, depth + 1);
}

function isPromiseStatic(call: ts.CallExpression, ctx: OriginContext, name: string): boolean {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== name) return false;
  const base = skipOuterExpressions(callee.expression);
  if (!ts.isIdentifier(base) || base.text !== 'Promise') return false;
  const symbol = ctx.types.symbolAt(base);
  return !symbol || ctx.types.originOf(symbol).kind === 'lib';
}

const IN_MEMORY_METHODS = new Set(['create', 'merge', 'build', 'bulkBuild']);

function callOrigin(call: ts.CallExpression, ctx: OriginContext, depth: number): Origins {
  const site = loadSiteOf(ctx.types, call);
  if (site) return [{ kind: 'load', site, path: [], hops: [] }];
  if (isPromiseStatic(call, ctx, 'resolve') && call.arguments[0]) return originOf(call.arguments[0], ctx, depth + 1);
  const m = methodOf(ctx.types, call);
  if (m && ormOfModule(m.module)) {
    // `repo.create()`, `Model.build()`: built in memory. Other ORM calls (`save`, `populate`, `reload`):
    // the entity may carry whatever the caller set or loaded.
    if (IN_MEMORY_METHODS.has(m.name) && !ormQueryOf(ctx.types, call)) return MEMORY;
    return TOUCHED;
  }
  const callee = skipOuterExpressions(call.expression);
  if (ts.isPropertyAccessExpression(callee) && ELEMENT_PRESERVING_METHODS.includes(callee.name.text) && isArrayValue(callee.expression, ctx)) {
    return originOf(callee.expression, ctx, depth + 1);
  }
  const resolved = ctx.graph.resolve(call);
  // A method of an interface or abstract class: what the program's implementations return.
  const impls = resolved.length > 0 ? [] : implementationsOf(ctx.graph.program, call);
  const callees = resolved.length > 0 ? resolved : impls.map((i) => i.fn);
  if (callees.length === 0) return null;
  let result: Origins = [];
  for (const fn of callees) {
    const returned = ctx.returnsOf(fn);
    if (returned === null) return null;
    const via = impls.length > 0 ? `, the implementation of \`${skipOuterExpressions(call.expression).getText()}\` (${impls.length === 1 ? 'the only one' : `one of ${impls.length}`} in the program),` : '';
    const hop: Hop = { node: call, message: `\`${functionName(fn)}\`${via} returns it`, ...(impls.length > 0 ? { dispatch: true } : {}) };
    result = unionOrigins(result, returned.map((o) => (o.kind === 'load' ? { ...o, hops: [hop, ...o.hops] } : o)));
  }
  return result;
}

function isArrayValue(expr: ts.Expression, ctx: OriginContext): boolean {
  const type = ctx.types.typeAt(expr);
  if (!type) return false;
  return ctx.types.isArrayOrTuple(ctx.types.nonNullable(type));
}

function identifierOrigin(id: ts.Identifier, ctx: OriginContext, depth: number): Origins {
  const symbol = ctx.types.symbolAt(id);
  const decl = symbol && ctx.types.valueDeclarationOf(symbol);
  if (!symbol || !decl) return null;
  if (isTouched(ctx.types, symbol, decl, ctx.touchedParams)) return TOUCHED;
  if (ts.isVariableDeclaration(decl)) {
    const list = decl.parent;
    const stmt = list.parent;
    if ((ts.isForOfStatement(stmt) || ts.isForInStatement(stmt)) && stmt.initializer === list) {
      return ts.isForOfStatement(stmt) && ts.isIdentifier(decl.name) ? originOf(stmt.expression, ctx, depth + 1) : null;
    }
    if (!decl.initializer || isReassigned(decl, ctx)) return null;
    return originOf(decl.initializer, ctx, depth + 1);
  }
  if (ts.isBindingElement(decl) && ts.isArrayBindingPattern(decl.parent) && !decl.dotDotDotToken) {
    const varDecl = decl.parent.parent;
    if (ts.isVariableDeclaration(varDecl) && varDecl.initializer) {
      return elementOrigin(varDecl.initializer, decl.parent.elements.indexOf(decl), ctx, depth + 1);
    }
    return null;
  }
  if (ts.isParameter(decl)) {
    const callback = perItemCallback(ctx.types, decl.parent);
    return callback && callback.item === decl ? originOf(callback.receiver, ctx, depth + 1) : null;
  }
  return null;
}

/** `let` variables count only when nothing assigns them after the declaration. */
function isReassigned(decl: ts.VariableDeclaration, ctx: OriginContext): boolean {
  if (decl.parent.flags & ts.NodeFlags.Const) return false;
  if (!ts.isIdentifier(decl.name)) return true;
  const symbol = ctx.types.symbolAt(decl.name);
  return symbol ? assignedSymbols(ctx.types, decl).has(symbol) : true;
}

const assignedCache = new WeakMap<ts.Node, Set<SymbolRef>>();

function assignedSymbols(types: TypeQueries, decl: ts.Node): Set<SymbolRef> {
  const scope = decl.getSourceFile();
  let set = assignedCache.get(scope);
  if (set) return set;
  const found = new Set<SymbolRef>();
  const stack: ts.Node[] = [scope];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind)) {
      const target = skipOuterExpressions(n.left);
      const s = ts.isIdentifier(target) ? types.symbolAt(target) : undefined;
      if (s) found.add(s);
    } else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && ts.isIdentifier(n.operand)) {
      const s = types.symbolAt(n.operand);
      if (s) found.add(s);
    }
    ts.forEachChild(n, (c) => {
      stack.push(c);
    });
  }
  assignedCache.set(scope, found);
  set = found;
  return set;
}

/** `x.rel`: the origins of `x`, one relation further down; a relation that was not loaded there ends the trail. */
function relationOrigin(access: ts.PropertyAccessExpression, ctx: OriginContext, depth: number): Origins {
  const entity = entityOfExpression(ctx.types, access.expression);
  const name = access.name.text;
  if (!entity || !entity.relations.has(name)) return null;
  const base = originOf(access.expression, ctx, depth + 1);
  if (base === null) return null;
  return base.map((o): Origin => {
    if (o.kind !== 'load') return o;
    const tree = treeAt(ctx.types, o);
    // Not loaded: the read itself is the finding; what follows it is not reported again.
    if (!tree || !isLoaded(tree, name)) return { kind: 'touched' };
    return { ...o, path: [...o.path, name] };
  });
}
