/**
 * Turning a Use into a finding: the message data, the trace (the assignment of a variable, the
 * async function in another file), the autofix and the suggestions.
 *
 * Autofix (`await` inserted) only when all hold: `await` is valid there (async function, or the
 * top level of an ES module), the expression is a call or an identifier whose type is exactly a
 * built-in Promise, the position is unambiguous (a test, or `return` in `try`), and in a test the
 * promise does not resolve to `void`. Otherwise suggestions: add `await`; or, in a synchronous
 * function that can safely become async, make it async and add `await`; and for a variable,
 * await it where it is assigned.
 */
import ts from '../../ts/typescript.cjs';
import type { TextEdit } from '../../check/finding.js';
import type { SuggestionInput, TraceInput } from '../../check/contract.js';
import type { MessageId } from './no-missing-await.js';
import { functionName, getCallGraph, isFunctionLike, type FunctionLike } from '../../program/callgraph.js';
import { asyncInsertPosition, canInsertAwait, describeExpression, prefixEdits } from '../../check/fix-helpers.js';
import { codeName } from '../../check/quote.js';
import { skipOuterExpressions } from '../../program/walk.js';
import { awaitsToVoid, isCallOrIdentifier, type PromiseFact, type Scan, type Use } from './context.js';
import { hasAsyncModifier } from '../../program/syntax.js';

export function reportUse(scan: Scan, use: Use, fact: PromiseFact): void {
  if (scan.reported.has(use.expr)) return;
  scan.reported.add(use.expr);
  const { fix, suggestions } = fixesFor(scan, use, fact);
  scan.ctx.report({
    node: use.expr,
    messageId: use.kind,
    data: { what: describe(scan, use.expr, fact), ...use.data },
    trace: traceFor(scan, use.expr, fact),
    fix,
    suggestions,
  });
}

function describe(scan: Scan, expr: ts.Expression, fact: PromiseFact): string {
  const text = describeExpression(expr, scan.sf);
  const init = fact.variable?.initializer;
  if (!init) return text;
  return `${text} (the promise from ${describeExpression(init, scan.sf)})`;
}

/** Shortest evidence: where the variable got the promise, and the async function in another file behind it. */
function traceFor(scan: Scan, expr: ts.Expression, fact: PromiseFact): TraceInput[] {
  const steps: TraceInput[] = [];
  let source = expr;
  const v = fact.variable;
  if (v?.initializer) {
    const why = v.declaredAny ? ', declared `any`, so TypeScript no longer sees a Promise' : '';
    steps.push({ node: v.decl, message: `\`${v.name}\` is assigned a promise here${why}; it is never awaited` });
    source = v.initializer;
  }
  const call = skipOuterExpressions(source);
  if (!ts.isCallExpression(call)) return steps;
  const [callee] = getCallGraph(scan.ctx.program).resolve(call);
  if (!callee || callee.getSourceFile() === scan.sf) return steps;
  const what = hasAsyncModifier(callee) ? 'is async: it returns a Promise' : 'returns a Promise';
  steps.push({ node: callee.name ?? callee, message: `${codeName(functionName(callee))} ${what} (declared here)` });
  return steps;
}

function fixesFor(scan: Scan, use: Use, fact: PromiseFact): { fix?: TextEdit[]; suggestions: SuggestionInput<MessageId>[] } {
  const suggestions: SuggestionInput<MessageId>[] = [];
  // `await` of a `Promise<void>` cannot be tested for truthiness: nothing to suggest in a test.
  if (!use.suggest || (use.tests && awaitsToVoid(scan.types, fact.type))) return { suggestions };
  const { sf } = scan;
  const program = scan.ctx.program;
  const expr = use.expr;
  const awaitEdits = prefixEdits(expr, sf, 'await', use.wrap);
  if (canInsertAwait(expr, sf, program)) {
    if (use.fixable && fact.exact && isCallOrIdentifier(expr)) return { fix: awaitEdits, suggestions };
    suggestions.push({ messageId: 'addAwait', edits: awaitEdits });
  } else {
    const fn = enclosingFunction(expr);
    const makeAsync = fn && makeAsyncEdits(scan, fn);
    if (makeAsync) suggestions.push({ messageId: 'makeAsync', edits: [...makeAsync, ...awaitEdits] });
  }
  const v = fact.variable;
  if (v?.initializer && ts.isVariableDeclaration(v.decl) && canInsertAwait(v.initializer, sf, program)) {
    suggestions.push({ messageId: 'awaitAtAssignment', edits: prefixEdits(v.initializer, sf, 'await', false) });
  }
  return { suggestions };
}

function enclosingFunction(node: ts.Node): FunctionLike | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (isFunctionLike(n)) return n;
    if (ts.isClassStaticBlockDeclaration(n) || ts.isPropertyDeclaration(n)) return undefined;
  }
  return undefined;
}

/**
 * The edits that make `fn` async, when that is safe: a function declaration, a method, or a
 * function bound to an unannotated variable (not a callback: whoever calls it back may expect a
 * value), not a generator, returning `void` or already a Promise. A `: void` annotation becomes
 * `: Promise<void>`; any other non-Promise annotation rules it out.
 */
function makeAsyncEdits(scan: Scan, fn: FunctionLike): TextEdit[] | undefined {
  if (fn.asteriskToken || hasAsyncModifier(fn)) return undefined;
  const bound =
    ts.isFunctionDeclaration(fn) ||
    ts.isMethodDeclaration(fn) ||
    ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && !fn.parent.type && fn.parent.initializer === fn);
  if (!bound) return undefined;
  const returnType = scan.types.returnTypeOf(fn);
  if (!returnType) return undefined;
  const isVoid = scan.types.isVoid(returnType);
  if (!isVoid && !scan.types.isPromiseLike(fn, returnType, false)) return undefined;
  const at = asyncInsertPosition(fn, scan.sf);
  if (at === undefined) return undefined;
  const file = scan.sf.fileName;
  const edits: TextEdit[] = [{ file, start: at, end: at, text: 'async ' }];
  if (fn.type && isVoid) {
    if (fn.type.kind !== ts.SyntaxKind.VoidKeyword) return undefined;
    edits.push({ file, start: fn.type.getStart(scan.sf), end: fn.type.getEnd(), text: 'Promise<void>' });
  }
  return edits;
}
