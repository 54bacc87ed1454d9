/**
 * Type questions of `no-misused-async-function`, modelled on typescript-eslint's
 * `no-misused-promises` (checksVoidReturn) so both agree where they overlap:
 * "does this expression's type have a signature returning a thenable" and "does this position
 * expect a function returning `void`".
 */
import ts from '../../ts/typescript.cjs';
import type { TypeQueries, TypeRef } from '../../program/type-queries.js';

/** Does any call signature of the expression's type return a promise or thenable? */
export function returnsThenable(types: TypeQueries, node: ts.Node): boolean {
  const type = types.typeAt(node);
  if (!type) return false;
  return types.apparentParts(type).some((part) => types.callReturnTypes(part).some((ret) => types.isPromiseLike(node, ret)));
}

/** Some signature of the type returns a thenable. */
function isThenableReturningFunctionType(types: TypeQueries, node: ts.Node, type: TypeRef): boolean {
  return types.unionParts(type).some((part) => types.callReturnTypes(part).some((ret) => types.isPromiseLike(node, ret)));
}

/**
 * A function type whose signatures return `void` and none of which accepts a thenable
 * (`() => void | Promise<void>` is not a void-return position).
 */
export function isVoidReturningFunctionType(types: TypeQueries, node: ts.Node, type: TypeRef): boolean {
  let hadVoid = false;
  for (const part of types.unionParts(type)) {
    for (const ret of types.callReturnTypes(part)) {
      if (types.isPromiseLike(node, ret)) return false;
      hadVoid ||= types.isVoid(ret);
    }
  }
  return hadVoid;
}

/**
 * For inherited members: a function type returning a plain value: `void`, or (for JS base
 * classes, where TypeScript does not report the mismatch) a concrete non-promise type.
 * Returns the printed return type, or undefined.
 */
export function syncReturnTypeOf(types: TypeQueries, node: ts.Node, type: TypeRef): string | undefined {
  let found: string | undefined;
  for (const part of types.unionParts(type)) {
    for (const ret of types.callReturnTypes(part)) {
      if (types.isPromiseLike(node, ret)) return undefined;
      if (types.isAnyOrUnknown(ret) || types.isTypeParameter(ret) || types.isNever(ret)) continue;
      found ??= types.typeText(ret);
    }
  }
  return found;
}

/**
 * The argument positions of a call whose parameter expects a void-returning function (and
 * no overload accepts a thenable-returning one there). All overloads are considered, not the
 * resolved one, as typescript-eslint does (TypeScript prefers an early `() => void` overload).
 */
export function voidArgumentIndices(types: TypeQueries, call: ts.CallExpression | ts.NewExpression): Set<number> {
  const voids = new Set<number>();
  const args = call.arguments;
  if (!args || args.length === 0) return voids;
  const thenables = new Set<number>();
  const type = types.typeAt(call.expression);
  if (!type) return voids;
  const classify = (paramType: TypeRef, index: number): void => {
    if (isThenableReturningFunctionType(types, call.expression, paramType)) thenables.add(index);
    else if (isVoidReturningFunctionType(types, call.expression, paramType)) voids.add(index);
    // The parameter type as instantiated for this call (generic callbacks: `() => T` with T = Promise<...>).
    const arg = args[index];
    const contextual = arg && !ts.isSpreadElement(arg) ? types.contextualType(arg) : undefined;
    if (contextual && contextual !== paramType) {
      if (isThenableReturningFunctionType(types, call.expression, contextual)) thenables.add(index);
      else if (isVoidReturningFunctionType(types, call.expression, contextual)) voids.add(index);
    }
  };
  for (const part of types.unionParts(type)) {
    const signatures = ts.isCallExpression(call) ? types.callSignatures(part) : types.constructSignatures(part);
    for (const sig of signatures) {
      types.parametersOf(sig).forEach((param, index) => {
        let paramType = types.typeOfSymbol(param, call.expression);
        const decl = types.valueDeclarationOf(param);
        if (decl && ts.isParameter(decl) && decl.dotDotDotToken) {
          const kind = types.arrayKind(paramType);
          if (kind === 'array') {
            paramType = types.typeArguments(paramType)[0] ?? paramType;
            for (let i = index; i < args.length; i++) classify(paramType, i);
          } else if (kind === 'tuple') {
            const elements = types.typeArguments(paramType);
            for (let i = index; i < args.length && i - index < elements.length; i++) classify(elements[i - index]!, i);
          }
        } else if (index < args.length) {
          classify(paramType, index);
        }
      });
    }
  }
  for (const i of thenables) voids.delete(i);
  return voids;
}

/** An array, a tuple or a readonly array (also inside intersections), by the checker. */
export function isArrayLike(types: TypeQueries, type: TypeRef): boolean {
  return types
    .unionParts(type)
    .flatMap((part) => types.intersectionParts(part))
    .some((t) => types.isArrayOrTuple(t));
}

/** The name of a built-in (lib) type among `names`, if the type (or a union part) is one. */
export function libTypeName(types: TypeQueries, type: TypeRef, names: ReadonlySet<string>): string | undefined {
  for (const part of types.apparentParts(type)) {
    const symbol = types.typeSymbol(part) ?? types.aliasSymbol(part);
    if (!symbol || !names.has(types.symbolName(symbol))) continue;
    if (types.originOf(symbol).kind === 'lib') return types.symbolName(symbol);
  }
  return undefined;
}

/** The members of a class or interface's heritage clauses, as types. */
export function heritageTypes(types: TypeQueries, node: ts.ClassLikeDeclaration | ts.InterfaceDeclaration): TypeRef[] {
  const out: TypeRef[] = [];
  for (const clause of node.heritageClauses ?? []) {
    for (const t of clause.types) {
      const type = types.typeAt(t);
      if (type) out.push(type);
    }
  }
  return out;
}
