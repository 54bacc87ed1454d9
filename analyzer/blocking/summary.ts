/**
 * "This function may block the event loop": the blocking calls it reaches, each with its
 * shortest witness chain (`loadTemplate() -> fs.readFileSync()`), up to MAX_TARGETS of them.
 * A sibling of `reachKind` that keeps one chain per distinct blocking call (so a caller that
 * reaches several is reported for each call site that leads to a new one) and whose notion
 * of a function's synchronous body fits blocking:
 *
 * - callbacks that the callee runs before it returns (`arr.map(fn)`, `new Promise(fn)`,
 *   `Array.from(x, fn)`) are part of the body, written inline or passed by name
 *   (`names.map(loadTemplate)`), unless they are async;
 * - callbacks given to timers, promises or emitters are not (they are async entries of their
 *   own, see analyzer/program/async-context.ts), nor are nested async functions;
 * - the search follows calls into synchronous functions only: an async callee's body is its
 *   own async entry (blocking code there is reported once, inside it), and a generator's body
 *   does not run when it is called.
 *
 * - a call behind a compute-once guard (analyzer/program/once.ts) runs once per process, not per call:
 *   it leads nowhere.
 *
 * The matcher says which calls block; its key names the options it was built from.
 */
import ts from '../ts/typescript.cjs';
import { getTypeQueries, type TypeQueries } from '../program/type-queries.js';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { callsArgumentsSynchronously, functionOfArgument, isAsyncFunction, isGeneratorFunction, runsSynchronously } from '../program/async-context.js';
import type { SummaryContext, SummaryKind } from '../summaries/engine.js';
import type { Reach, ReachStep } from '../summaries/reach.js';
import { skipOuterExpressions } from '../program/walk.js';
import { nodeAt, nodeRef, type NodeRef } from '../program/file-facts.js';
import { runsOnce } from '../program/once.js';
import { perProgram } from '../program/per-program.js';

export interface Matcher<T> {
  key: string;
  match(call: ts.CallExpression | ts.NewExpression, types: TypeQueries): T | undefined;
}

/** A call in a function's synchronous body, and the functions it runs synchronously. */
export interface SyncSite {
  call: ts.CallExpression | ts.NewExpression;
  callees: FunctionLike[];
  /** The callee is a function passed by name to a synchronous-callback API (`arr.map(load)`). */
  passed?: boolean;
}

const siteCache = perProgram<FunctionLike, SyncSite[]>();

/** Does calling this function run its body now? (Not for async functions or generators.) */
export function runsBodyWhenCalled(fn: FunctionLike): boolean {
  return !isAsyncFunction(fn) && !isGeneratorFunction(fn);
}

/** The calls in `fn`'s synchronous body, in source order per function (computed once per program). */
export function synchronousSites(fn: FunctionLike, ctx: SummaryContext): SyncSite[] {
  return siteCache.get(ctx.program, fn, () => collectSynchronousSites(fn, ctx));
}

function collectSynchronousSites(fn: FunctionLike, ctx: SummaryContext): SyncSite[] {
  const sites: SyncSite[] = [];
  const types = getTypeQueries(ctx.program);
  const queue: FunctionLike[] = [fn];
  for (let i = 0; i < queue.length; i++) {
    const info = ctx.graph.info(queue[i]!);
    for (const site of info.calls) {
      sites.push(site);
      if (!callsArgumentsSynchronously(site.call, types)) continue;
      for (const arg of site.call.arguments ?? []) {
        if (isFunctionLike(skipOuterExpressions(arg))) continue; // inline callbacks are nested functions, queued below
        const passed = functionOfArgument(arg, types);
        if (passed && runsBodyWhenCalled(passed)) sites.push({ call: site.call, callees: [passed], passed: true });
      }
    }
    for (const nested of info.nested) if (runsBodyWhenCalled(nested) && runsSynchronously(nested, types)) queue.push(nested);
  }
  return sites;
}

/** How many distinct blocking calls a summary remembers (the shortest chains first). */
export const MAX_TARGETS = 8;

/** The blocking calls a function reaches: the shortest chain to each, shortest first; empty when it does not block. */
type Value<T> = Reach<T>[];

const kinds = new Map<string, SummaryKind<unknown>>();

