/**
 * Type questions of `no-misused-async-function`, modelled on typescript-eslint's
 * `no-misused-promises` (checksVoidReturn) so both agree where they overlap:
 * "does this expression's type have a signature returning a thenable" and "does this position
 * expect a function returning `void`".
 */
import ts from '../../ts/typescript.cjs';
import tsutils from '../../ts/ts-api-utils.cjs';
import type { TypeQueries } from '../../program/type-queries.js';

/** Does any call signature of the expression's type return a promise or thenable? */
export function returnsThenable(types: TypeQueries, node: ts.Node): boolean {
  const type = types.typeAt(node);
  if (!type) return false;
  return types.apparentParts(type).some((part) => part.getCallSignatures().some((sig) => types.isPromiseLike(node, sig.getReturnType())));
}

/** Some signature of the type returns a thenable. */
function isThenableReturningFunctionType(types: TypeQueries, node: ts.Node, type: ts.Type): boolean {
  return tsutils
    .unionConstituents(type)
    .some((part) => part.getCallSignatures().some((sig) => types.isPromiseLike(node, sig.getReturnType())));
}

/**
 * A function type whose signatures return `void` and none of which accepts a thenable
 * (`() => void | Promise<void>` is not a void-return position).
 */
export function isVoidReturningFunctionType(types: TypeQueries, node: ts.Node, type: ts.Type): boolean {
  let hadVoid = false;
  for (const part of tsutils.unionConstituents(type)) {
    for (const sig of part.getCallSignatures()) {
      const ret = sig.getReturnType();
      if (types.isPromiseLike(node, ret)) return false;
      hadVoid ||= (ret.flags & ts.TypeFlags.Void) !== 0;
    }
  }
  return hadVoid;
}

/**
 * For inherited members: a function type returning a plain value: `void`, or (for JS base
 * classes, where TypeScript does not report the mismatch) a concrete non-promise type.
 * Returns the printed return type, or undefined.
 */
export function syncReturnTypeOf(types: TypeQueries, node: ts.Node, type: ts.Type): string | undefined {
  let found: string | undefined;
  for (const part of tsutils.unionConstituents(type)) {
    for (const sig of part.getCallSignatures()) {
      const ret = sig.getReturnType();
      if (types.isPromiseLike(node, ret)) return undefined;
      if (ret.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter | ts.TypeFlags.Never)) continue;
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
  const classify = (paramType: ts.Type, index: number): void => {
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
  for (const part of tsutils.unionConstituents(type)) {
    const signatures = ts.isCallExpression(call) ? part.getCallSignatures() : part.getConstructSignatures();
    for (const sig of signatures) {
      sig.parameters.forEach((param, index) => {
        let paramType = types.typeOfSymbol(param, call.expression);
        const decl = param.valueDeclaration;
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
export function isArrayLike(types: TypeQueries, type: ts.Type): boolean {
  return tsutils
    .unionConstituents(type)
    .flatMap((part) => tsutils.intersectionConstituents(part))
    .some((t) => types.isArrayOrTuple(t));
}

/** The name of a built-in (lib) type among `names`, if the type (or a union part) is one. */
export function libTypeName(types: TypeQueries, type: ts.Type, names: ReadonlySet<string>): string | undefined {
  for (const part of types.apparentParts(type)) {
    const symbol = part.getSymbol() ?? part.aliasSymbol;
    if (!symbol || !names.has(symbol.getName())) continue;
    if (types.originOf(symbol).kind === 'lib') return symbol.getName();
  }
  return undefined;
}

/** The members of a class or interface's heritage clauses, as types. */
export function heritageTypes(types: TypeQueries, node: ts.ClassLikeDeclaration | ts.InterfaceDeclaration): ts.Type[] {
  const out: ts.Type[] = [];
  for (const clause of node.heritageClauses ?? []) {
    for (const t of clause.types) {
      const type = types.typeAt(t);
      if (type) out.push(type);
    }
  }
  return out;
}

/** A heritage type's member named `name`, if any. */
export function memberOf(type: ts.Type, name: string): ts.Symbol | undefined {
  const escaped = ts.escapeLeadingUnderscores(name);
  return type.getSymbol()?.members?.get(escaped) ?? tsutils.getPropertyOfType(type, escaped);
}
