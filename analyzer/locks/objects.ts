/**
 * Which values are lock objects: by the resolved symbol of their type (`Mutex` from
 * async-mutex, `AsyncLock` from async-lock, the DOM's `LockManager`), and, where types are
 * missing, by following the value to the `new X()` that made it and the module `X` was
 * imported from.
 */
import path from 'node:path';
import ts from '../ts/typescript.cjs';
import { LOCK_LIBRARIES, MUTEX_WRAPPERS, type LockLibrary } from './catalog.js';
import { skipOuterExpressions as skipOuter } from '../program/walk.js';
import type { LockContext } from './context.js';

export interface LockObject {
  library: LockLibrary;
  /** False when wrapped in `tryAcquire` (acquiring throws instead of waiting). */
  waitsForLock: boolean;
  /** A lock for ordering: a mutex, or a semaphore created with a count of 1. */
  ordering: boolean;
}

const MAX_DEPTH = 6;

/** Is `expr` a lock object, and of which library? */
export function lockObjectOf(ctx: LockContext, expr: ts.Expression): LockObject | undefined {
  const e = skipOuter(expr);
  const unwrapped = unwrapMutexWrapper(ctx, e);
  if (unwrapped) {
    const inner = lockObjectOf(ctx, unwrapped.inner);
    return inner ? { ...inner, waitsForLock: inner.waitsForLock && unwrapped.waitsForLock } : undefined;
  }
  const library = libraryByType(ctx, e) ?? libraryByConstructor(ctx, e, 0);
  if (!library) return undefined;
  const init = initializerChain(ctx, e);
  const waitsForLock = !init.some((i) => unwrapMutexWrapper(ctx, i)?.waitsForLock === false);
  const ordering = library.kind !== 'semaphore' || semaphoreCount(ctx, init) === 1;
  return { library, waitsForLock, ordering };
}

/** `withTimeout(m, ms)` / `tryAcquire(m)` from async-mutex: the wrapped lock, and whether it waits. */
export function unwrapMutexWrapper(ctx: LockContext, expr: ts.Expression): { inner: ts.Expression; waitsForLock: boolean } | undefined {
  if (!ts.isCallExpression(expr) || expr.arguments.length === 0) return undefined;
  const callee = skipOuter(expr.expression);
  const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  if (!ts.isIdentifier(nameNode) || !(nameNode.text in MUTEX_WRAPPERS)) return undefined;
  if (!isFromModule(ctx, nameNode, callee, 'async-mutex')) return undefined;
  return { inner: expr.arguments[0]!, waitsForLock: MUTEX_WRAPPERS[nameNode.text]!.waitsForLock };
}

function isFromModule(ctx: LockContext, name: ts.Identifier, callee: ts.Expression, module: string): boolean {
  const symbol = ctx.types.symbolAt(name);
  const origin = symbol ? ctx.types.originOf(symbol) : undefined;
  if (origin?.kind === 'package') return origin.name === module;
  const root = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? callee.expression : name;
  return ctx.types.importSpecifierOf(root)?.module === module;
}

function libraryByType(ctx: LockContext, expr: ts.Expression): LockLibrary | undefined {
  const type = ctx.types.typeAt(expr);
  if (!type || ctx.types.isAnyOrUnknown(type)) return undefined;
  for (const part of ctx.types.unionParts(type)) {
    for (const symbol of [ctx.types.aliasSymbol(part), ctx.types.typeSymbol(part)]) {
      if (!symbol) continue;
      const name = ctx.types.symbolName(symbol);
      const library = LOCK_LIBRARIES.find((l) => l.types.includes(name));
      if (!library) continue;
      const origin = ctx.types.originOf(symbol);
      if (library.origin === 'lib' ? origin.kind === 'lib' : origin.kind === 'package' && origin.name === library.origin) return library;
    }
  }
  return undefined;
}

