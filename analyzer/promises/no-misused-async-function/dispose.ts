/**
 * Async clean-up where synchronous disposal is expected. `using` and any holder of a `Disposable`
 * call `[Symbol.dispose]()` and move on, so a promise it returns is never awaited:
 * - `using x = value` whose `[Symbol.dispose]` returns a promise;
 * - such a value stored in a variable declared with a synchronous `[Symbol.dispose]`
 *   (`const d: Disposable = lease`);
 * - a member `async [Symbol.dispose]()` of an object literal given where a synchronous one is
 *   expected (returned as a `Disposable`, passed to a `Disposable` parameter), or of a class that
 *   extends or implements a type whose `[Symbol.dispose]` returns `void`.
 *
 * The member is found through the checker's well-known symbol. Where the program's `lib` does not
 * declare `Symbol.dispose` (an older `lib` with a polyfill), the checker knows no such property;
 * then the member is found by its written name, `[Symbol.dispose]`, on the type's declarations.
 */
import ts from '../../ts/typescript.cjs';
import type { TraceInput } from '../../check/contract.js';
import { isFunctionLike } from '../../program/callgraph.js';
import { skipOuterExpressions } from '../../program/walk.js';
import { heritageTypes } from './void-signatures.js';
import type { Ctx } from './candidates.js';
import { codeText, shorten } from '../../check/quote.js';
import { hasAsyncModifier, hasModifier } from '../../program/syntax.js';
import type { TypeQueries, TypeRef } from '../../program/type-queries.js';

/** The `[Symbol.dispose]` members of a type: their return types and, when written, their declarations. */
interface DisposeMembers {
  returns: TypeRef[];
  decls: ts.Declaration[];
}

function disposeMembers(ctx: Ctx, at: ts.Node, type: TypeRef): DisposeMembers {
  const out: DisposeMembers = { returns: [], decls: [] };
  for (const part of ctx.types.apparentParts(type)) {
    const symbol = ctx.types.wellKnownProperty(part, 'dispose');
    if (symbol) {
      out.returns.push(...returnTypes(ctx.types, ctx.types.typeOfSymbol(symbol, at)));
      out.decls.push(...ctx.types.declarationsOf(symbol));
      continue;
    }
    for (const member of writtenDisposeMembers(ctx.types, part)) {
      out.returns.push(...memberReturnTypes(ctx, member));
      out.decls.push(member);
    }
  }
  return out;
}

function returnTypes(types: TypeQueries, type: TypeRef): TypeRef[] {
  return types.unionParts(type).flatMap((t) => types.callReturnTypes(t));
}

/** `[Symbol.dispose]` written on the declarations of a type the checker has no such property for. */
function writtenDisposeMembers(types: TypeQueries, type: TypeRef): ts.Declaration[] {
  const out: ts.Declaration[] = [];
  const symbol = types.typeSymbol(type);
  for (const decl of symbol ? types.declarationsOf(symbol) : []) {
    const members: readonly ts.Node[] = ts.isObjectLiteralExpression(decl)
      ? decl.properties
      : ts.isClassLike(decl) || ts.isInterfaceDeclaration(decl) || ts.isTypeLiteralNode(decl)
        ? decl.members
        : [];
    for (const m of members) if (isDisposeName((m as ts.NamedDeclaration).name)) out.push(m as ts.Declaration);
  }
  return out;
}

function memberReturnTypes(ctx: Ctx, member: ts.Declaration): TypeRef[] {
  if (isFunctionLike(member) || ts.isMethodSignature(member)) {
    const ret = ctx.types.returnTypeOf(member as ts.SignatureDeclaration);
    return ret ? [ret] : [];
  }
  const value = ts.isPropertyAssignment(member) || ts.isPropertyDeclaration(member) ? member.initializer : undefined;
  if (value) {
    const type = ctx.types.typeAt(value);
    return type ? returnTypes(ctx.types, type) : [];
  }
  return ts.isPropertySignature(member) && member.type ? returnTypes(ctx.types, ctx.types.typeOfTypeNode(member.type)) : [];
}

/** `[Symbol.dispose]` as written: a computed name `Symbol.dispose`. */
export function isDisposeName(name: ts.Node | undefined): name is ts.ComputedPropertyName {
  if (!name || !ts.isComputedPropertyName(name)) return false;
  const e = skipOuterExpressions(name.expression);
  return ts.isPropertyAccessExpression(e) && e.name.text === 'dispose' && ts.isIdentifier(e.expression) && e.expression.text === 'Symbol';
}

