/**
 * Entries of shared collections for `no-await-race`: the key an access or a write names
 * (`map.get(k)`, `map.set(k, v)`, `obj[k]`), and whether that key is unique to the running call.
 *
 * A key the call made itself cannot be named by another call: a fresh random id
 * (`randomUUID()`, uuid's `v4()`, `nanoid()`), a new `Symbol()`, or a number taken from a shared
 * counter in one synchronous step (`const id = ++this.seq`). Reading, awaiting and writing back
 * such an entry races with nobody.
 */
import ts from '../ts/typescript.cjs';
import type { TypeQueries } from '../program/type-queries.js';
import { skipOuterExpressions as skipOuter } from '../program/walk.js';
import type { FunctionEvents } from './events.js';

/** Modules and exports that return a fresh random id on every call (data, not names of the analysed code). */
const FRESH_ID_IMPORTS: Record<string, Set<string>> = {
  crypto: new Set(['randomUUID']),
  'node:crypto': new Set(['randomUUID']),
  uuid: new Set(['v1', 'v4', 'v6', 'v7']),
  nanoid: new Set(['nanoid']),
  '@paralleldrive/cuid2': new Set(['createId']),
  ulid: new Set(['ulid']),
};

/** Methods of built-in collections that name one entry by their first argument. */
const ENTRY_METHODS = new Set(['get', 'set', 'has', 'delete']);

/** The key expression of an entry access or write: `m.get(k)` / `m.set(k, v)` / `m.has(k)` / `o[k]`. */
export function entryKeyOf(node: ts.Node): ts.Expression | undefined {
  const n = skipOuter(node as ts.Expression);
  if (ts.isElementAccessExpression(n)) return n.argumentExpression;
  if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) return ENTRY_METHODS.has(n.expression.name.text) ? n.arguments[0] : undefined;
  // The receiver of an entry call: `this.counts` in `this.counts.get(k)`.
  const call = n.parent?.parent;
  if (n.parent && ts.isPropertyAccessExpression(n.parent) && n.parent.expression === n && call && ts.isCallExpression(call) && call.expression === n.parent) {
    return ENTRY_METHODS.has(n.parent.name.text) ? call.arguments[0] : undefined;
  }
  return undefined;
}

/** The method called on a receiver read (`get` for `this.counts` in `this.counts.get(k)`). */
export function methodOnReceiver(receiver: ts.Node): string | undefined {
  const access = receiver.parent;
  if (!access || !ts.isPropertyAccessExpression(access) || access.expression !== receiver) return undefined;
  return ts.isCallExpression(access.parent) && access.parent.expression === access ? access.name.text : undefined;
}

/** Do two key expressions name the same key (the same local, or the same text)? */
export function sameKey(types: TypeQueries, a: ts.Expression | undefined, b: ts.Expression | undefined): boolean {
  if (!a || !b) return false;
  const x = skipOuter(a);
  const y = skipOuter(b);
  if (ts.isIdentifier(x) && ts.isIdentifier(y)) return types.symbolAt(x) === types.symbolAt(y) && x.text === y.text;
  return x.getText() === y.getText();
}

/** Is the key made by this call for itself (a fresh id, or a number claimed from a counter)? */
export function isFreshKey(types: TypeQueries, ev: FunctionEvents, key: ts.Expression | undefined, depth = 0): boolean {
  if (!key || depth > 3) return false;
  const k = skipOuter(key);
  // `String(id)`, `` `job:${id}` ``, `id.toString()`: as unique as the id they are made of.
  if (ts.isCallExpression(k) && ts.isIdentifier(k.expression) && k.expression.text === 'String' && k.arguments.length === 1) {
    return isFreshKey(types, ev, k.arguments[0], depth + 1);
  }
  if (ts.isTemplateExpression(k)) return k.templateSpans.some((s) => isFreshKey(types, ev, s.expression, depth + 1));
  if (ts.isCallExpression(k) && ts.isPropertyAccessExpression(k.expression) && k.expression.name.text === 'toString') {
    return isFreshKey(types, ev, k.expression.expression, depth + 1);
  }
  if (isFreshValue(types, ev, k)) return true;
  if (!ts.isIdentifier(k)) return false;
  // A `const` local whose value is fresh.
  const decl = types.valueDeclarationAt(k);
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !ts.isVariableDeclarationList(decl.parent)) return false;
  if ((decl.parent.flags & ts.NodeFlags.Const) === 0 || decl.pos < ev.fn.pos || decl.end > ev.fn.end) return false;
  return isFreshKey(types, ev, decl.initializer, depth + 1);
}

function isFreshValue(types: TypeQueries, ev: FunctionEvents, e: ts.Expression): boolean {
  // `++this.seq`, `this.nextId++`, `seq += 1`: a shared counter bumped in this step.
  if ((ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) && e.operator === ts.SyntaxKind.PlusPlusToken) {
    return ev.writes.some((w) => w.expr === e);
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) return ev.writes.some((w) => w.expr === e);
  if (!ts.isCallExpression(e)) return false;
  const callee = skipOuter(e.expression);
  if (ts.isIdentifier(callee)) {
    if (callee.text === 'Symbol') return true;
    const binding = types.importSpecifierOf(callee);
    return !!binding && !!FRESH_ID_IMPORTS[binding.module]?.has(binding.exportName);
  }
  // `crypto.randomUUID()` (the Web Crypto global, or a namespace import of node:crypto).
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'randomUUID' && ts.isIdentifier(callee.expression)) {
    const binding = types.importSpecifierOf(callee.expression);
    return binding ? !!FRESH_ID_IMPORTS[binding.module] : callee.expression.text === 'crypto';
  }
  return false;
}
