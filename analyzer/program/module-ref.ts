/**
 * Which module a value comes from, with and without types.
 *
 * - `symbolModuleOf`: for a resolved symbol, the module that declares it: the name of the
 *   ambient `declare module 'fs'` around it (how @types/node and local shims declare modules),
 *   else the package its declaration file belongs to.
 * - `moduleRefOf`: for an expression, the module and member path its value was taken from,
 *   read from the syntax of imports, `require` and initialisers, so it works when a package
 *   has no types: `import { readFileSync as rfs } from 'fs'` (`rfs` is fs/readFileSync),
 *   `const { execSync } = require('child_process')`, `require('fs').readFileSync`,
 *   `fs.default.readFileSync`, `const db = new Database()` (better-sqlite3/`()`), and
 *   re-exports through local modules (`export { readFileSync } from 'node:fs'`).
 *
 * Shared by the async-context index (framework objects) and the blocking-API recogniser; the
 * lock and ORM recognisers answer the same question in their own way today and could use it.
 */
import ts from '../ts/typescript.cjs';
import { importBindingOf, requireSpecifier } from './import-binding.js';
import type { SymbolRef, TypeQueries } from './type-queries.js';
import { skipOuterExpressions as skipOuter } from './walk.js';

export interface ModuleRef {
  /** Module specifier, without a `node:` prefix. */
  module: string;
  /** Member names from the module object; `()` marks a call or `new` result. */
  path: string[];
}

const MAX_DEPTH = 8;

export function normalizeModule(specifier: string): string {
  return specifier.startsWith('node:') ? specifier.slice('node:'.length) : specifier;
}

function isBare(specifier: string): boolean {
  return !specifier.startsWith('.') && !specifier.startsWith('/') && !/^[a-zA-Z]:[\\/]/.test(specifier);
}

/**
 * `expr` is the identifier `name` and refers to a global (lib, @types/node, a package), not to a
 * declaration of the program: `Promise`, `Date`, `process` that nobody shadowed. A name the
 * checker cannot resolve counts as global.
 */
export function isGlobalName(types: TypeQueries, expr: ts.Expression, name: string): boolean {
  const e = skipOuter(expr);
  if (!ts.isIdentifier(e) || e.text !== name) return false;
  const symbol = types.symbolAt(e);
  return !symbol || types.originOf(symbol).kind !== 'file';
}

/** The module that declares a symbol: an enclosing `declare module 'x'`, else its package. */
export function symbolModuleOf(symbol: SymbolRef, types: TypeQueries): string | undefined {
  const decl = types.declarationsOf(symbol)[0];
  if (!decl) return undefined;
  for (let n: ts.Node | undefined = decl.parent; n; n = n.parent) {
    if (ts.isModuleDeclaration(n) && ts.isStringLiteral(n.name)) return normalizeModule(n.name.text);
  }
  const origin = types.originOf(symbol);
  return origin.kind === 'package' ? origin.name : undefined;
}

/** The module and exported name a callee (or decorator, or base class) refers to: by its symbol, else by syntax. */
export function calleeModule(expr: ts.Expression, types: TypeQueries): { module: string; name: string } | undefined {
  const e = skipOuter(expr);
  const nameNode = ts.isPropertyAccessExpression(e) ? e.name : ts.isIdentifier(e) ? e : undefined;
  const symbol = nameNode ? types.symbolAt(nameNode) : undefined;
  const typed = symbol ? symbolModuleOf(symbol, types) : undefined;
  if (symbol && typed) return { module: typed, name: types.symbolName(symbol) };
  const ref = moduleRefOf(e, types);
  if (!ref) return undefined;
  const last = ref.path[ref.path.length - 1];
  return { module: ref.module, name: last ?? 'default' };
}

function append(ref: ModuleRef | undefined, segment: string): ModuleRef | undefined {
  if (!ref) return undefined;
  // `fs.default.x`, `(await import('fs')).default.x`: the default export of a CommonJS module is the module object.
  if (segment === 'default' && ref.path.length === 0) return ref;
  return { module: ref.module, path: [...ref.path, segment] };
}

