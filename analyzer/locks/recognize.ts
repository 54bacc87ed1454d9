/**
 * Lock operations at calls: `mutex.acquire()`, `runExclusive(fn)`, `waitForUnlock()`,
 * `mutex.release()`, async-lock's `lock.acquire(key | keys, fn)`, `navigator.locks.request`,
 * the user's `customLocks`, and (with `inferWrappers`) helpers that look like they take a
 * lock: a name like acquire/lock/obtain whose awaited result is a release function or an
 * object whose only method releases.
 */
import ts from '../ts/typescript.cjs';
import { LOCK_HELPER_NAME, LOCK_LIBRARIES, RELEASE_METHOD_NAME } from './catalog.js';
import { calleeMatches } from '../program/specifiers.js';
import { enclosingFunction, isFunctionLike, returnedExpressions, type FunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';
import { cacheOf, type LockContext } from './context.js';
import { internClass, instancePath, mapPathThroughCall, storageClassOf } from './classes.js';
import { declarationOf, initializerOfDeclaration, literalString, lockObjectOf, type LockObject } from './objects.js';
import { helperKeyOf, wrapperRef } from './helper-keys.js';
import { lockShapeOf, queuedWaitOf, releaseShape } from './shapes.js';
import { asyncLockKeyRef, asyncLockOp, webLockOp } from './keyed.js';
import type { CustomLock, LockOp, LockRef, ReleaseShape } from './types.js';
import { globalPath, UNKNOWN_PATH } from './instance-path.js';
import { receiverOf } from '../program/syntax.js';

const MAX_WRAPPER_DEPTH = 4;
/** Method names of the lock libraries: a cheap filter before asking the checker. */
const LIBRARY_METHODS = new Set(LOCK_LIBRARIES.flatMap((l) => Object.keys(l.methods)));
let wrapperDepth = 0;

/** The lock operation a call performs, if any (cached per call). */
export function lockOpAt(ctx: LockContext, call: ts.CallExpression): LockOp | undefined {
  const cached = ctx.ops.get(call);
  if (cached !== undefined) return cached ?? undefined;
  ctx.ops.set(call, null); // in progress: a wrapper that returns itself is not a lock
  const name = calleeName(call);
  const op =
    name === undefined
      ? undefined
      : ((LIBRARY_METHODS.has(name) ? libraryOp(ctx, call) : undefined) ??
        (ctx.options.customLocks.length > 0 ? customOp(ctx, call) : undefined) ??
        (LOCK_HELPER_NAME.test(name) ? (wrapperOp(ctx, call) ?? callbackWrapperOp(ctx, call)) : (handOffOp(ctx, call) ?? shapedOp(ctx, call, name))));
  ctx.ops.set(call, op ?? null);
  return op;
}

function libraryOp(ctx: LockContext, call: ts.CallExpression): LockOp | undefined {
  const callee = skipOuter(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const receiver = callee.expression;
  const method = callee.name.text;
  const obj = lockObjectOf(ctx, receiver);
  const spec = obj?.library.methods[method];
  if (!obj || !spec) return undefined;
  if (obj.library.kind === 'async-lock') return asyncLockOp(ctx, call, receiver, obj);
  if (obj.library.kind === 'web-locks') return webLockOp(ctx, call);
  const lock = mutexRef(ctx, call, receiver, obj);
  switch (spec.style) {
    case 'returns-release':
    case 'returns-tuple':
      return {
        kind: 'acquire',
        call,
        lock,
        waitsForLock: obj.waitsForLock,
        release: { kind: spec.style === 'returns-tuple' ? 'tuple' : 'function' },
        receiverRelease: true,
        hasRunExclusive: true,
        receiver,
      };
    case 'callback':
      return { kind: 'callback', call, locks: [lock], waitsForLock: obj.waitsForLock, callback: call.arguments[spec.callbackArgument ?? 0] };
    case 'wait':
      return { kind: 'wait', call, lock };
    case 'release':
      return { kind: 'release', call, lock };
  }
}

function mutexRef(ctx: LockContext, call: ts.CallExpression, receiver: ts.Expression, obj: LockObject): LockRef {
  const spec = storageClassOf(ctx, receiver);
  if (!spec) {
    const text = receiver.getText().replace(/\s+/g, ' ');
    const anon = { id: `anon:${ctx.nodeId(call)}`, name: `\`${text}\``, short: text, sortKey: `2|anon|${call.getSourceFile().fileName}|${String(call.getStart()).padStart(10, '0')}` };
    return { lock: internClass(ctx, anon, obj.library.label, obj.library.reentrant, obj.ordering), path: UNKNOWN_PATH };
  }
  return { lock: internClass(ctx, spec, obj.library.label, obj.library.reentrant, obj.ordering), path: instancePath(ctx, receiver) };
}

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = skipOuter(call.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

function customOp(ctx: LockContext, call: ts.CallExpression): LockOp | undefined {
  const index = ctx.options.customLocks.findIndex((c) => calleeMatches(ctx.types, call, [c.acquire]));
  if (index < 0) return undefined;
  const custom = ctx.options.customLocks[index]!;
  const lock = customRef(ctx, call, custom, index);
  if (custom.style === 'callback') {
    const callback = custom.callbackArgument !== undefined ? call.arguments[custom.callbackArgument] : lastCallable(ctx, call);
    return { kind: 'callback', call, locks: [lock], waitsForLock: true, callback };
  }
  const awaited = awaitOf(call);
  const type = awaited ? ctx.types.typeAt(awaited) : undefined;
  const method = custom.release ? new RegExp(`^${custom.release.replace(/[$]/g, '\\$')}$`) : RELEASE_METHOD_NAME;
  const release: ReleaseShape = type && ctx.types.callSignatures(type).length > 0 ? { kind: 'function' } : { kind: 'object', method };
  const callee = skipOuter(call.expression);
  const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
  return { kind: 'acquire', call, lock, waitsForLock: true, release, receiverRelease: !!receiver, hasRunExclusive: false, receiver };
}

function customRef(ctx: LockContext, call: ts.CallExpression, custom: CustomLock, index: number): LockRef {
  const name = calleeName(call) ?? 'lock';
  const reentrant = custom.reentrant ?? false;
  const key = custom.nameArgument !== undefined ? literalString(ctx, call.arguments[custom.nameArgument]) : undefined;
  if (key !== undefined) {
    const spec = { id: `custom:${index}:${key}`, name: `lock \`'${key}'\` of \`${name}\``, short: `${name}('${key}')`, sortKey: `1|custom|${index}|${key}` };
    return { lock: internClass(ctx, spec, `\`${name}\``, reentrant), path: globalPath(`custom${index}`, { kind: 'exact', key }) };
  }
  const callee = skipOuter(call.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const spec = storageClassOf(ctx, callee.expression);
    if (spec) return { lock: internClass(ctx, spec, `\`${name}\``, reentrant), path: instancePath(ctx, callee.expression) };
  }
  const spec = { id: `custom:${index}`, name: `the lock of \`${name}()\``, short: `${name}()`, sortKey: `1|custom|${index}` };
  return { lock: internClass(ctx, spec, `\`${name}\``, reentrant), path: UNKNOWN_PATH };
}

function lastCallable(ctx: LockContext, call: ts.CallExpression): ts.Expression | undefined {
  for (let i = call.arguments.length - 1; i >= 0; i--) {
    const arg = call.arguments[i]!;
    if (isFunctionLike(skipOuter(arg)) || ctx.types.isCallable(arg)) return arg;
  }
  return undefined;
}

/** The `await` expression directly around a call, if any. */
export function awaitOf(call: ts.Expression): ts.AwaitExpression | undefined {
  let n: ts.Node = call;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  return ts.isAwaitExpression(n.parent) ? n.parent : undefined;
}

/** A helper that looks like it takes a lock: `await getNonceLock()` resolving to a release function or a releaser object. */
function wrapperOp(ctx: LockContext, call: ts.CallExpression): LockOp | undefined {
  if (!ctx.options.inferWrappers) return undefined;
  const name = calleeName(call);
  const awaited = awaitOf(call);
  if (!name || !awaited || !LOCK_HELPER_NAME.test(name)) return undefined;
  const type = ctx.types.typeAt(awaited);
  const release = type ? releaseShape(ctx, type) : undefined;
  if (!release) return undefined;
  // A literal key names the lock (`acquireLock('reports')`); otherwise a helper that returns a
  // field's or module variable's own acquisition is that lock.
  // (An options object names the lock only when the helper does not return one field's lock:
  // `acquireLock({ timeout: 500 })` around `this.mutex.acquire()` is still `this.mutex`.)
  const keyed = helperKeyOf(ctx, call)?.startsWith("'") ?? false;
  const lock = (keyed ? undefined : wrappedLock(ctx, call)) ?? wrapperRef(ctx, call, name);
  const callee = skipOuter(call.expression);
  const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
  return { kind: 'acquire', call, lock, waitsForLock: true, release, receiverRelease: false, hasRunExclusive: false, receiver };
}

/**
 * A lock of any name that is no library, recognised by what it is (see shapes.ts): `await
 * gate.enter()` resolving to a release function, where `enter` waits on a queued promise or
 * its callers release the result in a `finally`.
 */
function shapedOp(ctx: LockContext, call: ts.CallExpression, name: string): LockOp | undefined {
  if (!ctx.options.inferWrappers) return undefined;
  const awaited = awaitOf(call);
  const type = awaited ? ctx.types.typeAt(awaited) : undefined;
  const release = type ? releaseShape(ctx, type) : undefined;
  const shape = release ? lockShapeOf(ctx, call, name) : undefined;
  if (!release || !shape) return undefined;
  const receiver = receiverOf(call);
  const lock = wrapperRef(ctx, call, name, shape.kind === 'waits');
  return { kind: 'acquire', call, lock, waitsForLock: true, release, receiverRelease: false, hasRunExclusive: false, receiver, evidence: shape.evidence };
}

/**
 * A helper of any name whose body returns a lock acquisition (`return this.mutex.acquire()`,
 * or another helper's): it hands the lock to its caller, who must release it. Recognised by
 * what it does, so `const release = await reserveNonce()` is checked like `mutex.acquire()`.
 */
function handOffOp(ctx: LockContext, call: ts.CallExpression): LockOp | undefined {
  if (!ctx.options.inferWrappers || wrapperDepth >= MAX_WRAPPER_DEPTH) return undefined;
  const awaited = awaitOf(call);
  const name = calleeName(call);
  if (!awaited || !name) return undefined;
  const fn = ctx.graph.resolve(call)[0];
  if (!fn?.body) return undefined;
  const inner = wrapperFact(ctx, 'handOffs', fn, () => (mayReturnAcquisition(fn) ? returnedAcquisition(ctx, fn) : undefined));
  if (inner?.kind !== 'acquire') return undefined;
  const type = ctx.types.typeAt(awaited);
  const release = type ? releaseShape(ctx, type) : undefined;
  if (!release) return undefined;
  const lock = wrappedLock(ctx, call) ?? wrapperRef(ctx, call, name);
  const callee = skipOuter(call.expression);
  const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
  return { kind: 'acquire', call, lock, waitsForLock: inner.waitsForLock, release, receiverRelease: false, hasRunExclusive: false, receiver };
}

/**
 * What a wrapper function does with locks, computed once per function and program (cached under
 * `key`), one wrapper level deeper (wrappers of wrappers stop at MAX_WRAPPER_DEPTH).
 */
function wrapperFact<T>(ctx: LockContext, key: string, fn: FunctionLike, compute: () => T | undefined): T | undefined {
  const facts = cacheOf(ctx, key, () => new Map<FunctionLike, T | null>());
  let fact = facts.get(fn);
  if (fact === undefined) {
    wrapperDepth++;
    try {
      fact = compute() ?? null;
    } finally {
      wrapperDepth--;
    }
    facts.set(fn, fact);
  }
  return fact ?? undefined;
}

/**
 * What the lock operation of a call reads of the body of the function it calls, besides the
 * locks that body acquires (locks/summary.ts): the acquisition it hands to its caller, the lock
 * it runs a callback parameter under, whether it waits on a queued resolver, the one value it
 * returns (an async-lock key). For the editor's early cut-off (checks/edit-surface.ts): when
 * these and the acquisitions of every function of an edited file are unchanged, the lock
 * facts of the files that import it are too.
 */
export function lockFactsForCallers(ctx: LockContext, fn: FunctionLike): unknown {
  if (!fn.body) return null;
  const infer = ctx.options.inferWrappers;
  wrapperDepth++;
  let returned: LockOp | undefined;
  try {
    returned = returnedAcquisition(ctx, fn);
  } finally {
    wrapperDepth--;
  }
  return {
    handOff: infer ? (wrapperFact(ctx, 'handOffs', fn, () => (mayReturnAcquisition(fn) ? returnedAcquisition(ctx, fn) : undefined)) ?? null) : null,
    callbackWrapper: infer ? (wrapperFact(ctx, 'callbackWrappers', fn, () => callbackWrapperOf(ctx, fn)) ?? null) : null,
    returned: returned ?? null,
    queuedWait: queuedWaitOf(ctx, fn),
    returnedValues: returnedExpressions(fn),
  };
}

/** A cheap filter before asking the checker: a body with exactly one `return` of a call (or of a name). */
function mayReturnAcquisition(fn: FunctionLike): boolean {
  if (fn.body && !ts.isBlock(fn.body)) return ts.isCallExpression(skipOuter(fn.body)) || ts.isAwaitExpression(skipOuter(fn.body));
  let returns = 0;
  walk(fn.body!, (n) => {
    if (isFunctionLike(n) || ts.isClassLike(n)) return false;
    if (ts.isReturnStatement(n)) returns++;
    return returns < 2;
  });
  return returns === 1;
}

type CallbackOp = Extract<LockOp, { kind: 'callback' }>;

/** What a callback wrapper does: the lock operation it runs its callback parameter under. */
interface CallbackWrapper {
  inner: CallbackOp;
  /** The wrapper's parameter that runs under the lock. */
  callbackIndex: number;
  /** The wrapper's parameter used as the async-lock key, if any. */
  keyIndex: number | undefined;
}

/**
 * A helper that runs its callback under a lock (`withLock(fn)`, a small class around
 * async-lock: `acquire(key, op, cb) { return this.lock.acquire(key, () => cb()); }`): a call
 * of it is a lock callback operation. When the helper passes its own parameter as the key,
 * the key is named from the argument at the call site (`swap:*`, not "any key").
 */
function callbackWrapperOp(ctx: LockContext, call: ts.CallExpression): LockOp | undefined {
  if (!ctx.options.inferWrappers || wrapperDepth >= MAX_WRAPPER_DEPTH) return undefined;
  const fn = ctx.graph.resolve(call)[0];
  if (!fn?.body) return undefined;
  const shape = wrapperFact(ctx, 'callbackWrappers', fn, () => callbackWrapperOf(ctx, fn));
  const callback = shape ? call.arguments[shape.callbackIndex] : undefined;
  if (!shape || !callback) return undefined;
  const { inner, keyIndex } = shape;
  const receiver = receiverOf(inner.call);
  const keyArg = keyIndex !== undefined ? call.arguments[keyIndex] : undefined;
  const obj = receiver && keyArg ? lockObjectOf(ctx, receiver) : undefined;
  if (receiver && keyArg && obj?.library.kind === 'async-lock') {
    const base = mapPathThroughCall(ctx, instancePath(ctx, receiver), call, fn);
    const reentrant = inner.locks.some((l) => l.lock.reentrant);
    // The wrapper object is the lock object: named by where the caller keeps it (the field
    // `lock` of `Nursery`), not by the wrapper's own field that every instance shares.
    const outer = receiverOf(call);
    const store = (outer && storageClassOf(ctx, outer)) ?? storageClassOf(ctx, receiver);
    const ref = asyncLockKeyRef(ctx, keyArg, store, base, reentrant, obj);
    return { kind: 'callback', call, locks: ref ? [ref] : [], waitsForLock: inner.waitsForLock, callback };
  }
  const locks = inner.locks.map((l) => ({ lock: l.lock, path: mapPathThroughCall(ctx, l.path, call, fn) }));
  return { kind: 'callback', call, locks, waitsForLock: inner.waitsForLock, callback };
}

/** The lock callback operation in `fn`'s own body whose callback runs one of `fn`'s parameters. */
function callbackWrapperOf(ctx: LockContext, fn: FunctionLike): CallbackWrapper | undefined {
  const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? ctx.types.symbolAt(p.name) : undefined));
  const paramIndex = (e: ts.Node | undefined): number => {
    const x = e && skipOuter(e as ts.Expression);
    const symbol = x && ts.isIdentifier(x) ? ctx.types.symbolAt(x) : undefined;
    return symbol ? params.indexOf(symbol) : -1;
  };
  let found: CallbackWrapper | undefined;
  walk(fn.body!, (n) => {
    if (found || isFunctionLike(n) || ts.isClassLike(n)) return false;
    if (!ts.isCallExpression(n)) return true;
    const op = lockOpAt(ctx, n);
    if (op?.kind !== 'callback' || !op.callback) return true;
    const cb = skipOuter(op.callback);
    // The callback parameter: a callable parameter passed on as the callback, or used inside it.
    const callable = (i: number) => i >= 0 && ctx.types.isCallable(fn.parameters[i]!.name);
    let callbackIndex = callable(paramIndex(cb)) ? paramIndex(cb) : -1;
    if (callbackIndex < 0 && isFunctionLike(cb)) {
      walk(cb, (m) => {
        if (callbackIndex < 0 && ts.isIdentifier(m) && callable(paramIndex(m))) callbackIndex = paramIndex(m);
        return callbackIndex < 0;
      });
    }
    if (callbackIndex < 0) return true;
    const key = paramIndex(n.arguments[0]);
    found = { inner: op, callbackIndex, keyIndex: key >= 0 && key !== callbackIndex ? key : undefined };
    return false;
  });
  return found;
}

/** For a helper with a body that returns a library acquisition (`return this.mutex.acquire()`), that lock. */
function wrappedLock(ctx: LockContext, call: ts.CallExpression): LockRef | undefined {
  if (wrapperDepth >= MAX_WRAPPER_DEPTH) return undefined;
  const fn = ctx.graph.resolve(call)[0];
  if (!fn?.body) return undefined;
  wrapperDepth++;
  try {
    const inner = returnedAcquisition(ctx, fn);
    if (!inner || inner.kind !== 'acquire' || !isStableStorage(inner.lock.lock.declaration)) return undefined;
    return { lock: inner.lock.lock, path: mapPathThroughCall(ctx, inner.lock.path, call, fn) };
  } finally {
    wrapperDepth--;
  }
}

/** A field, property or module variable: one lock for every call of the helper (not a local or a parameter). */
function isStableStorage(decl: ts.Node | undefined): boolean {
  if (!decl) return false;
  if (ts.isVariableDeclaration(decl)) return ts.isVariableStatement(decl.parent.parent) && ts.isSourceFile(decl.parent.parent.parent);
  if (ts.isParameter(decl)) return ts.isParameterPropertyDeclaration(decl, decl.parent);
  return !ts.isNewExpression(decl);
}

function returnedAcquisition(ctx: LockContext, fn: FunctionLike): LockOp | undefined {
  const returned: ts.Expression[] = [];
  if (fn.body && !ts.isBlock(fn.body)) returned.push(fn.body);
  else if (fn.body) {
    walk(fn.body, (n) => {
      if (isFunctionLike(n) || ts.isClassLike(n)) return false;
      if (ts.isReturnStatement(n) && n.expression) returned.push(n.expression);
      return true;
    });
  }
  if (returned.length !== 1) return undefined;
  let e = skipOuter(returned[0]!);
  if (ts.isAwaitExpression(e)) e = skipOuter(e.expression);
  if (ts.isIdentifier(e)) {
    const decl = declarationOf(ctx, e);
    const init = decl ? initializerOfDeclaration(decl) : undefined;
    e = init ? skipOuter(init) : e;
    if (ts.isAwaitExpression(e)) e = skipOuter(e.expression);
  }
  if (ts.isCallExpression(e)) return lockOpAt(ctx, e);
  return ts.isObjectLiteralExpression(e) || isFunctionLike(e) ? capturedAcquisition(ctx, fn, e) : undefined;
}

/**
 * A releaser built around the helper's own acquisition and returned (`return () => {
 * this.active--; release(); }`, `return { seat, release }`): the helper hands that lock over.
 */
function capturedAcquisition(ctx: LockContext, fn: FunctionLike, returned: ts.Expression): LockOp | undefined {
  let found: LockOp | undefined;
  walk(returned, (n) => {
    if (found) return false;
    if (!ts.isIdentifier(n)) return true;
    const decl = declarationOf(ctx, n);
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || enclosingFunction(decl) !== fn) return true;
    let init = skipOuter(decl.initializer);
    if (ts.isAwaitExpression(init)) init = skipOuter(init.expression);
    const op = ts.isCallExpression(init) ? lockOpAt(ctx, init) : undefined;
    if (op?.kind === 'acquire') found = op;
    return true;
  });
  return found;
}
