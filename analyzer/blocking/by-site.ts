/**
 * From an async entry to its reports: each call in the entry's synchronous body that blocks
 * by itself or whose callee's summary blocks, reported at that call with the chain as trace.
 * Each blocking call is reported once per entry, at the call that starts its shortest chain.
 * This is the `report: 'site'` mode; cause.ts groups the same candidates by cause.
 */
import ts from '../ts/typescript.cjs';
import { functionName, getCallGraph, isFunctionLike, type CallGraph, type FunctionLike } from '../program/callgraph.js';
import { describeEntry, type AsyncEntry } from '../program/async-context.js';
import { startsAtTopLevel, startupPartEnd } from './startup.js';
import { onlyTestsUse } from '../program/uses.js';
import type { SyncSite } from './summary.js';
import { entryReaches } from './entry-reaches.js';
import type { ReachStep } from '../summaries/reach.js';
import type { ReportInput, TraceInput } from '../check/contract.js';
import type { MessageId } from './no-blocking-in-async.js';
import { describeExpression } from '../check/fix-helpers.js';
import { codeName, codeText, quoteCode } from '../check/quote.js';
import { skipOuterExpressions } from '../program/walk.js';
import type { BlockingHit, BlockingMatcher } from './recognize.js';
import { rewriteSuggestion } from './fixes.js';
import { effectOf, whereEntryRuns } from './where.js';

export interface Candidate {
  site: SyncSite;
  chain: ReachStep[];
  target: BlockingHit;
}

/**
 * The chosen candidates of one async entry, in source order: each call site of the entry's
 * synchronous body that leads to a blocking call not already reached through a shorter (or,
 * on a tie, earlier) site, with the shortest chain to it. So each blocking call is chosen
 * once per entry, and each site at most once (unless `everyTarget`: then a site is chosen for
 * each blocking call it is the best way to, as grouping by cause wants them all).
 */
export function candidatesForEntry(program: ts.Program, entry: AsyncEntry, matcher: BlockingMatcher, how: { everyTarget?: boolean; reportStartup: boolean }): Candidate[] {
  const everyTarget = how.everyTarget ?? false;
  // Grouping by cause looks at the whole program anyway: it also uses what other files say
  // about the entry (who starts it, whether only tests use it). Per call site, a file's
  // findings depend only on what the file reaches (the analysis cache, ESLint's cache).
  const acrossFiles = everyTarget;
  const summaryContext = { program, graph: getCallGraph(program) };
  // An async helper only tests use (a test-setup module) serves no requests.
  if (acrossFiles && entry.kind === 'async' && onlyTestsUse(entry.fn, program)) return [];
  const candidates: Candidate[] = [];
  // In an async function started only from module top level, calls before its first `await` are start-up code.
  const startupEnd = entry.kind === 'async' ? startupPartEnd(entry.fn, program, acrossFiles) : undefined;
  // Code that runs only as the program starts stalls no request or job (`reportStartup` opts in).
  if (!how.reportStartup && (startupEnd !== undefined || startsAtTopLevel(entry))) return [];
  for (const { site, reach } of entryReaches(entry.fn, matcher, summaryContext)) {
    if (startupEnd !== undefined && site.call.getStart() < startupEnd) continue;
    candidates.push({ site, chain: reach.steps, target: reach.target });
  }
  // Stable sort: shortest chains first, then source order of the site.
  candidates.sort((a, b) => a.chain.length - b.chain.length);
  const reportedSites = new Set<SyncSite>();
  const reportedTargets = new Set<ts.Node>();
  const chosen: Candidate[] = [];
  for (const c of candidates) {
    const target = c.chain[c.chain.length - 1]!.call;
    if ((!everyTarget && reportedSites.has(c.site)) || reportedTargets.has(target)) continue;
    reportedSites.add(c.site);
    reportedTargets.add(target);
    chosen.push(c);
  }
  return chosen.sort((a, b) => a.site.call.getStart() - b.site.call.getStart());
}

/** The site-mode reports for one async entry, in source order. */
export function reportsForEntry(program: ts.Program, entry: AsyncEntry, matcher: BlockingMatcher, routeModules: readonly string[], reportStartup: boolean): ReportInput<MessageId>[] {
  const chosen = candidatesForEntry(program, entry, matcher, { reportStartup });
  if (chosen.length === 0) return [];
  const effect = effectOf(whereEntryRuns(entry, program, routeModules, false));
  return chosen.map((c) => siteReport(program, entry, c, effect));
}

/** The report of one candidate at its site (the call in the entry); `effect` says what waits. */
export function siteReport(program: ts.Program, entry: AsyncEntry, c: Candidate, effect: string): ReportInput<MessageId> {
  const { api } = c.target;
  const call = c.site.call;
  const sf = call.getSourceFile();
  const base = { entry: describeEntry(entry), why: api.why, replacement: api.replacement, effect };
  if (c.chain.length === 1) {
    const suggestion = api.rewrite && ts.isCallExpression(call) ? rewriteSuggestion(sf, call, api.rewrite) : undefined;
    return {
      node: call,
      messageId: 'blocking',
      data: { ...base, call: describeDirect(c, sf), more: '' },
      suggestions: suggestion ? [suggestion] : [],
    };
  }
  return {
    node: call,
    messageId: 'blockingChain',
    data: {
      ...base,
      call: describeCall(call, sf),
      target: `\`${c.target.label}\``,
      chain: chainText(entry, c),
      helper: `\`${functionName(helperOf(c))}\``,
    },
    trace: traceOf(c, entry, getCallGraph(program)),
  };
}

