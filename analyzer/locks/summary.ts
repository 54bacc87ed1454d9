/**
 * "Locks acquired": per function, every lock it takes and waits for, directly, in the
 * callbacks it waits for, or through the calls it waits for, each with the shortest witness
 * chain (the calls from the function down to the acquisition). A caller holding lock A while
 * making a call gets an edge A -> B for every B in the callee's summary, without walking the
 * callee again.
 */
import type ts from 'typescript';
import type { FunctionLike } from '../program/callgraph.js';
import { getSummary, type SummaryKind } from '../summaries/engine.js';
import type { LockContext } from './context.js';
import { cacheOf } from './context.js';
import { bodyLocks } from './regions.js';
import { mapPathIntoParent, mapPathThroughCall } from './classes.js';
import type { CallStep, LockClass } from './types.js';
import { pathKey, type InstancePath } from './instance-path.js';

export interface Acquisition {
  lock: LockClass;
  /** Instance path relative to the summarised function. */
  path: InstancePath;
  /** The call that takes the lock. */
  site: ts.CallExpression;
  /** From the summarised function down to the function that takes it (empty: taken here). */
  steps: CallStep[];
}

/** Bound on distinct (lock, instance) entries per function. */
const MAX_ENTRIES = 64;

function keyOf(a: Acquisition): string {
  return `${a.lock.id}\u0000${pathKey(a.path)}`;
}

function add(out: Map<string, Acquisition>, a: Acquisition): void {
  const key = keyOf(a);
  const prev = out.get(key);
  if (prev ? a.steps.length < prev.steps.length : out.size < MAX_ENTRIES) out.set(key, a);
}

export function acquisitionsKind(ctx: LockContext): SummaryKind<Acquisition[]> {
  return cacheOf(ctx, 'acquisitionsKind', () => ({
    name: `locks:acquired:${ctx.key}`,
    initial: () => [],
    *dependencies(fn) {
      const locks = bodyLocks(ctx, fn);
      for (const nested of locks.included) yield nested;
      for (const e of locks.events) if (e.kind === 'call' && e.waited) yield* e.callees;
    },
    compute(fn, get) {
      const out = new Map<string, Acquisition>();
      const locks = bodyLocks(ctx, fn);
      for (const e of locks.events) {
        if (e.kind === 'take' && e.waited && e.waitsForLock && e.lock.lock.ordering) add(out, { lock: e.lock.lock, path: e.lock.path, site: e.node, steps: [] });
        if (e.kind !== 'call' || !e.waited) continue;
        for (const callee of e.callees) {
          for (const sub of get(callee)) {
            add(out, { ...sub, path: mapPathThroughCall(ctx, sub.path, e.node, callee), steps: [{ call: e.node, callee }, ...sub.steps] });
          }
        }
      }
      for (const nested of locks.included) {
        for (const sub of get(nested)) add(out, { ...sub, path: mapPathIntoParent(sub.path, nested) });
      }
      return [...out.values()];
    },
    equals(a, b) {
      if (a.length !== b.length) return false;
      const byKey = new Map(a.map((x) => [keyOf(x), x.steps.length]));
      return b.every((x) => byKey.get(keyOf(x)) === x.steps.length);
    },
  }));
}

/** The locks `fn` acquires (and waits for), with witnesses. */
export function acquisitionsOf(ctx: LockContext, fn: FunctionLike): Acquisition[] {
  return getSummary(ctx.program, acquisitionsKind(ctx), fn);
}
