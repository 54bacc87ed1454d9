/**
 * The type queries (the narrow door to the checker): every question the analyzer asks the type
 * checker, and the only way to it. What crosses the door is AST nodes (our parser's) and opaque
 * handles (`TypeRef`, `SymbolRef`, `SignatureRef`) that a caller can only pass back to the
 * door's questions: no `ts.Type`, `ts.Symbol` or `ts.Signature` reaches a check, so a second
 * backend (TypeScript 7's native API) means a second implementation of these interfaces, not a
 * rewrite of the checks. test/architecture.test.ts fails when code elsewhere reaches for the
 * checker or names a checker type.
 *
 * The interfaces are generic over the handle types: the TypeScript 6 implementation
 * (`type-queries-ts6.ts`) implements them over `ts.Type`/`ts.Symbol`/`ts.Signature`, whose
 * objects are the handles (the same checker object is the same handle, so Maps and Sets keyed
 * by handles work).
 */
import type ts from 'typescript';
import type { ImportBinding } from './import-binding.js';
import { oncePerProgram } from './per-program.js';
import { createTs6TypeQueries } from './type-queries-ts6.js';

declare const typeBrand: unique symbol;
/** A type, opaque outside the door: pass it back to the door's questions. */
export interface TypeRef {
  readonly [typeBrand]: true;
}
declare const symbolBrand: unique symbol;
/** A symbol (what a name refers to), opaque outside the door. */
export interface SymbolRef {
  readonly [symbolBrand]: true;
}
declare const signatureBrand: unique symbol;
/** A call signature, opaque outside the door. */
export interface SignatureRef {
  readonly [signatureBrand]: true;
}

/** Questions about a type, answered from the type alone. The flag predicates (`isAny`, `isVoid`,
 * `isNullish`, ...) look at the type itself: a union is none of them; ask of its `unionParts`. */
export interface TypeShapes<T = TypeRef, S = SymbolRef, G = SignatureRef> {
  /** The type its members are looked up on: `string` -> `String`, a type parameter -> its constraint. */
  apparentType(type: T): T;
  /** The union parts of the apparent type (the type itself when it is no union). */
  apparentParts(type: T): readonly T[];
  /** The union parts of the type as written (the type itself when it is no union). */
  unionParts(type: T): readonly T[];
  /** The intersection parts of the type (the type itself when it is no intersection). */
  intersectionParts(type: T): readonly T[];
  /** The type is a union. */
  isUnion(type: T): boolean;
  /** The type without `null` and `undefined`. */
  nonNullable(type: T): T;
  /** 'array' for `T[]` and `readonly T[]`, 'tuple' for a tuple type, else undefined. */
  arrayKind(type: T): 'array' | 'tuple' | undefined;
  /** An array or a tuple. */
  isArrayOrTuple(type: T): boolean;
  /** The element types of an array (`[T]`) or a tuple (one per element); [] for any other type. */
  elementTypes(type: T): readonly T[];
  /** The type arguments of a generic type reference (`Map<K, V>` -> `[K, V]`); only for a type reference. */
  typeArguments(type: T): readonly T[];
  /** The types a class or interface type extends; [] for any other type. */
  baseTypes(type: T): readonly T[];
  /** The properties of the type's apparent type, inherited ones included. */
  propertiesOf(type: T): readonly S[];
  /** The property `name` of the type's apparent type, if it has one. */
  propertyOf(type: T, name: string): S | undefined;
  /** The property keyed by a well-known symbol (`[Symbol.dispose]` for 'dispose'), if the type has one. */
  wellKnownProperty(type: T, name: string): S | undefined;
  /** The call signatures of the type (not of its apparent type). */
  callSignatures(type: T): readonly G[];
  /** The construct signatures of the type (not of its apparent type). */
  constructSignatures(type: T): readonly G[];
  /** The return types of the type's call signatures (not of its apparent type), in signature order. */
  callReturnTypes(type: T): readonly T[];
  /** The member `name`: the one the type's own declaration (class, interface, literal) declares, else its property, inherited ones included. */
  memberOf(type: T, name: string): S | undefined;
  /** The symbol of the type (a class, an interface, a type literal's), if it has one. */
  typeSymbol(type: T): S | undefined;
  /** The alias the type was written through (`type Job = ...`), if any. */
  aliasSymbol(type: T): S | undefined;
  /** The value of a string literal type, else undefined. */
  stringLiteralValue(type: T): string | undefined;
  /** The type as TypeScript prints it. */
  typeText(type: T): string;
  /** `any` or `unknown`. */
  isAnyOrUnknown(type: T): boolean;
  /** `any` (not `unknown`). */
  isAny(type: T): boolean;
  /** `void`. */
  isVoid(type: T): boolean;
  /** `null`, `undefined` or `void`: no value at run time. */
  isNullish(type: T): boolean;
  /** `never`. */
  isNever(type: T): boolean;
  /** A type parameter (`T` in `f<T>()`), not yet instantiated. */
  isTypeParameter(type: T): boolean;
  /** An instantiation of a generic class or interface (`Map<K, V>`, `T[]`, a tuple): `typeArguments` answers for it. */
  isTypeReference(type: T): boolean;
  /** `string`-like: `string`, a string literal, a template literal type, a string enum member. */
  isStringLike(type: T): boolean;
  /** `void` or `undefined`. */
  isVoidLike(type: T): boolean;
  /** An object type (a class, an interface, an object literal, a function, an array); not a primitive, a union or an intersection. */
  isObjectType(type: T): boolean;
  /** An intersection (`A & B`). */
  isIntersection(type: T): boolean;
  /** The value of a number literal type, else undefined. */
  numberLiteralValue(type: T): number | undefined;
  /** The fixed texts of a template literal type (`` `swap:${string}` `` -> `['swap:', '']`), else undefined. */
  templateLiteralTexts(type: T): readonly string[] | undefined;
}

