/**
 * Suggestions for `xs.forEach(async (x) => { ... })` (never autofixes: both change when the
 * work runs, which is the point, but a person decides):
 * - `for (const x of xs) { ... }`: one at a time, only when the rewrite is mechanical (an inline
 *   async callback with a block body, one plain parameter, no `return`, `var`, `this` or
 *   `arguments` of its own, no `thisArg`);
 * - `await Promise.all(xs.map(...))`: concurrently, as before, but awaited.
 * Both need the call to be a statement in an async function (or module top level) and an array
 * receiver, without optional chaining.
 */
import ts from '../../ts/typescript.cjs';
import type { SuggestionInput } from '../../check/contract.js';
import type { MessageId } from './no-misused-async-function.js';
import type { TextEdit } from '../../check/finding.js';
import { isFunctionLike } from '../../program/callgraph.js';
import { isAwaitAllowed } from '../../check/fix-helpers.js';
import { walk } from '../../program/walk.js';
import type { Candidate, Ctx } from './candidates.js';
import { isAssignmentOperator } from '../../program/syntax.js';

export function forEachSuggestions(ctx: Ctx, call: ts.CallExpression, c: Candidate): SuggestionInput<MessageId>[] {
  const sf = ctx.sourceFile;
  const callee = call.expression;
  if (!ts.isExpressionStatement(call.parent) || !ts.isPropertyAccessExpression(callee)) return [];
  if (call.questionDotToken || callee.questionDotToken || ts.isOptionalChain(callee.expression)) return [];
  if (callee.name.text !== 'forEach' || !isAwaitAllowed(call, sf)) return [];
  const out: SuggestionInput<MessageId>[] = [];
  const loop = forOfText(call, callee, c, sf);
  if (loop) {
    const stmt = call.parent;
    out.push({ messageId: 'suggestForOf', edits: [{ file: sf.fileName, start: stmt.getStart(sf), end: stmt.getEnd(), text: loop }] });
  }
  const edits: TextEdit[] = [
    { file: sf.fileName, start: call.getStart(sf), end: call.getStart(sf), text: 'await Promise.all(' },
    { file: sf.fileName, start: callee.name.getStart(sf), end: callee.name.getEnd(), text: 'map' },
    { file: sf.fileName, start: call.getEnd(), end: call.getEnd(), text: ')' },
  ];
  out.push({ messageId: 'suggestPromiseAll', edits });
  return out;
}

function forOfText(call: ts.CallExpression, callee: ts.PropertyAccessExpression, c: Candidate, sf: ts.SourceFile): string | undefined {
  const fn = c.expr;
  if (call.arguments.length !== 1 || !c.inline || !c.isAsync) return undefined;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || !ts.isBlock(fn.body)) return undefined;
  if (fn.parameters.length !== 1 || fn.typeParameters) return undefined;
  const param = fn.parameters[0]!;
  if (param.type || param.initializer || param.dotDotDotToken) return undefined;
  const names = boundNames(param.name);
  const scan = scanBody(fn.body, names, ts.isFunctionExpression(fn));
  if (!scan.ok) return undefined;
  const keyword = scan.reassigned ? 'let' : 'const';
  return `for (${keyword} ${param.name.getText(sf)} of ${callee.expression.getText(sf)}) ${fn.body.getText(sf)}`;
}

function boundNames(name: ts.BindingName): Set<string> {
  const out = new Set<string>();
  walk(name, (node) => {
    if (ts.isIdentifier(node) && (ts.isBindingElement(node.parent) || ts.isParameter(node.parent)) && node.parent.name === node) out.add(node.text);
  });
  return out;
}

/** No `return`/`var` of its own (and no `this`/`arguments` in a function expression); is a parameter reassigned? */
function scanBody(body: ts.Block, names: Set<string>, ownThis: boolean): { ok: boolean; reassigned: boolean } {
  let ok = true;
  let reassigned = false;
  walk(body, (node) => {
    if (!ok) return false;
    if (isFunctionLike(node) && !ts.isArrowFunction(node)) return false;
    if (ts.isClassLike(node)) return false;
    const inArrow = insideNestedArrow(node, body);
    if (!inArrow && ts.isReturnStatement(node)) ok = false;
    if (ts.isVariableDeclarationList(node) && !(node.flags & ts.NodeFlags.BlockScoped) && !inArrow) ok = false;
    if (ownThis && (node.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(node) && node.text === 'arguments'))) ok = false;
    if (isAssignmentTo(node, names)) reassigned = true;
    return true;
  });
  return { ok, reassigned };
}

function insideNestedArrow(node: ts.Node, body: ts.Block): boolean {
  for (let n = node.parent; n && n !== body; n = n.parent) if (ts.isArrowFunction(n)) return true;
  return false;
}

function isAssignmentTo(node: ts.Node, names: Set<string>): boolean {
  const target = (e: ts.Expression) => ts.isIdentifier(e) && names.has(e.text);
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    return isAssignmentOperator(op) && target(node.left);
  }
  if (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) {
    const op = node.operator;
    return (op === ts.SyntaxKind.PlusPlusToken || op === ts.SyntaxKind.MinusMinusToken) && target(node.operand);
  }
  return false;
}
