/**
 * Where a blocking call's entry runs, so the message says what really waits (DESIGN.md, "Know
 * where code runs"): a request handler (every request of the process waits), a background job
 * (a timer, an event or queue listener, a scheduled NestJS method: the other jobs, timers and
 * requests wait), start-up code, or, when nothing in the program says, the event loop in general.
 *
 * A registered entry says it by its kind. An async function is followed up its callers (a
 * callers index of the whole program, built once): it runs in a request when a request handler
 * calls it, directly or through other functions, and so on. The index is made of per-file
 * facts (each file's calls and the functions they run: analyzer/program/file-facts.ts), so the
 * analysis cache and the editor resolve again only the calls of changed files and their importers.
 */
import ts from '../ts/typescript.cjs';
import { getCallGraph, isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { asyncEntryOf, type AsyncEntry } from '../program/async-context.js';
import { touchWholeProgram, untracked } from '../program/dependencies.js';
import { oncePerProgram } from '../program/per-program.js';
import { factFamily, fileFacts, nodeAt, nodeRef, type FactCodec, type NodeRef } from '../program/file-facts.js';
import { fileIndex } from '../program/file-index.js';

export type Where = 'request' | 'background' | 'startup';

const BACKGROUND_DECORATORS = /@(Cron|Interval|Timeout|OnEvent|EventPattern)\b/;

/** What a registered entry's kind says about where it runs. */
function roleOf(entry: AsyncEntry): Where | undefined {
  switch (entry.kind) {
    case 'route':
    case 'server':
      return 'request';
    case 'controller':
      return BACKGROUND_DECORATORS.test(entry.label) ? 'background' : 'request';
    case 'timer':
    case 'listener':
      return 'background';
    default:
      return undefined;
  }
}

/** Stands for "module top level" among callers. */
const TOP = Symbol('top level');
type Caller = FunctionLike | typeof TOP;

const callerIndex = oncePerProgram<Map<FunctionLike, Caller[]>>();

function callersOf(fn: FunctionLike, program: ts.Program): Caller[] {
  touchWholeProgram();
  return callerIndex(program, () => untracked(() => buildCallers(program))).get(fn) ?? [];
}

/** A file's calls as caller -> callee pairs, in source order (the caller `null` at module top level). */
type FileCalls = [FunctionLike | null, FunctionLike][];

/** The callers index is read by the whole-program cause grouping only: a changed fact names no file of its own. */
export const callerFacts = factFamily('blocking-callers', () => []);

const CALLERS_KIND = callerFacts.kind('all');

const callsCodec: FactCodec<FileCalls> = {
  encode: (pairs) => pairs.map(([caller, callee]) => [caller ? nodeRef(caller) : null, nodeRef(callee)]),
  decode(data, program) {
    const out: FileCalls = [];
    for (const [callerRef, calleeRef] of data as [NodeRef | null, NodeRef][]) {
      const caller = callerRef ? nodeAt(program, callerRef) : null;
      const callee = nodeAt(program, calleeRef);
      if (caller === undefined || (caller && !isFunctionLike(caller)) || !callee || !isFunctionLike(callee)) return undefined;
      out.push([caller as FunctionLike | null, callee]);
    }
    return out;
  },
};

function buildCallers(program: ts.Program): Map<FunctionLike, Caller[]> {
  const index = new Map<FunctionLike, Caller[]>();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf)) continue;
    for (const [caller, callee] of fileFacts(program, CALLERS_KIND, sf, callsCodec, () => callsIn(sf, program))) {
      const callers = index.get(callee);
      if (callers) callers.push(caller ?? TOP);
      else index.set(callee, [caller ?? TOP]);
    }
  }
  return index;
}

function callsIn(sf: ts.SourceFile, program: ts.Program): FileCalls {
  const graph = getCallGraph(program);
  const out: FileCalls = [];
  for (const node of fileIndex(sf).nodes) {
    if (isFunctionLike(node)) {
      for (const site of graph.info(node).calls) for (const callee of site.callees) out.push([node, callee]);
    } else if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && !graph.enclosingFunction(node)) {
      for (const callee of graph.resolve(node)) out.push([null, callee]);
    }
  }
  return out;
}

/**
 * Where an entry runs, as far as the program says (empty when it does not). Following an async
 * function's callers reads the whole program: only `acrossFiles` (grouping by cause) does.
 */
export function whereEntryRuns(entry: AsyncEntry, program: ts.Program, routeModules: readonly string[], acrossFiles: boolean): Set<Where> {
  const out = new Set<Where>();
  const role = roleOf(entry);
  if (role) return out.add(role);
  if (entry.kind !== 'async' || !acrossFiles) return out;
  const seen = new Set<FunctionLike>([entry.fn]);
  const queue: FunctionLike[] = [entry.fn];
  for (let i = 0; i < queue.length && seen.size < 500; i++) {
    for (const caller of callersOf(queue[i]!, program)) {
      if (caller === TOP) {
        out.add('startup');
        continue;
      }
      if (seen.has(caller)) continue;
      seen.add(caller);
      const registered = asyncEntryOf(caller, program, { routeModules });
      const callerRole = registered ? roleOf(registered) : undefined;
      if (callerRole) out.add(callerRole);
      else queue.push(caller);
    }
  }
  return out;
}

/**
 * What waits while a call that `entries` reach blocks: `effectOf` the union of where they run.
 * The effect names the first of request, background, start-up that the union holds, so when an
 * entry's own kind already says 'request' the callers walk (and the callers index of the whole
 * program it needs) cannot change it and is skipped. `whereOf` gives an entry's set (cached by
 * the caller across groups).
 */
export function effectOfEntries(entries: Iterable<AsyncEntry>, whereOf: (entry: AsyncEntry) => ReadonlySet<Where>): string {
  const list = [...entries];
  if (list.some((entry) => roleOf(entry) === 'request')) return effectOf(new Set<Where>(['request']));
  const where = new Set<Where>();
  for (const entry of list) for (const w of whereOf(entry)) where.add(w);
  return effectOf(where);
}

/** What waits while the call blocks, for the message. */
export function effectOf(where: ReadonlySet<Where>): string {
  if (where.has('request')) return 'so every request this process serves waits until it returns, not only the one that runs it';
  if (where.has('background')) return 'so every other job, timer and request of the process waits until it returns';
  if (where.has('startup')) return 'so start-up, and anything already running, waits until it returns';
  return 'so nothing else on the event loop (timers, I/O callbacks, other requests) runs until it returns';
}
