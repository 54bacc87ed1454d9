/**
 * Held-lock regions of one body (a function, or a file's top level), computed once per body:
 *
 *   const release = await m.acquire(); try { ... } finally { release(); }   held until release()
 *   await m.runExclusive(async () => { ... })                                held in the callback
 *   lock.acquire('k', async () => { ... }) / navigator.locks.request(...)    held in the callback
 *
 * A callback inherits the locks held where it is passed, when it runs while its caller waits
 * (lock callbacks, `Promise.all(xs.map(async ...))`), but not when deferred (`setTimeout`).
 * The result lists the body's lock events in source order, each with the locks held there.
 */
import ts from '../ts/typescript.cjs';
import { DEFERRING_CALLS } from './catalog.js';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';
import { cacheOf, type LockContext } from './context.js';
import { lockOpAt, awaitOf } from './recognize.js';
import { bindingOf, isReleaseCall, type AcquireOp } from './release.js';
import type { HeldLock, LockOp, LockRef } from './types.js';
import { calleesOf } from './callees.js';
import { isLogicalOperator } from '../program/syntax.js';

export type Body = FunctionLike | ts.SourceFile;

export interface Region {
  op: AcquireOp;
  start: number;
  end: number;
}

export type LockEvent =
  /** A lock is taken (or waited for) here. */
  | { kind: 'take'; node: ts.CallExpression; lock: LockRef; waitsForLock: boolean; held: HeldLock[]; waited: boolean }
  /** A call whose callees' acquisitions happen while `held` is held. */
  | { kind: 'call'; node: ts.CallExpression | ts.NewExpression; callees: FunctionLike[]; held: HeldLock[]; waited: boolean };

/* `waitsForLock`: the acquisition waits while another task holds the lock (the op's `waitsForLock`).
 * `waited`: the body waits for the call (`isWaited`), so its acquisitions count among the body's own (summaries). */

export interface BodyLocks {
  body: Body;
  events: LockEvent[];
  regions: Region[];
  /** Nested functions that run while this body waits: their acquisitions are this body's. */
  included: Set<FunctionLike>;
  /** Nested functions that run under a lock operation's lock. */
  lockCallbacks: Map<FunctionLike, Extract<LockOp, { kind: 'callback' }>>;
  /** Locks held when the body starts (from an enclosing lock callback or waiting caller). */
  inherited: HeldLock[];
}

const MAX_NESTING = 64;

export function bodyLocks(ctx: LockContext, body: Body, depth = 0): BodyLocks {
  const cache = cacheOf(ctx, 'regions', () => new Map<Body, BodyLocks>());
  let result = cache.get(body);
  if (!result) {
    result = computeBody(ctx, body, depth);
    cache.set(body, result);
  }
  return result;
}

interface Scan {
  calls: (ts.CallExpression | ts.NewExpression)[];
  nested: FunctionLike[];
}

function scan(body: Body): Scan {
  const calls: Scan['calls'] = [];
  const nested: FunctionLike[] = [];
  const visit = (node: ts.Node): boolean => {
    if (node !== body && isFunctionLike(node)) {
      nested.push(node);
      return false;
    }
    if (ts.isClassLike(node)) return false;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) calls.push(node);
    return true;
  };
  if (ts.isSourceFile(body)) for (const s of body.statements) walk(s, visit);
  else {
    for (const p of body.parameters) if (p.initializer) walk(p.initializer, visit);
    if (body.body) walk(body.body, visit);
  }
  return { calls, nested };
}

function computeBody(ctx: LockContext, body: Body, depth: number): BodyLocks {
  const { calls, nested } = scan(body);
  const ops = new Map<ts.Node, LockOp>();
  for (const call of calls) {
    const op = ts.isCallExpression(call) ? lockOpAt(ctx, call) : undefined;
    if (op) ops.set(call, op);
  }
  const regions: Region[] = [];
  for (const op of ops.values()) {
    if (op.kind !== 'acquire') continue;
    const region = regionOf(ctx, body, op, calls);
    if (region) regions.push(region);
  }
  const result: BodyLocks = { body, events: [], regions, included: new Set(), lockCallbacks: new Map(), inherited: [] };
  result.inherited = ts.isSourceFile(body) || depth > MAX_NESTING ? [] : inheritedOf(ctx, body, depth);
  classifyNested(ctx, result, nested, ops);
  for (const call of calls) addEvents(ctx, result, call, ops.get(call));
  return result;
}

/** Locks held at a node of this body: inherited ones plus the regions around it. */
export function heldIn(locks: BodyLocks, node: ts.Node): HeldLock[] {
  const at = node.getStart();
  const held = [...locks.inherited];
  for (const r of locks.regions) if (r.start <= at && at < r.end && r.op.call !== node) held.push({ ...r.op.lock, site: r.op.call });
  return held;
}

