/**
 * Calls that consume an argument as a value: the catalog's sinks and the user's `valueSinks`,
 * structured loggers (by shape), and the keys of built-in collections keyed by value.
 */
import ts from '../../ts/typescript.cjs';
import { KEYED_COLLECTIONS, LOG_LEVEL_METHODS, VALUE_SINKS } from '../catalog-value-sinks.js';
import { calleeMatches } from '../../program/specifiers.js';
import { skipOuterExpressions } from '../../program/walk.js';
import type { TypeRef } from '../../program/type-queries.js';
import { codeText } from '../../check/quote.js';
import type { Scan } from './context.js';

export interface SinkMatch {
  /** The callee as written, for messages: `JSON.stringify`, `res.json`. */
  callee: string;
  effect: string;
  /** The fields of objects and arrays given to it are consumed too. */
  nested?: boolean;
}

const CUSTOM_EFFECT = 'receives the Promise object instead of the value it resolves to';

/** Does `call` consume its argument number `index` as a value? */
export function valueSinkOf(scan: Scan, call: ts.CallExpression, index: number): SinkMatch | undefined {
  if (index < 0) return undefined;
  const callee = skipOuterExpressions(call.expression);
  const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
  if (!nameNode || !ts.isIdentifier(nameNode)) return undefined;
  const text = codeText(callee, scan.sf, 40);
  if (scan.ctx.options.valueSinks.length > 0 && calleeMatches(scan.types, call, scan.ctx.options.valueSinks)) {
    return { callee: text, effect: CUSTOM_EFFECT };
  }
  const candidates = VALUE_SINKS.filter((s) => s.name === nameNode.text && s.argument === index);
  if (candidates.length === 0) return undefined;
  const symbol = scan.types.symbolAt(nameNode);
  const decls = symbol ? scan.types.declarationsOf(symbol) : [];
  if (!symbol || decls.length === 0) return undefined;
  const origin = scan.types.originOf(symbol);
  const from = origin.kind === 'lib' ? 'lib' : origin.kind === 'package' ? origin.name : undefined;
  if (!from) return undefined;
  for (const sink of candidates) {
    if (!sink.from.includes(from)) continue;
    if (decls.some((d) => ownerName(d) === sink.owner)) return { callee: text, effect: sink.effect, nested: sink.nested };
  }
  return undefined;
}

export function isValueSinkCall(scan: Scan, call: ts.CallExpression, index: number): boolean {
  return valueSinkOf(scan, call, index) !== undefined;
}

/**
 * The interface or class that declares a member, or the variable whose type literal does
 * (`declare var Response: { json(data: any): Response }`); undefined for globals.
 */
function ownerName(decl: ts.Declaration): string | undefined {
  const parent = decl.parent;
  if ((ts.isInterfaceDeclaration(parent) || ts.isClassLike(parent)) && parent.name) return parent.name.text;
  if (ts.isTypeLiteralNode(parent) && ts.isVariableDeclaration(parent.parent) && ts.isIdentifier(parent.parent.name)) return parent.parent.name.text;
  return undefined;
}

const loggerShapes = new WeakMap<TypeRef, boolean>();

/**
 * `logger.info(...)` on a structured logger, recognised by shape (../catalog-value-sinks.ts): the
 * callee as written, or undefined. The console is left out (it is TypeScript's or Node's own).
 */
export function loggerCalleeOf(scan: Scan, call: ts.CallExpression): string | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !LOG_LEVEL_METHODS.has(callee.name.text)) return undefined;
  const receiver = skipOuterExpressions(callee.expression);
  if (ts.isIdentifier(receiver) && receiver.text === 'console') return undefined;
  const type = scan.types.typeAt(receiver);
  if (!type || scan.types.isAnyOrUnknown(type)) return undefined;
  const apparent = scan.types.nonNullable(scan.types.apparentType(type));
  let shaped = loggerShapes.get(apparent);
  if (shaped === undefined) {
    shaped = isLoggerShape(scan, apparent, callee);
    loggerShapes.set(apparent, shaped);
  }
  return shaped ? codeText(callee, scan.sf, 40) : undefined;
}

function isLoggerShape(scan: Scan, type: TypeRef, at: ts.Node): boolean {
  const { types } = scan;
  const symbol = types.typeSymbol(type) ?? types.aliasSymbol(type);
  if (symbol) {
    const origin = scan.types.originOf(symbol);
    if (origin.kind === 'lib' || (origin.kind === 'package' && origin.name === 'node')) return false;
  }
  const has = (name: string): boolean => {
    const prop = types.propertyOf(type, name);
    return !!prop && types.callSignatures(types.typeOfSymbol(prop, at)).length > 0;
  };
  if (!has('error') || !(has('warn') || has('warning'))) return false;
  let levels = 0;
  for (const name of LOG_LEVEL_METHODS) if (has(name)) levels++;
  return levels >= 3;
}

/**
 * `cache.get(key)`, `seen.add(key)` on a built-in Map, Set, WeakMap or WeakSet: the collection's
 * declared key type (`any` for an untyped `new Map()`), or undefined when the call is not a key
 * use of such a collection.
 */
export function collectionKeyTypeOf(scan: Scan, call: ts.CallExpression, index: number): { key: TypeRef } | undefined {
  if (index !== 0) return undefined;
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (![...KEYED_COLLECTIONS.values()].some((methods) => methods.has(method))) return undefined;
  const type = scan.types.typeAt(callee.expression);
  if (!type) return undefined;
  for (const part of scan.types.apparentParts(type)) {
    const symbol = scan.types.typeSymbol(part);
    if (!symbol || !KEYED_COLLECTIONS.get(scan.types.symbolName(symbol))?.has(method) || scan.types.originOf(symbol).kind !== 'lib') continue;
    if (!scan.types.isTypeReference(part)) continue;
    const key = scan.types.typeArguments(part)[0];
    if (key) return { key };
  }
  return undefined;
}