/** Untyped code: follow the value to `new X()` and X to its import (`async-mutex`'s `Mutex`). */
function libraryByConstructor(ctx: LockContext, expr: ts.Expression, depth: number): LockLibrary | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (ts.isPropertyAccessExpression(expr) && expr.name.text === 'locks' && ts.isIdentifier(expr.expression) && expr.expression.text === 'navigator') {
    return LOCK_LIBRARIES.find((l) => l.kind === 'web-locks');
  }
  for (const init of initializerChain(ctx, expr)) {
    if (!ts.isNewExpression(init)) continue;
    const ctor = skipOuter(init.expression);
    let binding;
    if (ts.isIdentifier(ctor)) binding = ctx.types.importSpecifierOf(ctor);
    else if (ts.isPropertyAccessExpression(ctor) && ts.isIdentifier(ctor.expression)) {
      const ns = ctx.types.importSpecifierOf(ctor.expression);
      if (ns && ns.exportName === '*') binding = { module: ns.module, exportName: ctor.name.text };
    }
    if (!binding) continue;
    const library = LOCK_LIBRARIES.find((l) => l.constructors.module === binding.module && l.constructors.exports.includes(binding.exportName));
    if (library) return library;
  }
  return undefined;
}

/** The declaration a name or property access refers to (the first one with a value). */
export function declarationOf(ctx: LockContext, expr: ts.Expression): ts.Declaration | undefined {
  const e = skipOuter(expr);
  let at: ts.Node | undefined;
  if (ts.isIdentifier(e)) at = e;
  else if (ts.isPropertyAccessExpression(e)) at = e.name;
  else if (ts.isElementAccessExpression(e)) at = e.argumentExpression;
  if (!at) return undefined;
  const symbol = ctx.types.symbolAt(at);
  return symbol && (ctx.types.valueDeclarationOf(symbol) ?? ctx.types.declarationsOf(symbol)[0]);
}

/** The value a declaration is initialised with (`= new Mutex()`, JS `this.m = new Mutex()`). */
export function initializerOfDeclaration(decl: ts.Node): ts.Expression | undefined {
  if ((ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl) || ts.isParameter(decl)) && decl.initializer) {
    return decl.initializer;
  }
  if (ts.isPropertyAccessExpression(decl) || ts.isElementAccessExpression(decl)) {
    const parent = decl.parent;
    if (ts.isBinaryExpression(parent) && parent.left === decl && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return parent.right;
  }
  if (ts.isBinaryExpression(decl) && decl.operatorToken.kind === ts.SyntaxKind.EqualsToken) return decl.right;
  return undefined;
}

/** The expression, then what it was initialised from, then through async-mutex wrappers: a bounded chain. */
export function initializerChain(ctx: LockContext, expr: ts.Expression): ts.Expression[] {
  const out: ts.Expression[] = [];
  let current: ts.Expression | undefined = skipOuter(expr);
  for (let depth = 0; current && depth < MAX_DEPTH; depth++) {
    out.push(current);
    const wrapped = unwrapMutexWrapper(ctx, current);
    if (wrapped) {
      current = skipOuter(wrapped.inner);
      continue;
    }
    if (ts.isNewExpression(current)) break;
    const decl = declarationOf(ctx, current);
    const init = decl ? initializerOfDeclaration(decl) : undefined;
    current = init ? skipOuter(init) : undefined;
  }
  return out;
}

/** The count a semaphore was created with, when the chain reaches `new Semaphore(n)` with a literal n. */
function semaphoreCount(ctx: LockContext, chain: ts.Expression[]): number | undefined {
  for (const e of chain) {
    if (ts.isNewExpression(e) && e.arguments && e.arguments.length > 0) {
      const arg = skipOuter(e.arguments[0]!);
      if (ts.isNumericLiteral(arg)) return Number(arg.text);
      const type = ctx.types.typeAt(arg);
      return type && ctx.types.numberLiteralValue(type);
    }
  }
  return undefined;
}

/** A string the expression always has: a literal, or a const whose type is a string literal. */
export function literalString(ctx: LockContext, expr: ts.Expression | undefined): string | undefined {
  if (!expr) return undefined;
  const e = skipOuter(expr);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  const type = ctx.types.typeAt(e);
  return type && ctx.types.stringLiteralValue(type);
}

/** A file name relative to the program's directory, with forward slashes. */
export function relativeFile(ctx: LockContext, fileName: string): string {
  return path.relative(ctx.cwd, fileName).replace(/\\/g, '/');
}
