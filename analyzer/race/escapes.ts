/**
 * Local objects that leave the running call. An object a call creates or loads into a local
 * (`const order = await repo.load(id)`, `new Order()`) is reachable by that call only, so
 * updating it across an `await` races with nobody: until the call stores it where other calls can
 * find it: a field or module variable (`this.current = order`), a shared collection
 * (`this.open.set(id, order)`), or a function of this program that does so with its parameter
 * (`this.remember(order)`). From then on the object is shared state like any field, also inside
 * the closures of that call that run in turn (a transaction callback updating it).
 */
import ts from '../ts/typescript.cjs';
import type { SymbolRef, TypeQueries } from '../program/type-queries.js';
import { enclosingFunction, getCallGraph, isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';
import { placeOf, type Escapes } from './places.js';
import { overlapOf } from './closures.js';
import { isAssignmentOperator } from '../program/syntax.js';
import { codeText, quoteCode } from '../check/quote.js';

/** Methods that keep their argument in the receiving collection. */
const STORING = new Set(['push', 'unshift', 'splice', 'set', 'add']);
const storeCache = new WeakMap<FunctionLike, Map<number, string | null>>();

/**
 * Locals of `fn` stored where other calls reach them, with the first such store. Only locals whose
 * properties `fn` writes are considered (nothing else can make a race on them).
 */
export function escapesOf(types: TypeQueries, fn: FunctionLike, extra?: Set<string>): Escapes {
  const candidates = writtenRoots(fn);
  for (const name of extra ?? []) candidates.add(name);
  const escapes = ownEscapes(types, fn, candidates);
  // A closure that runs in turn inside its call sees that call's locals: one stored before the
  // closure is created is shared inside it too.
  const parent = enclosingFunction(fn);
  if (parent && candidates.size > 0 && overlapOf(types.program, fn) === undefined) {
    for (const [symbol, e] of escapesOf(types, parent, candidates)) if (!escapes.has(symbol) && e.at.end <= fn.getStart()) escapes.set(symbol, e);
  }
  return escapes;
}

function ownEscapes(types: TypeQueries, fn: FunctionLike, candidates: Set<string>): Escapes {
  const escapes: Escapes = new Map();
  if (!fn.body || candidates.size === 0) return escapes;
  const sf = fn.getSourceFile();
  const localOf = (e: ts.Expression): SymbolRef | undefined => {
    const id = skipOuter(e);
    if (!ts.isIdentifier(id) || !candidates.has(id.text)) return undefined;
    const symbol = types.symbolAt(id);
    const decl = symbol && types.valueDeclarationOf(symbol);
    return symbol && decl && ts.isVariableDeclaration(decl) && decl.pos >= fn.pos && decl.end <= fn.end ? symbol : undefined;
  };
  const record = (symbol: SymbolRef | undefined, at: ts.Node, where: string | undefined) => {
    if (symbol && where !== undefined && !escapes.has(symbol)) escapes.set(symbol, { at, where });
  };
  walk(fn.body, (n) => {
    if (isFunctionLike(n) || ts.isClassLike(n)) return false;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const symbol = localOf(n.right);
      const where = symbol && placeOf(types, n.left, fn, sf)?.label;
      if (where) record(symbol, n, `is stored in \`${where}\``);
    } else if (ts.isCallExpression(n)) {
      n.arguments.forEach((arg, i) => {
        const symbol = localOf(arg);
        if (symbol) record(symbol, n, storedBy(types, fn, n, i));
      });
    }
    return true;
  });
  return escapes;
}

/** Names of locals whose properties are written (`order.total = ...`, `order.items.push(...)`). */
function writtenRoots(fn: FunctionLike): Set<string> {
  const names = new Set<string>();
  const rootOf = (e: ts.Expression): string | undefined => {
    let x = skipOuter(e);
    while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) x = skipOuter(x.expression);
    return ts.isIdentifier(x) && x !== skipOuter(e) ? x.text : undefined;
  };
  walk(fn.body!, (n) => {
    if (isFunctionLike(n) || ts.isClassLike(n)) return false;
    let target: ts.Expression | undefined;
    if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind)) target = n.left;
    else if (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) target = n.operand;
    else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) target = ts.isIdentifier(skipOuter(n.expression.expression)) ? undefined : n.expression;
    const root = target && rootOf(target);
    if (root) names.add(root);
    return true;
  });
  return names;
}

/** Where a call keeps its argument `index`: a shared collection it is added to, or what the callee stores it in. */
function storedBy(types: TypeQueries, fn: FunctionLike, call: ts.CallExpression, index: number): string | undefined {
  const callee = skipOuter(call.expression);
  if (ts.isPropertyAccessExpression(callee) && STORING.has(callee.name.text)) {
    const where = placeOf(types, callee.expression, fn, fn.getSourceFile())?.label;
    if (where !== undefined) return `is stored in \`${where}\``;
  }
  for (const f of getCallGraph(types.program).resolve(call)) {
    const kept = storesParameter(types, f, index);
    if (kept !== undefined) return `is passed to ${quoteCode(codeText(callee, callee.getSourceFile(), Infinity))}, which stores it in \`${kept}\``;
  }
  return undefined;
}

/** Does `fn` store its parameter `index` in shared state (`this.recent.push(order)`, `this.current = order`)? */
function storesParameter(types: TypeQueries, fn: FunctionLike, index: number): string | undefined {
  let byIndex = storeCache.get(fn);
  if (!byIndex) storeCache.set(fn, (byIndex = new Map()));
  const cached = byIndex.get(index);
  if (cached !== undefined) return cached ?? undefined;
  byIndex.set(index, null);
  const param = fn.parameters[index];
  if (!param || !fn.body || !ts.isIdentifier(param.name)) return undefined;
  const name = param.name.text;
  const sf = fn.getSourceFile();
  const isParam = (e: ts.Expression) => {
    const id = skipOuter(e);
    return ts.isIdentifier(id) && id.text === name && types.valueDeclarationAt(id) === param;
  };
  let where: string | undefined;
  walk(fn.body, (n) => {
    if (where !== undefined || isFunctionLike(n) || ts.isClassLike(n)) return false;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && isParam(n.right)) where = placeOf(types, n.left, fn, sf)?.label;
    else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && STORING.has(n.expression.name.text) && n.arguments.some(isParam)) {
      where = placeOf(types, n.expression.expression, fn, sf)?.label;
    }
    return true;
  });
  byIndex.set(index, where ?? null);
  return where;
}
