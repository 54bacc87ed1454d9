/**
 * Which files a check looked at while it ran on one file. The analysis cache (`--cache`)
 * uses this to tell a check whose findings in a file depend only on what that file imports
 * (directly or not) from a whole-program check (one that walks files the checked file does
 * not import, such as a lock-order graph): the latter must run again on every file when
 * anything changes.
 *
 * Recording is off unless a listener is set, so the editor and uncached runs pay one
 * comparison per call. The call graph (`info`, `resolve`) and `walk` report what they visit;
 * a check that scans other files by other means should call `touchWholeProgram()`.
 */
import type ts from 'typescript';

/** Stands for "every file of the program" in a touched set. */
export const WHOLE_PROGRAM = Symbol('whole program');

export type Touched = Set<ts.SourceFile | typeof WHOLE_PROGRAM>;

export type CheckListener = (ruleId: string, sourceFile: ts.SourceFile, touched: Touched) => void;

let listener: CheckListener | undefined;
let active: Touched | undefined;

/** Start (or, with undefined, stop) recording what each check touches. */
export function setCheckListener(next: CheckListener | undefined): void {
  listener = next;
}

/** Run one check on one file, recording what it touches when a listener is set. */
export function trackCheck<T>(ruleId: string, sourceFile: ts.SourceFile, run: () => T): T {
  if (!listener) return run();
  const outer = active;
  const touched: Touched = new Set();
  active = touched;
  try {
    return run();
  } finally {
    active = outer;
    listener(ruleId, sourceFile, touched);
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
