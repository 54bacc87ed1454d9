/**
 * no-lock-order-inversion: the lockdep check for async TypeScript. Builds the whole-program
 * lock graph (an edge A -> B wherever B is taken while A is held, directly or through calls)
 * and reports every cycle once, with the path of each edge as the trace; also reports a lock
 * taken again by the task that holds it (async-mutex, async-lock and Web Locks are not
 * reentrant) and two locks of one class nested.
 */
import ts from '../ts/typescript.cjs';
import type { Check, CheckContext, TraceInput } from '../check/contract.js';
import { getLockContext } from './context.js';
import { isGated, lockGraph, type Cycle, type Edge } from './graph.js';
import { cycleText, edgeTrace, holderName, lockName, viaText } from './describe.js';
import { isKnownPath, lockOptionProperties, type CustomLock } from './types.js';

export interface Options {
  customLocks: CustomLock[];
  inferWrappers: boolean;
  perInstanceLocks: string[];
}

const messages = {
  inversion:
    'Possible deadlock: {{inner}} is acquired here while {{outer}} is held, but {{elsewhere}} (lock cycle {{cycle}}). Two tasks on these paths can each take their first lock and then wait forever for the other one. Take these locks in one global order everywhere, or release {{outer}} before acquiring {{inner}}.',
  selfDeadlock:
    '{{lock}} is acquired {{via}} while this task already holds it (taken in {{holder}}). Locks from {{library}} are not reentrant, so this waits for its own release forever. Release {{lock}} first, or move the work into a helper that expects the lock to be held and does not take it again.',
  sameKeyFamily:
    'Two keys of the async-lock key family {{lock}} are nested here: one is held (taken in {{holder}}) while another is acquired {{via}}. If both keys are the same this task waits for its own lock forever; if they differ, another task that nests the same two keys the other way round deadlocks with this one. Take both keys in one call with a sorted array (`lock.acquire([a, b].sort(), fn)`), do the inner work without taking the key again, or list `{{short}}` in the `perInstanceLocks` option if your code already orders them.',
  sameClass:
    'Two locks of one lock class, {{lock}}, are nested here: one is held (taken in {{holder}}) while another is acquired {{via}}. All instances share the class, so if another task nests two of them the other way round (or both are the same instance) both tasks wait forever. Take them in a fixed order (for example by id) and list `{{short}}` in the `perInstanceLocks` option, or do not hold both at once.',
};

/** The ids of the messages above: what `ctx.report` and the helpers that build reports may use. */
export type MessageId = keyof typeof messages;

const check: Check<Options, MessageId> = {
  meta: {
    id: 'no-lock-order-inversion',
    description: 'Two code paths take the same locks in opposite orders (or a task takes a lock it holds): a potential deadlock.',
    // In configs.strict only until it meets the field study's bar (90% true; measured 0 of 3, see its docs page).
    recommended: 'off',
    messages,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...lockOptionProperties,
        perInstanceLocks: {
          type: 'array',
          items: { type: 'string' },
          description: 'Lock classes (as named in messages, e.g. `Account.mutex`) whose instances your code orders itself: nesting two instances is not reported.',
        },
      },
    },
    defaultOptions: { customLocks: [], inferWrappers: true, perInstanceLocks: [] },
  },
  run(ctx) {
    const lc = getLockContext(ctx.program, ctx.options);
    const graph = lockGraph(lc);
    for (const cycle of graph.cycles) {
      if (isGated(cycle)) continue; // one task at a time inside a common single-instance lock
      const primary = cycle.edges[cycle.primary]!;
      if (primary.inner.getSourceFile() === ctx.sourceFile) reportCycle(ctx, cycle);
    }
    for (const edge of graph.recursive) {
      if (edge.at.getSourceFile() === ctx.sourceFile) reportRecursive(ctx, edge);
    }
  },
};

export default check;

function reportCycle(ctx: CheckContext<Options, MessageId>, cycle: Cycle): void {
  const n = cycle.edges.length;
  const ordered = cycle.edges.map((_, i) => cycle.edges[(cycle.primary + i) % n]!);
  const primary = ordered[0]!;
  const others = ordered.slice(1).map((e) => `${holderName(ctx.program, e)} takes ${lockName(e.to)} while holding ${lockName(e.from)}`);
  const trace: TraceInput[] = ordered.flatMap((e) => edgeTrace(ctx.program, e));
  ctx.report({
    node: primary.inner,
    messageId: 'inversion',
    data: {
      inner: lockName(primary.to),
      outer: lockName(primary.from),
      elsewhere: others.join(', and '),
      cycle: cycleText(ordered),
    },
    trace,
  });
}

function reportRecursive(ctx: CheckContext<Options, MessageId>, edge: Edge): void {
  const lock = edge.to;
  if (lock.reentrant) return;
  const same = isKnownPath(edge.outer.path) && edge.outer.path === edge.innerPath;
  // Two keys nothing is known about: nothing says they are related at all.
  if (!same && lock.keys === 'any') return;
  if (!same && isListedPerInstance(ctx.options.perInstanceLocks, lock.short)) return;
  const node = edge.at;
  ctx.report({
    node: ts.isCallExpression(node) || ts.isNewExpression(node) ? node : edge.inner,
    messageId: same ? 'selfDeadlock' : lock.keys === 'family' ? 'sameKeyFamily' : 'sameClass',
    data: {
      lock: lockName(lock),
      short: lock.short,
      via: viaText(edge),
      holder: holderName(ctx.program, edge),
      library: lock.library,
    },
    trace: edgeTrace(ctx.program, edge),
  });
}

/** `Account.mutex`; async-lock keys with or without their quotes (`swap:*` or `'swap:*'`). */
function isListedPerInstance(listed: string[], short: string): boolean {
  const bare = short.replace(/^'(.*)'$/, '$1');
  return listed.some((l) => l === short || l === bare);
}
