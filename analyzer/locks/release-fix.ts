/**
 * Suggestions for `require-lock-release`: wrap the code that runs under the lock in
 * `try { ... } finally { release(); }` (moving the existing release into the `finally`), or
 * rewrite the region as `await mutex.runExclusive(async () => { ... })`. Both are offered
 * only when the edit keeps every name in scope and no other release is left in the moved
 * code (it would run twice, or before the callback it was in); both change when the lock is
 * released on failure, which is the point, so they are suggestions, not autofixes.
 */
import ts from '../ts/typescript.cjs';
import { isFunctionLike } from '../program/callgraph.js';
import type { SuggestionInput } from '../check/contract.js';
import type { MessageId } from './require-lock-release.js';
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';
import type { LockContext } from './context.js';
import type { SymbolRef } from '../program/type-queries.js';
import { isReleaseCall, type AcquireOp, type Binding } from './release.js';

interface Plan {
  statement: ts.Statement;
  moved: ts.Statement[];
  /** The release statement that the edit removes, if any. */
  release?: ts.ExpressionStatement;
  /** Does the edit move statements after the release too (their names are used later)? */
  extended: boolean;
}

export function releaseSuggestions(ctx: LockContext, op: AcquireOp, binding: Binding, statement: ts.Statement, releaseText: string): SuggestionInput<MessageId>[] {
  const plan = planFor(ctx, op, binding, statement);
  if (!plan) return [];
  const sf = statement.getSourceFile();
  const indent = indentOf(sf, statement);
  const unit = indentUnit(sf, statement, indent);
  const movedStart = afterTrailingComments(sf, statement.getEnd());
  const body = reindent(plan.moved.map((s, i) => sf.text.slice(i === 0 ? movedStart : s.getFullStart(), s.getEnd())).join(''), unit, plan.moved);
  const end = plan.release && !plan.extended ? plan.release.getEnd() : plan.moved[plan.moved.length - 1]!.getEnd();
  const out: SuggestionInput<MessageId>[] = [
    {
      messageId: 'wrapTryFinally',
      data: { release: releaseText },
      edits: [{ file: sf.fileName, start: movedStart, end, text: `\n${indent}try {${body}\n${indent}} finally {\n${indent}${unit}${releaseText};\n${indent}}` }],
    },
  ];
  if (op.hasRunExclusive && op.receiver && plan.release && !plan.extended && binding.kind !== 'object' && canRunInCallback(ctx, plan, binding) && !releaseUsedElsewhere(ctx, plan, binding)) {
    const receiver = op.receiver.getText(sf);
    out.push({
      messageId: 'useRunExclusive',
      data: { receiver },
      edits: [{ file: sf.fileName, start: statement.getStart(sf), end, text: `await ${receiver}.runExclusive(async () => {${body}\n${indent}});` }],
    });
  }
  return out;
}

function planFor(ctx: LockContext, op: AcquireOp, binding: Binding, statement: ts.Statement): Plan | undefined {
  const list = statement.parent;
  if (!ts.isBlock(list) && !ts.isSourceFile(list) && !ts.isCaseClause(list) && !ts.isDefaultClause(list)) return undefined;
  const stmts = list.statements;
  const after = stmts.slice(stmts.indexOf(statement) + 1);
  const releaseIndex = after.findIndex((s) => ts.isExpressionStatement(s) && ts.isCallExpression(skipOuter(s.expression)) && isReleaseCall(ctx, op, binding, skipOuter(s.expression) as ts.CallExpression));
  const release = releaseIndex >= 0 ? (after[releaseIndex] as ts.ExpressionStatement) : undefined;
  let moved = release ? after.slice(0, releaseIndex) : after;
  let extended = false;
  if (release && usedOutside(ctx, moved, after.slice(releaseIndex + 1))) {
    moved = after.filter((s) => s !== release);
    extended = true;
  }
  if (moved.length === 0) return undefined;
  // A release left in the moved code (under a condition, in a callback, handed to `.then`)
  // would run besides the one in `finally`: twice on some path, or before its callback.
  if (releasesWithin(ctx, op, binding, moved)) return undefined;
  const fnBody = enclosingBody(statement);
  const rest = fnBody ? outsideOf(fnBody, moved) : [];
  if (usedOutside(ctx, moved, rest)) return undefined;
  return { statement, moved, release, extended };
}

/** Does the code release the lock, or use the release function (`.then(release)`), anywhere inside? */
function releasesWithin(ctx: LockContext, op: AcquireOp, binding: Binding, code: readonly ts.Statement[]): boolean {
  const releaseFn = binding.kind === 'function' ? binding.symbol : undefined;
  let found = false;
  for (const s of code) {
    walk(s, (n) => {
      if (found) return false;
      if (ts.isCallExpression(n) && isReleaseCall(ctx, op, binding, n)) found = true;
      else if (releaseFn && ts.isIdentifier(n) && !isDiscarded(n) && ctx.types.symbolAt(n) === releaseFn) found = true;
      return !found;
    });
  }
  return found;
}

/** `void release;`, `release;`, `typeof release`: a use that neither calls nor hands on the function. */
function isDiscarded(id: ts.Identifier): boolean {
  let n: ts.Node = id;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  return ts.isVoidExpression(n.parent) || ts.isExpressionStatement(n.parent) || ts.isTypeOfExpression(n.parent);
}

function enclosingBody(node: ts.Node): ts.Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n) || ts.isSourceFile(n)) return n;
  return undefined;
}

