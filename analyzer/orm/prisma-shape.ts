/**
 * A Prisma client recognised by what it is, wherever it was generated. Prisma 7's
 * `prisma-client` generator writes the client into the project's own source (for example
 * `src/generated/prisma/client.ts`, importing `@prisma/client/runtime/client`), so its methods
 * are not declared in the `@prisma/client` package; projects also re-export the client through
 * their own modules (`export const db = new PrismaClient()`, a Nest `PrismaService extends
 * PrismaClient`). What every generated client shares is its runtime's promise type: each query
 * method (a model delegate's `findMany`, the fluent `Prisma__UserClient`'s relation methods, the
 * client's `$queryRaw`) returns a `PrismaPromise`, a `Promise` tagged
 * `[Symbol.toStringTag]: 'PrismaPromise'`, the lazy query Prisma runs when it is awaited. The
 * client itself is the owner of `$transaction` next to such a `$executeRaw`/`$queryRaw`.
 */
import ts from '../ts/typescript.cjs';
import type { TypeQueries, TypeRef } from '../program/type-queries.js';
import { PRISMA } from './catalog.js';

/** The module name the recognised declarations are filed under (the catalog's Prisma entry). */
export const PRISMA_MODULE = '@prisma/client';

const QUERY_NAMES = new Set(PRISMA.queries.flatMap((q) => [...q.reads, ...q.writes]));
const RAW_NAMES = ['$queryRaw', '$executeRaw', '$queryRawUnsafe', '$executeRawUnsafe'];

const cache = new WeakMap<ts.Node, boolean>();

/**
 * Is this method declaration (outside the `@prisma/client` package) part of a generated Prisma
 * client? Only Prisma's method names (and the fluent `Prisma__*` clients' relation methods) are
 * asked about, so the type question is rare.
 */
export function isGeneratedPrismaMethod(types: TypeQueries, decl: ts.Declaration, name: string, owner: string | undefined): boolean {
  if (!owner || (!QUERY_NAMES.has(name) && !owner.startsWith('Prisma__'))) return false;
  let answer = cache.get(decl);
  if (answer === undefined) {
    answer = returnsPrismaPromise(types, decl) || (name === '$transaction' && isClientOwner(types, decl));
    cache.set(decl, answer);
  }
  return answer;
}

function returnsPrismaPromise(types: TypeQueries, decl: ts.Declaration): boolean {
  if (!ts.isFunctionLike(decl)) return false;
  const type = types.returnTypeOf(decl as ts.SignatureDeclaration);
  return !!type && isPrismaPromiseType(types, type);
}

/** A `Promise` tagged `[Symbol.toStringTag]: 'PrismaPromise'` (or a union with `null`/`undefined` of one). */
export function isPrismaPromiseType(types: TypeQueries, type: TypeRef): boolean {
  const parts = types.unionParts(types.nonNullable(type));
  return parts.length > 0 && parts.every((part) => {
    const tag = types.wellKnownProperty(part, 'toStringTag');
    return !!tag && types.stringLiteralValue(types.typeOfSymbol(tag)) === 'PrismaPromise';
  });
}

/** The class or interface that declares `decl` also declares a raw-query method returning a `PrismaPromise`. */
function isClientOwner(types: TypeQueries, decl: ts.Declaration): boolean {
  const owner = decl.parent;
  if (!owner || !(ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner))) return false;
  return (owner.members as ts.NodeArray<ts.Node>).some((m) => {
    const member = m as ts.ClassElement | ts.TypeElement;
    return !!member.name && ts.isIdentifier(member.name) && RAW_NAMES.includes(member.name.text) && returnsPrismaPromise(types, member as ts.Declaration);
  });
}
