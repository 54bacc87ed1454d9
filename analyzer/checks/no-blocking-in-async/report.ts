/**
 * From an async entry to its reports: each call in the entry's synchronous body that blocks
 * by itself or whose callee's summary blocks, reported at that call with the chain as trace.
 * Each blocking call is reported once per entry, at the call that starts its shortest chain.
 */
import ts from '../../typescript.cjs';
import { functionName, getCallGraph, type CallGraph, type FunctionLike } from '../../callgraph.js';
import { describeEntry, type AsyncEntry } from '../../async-context.js';
import { startupPartEnd } from '../../startup.js';
import { getSummary } from '../../summaries/engine.js';
import { blockingKind, siteReaches, synchronousSites, type ReachStep, type SyncSite } from '../../summaries/blocking.js';
import type { CheckContext, ReportInput, TraceInput } from '../types.js';
import { describeExpression } from '../fix-helpers.js';
import { skipOuterExpressions } from '../../walk.js';
import type { BlockingHit, BlockingMatcher } from './recognise.js';
import { rewriteSuggestion } from './fixes.js';

interface Candidate {
  site: SyncSite;
  chain: ReachStep[];
  target: BlockingHit;
}

/**
 * The reports for one async entry, in source order: each call site of the entry's synchronous
 * body that leads to a blocking call not already reported through a shorter (or, on a tie,
 * earlier) site, with the shortest chain to it. So each blocking call is reported once per
 * entry, and each site at most once.
 */
export function reportsForEntry(ctx: CheckContext<unknown>, entry: AsyncEntry, matcher: BlockingMatcher): ReportInput[] {
  const sctx = { program: ctx.program, graph: getCallGraph(ctx.program) };
  const kind = blockingKind(matcher);
  const get = (fn: FunctionLike) => getSummary(ctx.program, kind, fn);
  const candidates: Candidate[] = [];
  // In an async function started only from module top level, calls before its first `await` are start-up code.
  const startupEnd = entry.kind === 'async' ? startupPartEnd(entry.fn, ctx.program) : undefined;
  for (const site of synchronousSites(entry.fn, sctx)) {
    if (startupEnd !== undefined && site.call.getStart() < startupEnd) continue;
    for (const reach of siteReaches(site, matcher, sctx, get)) candidates.push({ site, chain: reach.steps, target: reach.target });
  }
  // Stable sort: shortest chains first, then source order of the site.
  candidates.sort((a, b) => a.chain.length - b.chain.length);
  const reportedSites = new Set<SyncSite>();
  const reportedTargets = new Set<ts.Node>();
  const chosen: Candidate[] = [];
  for (const c of candidates) {
    const target = c.chain[c.chain.length - 1]!.call;
    if (reportedSites.has(c.site) || reportedTargets.has(target)) continue;
    reportedSites.add(c.site);
    reportedTargets.add(target);
    chosen.push(c);
  }
  return chosen.sort((a, b) => a.site.call.getStart() - b.site.call.getStart()).map((c) => toReport(ctx, entry, c));
}

function toReport(ctx: CheckContext<unknown>, entry: AsyncEntry, c: Candidate): ReportInput {
  const { api } = c.target;
  const call = c.site.call;
  const base = { entry: describeEntry(entry), why: api.why, replacement: api.replacement };
  if (c.chain.length === 1) {
    const suggestion = api.rewrite && ts.isCallExpression(call) ? rewriteSuggestion(ctx.sourceFile, call, api.rewrite) : undefined;
    return {
      node: call,
      messageId: 'blocking',
      data: { ...base, call: describeDirect(c, ctx.sourceFile) },
      suggestions: suggestion ? [suggestion] : [],
    };
  }
  const names = [entryName(entry), ...c.chain.slice(0, -1).map((s) => `${functionName(s.callee!)}()`)];
  const helper = c.chain[c.chain.length - 2]!.callee!;
  return {
    node: call,
    messageId: 'blockingChain',
    data: {
      ...base,
      call: describeCall(call, ctx.sourceFile),
      target: `\`${c.target.label}\``,
      chain: [...names, c.target.label].join(' -> '),
      helper: `\`${functionName(helper)}\``,
    },
    trace: traceOf(c, entry, getCallGraph(ctx.program)),
  };
}

function describeDirect(c: Candidate, sf: ts.SourceFile): string {
  switch (c.target.api.name) {
    case 'busy-wait':
      return `This ${c.target.label.replace(/ on (.*)$/, ' on `$1`')}`;
    case 'XMLHttpRequest':
      return 'This synchronous `XMLHttpRequest`';
    case 'require':
      return `\`${c.target.label}\``;
    default:
      return describeCall(c.site.call, sf);
  }
}

/** `handle()`, or `<express route handler>` for an anonymous entry. */
function entryName(entry: AsyncEntry): string {
  const name = functionName(entry.fn);
  return name.startsWith('<anonymous') ? `<${entry.label.replace(/`/g, '')}>` : `${name}()`;
}

function traceOf(c: Candidate, entry: AsyncEntry, graph: CallGraph): TraceInput[] {
  const steps: TraceInput[] = [];
  let caller = entryName(entry);
  for (const step of c.chain) {
    if (!step.callee) {
      steps.push({ node: step.call, message: `${c.target.label} blocks: ${c.target.api.why}` });
      break;
    }
    const callee = `${functionName(step.callee)}()`;
    const direct = graph.resolve(step.call).includes(step.callee);
    steps.push({ node: step.call, message: direct ? `${caller} calls ${callee}` : `${caller} passes ${callee} to ${calledName(step.call)}` });
    caller = callee;
  }
  return steps;
}

function describeCall(call: ts.CallExpression | ts.NewExpression, sf: ts.SourceFile): string {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) return 'This immediately-invoked function';
  return describeExpression(call, sf);
}

function calledName(call: ts.CallExpression | ts.NewExpression): string {
  const callee = call.expression;
  return `\`${ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.getText()}()\``;
}
