/**
 * The type queries (the narrow door to the checker): every question the analyzer asks the type
 * checker. Only this module holds a `ts.TypeChecker` (test/architecture.test.ts fails when code
 * elsewhere reaches for one), so a second backend (TypeScript 7's native API) means a second
 * implementation of this module, not a rewrite of the checks.
 */
import ts from '../ts/typescript.cjs';
import tsutils from '../ts/ts-api-utils.cjs';
import { oncePerProgram } from './per-program.js';
import { importBindingOf, packageNameOf, type ImportBinding } from './import-binding.js';

/** Questions about a type, answered from the type alone. */
export interface TypeShapes {
  /** The type its members are looked up on: `string` -> `String`, a type parameter -> its constraint. */
  apparentType(type: ts.Type): ts.Type;
  /** The union parts of the apparent type (the type itself when it is no union). */
  apparentParts(type: ts.Type): readonly ts.Type[];
  /** The type without `null` and `undefined`. */
  nonNullable(type: ts.Type): ts.Type;
  /** 'array' for `T[]` and `readonly T[]`, 'tuple' for a tuple type, else undefined. */
  arrayKind(type: ts.Type): 'array' | 'tuple' | undefined;
  /** An array or a tuple. */
  isArrayOrTuple(type: ts.Type): boolean;
  /** The element types of an array (`[T]`) or a tuple (one per element); [] for any other type. */
  elementTypes(type: ts.Type): readonly ts.Type[];
  /** The type arguments of a generic type reference (`Map<K, V>` -> `[K, V]`); only for a type reference. */
  typeArguments(type: ts.Type): readonly ts.Type[];
  /** The types a class or interface type extends; [] for any other type. */
  baseTypes(type: ts.Type): readonly ts.Type[];
  /** The properties of the type's apparent type, inherited ones included. */
  propertiesOf(type: ts.Type): ts.Symbol[];
  /** The property `name` of the type's apparent type, if it has one. */
  propertyOf(type: ts.Type, name: string): ts.Symbol | undefined;
  /** The property keyed by a well-known symbol (`[Symbol.dispose]` for 'dispose'), if the type has one. */
  wellKnownProperty(type: ts.Type, name: string): ts.Symbol | undefined;
  /** The type as TypeScript prints it. */
  typeText(type: ts.Type): string;
  /** `any` or `unknown`. */
  isAnyOrUnknown(type: ts.Type): boolean;
}

/** Questions about symbols: what a name refers to, where it is declared, its type. */
export interface SymbolQueries {
  /** The symbol a name refers to, with import aliases followed. */
  symbolAt(node: ts.Node): ts.Symbol | undefined;
  /** The symbol of a name as written: for an imported name the import (the alias), not what it imports. */
  symbolAsWritten(node: ts.Node): ts.Symbol | undefined;
  /** What an alias (an import, an export specifier) refers to, one hop only; undefined where the checker cannot say. */
  immediateAlias(symbol: ts.Symbol): ts.Symbol | undefined;
  /** `{ user }`: the variable `user` the shorthand property takes its value from (not the new property). */
  shorthandValueSymbol(prop: ts.ShorthandPropertyAssignment): ts.Symbol | undefined;
  /** The type of a symbol, as seen at `at` when given (narrowing, instantiation), else as declared. */
  typeOfSymbol(symbol: ts.Symbol, at?: ts.Node): ts.Type;
  /** Where a symbol is declared: 'lib' (TypeScript's default libs), a package name, or 'file'. */
  originOf(symbol: ts.Symbol): SymbolOrigin;
  /** The module specifier an identifier was imported from (`import`/`require`), if any. */
  importSpecifierOf(identifier: ts.Identifier): ImportBinding | undefined;
}

/** Questions about the types of nodes: expressions, type annotations, signatures. */
export interface NodeTypes {
  /** The type at a node, or undefined where the checker cannot say. */
  typeAt(node: ts.Node): ts.Type | undefined;
  /** The type the position of an expression expects (a parameter's, an annotated variable's), if any. */
  contextualType(expr: ts.Expression): ts.Type | undefined;
  /** The type a type annotation denotes. */
  typeOfTypeNode(node: ts.TypeNode): ts.Type;
  /** The resolved signature of a call, if the checker has one. */
  signatureOf(call: ts.CallLikeExpression): ts.Signature | undefined;
  /** The return type of a function's own signature (declared or inferred), or undefined where the checker cannot say. */
  returnTypeOf(decl: ts.SignatureDeclaration): ts.Type | undefined;
  /** The type at the node has call signatures (it is a function). */
  isCallable(node: ts.Node): boolean;
}

