/**
 * Which files a check looked at while it ran on one file. The analysis cache (`--cache`)
 * uses this to tell a check whose findings in a file depend only on what that file imports
 * (directly or not) from a whole-program check (one that walks files the checked file does
 * not import, such as a lock-order graph): the latter must run again on every file when
 * anything changes.
 *
 * Recording is off unless a listener is set, so the editor and uncached runs pay one
 * comparison per call. Where recording happens:
 * - the call graph: `resolve` touches the functions a call runs, `info` the function it
 *   describes (program/callgraph.ts); this is how a check reaches most other files' nodes;
 * - a module that reads another file's nodes it got from the checker rather than from the
 *   call graph (a signature's or a symbol's declarations) touches them itself where it gets
 *   them (`touch(decl)`: race/closures.ts, promises/no-missing-await/presence.ts,
 *   promises/no-misused-async-function/function-facts.ts), and so does a scan of the files
 *   that mention a name (`touch(sf)`: locks/require-lock-release.ts, locks/shapes.ts,
 *   orm/transactions/judge.ts);
 * - a check that scans files it does not reach that way (an index of the whole program, a
 *   lock graph) calls `touchWholeProgram()`; what it builds inside `untracked` is not recorded.
 * `walk` (program/walk.ts) records nothing: walking the checked file, or a node the call graph
 * already touched, adds nothing, and a module that walks another file's nodes says so above.
 *
 * A check may also read a program-wide answer made of per-file facts (program/file-facts.ts)
 * without depending on every file: it names the fact family with `readFamily(name)`. The cache
 * keeps which files' checks read which families and checks those files again when a fact of
 * the family changed (is an `unhandledRejection` handler installed anywhere: the wording of the
 * promise rules, promises/process-handlers.ts).
 */
import type ts from 'typescript';

/** Stands for "every file of the program" in a touched set. */
export const WHOLE_PROGRAM = Symbol('whole program');

export type Touched = Set<ts.SourceFile | typeof WHOLE_PROGRAM>;

/** `families`: the fact families whose program-wide answer the check read (`readFamily`). */
export type CheckListener = (ruleId: string, sourceFile: ts.SourceFile, touched: Touched, families: ReadonlySet<string>) => void;

let listener: CheckListener | undefined;
let active: Touched | undefined;
let activeFamilies: Set<string> | undefined;

/** Start (or, with undefined, stop) recording what each check touches. */
export function setCheckListener(next: CheckListener | undefined): void {
  listener = next;
}

/** Run one check on one file, recording what it touches when a listener is set. */
export function trackCheck<T>(ruleId: string, sourceFile: ts.SourceFile, run: () => T): T {
  if (!listener) return run();
  const outer = active;
  const outerFamilies = activeFamilies;
  const touched: Touched = new Set();
  const families = new Set<string>();
  active = touched;
  activeFamilies = families;
  try {
    return run();
  } finally {
    active = outer;
    activeFamilies = outerFamilies;
    listener(ruleId, sourceFile, touched, families);
  }
}

/** The check being recorded looked at `node` (its file is what counts). */
export function touch(node: ts.Node): void {
  if (active) active.add(node.getSourceFile());
}

/** The check being recorded read facts about every file of the program. */
export function touchWholeProgram(): void {
  if (active) active.add(WHOLE_PROGRAM);
}

/** The check being recorded read the program-wide answer of a fact family (by its name). */
export function readFamily(name: string): void {
  activeFamilies?.add(name);
}

/**
 * Run `build` without recording what it touches: for program-wide indexes made of per-file
 * facts (analyzer/program/file-facts.ts), whose dependencies the cache tracks per fact instead.
 */
export function untracked<T>(build: () => T): T {
  const outer = active;
  active = undefined;
  try {
    return build();
  } finally {
    active = outer;
  }
}
