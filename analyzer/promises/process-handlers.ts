/**
 * A program-wide fact for the promise rules' wording: does any file of the program install a
 * process-wide `unhandledRejection` handler (`process.on('unhandledRejection', ...)`, `once`,
 * `addListener`, `prependListener`)? Without one, Node 15+ exits on an unhandled rejection; with
 * one, the rejection reaches that handler, far from its cause, and the process goes on.
 *
 * Made of a per-file fact (the first handler a file installs, program/file-facts.ts), so the
 * analysis cache keeps it per file: a check whose message uses the answer says so
 * (`readFamily`), and when a file's fact changes (a handler added, removed or moved) the cache
 * checks the files that read it again; an edit elsewhere re-checks nothing for it. Computed
 * once per program; a file is searched as text first, so only the few that mention the event
 * are walked for the call.
 */
import ts from '../ts/typescript.cjs';
import { readFamily, untracked } from '../program/dependencies.js';
import { factFamily, fileFacts, nodeAt, nodeRef, type FactCodec, type NodeRef } from '../program/file-facts.js';
import { skipOuterExpressions } from '../program/walk.js';
import { oncePerProgram } from '../program/per-program.js';

export interface RejectionHandler {
  /** The `process.on(...)` call that installs it. */
  call: ts.CallExpression;
}

const EVENT = 'unhandledRejection';
const METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);

const handlers = oncePerProgram<RejectionHandler | null>();

/** Which files install a handler: read by every file that reports a lost rejection, not by file. */
export const rejectionHandlerFacts = factFamily('rejection-handlers', () => [], (program) => void programHandler(program));

const KIND = rejectionHandlerFacts.kind('first');

/** A file's fact: its first install call, or null. */
const codec: FactCodec<ts.CallExpression | null> = {
  carriable: true,
  encode: (call) => (call ? nodeRef(call) : null),
  decode(data, program) {
    if (data === null) return null;
    const node = nodeAt(program, data as NodeRef);
    return node && ts.isCallExpression(node) ? node : undefined;
  },
};

/** The first `unhandledRejection` handler the program installs (files in program order), if any. */
export function unhandledRejectionHandler(program: ts.Program): RejectionHandler | undefined {
  readFamily(rejectionHandlerFacts.name);
  return programHandler(program);
}

function programHandler(program: ts.Program): RejectionHandler | undefined {
  return handlers(program, () => untracked(() => search(program))) ?? undefined;
}

/** Every own file's fact is asked (so the cache stores all of them); the first handler wins. */
function search(program: ts.Program): RejectionHandler | null {
  let first: RejectionHandler | null = null;
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf)) continue;
    const call = fileFacts(program, KIND, sf, codec, () => (sf.text.includes(EVENT) ? (findInstall(sf) ?? null) : null));
    if (call && !first) first = { call };
  }
  return first;
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