/** Questions about promises. */
export interface PromiseQueries {
  /** A built-in Promise (or a class derived from it), or, with `thenables`, any object whose
   * `then` takes two callbacks. */
  isPromiseLike(node: ts.Node, type?: ts.Type, thenables?: boolean): boolean;
  /** An array or tuple whose elements are promise-like. */
  isPromiseArray(node: ts.Node, thenables?: boolean): boolean;
  /** The type `await` produces from `type` (`Promise<T>` -> `T`), or undefined where the checker cannot say. */
  awaitedType(type: ts.Type): ts.Type | undefined;
}

export interface TypeQueries extends TypeShapes, SymbolQueries, NodeTypes, PromiseQueries {
  readonly program: ts.Program;
  /** Does TypeScript report type errors in this file? False for plain JavaScript (no `checkJs`, no
   * `// @ts-check`) and for any file with `// @ts-nocheck`: there, only a linter sees type mistakes. */
  reportsTypeErrors(sf: ts.SourceFile): boolean;
}

export type SymbolOrigin = { kind: 'lib' } | { kind: 'package'; name: string } | { kind: 'file'; fileName: string };

const byProgram = oncePerProgram<TypeQueries>();

export function getTypeQueries(program: ts.Program): TypeQueries {
  return byProgram(program, () => createTypeQueries(program));
}

/** Bind every file of the program and create its checker now (a compiler crash surfaces here, not inside a check). */
export function bindTypeChecker(program: ts.Program): void {
  program.getTypeChecker();
}

// Answers are fixed for a program, and several checks ask about the same nodes and types:
// the factories below remember the costly ones (the checker re-checks an expression on every
// getTypeAtLocation). The checker caches apparent, non-nullable and symbol types itself.

function createTypeQueries(program: ts.Program): TypeQueries {
  const checker = program.getTypeChecker();
  const shapes = typeShapes(checker);
  const symbols = symbolQueries(program, checker);
  const nodes = nodeTypes(checker, shapes);
  return {
    program,
    ...shapes,
    ...symbols,
    ...nodes,
    ...promiseQueries(program, checker, { ...shapes, ...symbols, ...nodes }),
    reportsTypeErrors: (sf) => reportsTypeErrors(program, sf),
  };
}

