/**
 * A reusable summary kind: "this function reaches a call that matches", with the shortest
 * witness chain (`handler() -> loadConfig() -> fs.readFileSync()`). Used by rules whose
 * finding is a call reached through helpers; each rule gives its own matcher.
 */
import type ts from 'typescript';
import type { FunctionLike } from '../program/callgraph.js';
import type { SummaryContext, SummaryKind } from './engine.js';

/** One hop: the call made in a function, and the function it runs (absent on the last hop). */
export interface ReachStep {
  call: ts.CallExpression | ts.NewExpression;
  callee?: FunctionLike;
}

export interface Reach<T> {
  /** From the summarised function's own call down to the matching call. */
  steps: ReachStep[];
  /** What the matcher said about the final call. */
  target: T;
}

export interface ReachOptions<T> {
  name: string;
  /** Does this call itself match? */
  match(call: ts.CallExpression | ts.NewExpression, ctx: SummaryContext): T | undefined;
  /** Which nested functions (callbacks) count as part of their parent; default none. */
  includeNested?(nested: FunctionLike, ctx: SummaryContext): boolean;
  /** May the search continue into this callee from this call? Default yes. */
  follow?(call: ts.CallExpression | ts.NewExpression, callee: FunctionLike, ctx: SummaryContext): boolean;
  /** The functions a call runs when the call graph has none (an interface method's implementations); default none. */
  dispatch?(call: ts.CallExpression | ts.NewExpression, ctx: SummaryContext): FunctionLike[];
}

function calleesOf<T>(site: { call: ts.CallExpression | ts.NewExpression; callees: FunctionLike[] }, options: ReachOptions<T>, ctx: SummaryContext): FunctionLike[] {
  return site.callees.length > 0 || !options.dispatch ? site.callees : options.dispatch(site.call, ctx);
}

type Value<T> = Reach<T> | null;

function* callSites<T>(fn: FunctionLike, options: ReachOptions<T>, ctx: SummaryContext) {
  const queue: FunctionLike[] = [fn];
  for (let i = 0; i < queue.length; i++) {
    const info = ctx.graph.info(queue[i]!);
    yield* info.calls;
    for (const nested of info.nested) if (options.includeNested?.(nested, ctx)) queue.push(nested);
  }
}

export function reachKind<T>(options: ReachOptions<T>): SummaryKind<Value<T>> {
  return {
    name: `reach:${options.name}`,
    initial: () => null,
    *dependencies(fn, ctx) {
      for (const site of callSites(fn, options, ctx)) {
        for (const callee of calleesOf(site, options, ctx)) if (options.follow?.(site.call, callee, ctx) ?? true) yield callee;
      }
    },
    compute(fn, get, ctx) {
      let best: Value<T> = null;
      for (const site of callSites(fn, options, ctx)) {
        const direct = options.match(site.call, ctx);
        if (direct !== undefined) {
          // A direct call is the shortest possible chain; keep the first one in source order.
          if (!best || best.steps.length > 1) best = { steps: [{ call: site.call }], target: direct };
          continue;
        }
        for (const callee of calleesOf(site, options, ctx)) {
          if (!(options.follow?.(site.call, callee, ctx) ?? true)) continue;
          const sub = get(callee);
          if (sub && (!best || sub.steps.length + 1 < best.steps.length)) {
            best = { steps: [{ call: site.call, callee }, ...sub.steps], target: sub.target };
          }
        }
      }
      return best;
    },
    equals(a, b) {
      if (a === null || b === null) return a === b;
      return a.steps.length === b.steps.length && a.steps[0]!.call === b.steps[0]!.call;
    },
  };
}
