/**
 * `report: 'cause'` (the CLI's default): one finding per cause instead of one per call site.
 *
 * Twenty request handlers that reach one `scryptSync` through `encrypt()` are one problem
 * with one fix (make the helper that holds the blocking call async, or compute its result
 * once). So the site-mode candidates of every async entry of the program are grouped by the
 * synchronous function whose body holds the blocking call (the function to change), and
 * reported once, at that function's first blocking call, with the shortest chain of one entry
 * as the trace and every entry point (the call in the entry that starts its chain) and every
 * other blocking call of that function as related locations. A blocking call written directly
 * in an async entry stays its own finding, at the call (its fix, the rewrite suggestion, is
 * per call).
 *
 * The groups are computed once per program and options; each file's run returns the ones
 * whose cause lies in it. A file's findings so depend on every file (a new caller elsewhere
 * adds a related location), which the analysis cache is told (`touchWholeProgram`).
 */
import type ts from '../ts/typescript.cjs';
import { touchWholeProgram, untracked } from '../program/dependencies.js';
import { functionName, getCallGraph, type FunctionLike } from '../program/callgraph.js';
import { asyncEntriesIn, describeEntry, type AsyncEntry } from '../program/async-context.js';
import type { ReportInput, TraceInput } from '../check/contract.js';
import type { MessageId } from './no-blocking-in-async.js';
import type { BlockingMatcher } from './recognize.js';
import { effectOfEntries, onlyAtStartup, whereEntryRuns, type Where } from './where.js';
import { blockerName, candidatesForEntry, chainText, describeBlockingCall, helperOf, siteReport, traceOf, type Candidate } from './by-site.js';
import { perProgram } from '../program/per-program.js';

interface Member {
  entry: AsyncEntry;
  c: Candidate;
}

const reportsByCause = perProgram<string, Map<ts.SourceFile, ReportInput<MessageId>[]>>();

/** The cause-mode reports whose cause lies in `sf`. */
export function causeReportsIn(sf: ts.SourceFile, program: ts.Program, matcher: BlockingMatcher, routeModules: readonly string[], reportStartup: boolean): ReportInput<MessageId>[] {
  touchWholeProgram();
  const key = `${matcher.key}\n${[...routeModules].sort().join(',')}\n${reportStartup}`;
  const byFile = reportsByCause.get(program, key, () => untracked(() => buildReports(program, matcher, routeModules, reportStartup)));
  return byFile.get(sf) ?? [];
}

/** The key of a candidate's cause: the helper that holds the blocking call, or the direct call itself. */
/** The function whose synchronous body holds the blocking call: the helper, or the entry itself for a direct call. */
function causeOf(entry: AsyncEntry, c: Candidate): ts.Node {
  return c.chain.length === 1 ? entry.fn : helperOf(c);
}

function buildReports(program: ts.Program, matcher: BlockingMatcher, routeModules: readonly string[], reportStartup: boolean): Map<ts.SourceFile, ReportInput<MessageId>[]> {
  const groups = new Map<ts.Node, Member[]>();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf)) continue;
    for (const entry of asyncEntriesIn(sf, program, { routeModules })) {
      for (const c of candidatesForEntry(program, entry, matcher, { everyTarget: true, reportStartup })) {
        const key = causeOf(entry, c);
        const members = groups.get(key);
        if (members) members.push({ entry, c });
        else groups.set(key, [{ entry, c }]);
      }
    }
  }
  const out = new Map<ts.SourceFile, ReportInput<MessageId>[]>();
  const wheres = new Map<AsyncEntry, Set<Where>>();
  const whereOf = (entry: AsyncEntry) => {
    let where = wheres.get(entry);
    if (!where) wheres.set(entry, (where = whereEntryRuns(entry, program, routeModules, true)));
    return where;
  };
  for (const members of groups.values()) {
    members.sort(byChainThenPlace);
    const entries = new Set(members.map((m) => m.entry));
    if (!reportStartup && onlyAtStartup(entries, whereOf)) continue;
    const effect = effectOfEntries(entries, whereOf);
    const direct = members.every((m) => m.c.chain.length === 1);
    const report = direct ? directReport(program, members, effect) : helperReport(program, members, effect);
    const sf = report.node.getSourceFile();
    const reports = out.get(sf);
    if (reports) reports.push(report);
    else out.set(sf, [report]);
  }
  for (const reports of out.values()) reports.sort((a, b) => a.node.getStart() - b.node.getStart());
  return out;
}