function addEvents(ctx: LockContext, locks: BodyLocks, call: ts.CallExpression | ts.NewExpression, op: LockOp | undefined): void {
  const held = heldIn(locks, call);
  if (!op) {
    // Callees, and whether the caller waits, are worked out only when asked (a call under a
    // lock, or a summary): lock-free code costs no type questions here.
    let waited: boolean | undefined;
    locks.events.push({
      kind: 'call',
      node: call,
      get callees() {
        return calleesOf(ctx, call);
      },
      held,
      get waited() {
        return (waited ??= isWaited(ctx, call));
      },
    });
    return;
  }
  const waited = isWaited(ctx, call);
  switch (op.kind) {
    case 'acquire':
    case 'wait':
      if (waited) locks.events.push({ kind: 'take', node: op.call, lock: op.lock, waitsForLock: op.kind === 'wait' || op.waitsForLock, held, waited });
      return;
    case 'callback': {
      // Not waited for: the callback still runs under the operation's own locks, but the
      // caller's locks are not held while it waits for them.
      const inner = waited ? [...held] : [];
      op.locks.forEach((lock, i) => {
        if (waited || i > 0) locks.events.push({ kind: 'take', node: op.call, lock, waitsForLock: op.waitsForLock, held: [...inner], waited });
        inner.push({ ...lock, site: op.call });
      });
      const cb = op.callback ? skipOuter(op.callback) : undefined;
      if (cb && !isFunctionLike(cb)) {
        const callees = functionsReferencedBy(ctx, cb);
        if (callees.length > 0) locks.events.push({ kind: 'call', node: op.call, callees, held: inner, waited });
      }
      return;
    }
    case 'release':
      return;
  }
}

/** `runExclusive(this.work)`: the function a callback reference runs. */
function functionsReferencedBy(ctx: LockContext, expr: ts.Expression): FunctionLike[] {
  const at = ts.isPropertyAccessExpression(expr) ? expr.name : expr;
  const decl = ctx.types.valueDeclarationAt(at);
  if (decl && isFunctionLike(decl) && decl.body) return [decl];
  if (decl && (ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl)) && decl.initializer) {
    const init = skipOuter(decl.initializer);
    if (isFunctionLike(init)) return [init];
  }
  return [];
}

/** Does the caller wait for this call (its promise is not dropped with `void` or as a floating statement)? */
export function isWaited(ctx: LockContext, call: ts.Expression): boolean {
  let n: ts.Node = call;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  if (ts.isVoidExpression(n.parent)) return false;
  if (ts.isExpressionStatement(n.parent)) return !ctx.types.isPromiseLike(call);
  return true;
}

function classifyNested(ctx: LockContext, locks: BodyLocks, nested: FunctionLike[], ops: Map<ts.Node, LockOp>): void {
  for (const fn of nested) {
    let arg: ts.Node = fn;
    while (ts.isParenthesizedExpression(arg.parent) || ts.isAsExpression(arg.parent)) arg = arg.parent;
    const call = arg.parent;
    if (!ts.isCallExpression(call) || !call.arguments.includes(arg as ts.Expression)) continue;
    const op = ops.get(call);
    if (op?.kind === 'callback' && op.callback && skipOuter(op.callback) === fn) {
      locks.lockCallbacks.set(fn, op);
      locks.included.add(fn);
      continue;
    }
    if (op) continue;
    const callee = skipOuter(call.expression);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    if (!DEFERRING_CALLS.has(name) && isWaited(ctx, call)) locks.included.add(fn);
  }
}

function inheritedOf(ctx: LockContext, fn: FunctionLike, depth: number): HeldLock[] {
  const parentBody: Body = ctx.graph.enclosingFunction(fn) ?? fn.getSourceFile();
  const parent = bodyLocks(ctx, parentBody, depth + 1);
  const op = parent.lockCallbacks.get(fn);
  if (op) {
    const base = isWaited(ctx, op.call) ? heldIn(parent, op.call) : [];
    return [...base, ...op.locks.map((l) => ({ ...l, site: op.call }))];
  }
  return parent.included.has(fn) ? heldIn(parent, fn) : [];
}

/**
 * From the acquisition to its release: the first release that runs on every path (in the same
 * statement list, or in a `finally` there), else the first release at all, else the body's end.
 */
function regionOf(ctx: LockContext, body: Body, op: AcquireOp, calls: Scan['calls']): Region | undefined {
  const binding = bindingOf(ctx, op);
  if (binding.kind === 'unawaited') return undefined;
  const start = (awaitOf(op.call) ?? op.call).getEnd();
  const releases = calls.filter((c): c is ts.CallExpression => ts.isCallExpression(c) && c.getStart() >= start && isReleaseCall(ctx, op, binding, c));
  const end = releases.find((r) => isUnconditionalAfter(op.call, r)) ?? releases[0];
  return { op, start, end: end ? end.getStart() : body.getEnd() };
}

/** Is `release` reached on every path from the statement holding `acquire` (same list, no branch between)? */
export function isUnconditionalAfter(acquire: ts.Node, release: ts.Node): boolean {
  let statement: ts.Node = acquire;
  while (statement.parent && !ts.isBlock(statement.parent) && !ts.isSourceFile(statement.parent) && !ts.isModuleBlock(statement.parent)) {
    statement = statement.parent;
  }
  const list = statement.parent;
  for (let n: ts.Node = release; n.parent; n = n.parent) {
    if (n.parent === list) return true;
    const p = n.parent;
    if (ts.isIfStatement(p) || ts.isConditionalExpression(p) || ts.isIterationStatement(p, false) || ts.isSwitchStatement(p) || ts.isCatchClause(p)) return false;
    if (ts.isBinaryExpression(p) && p.right === n && isLogicalOperator(p.operatorToken.kind)) return false;
    if (isFunctionLike(p)) return false;
  }
  return false;
}
