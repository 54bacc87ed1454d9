/**
 * Locks that are no library and have no lock-like name, recognised by what they are:
 *
 * - by their body: an async function that waits on a promise whose resolver it queues or
 *   keeps (`await new Promise((resolve) => this.waiting.push(resolve))`, the promise-chain
 *   mutex `this.tail = new Promise((r) => (unlock = r))`) and resolves to a release function;
 * - without a body (an interface or a declared API), by how the program's callers use it:
 *   some caller releases its awaited result in a `finally`.
 *
 * An async method resolving to `() => void` is not enough on its own (an unsubscribe
 * function, a timer's cancel): it must wait for its turn, or be used as a lock.
 */
import ts from '../ts/typescript.cjs';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';
import { cacheOf, type LockContext } from './context.js';
import { RELEASE_METHOD_NAME } from './catalog.js';
import type { ReleaseShape } from './types.js';
import { touch } from '../program/dependencies.js';
import type { SignatureRef, SymbolRef, TypeRef } from '../program/type-queries.js';
import { fileIndex } from '../program/file-index.js';

/**
 * Is the function a call runs lock-shaped (see the file comment)? 'waits': its body waits its
 * turn (a lock for ordering too); 'used': it has no body, but callers release it in a `finally`
 * (checked for release; not a lock for ordering, since nothing shows that it excludes anyone).
 */
export function lockShapeOf(ctx: LockContext, call: ts.CallExpression, name: string): LockShape | undefined {
  const fn = ctx.graph.resolve(call)[0];
  if (fn?.body) {
    const wait = queuedWaitOf(ctx, fn);
    return wait ? { kind: 'waits', evidence: { node: wait, message: `\`${name}\` waits here for a promise whose resolver it queues: it takes its turn like a lock` } } : undefined;
  }
  const decl = ctx.types.calledDeclaration(call);
  const release = decl ? releasedInFinally(ctx).get(decl) : undefined;
  return release ? { kind: 'used', evidence: { node: release, message: `another caller releases the result of \`${name}\` in a \`finally\` here: it is used as a lock` } } : undefined;
}

/** Where the body of `fn` waits for a promise whose resolver it queues or keeps (see the file comment), or null. */
export function queuedWaitOf(ctx: LockContext, fn: FunctionLike): ts.NewExpression | null {
  const facts = cacheOf(ctx, 'queuedWaits', () => new Map<FunctionLike, ts.NewExpression | null>());
  let wait = facts.get(fn);
  if (wait === undefined) facts.set(fn, (wait = (fn.body && waitsOnKeptResolver(fn)) || null));
  return wait;
}

export interface LockShape {
  kind: 'waits' | 'used';
  evidence: { node: ts.Node; message: string };
}

/** Does the body create a promise whose resolver leaves the executor (queued, stored), and wait? */
function waitsOnKeptResolver(fn: FunctionLike): ts.NewExpression | undefined {
  let waits = false;
  let kept: ts.NewExpression | undefined;
  walk(fn.body!, (n) => {
    if (n !== fn.body && isFunctionLike(n)) return false;
    if (ts.isAwaitExpression(n)) waits = true;
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'Promise' && keepsResolver(n.arguments?.[0])) kept ??= n;
    return true;
  });
  return waits ? kept : undefined;
}

/** `(resolve) => queue.push(resolve)`, `(r) => (unlock = r)`: the resolver is passed on or stored, not only called. */
function keepsResolver(executor: ts.Expression | undefined): boolean {
  const fn = executor && skipOuter(executor);
  if (!fn || !isFunctionLike(fn) || !fn.body) return false;
  const param = fn.parameters[0];
  if (!param || !ts.isIdentifier(param.name)) return false;
  const name = param.name.text;
  let kept = false;
  walk(fn.body, (n) => {
    if (kept || !ts.isIdentifier(n) || n.text !== name || n === param.name) return !kept;
    const parent = n.parent;
    if (ts.isCallExpression(parent) && parent.arguments.includes(n)) kept = true;
    if (ts.isBinaryExpression(parent) && parent.right === n && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) kept = true;
    if (ts.isArrayLiteralExpression(parent) || ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent)) kept = true;
    return !kept;
  });
  return kept;
}

