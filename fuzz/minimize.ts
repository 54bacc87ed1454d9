/**
 * Shrink a failing workspace to a small reproducer: drop the files the failure does not
 * need, then delete chunks of lines of the failing file (ddmin: halves, quarters, ... single
 * lines) while the same invariant still fails on the same file.
 */
import ts from 'typescript';
import type { Files } from './generate.js';
import type { Failure } from './invariants.js';

export type StillFails = (files: Files) => Promise<boolean>;

export interface Minimized {
  files: Files;
  steps: number;
}

const isSource = (file: string) => /\.[cm]?[jt]sx?$/.test(file);

/** Does the text parse without a syntax error? (A reproducer that parses can become a fixture.) */
export function parses(file: string, text: string): boolean {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  return ((sf as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? []).length === 0;
}

export async function minimize(files: Files, failure: Failure, stillFails: StillFails, maxSteps = 200): Promise<Minimized> {
  let steps = 0;
  const attempt = async (candidate: Files): Promise<boolean> => {
    if (steps >= maxSteps) return false;
    steps++;
    return stillFails(candidate);
  };
  let current = { ...files };
  // 1. Other files, one at a time (configs and the failing file stay).
  for (const file of Object.keys(current).sort()) {
    if (file === failure.file || !isSource(file)) continue;
    const { [file]: _dropped, ...rest } = current;
    if (await attempt(rest)) current = rest;
  }
  // 2. Lines of the failing file.
  const target = current[failure.file];
  // Keep the reproducer parseable when the failing file was.
  const keepParsing = target !== undefined && parses(failure.file, target);
  if (target !== undefined) {
    let lines = target.split('\n');
    for (let chunk = Math.max(1, lines.length >> 1); chunk >= 1; chunk >>= 1) {
      for (let start = 0; start < lines.length; ) {
        const candidate = [...lines.slice(0, start), ...lines.slice(start + chunk)];
        const text = candidate.join('\n');
        if (candidate.length < lines.length && (!keepParsing || parses(failure.file, text)) && (await attempt({ ...current, [failure.file]: text }))) {
          lines = candidate;
        } else {
          start += chunk;
        }
      }
    }
    current = { ...current, [failure.file]: lines.join('\n') };
  }
  return { files: current, steps };
}
