/**
 * The blocking chains through each call of an async entry's synchronous body: what
 * `candidatesForEntry` (by-site.ts) chooses from. Finding them resolves every call of the body
 * (type checking it), which an async entry's summary would not cache: an entry is not a
 * callee the blocking summary follows. So the list is kept per entry like a function summary
 * (analyzer/program/file-facts.ts, node facts): the analysis cache and the editor take it from
 * the previous run when the entry's file and what it imports are unchanged, which is what it
 * depends on (the calls' callees are in imported files, their summaries are reused the same way).
 */
import ts from '../ts/typescript.cjs';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { isRecording, nodeAt, nodeRef, previousNodeFact, recordNodeFact, type NodeRef } from '../program/file-facts.js';
import { getTypeQueries } from '../program/type-queries.js';
import { perProgram } from '../program/per-program.js';
import { getSummary, type SummaryContext } from '../summaries/engine.js';
import type { Reach, ReachStep } from '../summaries/reach.js';
import { blockingKind, siteReaches, synchronousSites, type Matcher, type SyncSite } from './summary.js';

export interface SiteReach<T> {
  site: SyncSite;
  reach: Reach<T>;
}

/** A site with its chains, nodes by position. */
interface StoredSite {
  call: NodeRef;
  passed?: true;
  reaches: NodeRef[][][];
}

const cache = perProgram<string, Map<FunctionLike, SiteReach<unknown>[]>>();

/** Every chain through every site of `fn`'s synchronous body, sites in source order. */
export function entryReaches<T>(fn: FunctionLike, matcher: Matcher<T>, ctx: SummaryContext): SiteReach<T>[] {
  const byFn = cache.get(ctx.program, matcher.key, () => new Map()) as Map<FunctionLike, SiteReach<T>[]>;
  let value = byFn.get(fn);
  if (value) return value;
  const kind = `entry-blocking:${matcher.key}`;
  const data = previousNodeFact(ctx.program, kind, fn);
  value = data === undefined ? undefined : decode(data as StoredSite[], matcher, ctx.program);
  if (value === undefined) value = compute(fn, matcher, ctx);
  if (isRecording(ctx.program)) recordNodeFact(ctx.program, kind, fn, encode(value));
  byFn.set(fn, value);
  return value;
}

function compute<T>(fn: FunctionLike, matcher: Matcher<T>, ctx: SummaryContext): SiteReach<T>[] {
  const kind = blockingKind(matcher);
  const get = (callee: FunctionLike) => getSummary(ctx.program, kind, callee);
  const out: SiteReach<T>[] = [];
  for (const site of synchronousSites(fn, ctx)) for (const reach of siteReaches(site, matcher, ctx, get)) out.push({ site, reach });
  return out;
}

function encode<T>(value: SiteReach<T>[]): StoredSite[] {
  const out: StoredSite[] = [];
  let last: SyncSite | undefined;
  for (const { site, reach } of value) {
    if (site !== last) out.push({ call: nodeRef(site.call), ...(site.passed ? { passed: true as const } : {}), reaches: [] });
    last = site;
    out[out.length - 1]!.reaches.push(reach.steps.map((s) => (s.callee ? [nodeRef(s.call), nodeRef(s.callee)] : [nodeRef(s.call)])));
  }
  return out;
}

/** Undefined when a node is not found again or a final call no longer matches (then it is computed). */
function decode<T>(data: StoredSite[], matcher: Matcher<T>, program: ts.Program): SiteReach<T>[] | undefined {
  const types = getTypeQueries(program);
  const out: SiteReach<T>[] = [];
  for (const stored of data) {
    const call = nodeAt(program, stored.call);
    if (!call || !(ts.isCallExpression(call) || ts.isNewExpression(call))) return undefined;
    const site: SyncSite = { call, callees: [], ...(stored.passed ? { passed: true } : {}) };
    for (const chain of stored.reaches) {
      const steps: ReachStep[] = [];
      for (const [callRef, calleeRef] of chain) {
        const stepCall = callRef && nodeAt(program, callRef);
        const callee = calleeRef && nodeAt(program, calleeRef);
        if (!stepCall || !(ts.isCallExpression(stepCall) || ts.isNewExpression(stepCall)) || (calleeRef && !(callee && isFunctionLike(callee)))) return undefined;
        steps.push(callee ? { call: stepCall, callee: callee as FunctionLike } : { call: stepCall });
      }
      const target = steps.length > 0 ? matcher.match(steps[steps.length - 1]!.call, types) : undefined;
      if (target === undefined) return undefined;
      if (steps[0]!.callee && !site.callees.includes(steps[0]!.callee)) site.callees.push(steps[0]!.callee);
      out.push({ site, reach: { steps, target } });
    }
  }
  return out;
}