/**
 * Declarations whose awaited result some caller releases in a `finally`
 * (`const leave = await gate.enter(); try { ... } finally { leave(); }`), once per program.
 */
function releasedInFinally(ctx: LockContext): Map<ts.Node, ts.Node> {
  return cacheOf(ctx, 'releasedInFinally', () => {
    const found = new Map<ts.Node, ts.Node>();
    const { program } = ctx;
    for (const sf of program.getSourceFiles()) {
      if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf) || !sf.text.includes('finally')) continue;
      touch(sf); // a file the checked one need not import
      for (const n of fileIndex(sf).of<ts.TryStatement>(ts.SyntaxKind.TryStatement)) if (n.finallyBlock) collectFinally(ctx, n.finallyBlock, found);
    }
    return found;
  });
}

function collectFinally(ctx: LockContext, block: ts.Block, found: Map<ts.Node, ts.Node>): void {
  walk(block, (n) => {
    if (isFunctionLike(n)) return false;
    if (!ts.isCallExpression(n)) return true;
    const callee = skipOuter(n.expression);
    const target = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) && RELEASE_METHOD_NAME.test(callee.name.text) ? skipOuter(callee.expression) : undefined;
    if (!target || !ts.isIdentifier(target)) return true;
    const decl = ctx.types.valueDeclarationAt(target);
    const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? skipOuter(decl.initializer) : undefined;
    const acquired = init && ts.isAwaitExpression(init) ? skipOuter(init.expression) : undefined;
    const signature = acquired && ts.isCallExpression(acquired) ? ctx.types.calledDeclaration(acquired) : undefined;
    if (signature && !found.has(signature)) found.set(signature, n);
    return true;
  });
}

/** A release function (`() => void`), or an object whose only property is a `release*`/`unlock*` method. */
export function releaseShape(ctx: LockContext, type: TypeRef): ReleaseShape | undefined {
  const { types } = ctx;
  if (types.isAnyOrUnknown(type) || types.isUnion(type)) return undefined;
  const signatures = types.callSignatures(type);
  if (signatures.length > 0) {
    if (types.propertiesOf(type).length > 0) return undefined;
    return signatures.every((s) => takesNothing(ctx, s) && returnsVoid(ctx, s)) ? { kind: 'function' } : undefined;
  }
  // An object whose one method releases; its other properties, if any, are data
  // (`{ nextNonce, nonceDetails, releaseLock }`).
  const declarationOf = (p: SymbolRef) => types.valueDeclarationOf(p) ?? types.declarationsOf(p)[0];
  const methods = types.propertiesOf(type).filter((p) => {
    const decl = declarationOf(p);
    return !!decl && types.callSignatures(types.typeOfSymbol(p, decl)).length > 0;
  });
  if (methods.length !== 1 || !RELEASE_METHOD_NAME.test(types.symbolName(methods[0]!))) return undefined;
  const sigs = types.callSignatures(types.typeOfSymbol(methods[0]!, declarationOf(methods[0]!)!));
  if (!sigs.every((s) => takesNothing(ctx, s))) return undefined;
  const exact = types.symbolName(methods[0]!).replace(/[$]/g, '\\$');
  return { kind: 'object', method: new RegExp(`^${exact}$`) };
}

function takesNothing(ctx: LockContext, signature: SignatureRef): boolean {
  return ctx.types.parametersOf(signature).every((p) => {
    const d = ctx.types.valueDeclarationOf(p);
    return !!d && ts.isParameter(d) && (!!d.questionToken || !!d.initializer || !!d.dotDotDotToken);
  });
}

function returnsVoid(ctx: LockContext, signature: SignatureRef): boolean {
  const ret = ctx.types.returnTypeOfSignature(signature);
  if (ctx.types.isVoidLike(ret)) return true;
  if (!ctx.types.isPromiseLike(ctx.types.declarationOfSignature(signature) ?? ctx.program.getSourceFiles()[0]!, ret, false)) return false;
  const args = ctx.types.typeArguments(ret);
  return args.length === 1 && ctx.types.isVoidLike(args[0]!);
}
