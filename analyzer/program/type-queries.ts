/**
 * The type queries (the narrow door to the checker): the few questions the checks ask the type checker. Everything a check
 * needs from `ts.TypeChecker` goes through here, so a second backend (TypeScript 7's native
 * API) means a second implementation of this module, not a rewrite of the checks.
 */
import ts from '../ts/typescript.cjs';
import tsutils from '../ts/ts-api-utils.cjs';
import { oncePerProgram } from './per-program.js';

export interface TypeQueries {
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  /** The type at a node, or undefined where the checker cannot say. */
  typeAt(node: ts.Node): ts.Type | undefined;
  /** A built-in Promise (or a class derived from it), or, with `thenables`, any object whose
   * `then` takes two callbacks. */
  isPromiseLike(node: ts.Node, type?: ts.Type, thenables?: boolean): boolean;
  /** An array or tuple whose elements are promise-like. */
  isPromiseArray(node: ts.Node, thenables?: boolean): boolean;
  /** The type at the node has call signatures (it is a function). */
  isCallable(node: ts.Node): boolean;
  /** `any` or `unknown`. */
  isAnyOrUnknown(type: ts.Type): boolean;
  /** The symbol a name refers to, with import aliases followed. */
  symbolAt(node: ts.Node): ts.Symbol | undefined;
  /** Where a symbol is declared: 'lib' (TypeScript's default libs), a package name, or 'file'. */
  originOf(symbol: ts.Symbol): SymbolOrigin;
  /** The module specifier an identifier was imported from (`import`/`require`), if any. */
  importSpecifierOf(identifier: ts.Identifier): ImportBinding | undefined;
  /** The resolved signature of a call, if the checker has one. */
  signatureOf(call: ts.CallLikeExpression): ts.Signature | undefined;
  /** The type `await` produces from `type` (`Promise<T>` -> `T`), or undefined where the checker cannot say. */
  awaitedType(type: ts.Type): ts.Type | undefined;
  /** Does TypeScript report type errors in this file? False for plain JavaScript (no `checkJs`, no
   * `// @ts-check`) and for any file with `// @ts-nocheck`: there, only a linter sees type mistakes. */
  reportsTypeErrors(sf: ts.SourceFile): boolean;
}

export type SymbolOrigin = { kind: 'lib' } | { kind: 'package'; name: string } | { kind: 'file'; fileName: string };

export interface ImportBinding {
  module: string;
  /** The exported name ('default' for default imports, '*' for namespace imports). */
  exportName: string;
}

const byProgram = oncePerProgram<TypeQueries>();

export function getTypeQueries(program: ts.Program): TypeQueries {
  return byProgram(program, () => createTypeQueries(program));
}

