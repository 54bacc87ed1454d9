/**
 * What a declaration says about imports, read from syntax alone (no checker): the module and
 * exported name an import or `require` binds, and the package a file belongs to.
 */
import ts from '../ts/typescript.cjs';

export interface ImportBinding {
  module: string;
  /** The exported name ('default' for default imports, '*' for namespace imports). */
  exportName: string;
}

/** `.../node_modules/@scope/name/...` -> `@scope/name`; `@types/x` -> `x`. */
export function packageNameOf(fileName: string): string | undefined {
  const normalized = fileName.replace(/\\/g, '/');
  const at = normalized.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const rest = normalized.slice(at + '/node_modules/'.length).split('/');
  let name = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  if (name.startsWith('@types/')) {
    const inner = name.slice('@types/'.length);
    name = inner.includes('__') ? `@${inner.replace('__', '/')}` : inner;
  }
  return name;
}

/** For a declaration that binds an import (`import x from 'm'`, `import {a as b}`, `import * as ns`,
 * `const x = require('m')`, `const { a } = require('m')`), the module and exported name. */
export function importBindingOf(decl: ts.Node): ImportBinding | undefined {
  if (ts.isImportClause(decl) && decl.name) {
    return withModule(decl.parent.moduleSpecifier, 'default');
  }
  if (ts.isNamespaceImport(decl)) {
    return withModule(decl.parent.parent.moduleSpecifier, '*');
  }
  if (ts.isImportSpecifier(decl)) {
    const name = (decl.propertyName ?? decl.name).text;
    return withModule(decl.parent.parent.parent.moduleSpecifier, name);
  }
  if (ts.isImportEqualsDeclaration(decl) && ts.isExternalModuleReference(decl.moduleReference)) {
    return withModule(decl.moduleReference.expression, '*');
  }
  if (ts.isVariableDeclaration(decl) && decl.initializer) {
    const module = requireSpecifier(decl.initializer);
    if (module && ts.isIdentifier(decl.name)) return { module, exportName: '*' };
  }
  if (ts.isBindingElement(decl) && ts.isObjectBindingPattern(decl.parent)) {
    const varDecl = decl.parent.parent;
    if (ts.isVariableDeclaration(varDecl) && varDecl.initializer) {
      const module = requireSpecifier(varDecl.initializer);
      const prop = decl.propertyName ?? decl.name;
      if (module && (ts.isIdentifier(prop) || ts.isStringLiteral(prop))) return { module, exportName: prop.text };
    }
  }
  return undefined;
}

function withModule(specifier: ts.Expression, exportName: string): ImportBinding | undefined {
  return ts.isStringLiteral(specifier) ? { module: specifier.text, exportName } : undefined;
}

/** `require('m')` (possibly `require('m').x` is not handled here) -> 'm'. */
export function requireSpecifier(expr: ts.Expression): string | undefined {
  if (
    ts.isCallExpression(expr) &&
    ts.isIdentifier(expr.expression) &&
    expr.expression.text === 'require' &&
    expr.arguments.length === 1 &&
    ts.isStringLiteral(expr.arguments[0]!)
  ) {
    return expr.arguments[0].text;
  }
  return undefined;
}