/** The synchronous function whose body holds the blocking call of a chain (of two steps or more). */
export function helperOf(c: Candidate): FunctionLike {
  return c.chain[c.chain.length - 2]!.callee!;
}

/** `handle() -> encrypt() -> deriveKey() -> crypto.scryptSync()`. */
export function chainText(entry: AsyncEntry, c: Candidate): string {
  const names = [entryName(entry), ...c.chain.slice(0, -1).map((s) => `${functionName(s.callee!)}()`)];
  return [...names, c.target.label].join(' -> ');
}

export function describeDirect(c: Candidate, sf: ts.SourceFile): string {
  return describeBlockingCall(c.site.call, c.target, sf);
}

/** How a blocking call reads at the start of a message: `` `readFileSync(p)` ``, "This busy-wait loop on ...". */
export function describeBlockingCall(call: ts.CallExpression | ts.NewExpression, target: BlockingHit, sf: ts.SourceFile): string {
  switch (target.api.name) {
    case 'busy-wait':
      return `This ${target.label.replace(/ on (.*)$/, ' on `$1`')}`;
    case 'XMLHttpRequest':
      return 'This synchronous `XMLHttpRequest`';
    case 'require':
      return `\`${target.label}\``;
    default:
      return describeCall(call, sf);
  }
}

/** A blocking call in a trace step: `` `fs.readFileSync()` ``, "busy-wait loop on `Date.now()`". */
export function blockerName(target: BlockingHit): string {
  return target.api.name === 'busy-wait' ? target.label.replace(/ on (.*)$/, ' on `$1`') : `\`${target.label}\``;
}

/** `handle()`, or `<express route handler>` for an anonymous entry. */
export function entryName(entry: AsyncEntry): string {
  const name = functionName(entry.fn);
  return name.startsWith('<anonymous') ? `<${entry.label.replace(/`/g, '')}>` : `${name}()`;
}

export function traceOf(c: Candidate, entry: AsyncEntry, graph: CallGraph): TraceInput[] {
  const steps: TraceInput[] = [];
  let caller = codeName(entryName(entry));
  for (const step of c.chain) {
    const when = branchOf(step.call);
    if (!step.callee) {
      steps.push({ node: step.call, message: `${blockerName(c.target)} blocks${when}: ${c.target.api.why}` });
      break;
    }
    const callee = codeName(`${functionName(step.callee)}()`);
    const direct = graph.resolve(step.call).includes(step.callee);
    steps.push({ node: step.call, message: (direct ? `${caller} calls ${callee}` : `${caller} passes ${callee} to ${calledName(step.call)}`) + when });
    caller = callee;
  }
  return steps;
}

/**
 * The branch conditions a call sits behind in its function, innermost first (at most two):
 * ` only when \`options.sync\``, so the reader of a trace sees when the blocking path runs.
 */
export function branchOf(call: ts.Node): string {
  const conditions: string[] = [];
  let child: ts.Node = call;
  for (let n: ts.Node | undefined = call.parent; n && !isFunctionLike(n) && conditions.length < 2; child = n, n = n.parent) {
    let text: string | undefined;
    if (ts.isIfStatement(n) && child === n.thenStatement) text = conditionText(n.expression, false);
    else if (ts.isIfStatement(n) && child === n.elseStatement) text = conditionText(n.expression, true);
    else if (ts.isConditionalExpression(n) && child === n.whenTrue) text = conditionText(n.condition, false);
    else if (ts.isConditionalExpression(n) && child === n.whenFalse) text = conditionText(n.condition, true);
    else if (ts.isBinaryExpression(n) && child === n.right && n.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) text = conditionText(n.left, false);
    else if (ts.isBinaryExpression(n) && child === n.right && n.operatorToken.kind === ts.SyntaxKind.BarBarToken) text = conditionText(n.left, true);
    else if (ts.isCaseClause(n) && ts.isCaseBlock(n.parent)) text = quoteCode(`${codeText(n.parent.parent.expression, n.getSourceFile())} === ${codeText(n.expression, n.getSourceFile())}`);
    if (text) conditions.push(text);
  }
  return conditions.length === 0 ? '' : ` (only when ${conditions.join(' and ')})`;
}

function conditionText(cond: ts.Expression, negated: boolean): string {
  const text = quoteCode(codeText(cond, cond.getSourceFile()));
  return negated ? `not ${text}` : text;
}

export function describeCall(call: ts.CallExpression | ts.NewExpression, sf: ts.SourceFile): string {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) return 'This immediately-invoked function';
  return describeExpression(call, sf);
}

function calledName(call: ts.CallExpression | ts.NewExpression): string {
  const callee = call.expression;
  return quoteCode(`${ts.isPropertyAccessExpression(callee) ? callee.name.text : codeText(callee, callee.getSourceFile())}()`);
}
