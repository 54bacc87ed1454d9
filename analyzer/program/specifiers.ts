/**
 * Type and value specifiers in rule options, in the shape typescript-eslint users know:
 * a plain name, or `{ from: 'file' | 'lib' | 'package', name, path?, package? }`.
 */
import ts from '../ts/typescript.cjs';
import type { JSONSchema4 } from '@typescript-eslint/utils/json-schema';
import type { SymbolRef, TypeQueries, TypeRef } from './type-queries.js';

export type Specifier =
  | string
  | { from: 'file'; name: string | string[]; path?: string }
  | { from: 'lib'; name: string | string[] }
  | { from: 'package'; name: string | string[]; package: string };

export const specifierSchema: JSONSchema4 = {
  oneOf: [
    { type: 'string' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'name'],
      properties: {
        from: { type: 'string', enum: ['file', 'lib', 'package'] },
        name: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
        path: { type: 'string' },
        package: { type: 'string' },
      },
    },
  ],
};

function names(spec: Specifier): string[] {
  if (typeof spec === 'string') return [spec];
  return Array.isArray(spec.name) ? spec.name : [spec.name];
}

function matchesSymbol(types: TypeQueries, symbol: SymbolRef, spec: Specifier): boolean {
  if (!names(spec).includes(types.symbolName(symbol))) return false;
  if (typeof spec === 'string') return true;
  const origin = types.originOf(symbol);
  switch (spec.from) {
    case 'lib':
      return origin.kind === 'lib';
    case 'package':
      return origin.kind === 'package' && origin.name === spec.package;
    case 'file':
      return origin.kind === 'file' && (!spec.path || origin.fileName.replace(/\\/g, '/').endsWith(spec.path.replace(/^\.\//, '')));
  }
}

/** Does the type (or one of its union parts, by symbol or alias name) match a specifier? */
export function typeMatches(types: TypeQueries, type: TypeRef, specs: Specifier[]): boolean {
  if (specs.length === 0) return false;
  return types.unionParts(type).some((part) => {
    const symbols = [types.aliasSymbol(part), types.typeSymbol(part)].filter((s): s is SymbolRef => !!s);
    return symbols.some((s) => specs.some((spec) => matchesSymbol(types, s, spec)));
  });
}

/** Does the called function (by its symbol) match a specifier? */
export function calleeMatches(types: TypeQueries, call: ts.CallExpression, specs: Specifier[]): boolean {
  if (specs.length === 0) return false;
  let callee: ts.Expression = call.expression;
  if (ts.isPropertyAccessExpression(callee)) callee = callee.name as unknown as ts.Expression;
  const symbol = types.symbolAt(callee);
  if (symbol && specs.some((spec) => matchesSymbol(types, symbol, spec))) return true;
  const type = types.typeAt(call.expression);
  return !!type && typeMatches(types, type, specs);
}
