/**
 * The TypeScript 6 implementation of the door (`type-queries.ts`): the classic compiler API's
 * checker, whose `ts.Type`/`ts.Symbol`/`ts.Signature` objects are the door's handles. Only this
 * module and `type-queries.ts` may hold the checker (test/architecture.test.ts).
 */
import ts from '../ts/typescript.cjs';
import tsutils from '../ts/ts-api-utils.cjs';
import { importBindingOf, packageNameOf, type ImportBinding } from './import-binding.js';
import type { NodeTypes, PromiseQueries, SignatureQueries, SymbolOrigin, SymbolQueries, TypeQueriesOver, TypeShapes } from './type-queries.js';

type Ts6Queries = TypeQueriesOver<ts.Type, ts.Symbol, ts.Signature>;
type Shapes = TypeShapes<ts.Type, ts.Symbol, ts.Signature>;
type Symbols = SymbolQueries<ts.Type, ts.Symbol>;
type Nodes = NodeTypes<ts.Type, ts.Signature>;

/** Bind every file of the program and create its checker now (a compiler crash surfaces here, not inside a check). */
export function bindTypeChecker(program: ts.Program): void {
  program.getTypeChecker();
}

// Answers are fixed for a program, and several checks ask about the same nodes and types:
// the factories below remember the costly ones (the checker re-checks an expression on every
// getTypeAtLocation). The checker caches apparent, non-nullable and symbol types itself.

export function createTs6TypeQueries(program: ts.Program): Ts6Queries {
  const checker = program.getTypeChecker();
  const shapes = typeShapes(checker);
  const symbols = symbolQueries(program, checker);
  const nodes = nodeTypes(checker, shapes, symbols);
  return {
    program,
    ...shapes,
    ...signatureQueries(),
    ...symbols,
    ...nodes,
    ...promiseQueries(program, checker, { ...shapes, ...symbols, ...nodes }),
    reportsTypeErrors: (sf) => reportsTypeErrors(program, sf),
  };
}

function typeShapes(checker: ts.TypeChecker): Shapes {
  const parts = new Map<ts.Type, readonly ts.Type[]>();
  const kinds = new Map<ts.Type, 'array' | 'tuple' | null>();
  const calls = new Map<ts.Type, readonly ts.Signature[]>();
  const arrayKind = (type: ts.Type): 'array' | 'tuple' | undefined => {
    let kind = kinds.get(type);
    if (kind === undefined) {
      kind = checker.isArrayType(type) ? 'array' : checker.isTupleType(type) ? 'tuple' : null;
      kinds.set(type, kind);
    }
    return kind ?? undefined;
  };
  // A type's call signatures are fixed (the checker resolves its members once); the door is
  // asked about the same few thousand types a hundred thousand times.
  const callSignatures = (type: ts.Type): readonly ts.Signature[] => {
    let found = calls.get(type);
    if (!found) {
      found = type.getCallSignatures();
      calls.set(type, found);
    }
    return found;
  };
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
    unionParts: (type) => tsutils.unionConstituents(type),
    intersectionParts: (type) => tsutils.intersectionConstituents(type),
    isUnion: (type) => type.isUnion(),
    nonNullable: (type) => checker.getNonNullableType(type),
    arrayKind,
    isArrayOrTuple: (type) => arrayKind(type) !== undefined,
    elementTypes: (type) => (arrayKind(type) ? checker.getTypeArguments(type as ts.TypeReference) : []),
    typeArguments: (type) => checker.getTypeArguments(type as ts.TypeReference),
    baseTypes: (type) => (type.isClassOrInterface() ? (checker.getBaseTypes(type) ?? []) : []),
    propertiesOf: (type) => checker.getPropertiesOfType(type),
    propertyOf: (type, name) => checker.getPropertyOfType(type, name),
    wellKnownProperty: (type, name) => tsutils.getWellKnownSymbolPropertyOfType(type, name, checker),
    callSignatures,
    constructSignatures: (type) => type.getConstructSignatures(),
    callReturnTypes: (type) => callSignatures(type).map((sig) => sig.getReturnType()),
    memberOf(type, name) {
      const escaped = ts.escapeLeadingUnderscores(name);
      return type.getSymbol()?.members?.get(escaped) ?? tsutils.getPropertyOfType(type, escaped);
    },
    typeSymbol: (type) => type.getSymbol(),
    aliasSymbol: (type) => type.aliasSymbol,
    stringLiteralValue: (type) => (type.isStringLiteral() ? type.value : undefined),
    typeText: (type) => checker.typeToString(type),
    isAnyOrUnknown: (type) => (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0,
    isAny: (type) => (type.flags & ts.TypeFlags.Any) !== 0,
    isVoid: (type) => (type.flags & ts.TypeFlags.Void) !== 0,
    isNullish: (type) => (type.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0,
    isNever: (type) => (type.flags & ts.TypeFlags.Never) !== 0,
    isTypeParameter: (type) => (type.flags & ts.TypeFlags.TypeParameter) !== 0,
    isTypeReference: (type) => (type.flags & ts.TypeFlags.Object) !== 0 && ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) !== 0,
    isStringLike: (type) => (type.flags & ts.TypeFlags.StringLike) !== 0,
    isVoidLike: (type) => (type.flags & ts.TypeFlags.VoidLike) !== 0,
    isObjectType: (type) => (type.flags & ts.TypeFlags.Object) !== 0,
    isIntersection: (type) => type.isIntersection(),
    numberLiteralValue: (type) => (type.isNumberLiteral() ? type.value : undefined),
    templateLiteralTexts: (type) => (type.flags & ts.TypeFlags.TemplateLiteral ? (type as ts.TemplateLiteralType).texts : undefined),
  };
}

