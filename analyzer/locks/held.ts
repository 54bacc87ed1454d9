/**
 * The question other rules ask of the lock analysis: which locks are held at this node?
 * (`no-await-race` treats a read-modify-write under a lock as safe.) The answer comes from
 * the held-lock regions of the node's function and of the lock callbacks around it; it does
 * not include locks a caller may hold (that would depend on the caller).
 */
import ts from '../ts/typescript.cjs';
import { getCallGraph } from '../program/callgraph.js';
import { getLockContext, type LockContext } from './context.js';
import { bodyLocks, heldIn, type Body } from './regions.js';
import type { HeldLock, LockOptions } from './types.js';

/** Locks held at `node` (innermost last), as far as its own function and enclosing lock callbacks show. */
export function locksHeldAt(program: ts.Program, node: ts.Node, options: Partial<LockOptions> = {}): HeldLock[] {
  const ctx = getLockContext(program, options);
  return heldInBody(ctx, node);
}

export function heldInBody(ctx: LockContext, node: ts.Node): HeldLock[] {
  const body: Body = getCallGraph(ctx.program).enclosingFunction(node) ?? node.getSourceFile();
  return heldIn(bodyLocks(ctx, body), node);
}