/** Questions about a call signature. */
export interface SignatureQueries<T = TypeRef, S = SymbolRef, G = SignatureRef> {
  /** The parameters, in order (a rest parameter last). */
  parametersOf(signature: G): readonly S[];
  /** The return type. */
  returnTypeOfSignature(signature: G): T;
  /** Where the signature is declared, if it is declared in code (not for a synthesised one). */
  declarationOfSignature(signature: G): ts.SignatureDeclaration | ts.JSDocSignature | undefined;
}

/** Questions about symbols: what a name refers to, where it is declared, its type. */
export interface SymbolQueries<T = TypeRef, S = SymbolRef> {
  /** The symbol a name refers to, with import aliases followed. */
  symbolAt(node: ts.Node): S | undefined;
  /** The symbol of a name as written: for an imported name the import (the alias), not what it imports. */
  symbolAsWritten(node: ts.Node): S | undefined;
  /** What an alias (an import, an export specifier) refers to, one hop only; undefined where the checker cannot say. */
  immediateAlias(symbol: S): S | undefined;
  /** `{ user }`: the variable `user` the shorthand property takes its value from (not the new property). */
  shorthandValueSymbol(prop: ts.ShorthandPropertyAssignment): S | undefined;
  /** The type of a symbol, as seen at `at` when given (narrowing, instantiation), else as declared. */
  typeOfSymbol(symbol: S, at?: ts.Node): T;
  /** The symbol's name (`default` for a default export, `__call` for a call signature's...). */
  symbolName(symbol: S): string;
  /** Where the symbol is declared (every declaration: overloads, merged interfaces). */
  declarationsOf(symbol: S): readonly ts.Declaration[];
  /** The declaration that gives the symbol its value (a variable's, a function's, a class's), if any. */
  valueDeclarationOf(symbol: S): ts.Declaration | undefined;
  /** The symbol is an alias (an import, an export specifier). */
  isAlias(symbol: S): boolean;
  /** The symbol is a property (of a class, an interface, an object literal or type), not a method or accessor. */
  isProperty(symbol: S): boolean;
  /** The constructor declarations of a class symbol (overloads and the implementation); [] for any other symbol. */
  constructorDeclarationsOf(symbol: S): readonly ts.Declaration[];
  /** The symbol is a class. */
  isClassSymbol(symbol: S): boolean;
  /** The symbol is a member of an enum. */
  isEnumMemberSymbol(symbol: S): boolean;
  /** Where a symbol is declared: 'lib' (TypeScript's default libs), a package name, or 'file'. */
  originOf(symbol: S): SymbolOrigin;
  /** The module specifier an identifier was imported from (`import`/`require`), if any. */
  importSpecifierOf(identifier: ts.Identifier): ImportBinding | undefined;
}

