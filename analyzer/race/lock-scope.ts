/**
 * Does a callback run, as a whole, under a lock? Either it is the callback of a lock operation
 * (`mutex.runExclusive(fn)`, async-lock `acquire('k', fn)`), or it is handed to a helper of the
 * program that runs that parameter while holding a lock: a function that receives the mutex
 * (`withLock(mutex, fn)`: `acquire()` ... `await fn()` ... `release()`, or `mutex.runExclusive(fn)`),
 * or a small class around async-lock whose method passes the key and the callback on
 * (`run(key, fn) { return this.lock.acquire(key, async () => ... await fn() ...) }`).
 *
 * A private method or unexported function whose every start is awaited where such a lock is held
 * (callers' locks, shown by the program rather than assumed) runs under it too.
 *
 * Built on the lock analysis' own recognisers (lock operations, held-lock regions, lock
 * callbacks). A lock named by a key that the call site does not fix (`account:${id}`) excludes
 * only calls with the same key, so it is not counted, as for async-lock used directly.
 */
import ts from '../ts/typescript.cjs';
import { enclosingFunction, type FunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';
import { getLockContext, type LockContext } from '../locks/context.js';
import { lockOpAt } from '../locks/recognize.js';
import { bodyLocks, heldIn } from '../locks/regions.js';
import { literalString } from '../locks/objects.js';
import { heldInBody } from '../locks/held.js';
import type { LockRef } from '../locks/types.js';
import { isFamilyPath } from '../locks/instance-path.js';
import { isWaited, overlapOf, runsArgumentInTurn } from './closures.js';
import { startsOf } from './single-flight.js';

const MAX_FRAMES = 64;
let frames = 0;

/** What a helper needs to hold its lock while running a parameter: the parameters that must be a
 * fixed key at the call site (async-lock keys passed through). Undefined: it does not hold one. */
type Requirement = { keys: number[] } | undefined;

const requirementCache = new WeakMap<LockContext, Map<string, Requirement | null>>();

/**
 * Does the function around `node` run as a whole under a lock: handed to a lock operation or a
 * helper that holds one while running it (directly, or through closures that run in turn inside
 * such a callback), or a private method / unexported function that is only ever started, and
 * awaited, where a lock is held?
 */
export function wholeUnderLock(program: ts.Program, node: ts.Node): boolean {
  const ctx = getLockContext(program, {});
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
    if (argumentRunsUnderLock(ctx, fn) || startedOnlyUnderLock(ctx, fn)) return true;
    if (!enclosingFunction(fn) || overlapOf(program, fn) !== undefined) return false;
  }
  return false;
}

const startedCache = new WeakMap<LockContext, Map<FunctionLike, boolean>>();

function startedOnlyUnderLock(ctx: LockContext, fn: FunctionLike): boolean {
  let cache = startedCache.get(ctx);
  if (!cache) startedCache.set(ctx, (cache = new Map()));
  const cached = cache.get(fn);
  if (cached !== undefined) return cached;
  cache.set(fn, false); // in progress: a function started under its own lock proves nothing
  const starts = startsOf(ctx.types, fn);
  const result =
    !!starts &&
    starts.length > 0 &&
    starts.every((call) => isWaited(call) && (heldInBody(ctx, call).some(protectsShared) || wholeUnderLock(ctx.program, call)));
  cache.set(fn, result);
  return result;
}

function argumentRunsUnderLock(ctx: LockContext, fn: FunctionLike): boolean {
  let use: ts.Node = fn;
  while (ts.isParenthesizedExpression(use.parent) || ts.isAsExpression(use.parent)) use = use.parent;
  const call = use.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(use as ts.Expression)) return false;
  return callRunsUnderLock(ctx, call, call.arguments.indexOf(use as ts.Expression));
}

function callRunsUnderLock(ctx: LockContext, call: ts.CallExpression, index: number): boolean {
  const op = lockOpAt(ctx, call);
  if (op?.kind === 'callback' && op.callback && skipOuter(op.callback) === skipOuter(call.arguments[index]!)) return op.locks.length > 0 && op.locks.every(protectsShared);
  if (call.arguments.slice(0, index).some(ts.isSpreadElement)) return false;
  const callees = ctx.graph.resolve(call);
  return (
    callees.length > 0 &&
    callees.every((f) => {
      const needs = requirementOf(ctx, f, index);
      return !!needs && needs.keys.every((k) => literalString(ctx, call.arguments[k]) !== undefined);
    })
  );
}