/** The summary kind for a matcher (one per matcher key, so values are cached per options). */
export function blockingKind<T>(matcher: Matcher<T>): SummaryKind<Value<T>> {
  let kind = kinds.get(matcher.key) as SummaryKind<Value<T>> | undefined;
  if (!kind) {
    kind = createKind(matcher);
    kinds.set(matcher.key, kind as SummaryKind<unknown>);
  }
  return kind;
}

const matches = perProgram<string, Map<ts.Node, unknown>>();

/**
 * The direct match for a site (a call that blocks by itself), if any. A call is matched once
 * per program and matcher: the same site is asked about by every summary and entry that reaches it.
 */
export function directMatch<T>(site: SyncSite, matcher: Matcher<T>, ctx: SummaryContext): T | undefined {
  if (site.passed) return undefined;
  const known = matches.get(ctx.program, matcher.key, () => new Map()) as Map<ts.Node, T | null>;
  let hit = known.get(site.call);
  if (hit === undefined) {
    hit = matcher.match(site.call, getTypeQueries(ctx.program)) ?? null;
    known.set(site.call, hit);
  }
  return hit ?? undefined;
}

/** The chains through one site: the call itself when it blocks, else through each callee's summary. */
export function siteReaches<T>(site: SyncSite, matcher: Matcher<T>, ctx: SummaryContext, get: (fn: FunctionLike) => Value<T>): Reach<T>[] {
  // Behind a compute-once guard (`if (cached) return cached;`), the work runs once per process, not per call.
  if (runsOnce(site.call, ctx.program)) return [];
  const direct = directMatch(site, matcher, ctx);
  if (direct !== undefined) return [{ steps: [{ call: site.call }], target: direct }];
  const out: Reach<T>[] = [];
  for (const callee of site.callees) {
    if (!runsBodyWhenCalled(callee)) continue;
    for (const sub of get(callee)) out.push({ steps: [{ call: site.call, callee }, ...sub.steps], target: sub.target });
  }
  return out;
}

/** The blocking call a chain ends at. */
export function finalCall<T>(reach: Reach<T>): ts.CallExpression | ts.NewExpression {
  return reach.steps[reach.steps.length - 1]!.call;
}

function createKind<T>(matcher: Matcher<T>): SummaryKind<Value<T>> {
  return {
    name: `blocking:${matcher.key}`,
    initial: () => [],
    *dependencies(fn, ctx) {
      for (const site of synchronousSites(fn, ctx)) {
        for (const callee of site.callees) if (runsBodyWhenCalled(callee)) yield callee;
      }
    },
    compute(fn, get, ctx) {
      // The shortest chain per blocking call, the first found on ties (source order).
      const best = new Map<ts.Node, Reach<T>>();
      for (const site of synchronousSites(fn, ctx)) {
        for (const reach of siteReaches(site, matcher, ctx, get)) {
          const target = finalCall(reach);
          const known = best.get(target);
          if (!known || reach.steps.length < known.steps.length) best.set(target, reach);
        }
      }
      return [...best.values()].sort((a, b) => a.steps.length - b.steps.length).slice(0, MAX_TARGETS);
    },
    codec: {
      // Nodes by position; the target is matched again at the final call (same options: same kind).
      encode: (value) => value.map((reach) => reach.steps.map((step) => (step.callee ? [nodeRef(step.call), nodeRef(step.callee)] : [nodeRef(step.call)]))),
      decode(data, program) {
        const out: Reach<T>[] = [];
        for (const stored of data as NodeRef[][][]) {
          const steps: ReachStep[] = [];
          for (const [callRef, calleeRef] of stored) {
            const call = callRef && nodeAt(program, callRef);
            const callee = calleeRef && nodeAt(program, calleeRef);
            if (!call || !(ts.isCallExpression(call) || ts.isNewExpression(call)) || (calleeRef && !(callee && isFunctionLike(callee)))) return undefined;
            steps.push(callee ? { call, callee: callee as FunctionLike } : { call });
          }
          const last = steps[steps.length - 1];
          const target = last && matcher.match(last.call, getTypeQueries(program));
          if (target === undefined) return undefined;
          out.push({ steps, target });
        }
        return out;
      },
    },
    equals(a, b) {
      return (
        a.length === b.length &&
        a.every((x, i) => {
          const y = b[i]!;
          return x.steps.length === y.steps.length && finalCall(x) === finalCall(y) && x.steps[0]!.call === y.steps[0]!.call && x.steps[0]!.callee === y.steps[0]!.callee;
        })
      );
    },
  };
}