function symbolQueries(program: ts.Program, checker: ts.TypeChecker): Symbols {
  const resolved = new Map<ts.Node, ts.Symbol | undefined>();
  const written = new Map<ts.Node, ts.Symbol | undefined>();

  function symbolAsWritten(node: ts.Node): ts.Symbol | undefined {
    return remembered(written, node, () => attempt(() => checker.getSymbolAtLocation(node)));
  }

  function immediateAlias(symbol: ts.Symbol): ts.Symbol | undefined {
    return attempt(() => checker.getImmediateAliasedSymbol(symbol));
  }

  function symbolAt(node: ts.Node): ts.Symbol | undefined {
    return remembered(resolved, node, () => {
      const symbol = symbolAsWritten(node);
      if (!symbol || !(symbol.flags & ts.SymbolFlags.Alias)) return symbol;
      return attempt(() => checker.getAliasedSymbol(symbol)) ?? symbol; // keep the alias where it cannot be followed
    });
  }

  const origins = new Map<ts.Symbol, SymbolOrigin>();
  function originOf(symbol: ts.Symbol): SymbolOrigin {
    let origin = origins.get(symbol);
    if (!origin) {
      origin = originOfUncached(symbol);
      origins.set(symbol, origin);
    }
    return origin;
  }

  function originOfUncached(symbol: ts.Symbol): SymbolOrigin {
    const decl = symbol.getDeclarations()?.[0];
    if (!decl) return { kind: 'file', fileName: '' };
    const sf = decl.getSourceFile();
    if (program.isSourceFileDefaultLibrary(sf)) return { kind: 'lib' };
    const pkg = packageNameOf(sf.fileName);
    if (pkg) return { kind: 'package', name: pkg };
    return { kind: 'file', fileName: sf.fileName };
  }

  // A symbol's type at a location is fixed for the program; the same (symbol, location) pairs
  // come back (a method's `then`, a release method's declaration), so each is asked once.
  const declaredTypes = new Map<ts.Symbol, ts.Type>();
  const typesAt = new Map<ts.Symbol, Map<ts.Node, ts.Type>>();
  function typeOfSymbol(symbol: ts.Symbol, at?: ts.Node): ts.Type {
    if (!at) {
      let declared = declaredTypes.get(symbol);
      if (!declared) declaredTypes.set(symbol, (declared = checker.getTypeOfSymbol(symbol)));
      return declared;
    }
    let byNode = typesAt.get(symbol);
    if (!byNode) typesAt.set(symbol, (byNode = new Map()));
    let type = byNode.get(at);
    if (!type) byNode.set(at, (type = checker.getTypeOfSymbolAtLocation(symbol, at)));
    return type;
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
    typeOfSymbol,
    symbolName: (symbol) => symbol.getName(),
    declarationsOf: (symbol) => symbol.getDeclarations() ?? [],
    valueDeclarationOf: (symbol) => symbol.valueDeclaration,
    isAlias: (symbol) => (symbol.flags & ts.SymbolFlags.Alias) !== 0,
    isProperty: (symbol) => (symbol.flags & ts.SymbolFlags.Property) !== 0,
    isClassSymbol: (symbol) => (symbol.flags & ts.SymbolFlags.Class) !== 0,
    isEnumMemberSymbol: (symbol) => (symbol.flags & ts.SymbolFlags.EnumMember) !== 0,
    constructorDeclarationsOf: (symbol) => symbol.members?.get(ts.InternalSymbolName.Constructor)?.getDeclarations() ?? [],
    originOf,
    importSpecifierOf,
  };
}

