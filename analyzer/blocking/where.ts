/**
 * Where a blocking call's entry runs, so the message says what really waits (DESIGN.md, "Know
 * where code runs"): a request handler (every request of the process waits), a background job
 * (a timer, an event or queue listener, a scheduled NestJS method: the other jobs, timers and
 * requests wait), start-up code, or, when nothing in the program says, the event loop in general.
 *
 * A registered entry says it by its kind. An async function is followed up its callers (a
 * callers index of the whole program, built once): it runs in a request when a request handler
 * calls it, directly or through other functions, and so on.
 */
import ts from '../ts/typescript.cjs';
import { getCallGraph, isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { asyncEntryOf, type AsyncEntry } from '../program/async-context.js';
import { touchWholeProgram, untracked } from '../program/dependencies.js';
import { oncePerProgram } from '../program/per-program.js';
import { walk } from '../program/walk.js';

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

function buildCallers(program: ts.Program): Map<FunctionLike, Caller[]> {
  const graph = getCallGraph(program);
  const index = new Map<FunctionLike, Caller[]>();
  const add = (callee: FunctionLike, caller: Caller) => index.set(callee, [...(index.get(callee) ?? []), caller]);
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf)) continue;
    walk(sf, (node) => {
      if (isFunctionLike(node)) {
        for (const site of graph.info(node).calls) for (const callee of site.callees) add(callee, node);
        return true;
      }
      if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && !graph.enclosingFunction(node)) {
        for (const callee of graph.resolve(node)) add(callee, TOP);
      }
      return true;
    });
  }
  return index;
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

/** What waits while the call blocks, for the message. */
export function effectOf(where: ReadonlySet<Where>): string {
  if (where.has('request')) return 'so every request this process serves waits until it returns, not only the one that runs it';
  if (where.has('background')) return 'so every other job, timer and request of the process waits until it returns';
  if (where.has('startup')) return 'so start-up, and anything already running, waits until it returns';
  return 'so nothing else on the event loop (timers, I/O callbacks, other requests) runs until it returns';
}