function returnsPromise(ctx: Ctx, at: ts.Node, members: DisposeMembers): boolean {
  return members.returns.some((r) => ctx.types.isPromiseLike(at, r));
}

/** A synchronous `[Symbol.dispose]`: every signature returns `void` (none a promise). */
function isSyncDispose(ctx: Ctx, at: ts.Node, members: DisposeMembers): boolean {
  return members.returns.length > 0 && !returnsPromise(ctx, at, members) && members.returns.some((r) => ctx.types.isVoid(r));
}

function traceTo(ctx: Ctx, members: DisposeMembers): TraceInput[] {
  const decl = members.decls.find((d) => isFunctionLike(d) || ts.isPropertyAssignment(d) || ts.isPropertyDeclaration(d));
  if (!decl) return [];
  const at = (decl as ts.NamedDeclaration).name ?? decl;
  const async = hasAsyncModifier(decl) ? 'is async' : 'returns a promise';
  return [{ node: at, message: `this \`[Symbol.dispose]\` ${async}: nothing awaits it (declared here)` }];
}

/** `using x = value`, `const x: Disposable = value`: true when reported. */
export function checkDisposeVariable(ctx: Ctx, node: ts.VariableDeclaration): boolean {
  const init = node.initializer;
  if (!init) return false;
  const isUsing = (node.parent.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Using;
  if (!isUsing && !node.type) return false;
  const initType = ctx.types.typeAt(init);
  if (!initType) return false;
  const source = disposeMembers(ctx, init, initType);
  if (!returnsPromise(ctx, init, source)) return false;
  if (!isUsing) {
    const declared = ctx.types.typeAt(node.name);
    if (!declared || !isSyncDispose(ctx, node.name, disposeMembers(ctx, node.name, declared))) return false;
  }
  const name = ts.isIdentifier(node.name) ? node.name.text : codeText(node.name, ctx.sourceFile, 30);
  ctx.report({ node: init, messageId: 'voidReturnDispose', data: { name }, trace: traceTo(ctx, source) });
  return true;
}

/**
 * `{ async [Symbol.dispose]() {} }` given where a synchronous one is expected, or a class member
 * `async [Symbol.dispose]()` of a class that extends or implements a synchronous `Disposable`.
 * An object literal that initialises a variable is the variable's case (`checkDisposeVariable`).
 */
export function checkDisposeMember(ctx: Ctx, name: ts.ComputedPropertyName): void {
  const member = name.parent;
  const owner = member.parent;
  if (!memberReturnsPromise(ctx, member)) return;
  let expected: TypeRef[] = [];
  if (ts.isObjectLiteralExpression(owner)) {
    if (ts.isVariableDeclaration(owner.parent) && owner.parent.initializer === owner) return;
    const contextual = ctx.types.contextualType(owner);
    if (contextual) expected = [contextual];
  } else if (ts.isClassLike(owner) && !hasModifier(member, ts.SyntaxKind.StaticKeyword)) {
    expected = heritageTypes(ctx.types, owner);
  }
  const sync = expected.find((t) => isSyncDispose(ctx, name, disposeMembers(ctx, name, t)));
  if (!sync) return;
  const isClass = ts.isClassLike(owner);
  const ownerName = isClass ? (owner.name ? `\`${owner.name.text}\`` : 'this class') : 'this object';
  const how = isClass ? 'the class extends or implements' : 'the object is given as a';
  const slot = shorten(ctx.types.typeText(sync), 40);
  ctx.report({ node: name, messageId: 'voidReturnDisposeMember', data: { owner: ownerName, how, slot } });
}

function memberReturnsPromise(ctx: Ctx, member: ts.Node): boolean {
  if (isFunctionLike(member)) {
    if (hasAsyncModifier(member)) return true;
    const ret = ctx.types.returnTypeOf(member);
    return !!ret && ctx.types.isPromiseLike(member, ret);
  }
  const value = ts.isPropertyAssignment(member) || ts.isPropertyDeclaration(member) ? member.initializer : undefined;
  const type = value && ctx.types.typeAt(value);
  return !!type && returnTypes(ctx.types, type).some((r) => ctx.types.isPromiseLike(member, r));
}
