/**
 * Per-function summaries, computed once per `ts.Program` and solved to a fixpoint over the
 * strongly connected components of the call graph.
 *
 * A summary kind says which functions a function's summary depends on (`dependencies`) and
 * how to compute it from theirs (`compute`). Asking for one function's summary computes what
 * it needs, bottom-up: Tarjan's algorithm (iterative, so deep call chains cannot overflow the
 * stack) yields callee components before callers; a component of one non-recursive function
 * is computed once; a recursive component starts at `initial` and is solved with a worklist
 * (members in callee-first order, in source order where the graph leaves a choice, so the
 * result does not depend on which function was asked first; a changed value re-queues its
 * callers), bounded by `maxRounds` computations per member.
 * Each function body is walked by `compute`, never by the callers' computations.
 */
import type ts from 'typescript';
import { getCallGraph, type CallGraph, type FunctionLike } from '../program/callgraph.js';
import { isRecording, previousNodeFact, recordNodeFact } from '../program/file-facts.js';
import { stronglyConnected } from './scc.js';
import { perProgram } from '../program/per-program.js';

export interface SummaryContext {
  program: ts.Program;
  graph: CallGraph;
}

export interface SummaryKind<S> {
  /** Unique name: the cache key. */
  name: string;
  /** The value a function starts at inside a recursive component (the lattice bottom). */
  initial(fn: FunctionLike): S;
  /** The functions whose summaries `compute` reads. */
  dependencies(fn: FunctionLike, ctx: SummaryContext): Iterable<FunctionLike>;
  /** Compute the summary from the dependencies' current summaries (via `get`). */
  compute(fn: FunctionLike, get: (dep: FunctionLike) => S, ctx: SummaryContext): S;
  equals(a: S, b: S): boolean;
  /** Bound on fixpoint rounds per component (default 100); past it the last value stands. */
  maxRounds?: number;
  /**
   * How a value is stored between runs (analyzer/program/file-facts.ts): with it, the summary of a function
   * whose file and imports did not change is taken from the previous run (the analysis cache,
   * or the previous program in an editor) instead of being computed with its callees.
   */
  codec?: { encode(value: S): unknown; decode(data: unknown, program: ts.Program): S | undefined };
}

/** Counters for tests and benchmarks: how much work the engine did. */
export interface SummaryStats {
  computeCalls: number;
  components: number;
  recursiveComponents: number;
}

interface Store<S> {
  values: Map<FunctionLike, S>;
  stats: SummaryStats;
  /** `compute` calls per function (tests check that nothing is computed twice). */
  perFunction: Map<FunctionLike, number>;
}

const stores = perProgram<string, Store<unknown>>();

/**
 * Every summary kind with a codec used in this process: their values are the per-function facts
 * the editor keeps across programs (program/generations.ts), so an edit's early cut-off compares
 * them (checks/edit-surface.ts), whichever program used them first.
 */
const storedKinds = new Map<string, SummaryKind<unknown>>();

/** The summary kinds with a codec used so far in this process. */
export function storedSummaryKinds(): SummaryKind<unknown>[] {
  return [...storedKinds.values()];
}

function storeFor<S>(program: ts.Program, kind: SummaryKind<S>): Store<S> {
  if (kind.codec && !storedKinds.has(kind.name)) storedKinds.set(kind.name, kind as SummaryKind<unknown>);
  const create = (): Store<unknown> => ({ values: new Map(), stats: { computeCalls: 0, components: 0, recursiveComponents: 0 }, perFunction: new Map() });
  return stores.get(program, kind.name, create) as Store<S>;
}

export function summaryStats(program: ts.Program, kind: SummaryKind<unknown>): SummaryStats {
  return storeFor(program, kind).stats;
}

/** Every summary kind used on `program` so far: its counters and `compute` calls per function. */
export function summaryWork(program: ts.Program): Map<string, { stats: SummaryStats; perFunction: ReadonlyMap<FunctionLike, number> }> {
  const out = new Map<string, { stats: SummaryStats; perFunction: ReadonlyMap<FunctionLike, number> }>();
  for (const [name, store] of stores.entries(program)) out.set(name, { stats: { ...store.stats }, perFunction: new Map(store.perFunction) });
  return out;
}

/** The summary of `fn`, computing it (and what it depends on) on first request. */
export function getSummary<S>(program: ts.Program, kind: SummaryKind<S>, fn: FunctionLike): S {
  const store = storeFor(program, kind);
  if (store.values.has(fn) || preload(program, kind, store, fn)) return store.values.get(fn)!;
  const ctx: SummaryContext = { program, graph: getCallGraph(program) };
  for (const component of components(fn, kind, ctx, store)) {
    solve(component, kind, ctx, store);
    if (kind.codec && isRecording(program)) for (const member of component) recordNodeFact(program, kind.name, member, kind.codec.encode(store.values.get(member)!));
  }
  return store.values.get(fn)!;
}

