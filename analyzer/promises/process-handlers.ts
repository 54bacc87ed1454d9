/**
 * A whole-program fact for the promise rules' wording: does any file of the program install a
 * process-wide `unhandledRejection` handler (`process.on('unhandledRejection', ...)`, `once`,
 * `addListener`, `prependListener`)? Without one, Node 15+ exits on an unhandled rejection; with
 * one, the rejection reaches that handler, far from its cause, and the process goes on.
 *
 * Computed once per program (a WeakMap); the files are searched as text first, so only the few
 * that mention the event are parsed for the call. A check whose message depends on the answer
 * reads every file, so it tells the analysis cache (`touchWholeProgram`).
 */
import ts from '../ts/typescript.cjs';
import { touchWholeProgram } from '../program/dependencies.js';
import { skipOuterExpressions } from '../program/walk.js';
import { oncePerProgram } from '../program/per-program.js';

export interface RejectionHandler {
  /** The `process.on(...)` call that installs it. */
  call: ts.CallExpression;
}

const EVENT = 'unhandledRejection';
const METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);

const handlers = oncePerProgram<RejectionHandler | null>();

/** The first `unhandledRejection` handler the program installs (files in program order), if any. */
export function unhandledRejectionHandler(program: ts.Program): RejectionHandler | undefined {
  touchWholeProgram();
  return handlers(program, () => search(program)) ?? undefined;
}

function search(program: ts.Program): RejectionHandler | null {
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf) || !sf.text.includes(EVENT)) continue;
    const call = findInstall(sf);
    if (call) return { call };
  }
  return null;
}

function findInstall(sf: ts.SourceFile): ts.CallExpression | undefined {
  let found: ts.CallExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && isInstall(node)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** `process.on('unhandledRejection', h)`, `globalThis.process.once(...)`, `proc.on(...)` with `proc` a name ending in `process`. */
function isInstall(call: ts.CallExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  const [event, handler] = call.arguments;
  if (!ts.isPropertyAccessExpression(callee) || !METHODS.has(callee.name.text) || !event || !handler) return false;
  if (!ts.isStringLiteralLike(event) || event.text !== EVENT) return false;
  const receiver = skipOuterExpressions(callee.expression);
  const name = ts.isIdentifier(receiver) ? receiver.text : ts.isPropertyAccessExpression(receiver) ? receiver.name.text : '';
  return /process$/i.test(name);
}

/** The end of a sentence about a lost rejection, true for this program. */
export function lostRejectionWording(program: ts.Program): string {
  return unhandledRejectionHandler(program)
    ? "its rejection goes to the program's process-wide `unhandledRejection` handler, far from its cause, with nothing here to retry or report it"
    : 'its rejection goes unhandled (Node 15+ exits on an unhandled rejection)';
}