function nodeTypes(checker: ts.TypeChecker, shapes: Shapes, symbols: Symbols): Nodes {
  const types = new Map<ts.Node, ts.Type | undefined>();
  const called = new Map<ts.Node, CalledDeclaration | undefined>();

  function typeAt(node: ts.Node): ts.Type | undefined {
    return remembered(types, node, () => attempt(() => checker.getTypeAtLocation(node)));
  }

  function isCallable(node: ts.Node): boolean {
    const type = typeAt(node);
    if (!type) return false;
    return shapes.apparentParts(type).some((t) => shapes.callSignatures(t).length > 0);
  }

  return {
    typeAt,
    valueDeclarationAt: (node) => {
      const symbol = symbols.symbolAt(node);
      return symbol && symbols.valueDeclarationOf(symbol);
    },
    contextualType: (expr) => checker.getContextualType(expr),
    typeOfTypeNode: (node) => checker.getTypeFromTypeNode(node),
    signatureOf: (call) => attempt(() => checker.getResolvedSignature(call)),
    calledDeclaration: (call) =>
      remembered(called, call, () => {
        const certain = attempt(() => certainCalledDeclaration(checker, call, symbols.symbolAt, typeAt));
        return certain ? certain.declaration : attempt(() => checker.getResolvedSignature(call))?.declaration;
      }),
    returnTypeOf: (decl) => attempt(() => checker.getSignatureFromDeclaration(decl)?.getReturnType()),
    isCallable,
  };
}

type CalledDeclaration = ts.SignatureDeclaration | ts.JSDocSignature;

/**
 * The declaration `checker.getResolvedSignature(call)` would give, answered from the callee
 * alone where it is certain, without resolving the call (the first resolution type-checks the
 * arguments, chooses among overloads and infers type arguments: most of the checker's time).
 * Certain: a plain call (not `super(...)`, `import(...)`, a tagged template, a decorator, JSX)
 * of a name or property access (not `super.m`) whose symbol is a function or method with one
 * declaration that is the function itself; else a callee whose type (after `?.`, null and
 * undefined removed; its apparent type) is no union and has exactly one call signature, and
 * that signature is declared (a single candidate is what the call resolves to, instantiated
 * or not); `new` likewise with one construct signature (`certainConstructor`). Undefined where only the checker can say: then ask it. test/called-declaration.test.ts
 * compares both answers for every call of the fixtures.
 */
function certainCalledDeclaration(
  checker: ts.TypeChecker,
  call: ts.CallLikeExpression,
  symbolAt: (node: ts.Node) => ts.Symbol | undefined,
  typeAt: (node: ts.Node) => ts.Type | undefined,
): { declaration: CalledDeclaration } | undefined {
  if (!ts.isCallExpression(call) && !ts.isNewExpression(call)) return undefined;
  const callee = call.expression;
  if (!ts.isIdentifier(callee) && !(ts.isPropertyAccessExpression(callee) && callee.expression.kind !== ts.SyntaxKind.SuperKeyword)) return undefined;
  if (ts.isNewExpression(call)) return certainConstructor(checker, callee, typeAt);
  const byName = declaredFunctionOf(symbolAt(callee));
  if (byName) return { declaration: byName };
  const apparent = calleeType(checker, callee, typeAt);
  const signatures = apparent ? apparent.getCallSignatures() : [];
  const declaration = signatures.length === 1 ? signatures[0]!.declaration : undefined;
  if (!declaration || (inJsFile(declaration) && !plainJsFunction(declaration))) return undefined;
  return { declaration };
}