/** Take `fn`'s summary from the previous run, when it was stored and its file is unchanged. */
function preload<S>(program: ts.Program, kind: SummaryKind<S>, store: Store<S>, fn: FunctionLike): boolean {
  if (!kind.codec) return false;
  const data = previousNodeFact(program, kind.name, fn);
  const value = data === undefined ? undefined : kind.codec.decode(data, program);
  if (value === undefined) return false;
  store.values.set(fn, value);
  recordNodeFact(program, kind.name, fn, data);
  return true;
}

/** Members in DFS post-order (callees before their callers), from the members in source order. */
function calleeFirstOrder<S>(component: FunctionLike[], members: Set<FunctionLike>, kind: SummaryKind<S>, ctx: SummaryContext): FunctionLike[] {
  const order: FunctionLike[] = [];
  const seen = new Set<FunctionLike>();
  for (const root of component) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: { fn: FunctionLike; deps: Iterator<FunctionLike> }[] = [{ fn: root, deps: kind.dependencies(root, ctx)[Symbol.iterator]() }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top.deps.next();
      if (next.done) {
        order.push(top.fn);
        stack.pop();
      } else if (members.has(next.value) && !seen.has(next.value)) {
        seen.add(next.value);
        stack.push({ fn: next.value, deps: kind.dependencies(next.value, ctx)[Symbol.iterator]() });
      }
    }
  }
  return order;
}

/** Tarjan over functions not yet summarised (or taken from the previous run); callees first. */
function components<S>(root: FunctionLike, kind: SummaryKind<S>, ctx: SummaryContext, store: Store<S>): FunctionLike[][] {
  return stronglyConnected([root], (fn) => kind.dependencies(fn, ctx), (fn) => store.values.has(fn) || preload(ctx.program, kind, store, fn));
}

function solve<S>(component: FunctionLike[], kind: SummaryKind<S>, ctx: SummaryContext, store: Store<S>): void {
  const stats = store.stats;
  stats.components++;
  // Source order, not discovery order: which function asked first must not change the result.
  component.sort((a, b) => {
    const fa = a.getSourceFile().fileName;
    const fb = b.getSourceFile().fileName;
    return fa < fb ? -1 : fa > fb ? 1 : a.pos - b.pos;
  });
  const members = new Set(component);
  const current = new Map<FunctionLike, S>();
  const get = (dep: FunctionLike): S => {
    if (members.has(dep)) return current.get(dep)!;
    // A dependency outside the component is always solved before it; the fallback covers
    // a `compute` that reads a function it did not list as a dependency.
    return store.values.has(dep) ? store.values.get(dep)! : getSummary(ctx.program, kind, dep);
  };
  const recursive = component.length > 1 || [...kind.dependencies(component[0]!, ctx)].includes(component[0]!);
  const count = (fn: FunctionLike) => store.perFunction.set(fn, (store.perFunction.get(fn) ?? 0) + 1);
  if (!recursive) {
    stats.computeCalls++;
    count(component[0]!);
    store.values.set(component[0]!, kind.compute(component[0]!, get, ctx));
    return;
  }
  stats.recursiveComponents++;
  for (const fn of component) current.set(fn, kind.initial(fn));
  // Worklist in callee-first order; a changed value re-queues its callers in the component.
  const callers = new Map<FunctionLike, FunctionLike[]>();
  for (const fn of component) {
    for (const dep of kind.dependencies(fn, ctx)) {
      if (!members.has(dep)) continue;
      const list = callers.get(dep) ?? [];
      if (!list.includes(fn)) list.push(fn);
      callers.set(dep, list);
    }
  }
  const queue = calleeFirstOrder(component, members, kind, ctx);
  const queued = new Set(queue);
  // Bounded: a summary that never settles stops after `maxRounds` computations per member.
  let budget = (kind.maxRounds ?? 100) * component.length;
  while (queue.length > 0 && budget-- > 0) {
    const fn = queue.shift()!;
    queued.delete(fn);
    stats.computeCalls++;
    count(fn);
    const next = kind.compute(fn, get, ctx);
    if (kind.equals(next, current.get(fn)!)) continue;
    current.set(fn, next);
    for (const caller of callers.get(fn) ?? []) {
      if (!queued.has(caller)) {
        queued.add(caller);
        queue.push(caller);
      }
    }
  }
  for (const fn of component) store.values.set(fn, current.get(fn)!);
}