/** Shortest chain first, then by file and position of the entry's call. */
function byChainThenPlace(a: Member, b: Member): number {
  return a.c.chain.length - b.c.chain.length || comparePlace(a.c.site.call, b.c.site.call);
}

function comparePlace(a: ts.Node, b: ts.Node): number {
  const fa = a.getSourceFile().fileName;
  const fb = b.getSourceFile().fileName;
  return fa < fb ? -1 : fa > fb ? 1 : a.getStart() - b.getStart();
}

/** A blocking call written in the entry: reported there (several entries can share a synchronous callback). */
/**
 * Blocking calls written in one entry: one finding at the first, the others related, each
 * call's rewrite suggestion kept.
 */
function directReport(program: ts.Program, members: Member[], effect: string): ReportInput<MessageId> {
  const calls = [...members].sort((a, b) => a.c.site.call.getStart() - b.c.site.call.getStart());
  const first = calls[0]!;
  const report = siteReport(program, first.entry, first.c, effect);
  if (calls.length === 1) return report;
  const more = calls.length - 1;
  const related = calls.slice(1).map((m): TraceInput => ({ node: m.c.site.call, message: `${blockerName(m.c.target)} also blocks here: it ${m.c.target.api.why}` }));
  const suggestions = calls.flatMap((m) => siteReport(program, m.entry, m.c, effect).suggestions ?? []);
  return { ...report, data: { ...report.data, more: ` The same function makes ${more} more blocking call${more === 1 ? '' : 's'}, listed too.` }, related, suggestions };
}

/** One finding for a helper's blocking calls, at its first one, with every entry point as a related location. */
function helperReport(program: ts.Program, members: Member[], effect: string): ReportInput<MessageId> {
  const rep = members[0]!;
  const helper: FunctionLike = helperOf(rep.c);
  const targets = distinctTargets(members);
  const primary = targets[0]!;
  const entries = new Map<ts.Node, Member>();
  for (const m of members) if (!entries.has(m.c.site.call)) entries.set(m.c.site.call, m);
  const related: TraceInput[] = [...entries.values()].map((m) => ({
    node: m.c.site.call,
    message: `reached from ${describeEntry(m.entry)}: ${chainText(m.entry, m.c)}`,
  }));
  for (const t of targets.slice(1)) related.push({ node: t.call, message: `${blockerName(t.c.target)} also blocks here: it ${t.c.target.api.why}` });
  const count = entries.size;
  const example = `${describeEntry(rep.entry)} (\`${chainText(rep.entry, rep.c)}\`)`;
  const reached =
    count === 1 ? `It runs in ${example}.` : `${count} async entry points reach it, for example ${example}; the others are listed as related locations.`;
  const more = targets.length - 1;
  const others = more === 0 ? '' : ` \`${functionName(helper)}\` makes ${more} more blocking call${more === 1 ? '' : 's'}, listed too.`;
  return {
    node: primary.call,
    messageId: 'blockingCause',
    data: {
      call: describeBlockingCall(primary.call, primary.c.target, primary.call.getSourceFile()),
      helper: `\`${functionName(helper)}\``,
      why: primary.c.target.api.why,
      replacement: primary.c.target.api.replacement,
      reached: reached + others,
      entry: describeEntry(rep.entry),
      chain: chainText(rep.entry, rep.c),
      entries: String(count),
      effect,
    },
    trace: traceOf(primary.c, primary.entry, getCallGraph(program)),
    related,
  };
}

/** The blocking calls of the group, in source order, each with the member that reaches it by the shortest chain. */
function distinctTargets(members: Member[]): Array<{ call: ts.CallExpression | ts.NewExpression; c: Candidate; entry: AsyncEntry }> {
  const seen = new Map<ts.Node, { call: ts.CallExpression | ts.NewExpression; c: Candidate; entry: AsyncEntry }>();
  for (const m of members) {
    const call = m.c.chain[m.c.chain.length - 1]!.call;
    if (!seen.has(call)) seen.set(call, { call, c: m.c, entry: m.entry });
  }
  return [...seen.values()].sort((a, b) => a.call.getStart() - b.call.getStart());
}