function fromBinding(module: string, exportName: string): ModuleRef {
  return { module: normalizeModule(module), path: exportName === '*' || exportName === 'default' ? [] : [exportName] };
}

/** Where the value of `expr` comes from, when that is a module (see the file comment). */
export function moduleRefOf(expr: ts.Expression, types: TypeQueries, depth = 0): ModuleRef | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const e = skipOuter(expr);
  if (ts.isIdentifier(e)) return identifierRef(e, types, depth);
  if (ts.isPropertyAccessExpression(e)) return append(moduleRefOf(e.expression, types, depth + 1), e.name.text);
  if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) {
    return append(moduleRefOf(e.expression, types, depth + 1), e.argumentExpression.text);
  }
  if (ts.isAwaitExpression(e)) return dynamicImport(skipOuter(e.expression));
  if (ts.isCallExpression(e)) {
    const required = requireSpecifier(e);
    if (required !== undefined) return isBare(required) ? fromBinding(required, '*') : undefined;
    if (e.expression.kind === ts.SyntaxKind.ImportKeyword) return undefined; // a promise of the module
    return append(moduleRefOf(e.expression, types, depth + 1), '()');
  }
  if (ts.isNewExpression(e)) return append(moduleRefOf(e.expression, types, depth + 1), '()');
  return undefined;
}

function dynamicImport(e: ts.Expression): ModuleRef | undefined {
  if (ts.isCallExpression(e) && e.expression.kind === ts.SyntaxKind.ImportKeyword) {
    const arg = e.arguments[0];
    if (arg && ts.isStringLiteralLike(arg) && isBare(arg.text)) return fromBinding(arg.text, '*');
  }
  return undefined;
}

function identifierRef(id: ts.Identifier, types: TypeQueries, depth: number): ModuleRef | undefined {
  let symbol = types.symbolAsWritten(id);
  // Follow aliases one hop at a time, so that a re-export of an untyped package still names it.
  for (let hops = 0; symbol && hops < MAX_DEPTH; hops++) {
    const decl = types.declarationsOf(symbol)[0];
    if (!decl) return undefined;
    const binding = importBindingOf(decl);
    if (binding && isBare(binding.module)) return fromBinding(binding.module, binding.exportName);
    if (ts.isExportSpecifier(decl)) {
      const from = decl.parent.parent.moduleSpecifier;
      if (from && ts.isStringLiteral(from) && isBare(from.text)) return fromBinding(from.text, (decl.propertyName ?? decl.name).text);
    }
    if (types.isAlias(symbol)) {
      symbol = types.immediateAlias(symbol);
      continue;
    }
    return declarationRef(decl, types, depth);
  }
  return undefined;
}

function declarationRef(decl: ts.Declaration, types: TypeQueries, depth: number): ModuleRef | undefined {
  if (ts.isVariableDeclaration(decl) && decl.initializer && isConstLike(decl)) {
    return moduleRefOf(decl.initializer, types, depth + 1);
  }
  if (ts.isBindingElement(decl) && ts.isObjectBindingPattern(decl.parent)) {
    const owner = decl.parent.parent;
    const prop = decl.propertyName ?? decl.name;
    if (ts.isVariableDeclaration(owner) && owner.initializer && (ts.isIdentifier(prop) || ts.isStringLiteral(prop))) {
      return append(moduleRefOf(owner.initializer, types, depth + 1), prop.text);
    }
  }
  if (ts.isPropertyDeclaration(decl) && decl.initializer) return moduleRefOf(decl.initializer, types, depth + 1);
  return undefined;
}

/** `const` declarations, and `var`/`let` in JS files that are only assigned where declared (cheap approximation: not `let` in TS). */
function isConstLike(decl: ts.VariableDeclaration): boolean {
  const list = decl.parent;
  if (!ts.isVariableDeclarationList(list)) return false;
  return (list.flags & ts.NodeFlags.Const) !== 0 || (decl.flags & ts.NodeFlags.JavaScriptFile) !== 0;
}