/** Statements of the body outside the moved ones (for hoisted function declarations used elsewhere). */
function outsideOf(body: ts.Node, moved: ts.Statement[]): ts.Node[] {
  const start = moved[0]!.getFullStart();
  const end = moved[moved.length - 1]!.getEnd();
  const out: ts.Node[] = [];
  walk(body, (n) => {
    if (n.getEnd() <= start || n.getStart() >= end) {
      if (n !== body) out.push(n);
      return false;
    }
    return true;
  });
  return out;
}

/** Are names declared at the top of `moved` (let/const/class/function) referenced in `elsewhere`? */
function usedOutside(ctx: LockContext, moved: ts.Statement[], elsewhere: readonly ts.Node[]): boolean {
  const declared = new Set<SymbolRef>();
  for (const s of moved) {
    if (ts.isVariableStatement(s) && s.declarationList.flags & ts.NodeFlags.BlockScoped) {
      for (const d of s.declarationList.declarations) collectBindingSymbols(ctx, d.name, declared);
    } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) {
      const symbol = ctx.types.symbolAt(s.name);
      if (symbol) declared.add(symbol);
    }
  }
  if (declared.size === 0) return false;
  let used = false;
  for (const node of elsewhere) {
    walk(node, (n) => {
      if (used) return false;
      if (ts.isIdentifier(n)) {
        const symbol = ctx.types.symbolAt(n);
        if (symbol && declared.has(symbol)) used = true;
      }
      return !used;
    });
    if (used) return true;
  }
  return false;
}

function collectBindingSymbols(ctx: LockContext, name: ts.BindingName, out: Set<SymbolRef>): void {
  const stack: ts.Node[] = [name];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (ts.isIdentifier(n)) {
      const symbol = ctx.types.symbolAt(n);
      if (symbol) out.add(symbol);
    } else if (ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) {
      for (const e of n.elements) if (ts.isBindingElement(e)) stack.push(e.name);
    }
  }
}

/** Can the moved statements run inside an arrow callback unchanged (no return/break/yield/arguments, no use of the release)? */
function canRunInCallback(ctx: LockContext, plan: Plan, binding: Binding): boolean {
  let ok = true;
  const releaseSymbol = binding.kind === 'function' ? binding.symbol : undefined;
  for (const s of plan.moved) {
    walk(s, (n) => {
      if (!ok) return false;
      if (isFunctionLike(n) && !ts.isArrowFunction(n)) return false;
      if (ts.isReturnStatement(n) || ts.isBreakStatement(n) || ts.isContinueStatement(n) || ts.isYieldExpression(n)) ok = isInsideNestedScope(n, s);
      if (ts.isIdentifier(n) && (n.text === 'arguments' || (releaseSymbol && ctx.types.symbolAt(n) === releaseSymbol))) ok = false;
      return ok;
    });
  }
  return ok;
}

/** Is the release variable used outside the acquisition and the release statement the rewrite replaces? */
function releaseUsedElsewhere(ctx: LockContext, plan: Plan, binding: Binding): boolean {
  if (binding.kind !== 'function') return false;
  const body = enclosingBody(plan.statement);
  if (!body) return true;
  const from = plan.statement.getStart();
  const to = plan.release!.getEnd();
  let used = false;
  walk(body, (n) => {
    if (used) return false;
    if (ts.isIdentifier(n) && (n.getStart() < from || n.getStart() >= to) && ctx.types.symbolAt(n) === binding.symbol) used = true;
    return !used;
  });
  return used;
}

/** Is a return inside an arrow, or a break inside a loop/switch, within the moved statement? */
function isInsideNestedScope(n: ts.Node, root: ts.Node): boolean {
  for (let p = n.parent; p && p !== root.parent; p = p.parent) {
    if (ts.isReturnStatement(n) && isFunctionLike(p)) return true;
    if ((ts.isBreakStatement(n) || ts.isContinueStatement(n)) && !n.label && (ts.isIterationStatement(p, false) || (ts.isBreakStatement(n) && ts.isSwitchStatement(p)))) return true;
  }
  return false;
}

function indentOf(sf: ts.SourceFile, node: ts.Node): string {
  const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
  const lineStart = sf.getPositionOfLineAndCharacter(line, 0);
  return /^[ \t]*/.exec(sf.text.slice(lineStart, node.getStart(sf)))![0];
}

/** One level of indentation: the difference to the enclosing block's line, else two spaces (or a tab). */
function indentUnit(sf: ts.SourceFile, statement: ts.Statement, indent: string): string {
  const outer = statement.parent && !ts.isSourceFile(statement.parent) ? indentOf(sf, statement.parent) : '';
  if (indent.startsWith(outer) && indent.length > outer.length) return indent.slice(outer.length);
  return indent.includes('\t') ? '\t' : '  ';
}

function afterTrailingComments(sf: ts.SourceFile, pos: number): number {
  const comments = ts.getTrailingCommentRanges(sf.text, pos);
  return comments && comments.length > 0 ? comments[comments.length - 1]!.end : pos;
}

/** Indent every line of the moved text one level, unless a multi-line template literal would change. */
function reindent(text: string, unit: string, moved: ts.Statement[]): string {
  let multiLineTemplate = false;
  for (const s of moved) {
    walk(s, (n) => {
      if ((ts.isTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n)) && n.getText().includes('\n')) multiLineTemplate = true;
      return !multiLineTemplate;
    });
  }
  if (multiLineTemplate) return text;
  return text.replace(/\n([ \t]*)(?=[^\s])/g, (_, ws: string) => `\n${unit}${ws}`);
}
