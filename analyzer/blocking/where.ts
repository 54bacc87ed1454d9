/**
 * Where a blocking call's entry runs, so the message says what really waits (DESIGN.md, "Know
 * where code runs"): a request handler (every request of the process waits), a background job
 * (a timer, an event or queue listener, a scheduled NestJS method: the other jobs, timers and
 * requests wait), start-up code, or, when nothing in the program says, the event loop in general.
 *
 * A registered entry says it by its kind. An async function is followed up its callers (found
 * in the files that import its file, directly or not, on first need): it runs in a request when
 * a request handler calls it, directly or through other functions, and so on. The callers come
 * from per-file facts (each file's calls and the functions they run: analyzer/program/file-facts.ts),
 * so the analysis cache and the editor resolve again only the calls of changed files and their importers.
 */
import path from 'node:path';
import ts from '../ts/typescript.cjs';
import { getCallGraph, isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { asyncEntryOf, type AsyncEntry } from '../program/async-context.js';
import { startsAtTopLevel } from './startup.js';
import { touchWholeProgram, untracked } from '../program/dependencies.js';
import { oncePerProgram } from '../program/per-program.js';
import { factFamily, fileFacts, nodeAt, nodeRef, type FactCodec, type NodeRef } from '../program/file-facts.js';
import { fileIndex } from '../program/file-index.js';
import { importGraph, importersOf, type ImportGraph } from '../program/import-graph.js';

export type Where = 'request' | 'background' | 'startup';

const BACKGROUND_DECORATORS = /@(Cron|Interval|Timeout|OnEvent|EventPattern)\b/;

/** What a registered entry's kind says about where it runs. */
function roleOf(entry: AsyncEntry): Where | undefined {
  if (startsAtTopLevel(entry)) return 'startup';
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

const callerIndex = oncePerProgram<(fn: FunctionLike) => Caller[]>();

function callersOf(fn: FunctionLike, program: ts.Program): Caller[] {
  touchWholeProgram();
  const callers = callerIndex(program, () => untracked(() => callersIndex(program)));
  return untracked(() => callers(fn));
}

/** A file's calls as caller -> callee pairs, in source order (the caller `null` at module top level). */
type FileCalls = [FunctionLike | null, FunctionLike][];

/** The callers index is read by the whole-program cause grouping only: a changed fact names no file of its own. */
export const callerFacts = factFamily('blocking-callers', () => []);

const CALLERS_KIND = callerFacts.kind('all');

const callsCodec: FactCodec<FileCalls> = {
  carriable: true,
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

/**
 * The callers of a function, each in the order of the program's files and of the calls in them.
 * A call can run a function of another file only when its file imports that file, directly or
 * not (the import graph, program/import-graph.ts: what the analysis cache's dependencies rest
 * on too), so only those files' calls are resolved, on first need. Without an import graph, or
 * when a file is global (a script or an augmentation, which every file sees without an import;
 * JSON files declare nothing), every file's calls are.
 */
function callersIndex(program: ts.Program): (fn: FunctionLike) => Caller[] {
  const files = program.getSourceFiles().filter((sf) => !sf.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sf));
  const order = new Map(files.map((sf, i) => [path.resolve(sf.fileName), i]));
  // Per file: its callers of each function it calls, in source order.
  const byFile = new Map<ts.SourceFile, Map<FunctionLike, Caller[]>>();
  const fileCallers = (sf: ts.SourceFile): Map<FunctionLike, Caller[]> => {
    let index = byFile.get(sf);
    if (index) return index;
    index = new Map();
    for (const [caller, callee] of fileFacts(program, CALLERS_KIND, sf, callsCodec, () => callsIn(sf, program))) {
      const callers = index.get(callee);
      if (callers) callers.push(caller ?? TOP);
      else index.set(callee, [caller ?? TOP]);
    }
    byFile.set(sf, index);
    return index;
  };
  const graph = importGraph(program);
  const importers = graph && importersWithin(graph);
  // Files the import graph leaves out (a source file under a node_modules folder): always searched.
  const mapped = new Set(graph?.files);
  const unmapped = graph ? [...order.keys()].filter((file) => !mapped.has(file)) : [];
  const known = new Map<FunctionLike, Caller[]>();
  return (fn) => {
    let callers = known.get(fn);
    if (callers) return callers;
    callers = [];
    const from = importers?.(path.resolve(fn.getSourceFile().fileName));
    // The importing files in the program's order (the order of the whole program's callers).
    const within = from ? [...from, ...unmapped].flatMap((file) => order.get(file) ?? []).sort((a, b) => a - b).map((i) => files[i]!) : files;
    for (const sf of within) {
      const here = fileCallers(sf).get(fn);
      if (here) callers.push(...here);
    }
    known.set(fn, callers);
    return callers;
  };
}

/** The files that import a file, directly or not, itself included; undefined when any file may call into it. */
function importersWithin(graph: ImportGraph): ((file: string) => Set<string> | undefined) | undefined {
  if ([...graph.globals].some((file) => !file.endsWith('.json'))) return undefined;
  const direct = importersOf(graph.imports);
  const own = new Set(graph.files);
  const closures = new Map<string, Set<string>>();
  return (file) => {
    if (!own.has(file)) return undefined;
    let closure = closures.get(file);
    if (!closure) {
      closure = new Set([file]);
      const queue = [file];
      for (let i = 0; i < queue.length; i++) {
        for (const importer of direct.get(queue[i]!) ?? []) {
          if (!closure.has(importer)) {
            closure.add(importer);
            queue.push(importer);
          }
        }
      }
      closures.set(file, closure);
    }
    return closure;
  };
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
 * Do all `entries` run only as the program starts (module top level starts them, directly or
 * through their callers, and nothing else does)? Then a blocking call they reach delays
 * start-up and stalls no request or job.
 */
export function onlyAtStartup(entries: Iterable<AsyncEntry>, whereOf: (entry: AsyncEntry) => ReadonlySet<Where>): boolean {
  for (const entry of entries) {
    const where = whereOf(entry);
    if (where.size !== 1 || !where.has('startup')) return false;
  }
  return true;
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