function typeShapes(checker: ts.TypeChecker): TypeShapes {
  const parts = new Map<ts.Type, readonly ts.Type[]>();
  const arrayKind = (type: ts.Type): 'array' | 'tuple' | undefined =>
    checker.isArrayType(type) ? 'array' : checker.isTupleType(type) ? 'tuple' : undefined;
  return {
    apparentType: (type) => checker.getApparentType(type),
    apparentParts(type) {
      let found = parts.get(type);
      if (!found) {
        found = tsutils.unionConstituents(checker.getApparentType(type));
        parts.set(type, found);
      }
      return found;
    },
    nonNullable: (type) => checker.getNonNullableType(type),
    arrayKind,
    isArrayOrTuple: (type) => arrayKind(type) !== undefined,
    elementTypes: (type) => (arrayKind(type) ? checker.getTypeArguments(type as ts.TypeReference) : []),
    typeArguments: (type) => checker.getTypeArguments(type as ts.TypeReference),
    baseTypes: (type) => (type.isClassOrInterface() ? (checker.getBaseTypes(type) ?? []) : []),
    propertiesOf: (type) => checker.getPropertiesOfType(type),
    propertyOf: (type, name) => checker.getPropertyOfType(type, name),
    wellKnownProperty: (type, name) => tsutils.getWellKnownSymbolPropertyOfType(type, name, checker),
    typeText: (type) => checker.typeToString(type),
    isAnyOrUnknown: (type) => (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0,
  };
}

function symbolQueries(program: ts.Program, checker: ts.TypeChecker): SymbolQueries {
  const resolved = new Map<ts.Node, ts.Symbol | undefined>();
  const written = new Map<ts.Node, ts.Symbol | undefined>();

  function symbolAsWritten(node: ts.Node): ts.Symbol | undefined {
    if (written.has(node)) return written.get(node);
    const symbol = attempt(() => checker.getSymbolAtLocation(node));
    written.set(node, symbol);
    return symbol;
  }

  function immediateAlias(symbol: ts.Symbol): ts.Symbol | undefined {
    return attempt(() => checker.getImmediateAliasedSymbol(symbol));
  }

  function symbolAt(node: ts.Node): ts.Symbol | undefined {
    if (resolved.has(node)) return resolved.get(node);
    let symbol = symbolAsWritten(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) {
      try {
        symbol = checker.getAliasedSymbol(symbol);
      } catch {
        /* keep the alias */
      }
    }
    resolved.set(node, symbol);
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
    const decl = symbolAsWritten(identifier)?.getDeclarations()?.[0];
    return decl ? importBindingOf(decl) : undefined;
  }

  return {
    symbolAt,
    symbolAsWritten,
    immediateAlias,
    shorthandValueSymbol: (prop) => checker.getShorthandAssignmentValueSymbol(prop),
    typeOfSymbol: (symbol, at) => (at ? checker.getTypeOfSymbolAtLocation(symbol, at) : checker.getTypeOfSymbol(symbol)),
    originOf,
    importSpecifierOf,
  };
}

function nodeTypes(checker: ts.TypeChecker, shapes: TypeShapes): NodeTypes {
  const types = new Map<ts.Node, ts.Type | undefined>();

  function typeAt(node: ts.Node): ts.Type | undefined {
    if (types.has(node)) return types.get(node);
    const type = attempt(() => checker.getTypeAtLocation(node));
    types.set(node, type);
    return type;
  }

  function isCallable(node: ts.Node): boolean {
    const type = typeAt(node);
    if (!type) return false;
    return shapes.apparentParts(type).some((t) => t.getCallSignatures().length > 0);
  }

  return {
    typeAt,
    contextualType: (expr) => checker.getContextualType(expr),
    typeOfTypeNode: (node) => checker.getTypeFromTypeNode(node),
    signatureOf: (call) => attempt(() => checker.getResolvedSignature(call)),
    returnTypeOf: (decl) => attempt(() => checker.getSignatureFromDeclaration(decl)?.getReturnType()),
    isCallable,
  };
}

function promiseQueries(program: ts.Program, checker: ts.TypeChecker, q: TypeShapes & SymbolQueries & NodeTypes): PromiseQueries {
  const promiseLike = [new Map<ts.Type, boolean>(), new Map<ts.Type, boolean>()];

  function isBuiltinPromise(type: ts.Type, seen = new Set<ts.Type>()): boolean {
    if (seen.has(type)) return false;
    seen.add(type);
    if (type.isIntersection()) return type.types.some((t) => isBuiltinPromise(t, seen));
    const symbol = type.getSymbol();
    if (!symbol) return false;
    if (symbol.getName() === 'Promise' && isLibSymbol(program, symbol)) return true;
    return q.baseTypes(type).some((b) => isBuiltinPromise(b, seen));
  }

  const takesCallback = (param: ts.Symbol, at: ts.Node): boolean =>
    q.apparentParts(q.typeOfSymbol(param, at)).some((t) => t.getCallSignatures().length > 0);

  function isThenable(type: ts.Type, at: ts.Node): boolean {
    const then = type.getProperty('then');
    if (!then) return false;
    return tsutils.unionConstituents(q.typeOfSymbol(then, at)).some((t) =>
      t.getCallSignatures().some((sig) => sig.parameters.length >= 2 && takesCallback(sig.parameters[0]!, at) && takesCallback(sig.parameters[1]!, at)),
    );
  }

  function isPromiseLike(node: ts.Node, type?: ts.Type, thenables = true): boolean {
    const t = type ?? q.typeAt(node);
    if (!t || q.isAnyOrUnknown(t)) return false;
    // By type: `then` is a property, so its type does not depend on where it is asked.
    const known = promiseLike[thenables ? 1 : 0]!;
    let answer = known.get(t);
    if (answer === undefined) {
      const parts = q.apparentParts(t);
      answer = parts.some((p) => isBuiltinPromise(p)) || (thenables && parts.some((p) => !q.isAnyOrUnknown(p) && isThenable(p, node)));
      known.set(t, answer);
    }
    return answer;
  }

  function isPromiseArray(node: ts.Node, thenables = true): boolean {
    const type = q.typeAt(node);
    if (!type) return false;
    for (const part of tsutils.unionConstituents(type).map((t) => q.apparentType(t))) {
      const kind = q.arrayKind(part);
      if (kind === 'array') {
        const element = q.typeArguments(part)[0];
        if (element && isPromiseLike(node, element, thenables)) return true;
      }
      if (kind === 'tuple' && q.typeArguments(part).some((e) => isPromiseLike(node, e, thenables))) return true;
    }
    return false;
  }

  return { isPromiseLike, isPromiseArray, awaitedType: (type) => attempt(() => checker.getAwaitedType(type)) };
}

function isLibSymbol(program: ts.Program, symbol: ts.Symbol): boolean {
  const decls = symbol.getDeclarations() ?? [];
  return decls.length > 0 && decls.every((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
}

/** The checker's answer, or undefined where it throws (a compiler crash on odd input must not end the check). */
function attempt<T>(ask: () => T | undefined): T | undefined {
  try {
    return ask();
  } catch {
    return undefined;
  }
}

function reportsTypeErrors(program: ts.Program, sf: ts.SourceFile): boolean {
  const directive = checkJsDirective(sf);
  if (directive && !directive.enabled) return false;
  if (/\.[cm]?tsx?$/.test(sf.fileName)) return true;
  return directive ? directive.enabled : !!program.getCompilerOptions().checkJs;
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