/** The apparent type of a callee without null and undefined (what the checker resolves a call on), unless it is `any`, `never` or a union. */
function calleeType(checker: ts.TypeChecker, callee: ts.Expression, typeAt: (node: ts.Node) => ts.Type | undefined): ts.Type | undefined {
  const type = typeAt(callee);
  if (!type) return undefined;
  const apparent = checker.getApparentType(checker.getNonNullableType(type));
  return apparent.flags & (ts.TypeFlags.Any | ts.TypeFlags.Union | ts.TypeFlags.Never) ? undefined : apparent;
}

/**
 * `new C(...)` where the callee's type has one declared construct signature (a class's own
 * constructor or the one it inherits; a construct signature type) and nothing makes the checker
 * refuse the call: no abstract class, no private or protected constructor, no JavaScript.
 */
function certainConstructor(checker: ts.TypeChecker, callee: ts.Expression, typeAt: (node: ts.Node) => ts.Type | undefined): { declaration: CalledDeclaration } | undefined {
  const apparent = calleeType(checker, callee, typeAt);
  const signatures = apparent ? apparent.getConstructSignatures() : [];
  const declaration = signatures.length === 1 ? signatures[0]!.declaration : undefined;
  if (!apparent || !declaration || ts.isJSDocSignature(declaration) || inJsFile(declaration)) return undefined;
  const refused = ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Abstract;
  if (ts.getCombinedModifierFlags(declaration) & refused || isAbstractClass(declaration.parent)) return undefined;
  if (apparent.getSymbol()?.getDeclarations()?.some(isAbstractClass)) return undefined;
  return { declaration };
}

const isAbstractClass = (node: ts.Node): boolean => ts.isClassLike(node) && (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Abstract) !== 0;

/** The one declaration of a function or method symbol, when that declaration is the function (not overloads, merges, expandos or JS constructors). */
function declaredFunctionOf(symbol: ts.Symbol | undefined): CalledDeclaration | undefined {
  if (!symbol || !(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Method))) return undefined;
  const decls = symbol.getDeclarations();
  if (decls?.length !== 1) return undefined;
  const decl = decls[0]!;
  const functionLike = ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl) || ts.isFunctionExpression(decl);
  if (!functionLike || (inJsFile(decl) && !plainJsFunction(decl))) return undefined;
  return decl;
}

const inJsFile = (node: ts.Node): boolean => (node.flags & ts.NodeFlags.JavaScriptFile) !== 0;

/** A JavaScript function whose JSDoc gives it no other signatures (`@overload`, `@type`) and does not make it a class (`@class`, `@constructor`). */
function plainJsFunction(decl: ts.Node): boolean {
  return ts.getJSDocTags(decl).every((tag) => !ts.isJSDocOverloadTag(tag) && !ts.isJSDocTypeTag(tag) && !ts.isJSDocClassTag(tag));
}

function promiseQueries(program: ts.Program, checker: ts.TypeChecker, q: Shapes & Symbols & Nodes): PromiseQueries<ts.Type> {
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
    q.apparentParts(q.typeOfSymbol(param, at)).some((t) => q.callSignatures(t).length > 0);

  function isThenable(type: ts.Type, at: ts.Node): boolean {
    const then = type.getProperty('then');
    if (!then) return false;
    return tsutils.unionConstituents(q.typeOfSymbol(then, at)).some((t) =>
      q.callSignatures(t).some((sig) => sig.parameters.length >= 2 && takesCallback(sig.parameters[0]!, at) && takesCallback(sig.parameters[1]!, at)),
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

function signatureQueries(): SignatureQueries<ts.Type, ts.Symbol, ts.Signature> {
  return {
    parametersOf: (signature) => signature.parameters,
    returnTypeOfSignature: (signature) => signature.getReturnType(),
    declarationOfSignature: (signature) => signature.declaration,
  };
}

function isLibSymbol(program: ts.Program, symbol: ts.Symbol): boolean {
  const decls = symbol.getDeclarations() ?? [];
  return decls.length > 0 && decls.every((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
}

/** The checker's answer, or undefined where it throws (a compiler crash on odd input must not end the check). */
/** The answer `map` holds for `key` (undefined answers included), else `compute`'s, remembered. */
function remembered<K, V>(map: Map<K, V | undefined>, key: K, compute: () => V | undefined): V | undefined {
  const known = map.get(key);
  if (known !== undefined || map.has(key)) return known;
  const value = compute();
  map.set(key, value);
  return value;
}

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