/** How `fn` runs its parameter `index` under a lock, if every use of it does. */
function requirementOf(ctx: LockContext, fn: FunctionLike, index: number): Requirement {
  let cache = requirementCache.get(ctx);
  if (!cache) requirementCache.set(ctx, (cache = new Map()));
  const key = `${fn.getSourceFile().fileName}:${fn.pos}:${index}`;
  if (cache.has(key)) return cache.get(key) ?? undefined;
  if (frames > MAX_FRAMES) return undefined; // deeper than any real chain of helpers: not proven
  cache.set(key, null); // in progress: a helper that reaches itself proves nothing
  frames++;
  try {
    const result = computeRequirement(ctx, fn, index);
    cache.set(key, result ?? null);
    return result;
  } finally {
    frames--;
  }
}

function computeRequirement(ctx: LockContext, fn: FunctionLike, index: number): Requirement {
  const param = fn.parameters[index];
  if (!param || !fn.body || !ts.isIdentifier(param.name) || param.dotDotDotToken) return undefined;
  const name = param.name.text;
  const uses: ts.Identifier[] = [];
  walk(fn.body, (n) => {
    if (ts.isIdentifier(n) && n.text === name && isReference(n) && ctx.types.valueDeclarationAt(n) === param) uses.push(n);
  });
  if (uses.length === 0) return undefined;
  const keys: number[] = [];
  for (const use of uses) {
    const needs = useUnderLock(ctx, fn, use);
    if (!needs) return undefined;
    keys.push(...needs.keys);
  }
  return { keys };
}

function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  return !((ts.isPropertyAccessExpression(p) && p.name === id) || ((ts.isParameter(p) || ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) && p.name === id));
}

/** One use of the callback parameter: run (and waited for) while a lock is held in `fn`. */
function useUnderLock(ctx: LockContext, fn: FunctionLike, use: ts.Identifier): Requirement {
  let n: ts.Expression = use;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent)) n = n.parent;
  const call = n.parent;
  if (!ts.isCallExpression(call)) return undefined;
  if (call.arguments.includes(n)) {
    const index = call.arguments.indexOf(n);
    // Handed straight to a lock operation, or to another helper that holds one.
    const op = lockOpAt(ctx, call);
    if (op?.kind === 'callback' && op.callback && skipOuter(op.callback) === use) return keysOf(ctx, fn, op.locks.length > 0 && op.locks.every(protectsShared), call);
    if (callRunsUnderLock(ctx, call, index)) return { keys: [] };
    if (!isWaited(call) || !runsArgumentInTurn(ctx.program, call, index)) return undefined;
  } else if (call.expression !== n || !isWaited(call)) {
    return undefined;
  }
  return heldAt(ctx, fn, call);
}

/** Is a lock held at `node`: in a held region of its function, or because the functions between it
 * and `fn` are lock callbacks, or handed to helpers that hold a lock while running them (or run in
 * turn inside one of those)? A lock created by the call itself (a
 * local `new Mutex()`) excludes nobody and does not count. */
function heldAt(ctx: LockContext, fn: FunctionLike, node: ts.Node): Requirement {
  let inner: ts.Node = node;
  for (let g = enclosingFunction(node); g; g = enclosingFunction(g)) {
    if (heldIn(bodyLocks(ctx, g), inner).some(protectsShared)) return { keys: [] };
    const parent = g === fn ? undefined : enclosingFunction(g);
    if (!parent) return undefined;
    const op = bodyLocks(ctx, parent).lockCallbacks.get(g);
    if (op) return keysOf(ctx, fn, op.locks.length > 0 && op.locks.every(protectsShared), op.call);
    // Handed to another helper that holds a lock while running it (a wrapper around a wrapper).
    if (argumentRunsUnderLock(ctx, g)) return { keys: [] };
    if (overlapOf(ctx.program, g) !== undefined) return undefined;
    inner = g;
  }
  return undefined;
}

function isPerCall(path: LockRef['path']): boolean {
  return path.kind === 'local';
}

/**
 * Does holding this lock keep other calls away from state they share? Not a lock created by the
 * call itself (a local `new Mutex()`), and not an async-lock key the call site does not fix: a
 * key of a family (`account:${id}`) or an unknown key excludes only calls with the same key.
 */
export function protectsShared(ref: LockRef): boolean {
  return !isPerCall(ref.path) && !ref.lock.keys && !isFamilyPath(ref.path);
}


/** A lock operation's lock is known, or named by parameters of `fn` (a key the caller passes). */
function keysOf(ctx: LockContext, fn: FunctionLike, known: boolean, call: ts.CallExpression): Requirement {
  if (known) return { keys: [] };
  const first = call.arguments[0];
  if (!first) return undefined;
  const e = skipOuter(first);
  const parts = ts.isArrayLiteralExpression(e) ? e.elements : [e];
  const keys: number[] = [];
  for (const part of parts) {
    const id = skipOuter(part);
    const decl = ts.isIdentifier(id) ? ctx.types.valueDeclarationAt(id) : undefined;
    const index = decl && ts.isParameter(decl) ? fn.parameters.indexOf(decl) : -1;
    if (index < 0) return undefined;
    keys.push(index);
  }
  return { keys };
}