function createTypeQueries(program: ts.Program): TypeQueries {
  const checker = program.getTypeChecker();

  // Answers are fixed for a program, and several checks ask about the same nodes and types:
  // remember them (the checker itself re-checks an expression on every getTypeAtLocation).
  const typeCache = new Map<ts.Node, ts.Type | undefined>();
  const promiseLike = [new Map<ts.Type, boolean>(), new Map<ts.Type, boolean>()];

  function typeAt(node: ts.Node): ts.Type | undefined {
    if (typeCache.has(node)) return typeCache.get(node);
    let type: ts.Type | undefined;
    try {
      type = checker.getTypeAtLocation(node);
    } catch {
      type = undefined;
    }
    typeCache.set(node, type);
    return type;
  }

  function isBuiltinPromise(type: ts.Type, seen = new Set<ts.Type>()): boolean {
    if (seen.has(type)) return false;
    seen.add(type);
    if (type.isIntersection()) return type.types.some((t) => isBuiltinPromise(t, seen));
    const symbol = type.getSymbol();
    if (!symbol) return false;
    if (symbol.getName() === 'Promise' && isLibSymbol(symbol)) return true;
    if (type.isClassOrInterface()) {
      return (checker.getBaseTypes(type) ?? []).some((b) => isBuiltinPromise(b, seen));
    }
    return false;
  }

  function isLibSymbol(symbol: ts.Symbol): boolean {
    const decls = symbol.getDeclarations() ?? [];
    return decls.length > 0 && decls.every((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
  }

  function takesCallback(param: ts.Symbol, at: ts.Node): boolean {
    const type = checker.getApparentType(checker.getTypeOfSymbolAtLocation(param, at));
    return tsutils.unionConstituents(type).some((t) => t.getCallSignatures().length > 0);
  }

  function isThenable(type: ts.Type, at: ts.Node): boolean {
    const then = type.getProperty('then');
    if (!then) return false;
    const thenType = checker.getTypeOfSymbolAtLocation(then, at);
    return tsutils.unionConstituents(thenType).some((t) =>
      t.getCallSignatures().some(
        (sig) =>
          sig.parameters.length >= 2 && takesCallback(sig.parameters[0]!, at) && takesCallback(sig.parameters[1]!, at),
      ),
    );
  }

  function isPromiseLike(node: ts.Node, type?: ts.Type, thenables = true): boolean {
    const t = type ?? typeAt(node);
    if (!t || isAnyOrUnknown(t)) return false;
    // By type: `then` is a property, so its type does not depend on where it is asked.
    const known = promiseLike[thenables ? 1 : 0]!;
    let answer = known.get(t);
    if (answer === undefined) {
      const parts = tsutils.unionConstituents(checker.getApparentType(t));
      answer = parts.some((p) => isBuiltinPromise(p)) || (thenables && parts.some((p) => !isAnyOrUnknown(p) && isThenable(p, node)));
      known.set(t, answer);
    }
    return answer;
  }

  function isPromiseArray(node: ts.Node, thenables = true): boolean {
    const type = typeAt(node);
    if (!type) return false;
    for (const part of tsutils.unionConstituents(type).map((t) => checker.getApparentType(t))) {
      if (checker.isArrayType(part)) {
        const element = checker.getTypeArguments(part as ts.TypeReference)[0];
        if (element && isPromiseLike(node, element, thenables)) return true;
      }
      if (checker.isTupleType(part)) {
        if (checker.getTypeArguments(part as ts.TypeReference).some((e) => isPromiseLike(node, e, thenables))) {
          return true;
        }
      }
    }
    return false;
  }

  function isCallable(node: ts.Node): boolean {
    const type = typeAt(node);
    if (!type) return false;
    return tsutils.unionConstituents(checker.getApparentType(type)).some((t) => t.getCallSignatures().length > 0);
  }

  function isAnyOrUnknown(type: ts.Type): boolean {
    return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
  }

  const symbols = new Map<ts.Node, ts.Symbol | undefined>();

  function symbolAt(node: ts.Node): ts.Symbol | undefined {
    if (symbols.has(node)) return symbols.get(node);
    const symbol = symbolAtUncached(node);
    symbols.set(node, symbol);
    return symbol;
  }

  function symbolAtUncached(node: ts.Node): ts.Symbol | undefined {
    let symbol: ts.Symbol | undefined;
    try {
      symbol = checker.getSymbolAtLocation(node);
    } catch {
      return undefined;
    }
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) {
      try {
        symbol = checker.getAliasedSymbol(symbol);
      } catch {
        /* keep the alias */
      }
    }
    return symbol;
  }

  function originOf(symbol: ts.Symbol): SymbolOrigin {
    const decl = symbol.getDeclarations()?.[0];
    if (!decl) return { kind: 'file', fileName: '' };
    const sf = decl.getSourceFile();
    if (program.isSourceFileDefaultLibrary(sf)) return { kind: 'lib' };
    const pkg = packageNameOf(sf.fileName);
    if (pkg) return { kind: 'package', name: pkg };
    return { kind: 'file', fileName: sf.fileName };
  }

  function importSpecifierOf(identifier: ts.Identifier): ImportBinding | undefined {
    let symbol: ts.Symbol | undefined;
    try {
      symbol = checker.getSymbolAtLocation(identifier);
    } catch {
      return undefined;
    }
    const decl = symbol?.getDeclarations()?.[0];
    return decl ? importBindingOf(decl) : undefined;
  }

  function signatureOf(call: ts.CallLikeExpression): ts.Signature | undefined {
    try {
      return checker.getResolvedSignature(call);
    } catch {
      return undefined;
    }
  }

  function awaitedType(type: ts.Type): ts.Type | undefined {
    try {
      return checker.getAwaitedType(type);
    } catch {
      return undefined;
    }
  }

  function reportsTypeErrors(sf: ts.SourceFile): boolean {
    const directive = checkJsDirective(sf);
    if (directive && !directive.enabled) return false;
    if (/\.[cm]?tsx?$/.test(sf.fileName)) return true;
    return directive ? directive.enabled : !!program.getCompilerOptions().checkJs;
  }

  return {
    program,
    checker,
    typeAt,
    isPromiseLike,
    isPromiseArray,
    isCallable,
    isAnyOrUnknown,
    symbolAt,
    originOf,
    importSpecifierOf,
    signatureOf,
    awaitedType,
    reportsTypeErrors,
  };
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

/**
 * `// @ts-check` / `// @ts-nocheck` of a file. The compiler records it as `checkJsDirective`
 * (not in the public typings); the source files of typescript-eslint's tsgo backend do not
 * carry it, so when it is absent the file's leading `//` comments are read as the compiler
 * reads them (the last such pragma wins).
 */
export function checkJsDirective(sf: ts.SourceFile): { enabled: boolean } | undefined {
  const recorded = (sf as { checkJsDirective?: { enabled: boolean } }).checkJsDirective;
  if (recorded) return recorded;
  let found: { enabled: boolean } | undefined;
  for (const range of ts.getLeadingCommentRanges(sf.text, 0) ?? []) {
    if (range.kind !== ts.SyntaxKind.SingleLineCommentTrivia) continue;
    const pragma = /^\/\/\/?\s*@ts-(no)?check(?:\s|$)/i.exec(sf.text.slice(range.pos, range.end));
    if (pragma) found = { enabled: !pragma[1] };
  }
  return found;
}
