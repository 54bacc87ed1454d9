/**
 * "Calling this function cannot produce a rejection": a per-function summary, solved over the
 * call graph like the blocking summary, so a function that only awaits helpers that handle
 * their own errors cannot reject either.
 *
 * People fix a dropped promise or an async listener by making the callee handle its own
 * failures: the awaited work inside a `try { ... } catch { log(error) }`, or a result chained
 * with `.catch(handler)`. The promise rules read this summary to stay quiet there. The answer
 * must be honest: in an async function a synchronous throw becomes a rejection, so the code
 * around the try/catch (guards, assignments, calls) must be shown not to throw as well.
 *
 * What counts as not throwing (analyzer/promises/rejections-eval.ts walks the body):
 * literals, reads, assignments and property access on values whose type excludes null and
 * undefined (the types are trusted, getters and setters are not questioned); calls of program
 * functions whose own summary says they do not throw; synchronous calls of code outside the
 * program, except those that fail on bad data (parsing, `...Sync` file calls, assertions:
 * analyzer/promises/catalog-sync-throws.ts). What a floating promise loses are asynchronous
 * failures, and those are judged where a promise is awaited, returned or chained. In a `catch`
 * block every synchronous call of code outside the program (error reporting) is trusted; an
 * `await` there is not.
 */
import type ts from 'typescript';
import tsApi from '../ts/typescript.cjs';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { getSummary, type SummaryKind } from '../summaries/engine.js';
import { evaluateFunction, handlerFunctions } from './rejections-eval.js';

export interface Outcome {
  /** Calling it may throw synchronously (an async function never does: its throws reject). */
  mayThrow: boolean;
  /** The promise it returns may reject (false when it returns no promise). */
  mayReject: boolean;
  /** It handles failures itself: a try/catch, a `.catch(handler)`, or an awaited helper that does. */
  catches: boolean;
}

export const rejectionsKind: SummaryKind<Outcome> = {
  name: 'rejections',
  // Inside a recursive component: "does nothing" grows until it settles (a may-analysis).
  initial: () => ({ mayThrow: false, mayReject: false, catches: false }),
  *dependencies(fn, ctx) {
    const info = ctx.graph.info(fn);
    for (const site of info.calls) yield* site.callees;
    for (const handler of handlerFunctions(fn, ctx)) yield handler;
  },
  compute: (fn, get, ctx) => evaluateFunction(fn, get, ctx),
  equals: (a, b) => a.mayThrow === b.mayThrow && a.mayReject === b.mayReject && a.catches === b.catches,
  maxRounds: 20,
};

export function rejectionOutcome(program: ts.Program, fn: FunctionLike): Outcome {
  return getSummary(program, rejectionsKind, fn);
}

/** The function handles its own failures: its promise cannot reject, and it catches (not merely does nothing). */
export function handlesOwnFailures(program: ts.Program, fn: FunctionLike): boolean {
  const outcome = rejectionOutcome(program, fn);
  return !outcome.mayReject && outcome.catches;
}

/** Does the function's own body (not nested functions) contain `await` or `for await`? */
export function awaitsAnything(fn: FunctionLike): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || (node !== fn && (isFunctionLike(node) || tsApi.isClassLike(node)))) return;
    if (tsApi.isAwaitExpression(node) || (tsApi.isForOfStatement(node) && node.awaitModifier)) found = true;
    else tsApi.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/**
 * `async () => {}`, `async function noop() {}`: an async function with nothing in it. The body's
 * kind is tested, not `'statements' in body`: tsgo's nodes share one shape, so an expression
 * body answers `in` for fields it does not have (they read as undefined).
 */
export function isEmptyFunction(fn: FunctionLike): boolean {
  return !!fn.body && isFunctionLike(fn) && tsApi.isBlock(fn.body) && fn.body.statements.length === 0 && fn.parameters.every((p) => !p.initializer);
}