/** Questions about the types of nodes: expressions, type annotations, signatures. */
export interface NodeTypes<T = TypeRef, G = SignatureRef> {
  /** The type at a node, or undefined where the checker cannot say. */
  typeAt(node: ts.Node): T | undefined;
  /** The declaration that gives its value to what the name at the node refers to (aliases followed), if any. */
  valueDeclarationAt(node: ts.Node): ts.Declaration | undefined;
  /** The type the position of an expression expects (a parameter's, an annotated variable's), if any. */
  contextualType(expr: ts.Expression): T | undefined;
  /** The type a type annotation denotes. */
  typeOfTypeNode(node: ts.TypeNode): T;
  /** The resolved signature of a call, if the checker has one. */
  signatureOf(call: ts.CallLikeExpression): G | undefined;
  /** The declaration of the signature a call resolves to (the called function, method or overload), if declared in code. */
  calledDeclaration(call: ts.CallLikeExpression): ts.SignatureDeclaration | ts.JSDocSignature | undefined;
  /** The return type of a function's own signature (declared or inferred), or undefined where the checker cannot say. */
  returnTypeOf(decl: ts.SignatureDeclaration): T | undefined;
  /** The type at the node has call signatures (it is a function). */
  isCallable(node: ts.Node): boolean;
}

/** Questions about promises. */
export interface PromiseQueries<T = TypeRef> {
  /** A built-in Promise (or a class derived from it), or, with `thenables`, any object whose
   * `then` takes two callbacks. */
  isPromiseLike(node: ts.Node, type?: T, thenables?: boolean): boolean;
  /** An array or tuple whose elements are promise-like. */
  isPromiseArray(node: ts.Node, thenables?: boolean): boolean;
  /** The type `await` produces from `type` (`Promise<T>` -> `T`), or undefined where the checker cannot say. */
  awaitedType(type: T): T | undefined;
}

/** Every question, over some representation of types, symbols and signatures. */
export interface TypeQueriesOver<T, S, G>
  extends TypeShapes<T, S, G>,
    SignatureQueries<T, S, G>,
    SymbolQueries<T, S>,
    NodeTypes<T, G>,
    PromiseQueries<T> {
  readonly program: ts.Program;
  /** Does TypeScript report type errors in this file? False for plain JavaScript (no `checkJs`, no
   * `// @ts-check`) and for any file with `// @ts-nocheck`: there, only a linter sees type mistakes. */
  reportsTypeErrors(sf: ts.SourceFile): boolean;
}

/** The door as checks see it: handles only. */
export type TypeQueries = TypeQueriesOver<TypeRef, SymbolRef, SignatureRef>;

export type SymbolOrigin = { kind: 'lib' } | { kind: 'package'; name: string } | { kind: 'file'; fileName: string };

const byProgram = oncePerProgram<TypeQueries>();

export function getTypeQueries(program: ts.Program): TypeQueries {
  // The TypeScript 6 objects are the handles: the cast is the whole conversion.
  return byProgram(program, () => createTs6TypeQueries(program) as unknown as TypeQueries);
}

export { bindTypeChecker, checkJsDirective } from './type-queries-ts6.js';
