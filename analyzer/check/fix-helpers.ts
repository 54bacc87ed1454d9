/** Small helpers for building messages and safe edits, shared by the checks. */
import ts from '../ts/typescript.cjs';
import { isFunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions } from '../program/walk.js';
import { isAsyncFunction } from '../program/async-context.js';
import { codeText, quoteCode } from './quote.js';

/** Is `await` valid at this position: inside an async function, or at the top level of an ES module? */
export function isAwaitAllowed(node: ts.Node, sf: ts.SourceFile): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (isFunctionLike(n)) return isAsyncFunction(n);
    if (ts.isClassStaticBlockDeclaration(n) || ts.isPropertyDeclaration(n)) return false;
  }
  return ts.isExternalModule(sf) && !/\.c[jt]s$/.test(sf.fileName);
}

/** Does inserting a prefix operator (`await `, `void `) before this expression need parentheses? */
export function needsParens(expr: ts.Expression): boolean {
  const e = expr;
  if (ts.isParenthesizedExpression(e)) return false;
  return (
    ts.isBinaryExpression(e) ||
    ts.isConditionalExpression(e) ||
    ts.isArrowFunction(e) ||
    ts.isYieldExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isSatisfiesExpression(e)
  );
}

/**
 * A short, readable name for an expression in a message: `` `sendEmail(...)` ``,
 * `` `this.repo.save(...)` ``, quoted by the rule of `quote.ts` (no comments, one line, cut
 * between tokens, a longer fence around code with backticks).
 */
export function describeExpression(expr: ts.Expression, sf: ts.SourceFile): string {
  const e = skipOuterExpressions(expr);
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) {
    const callee = skipOuterExpressions(e.expression);
    if (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) return 'this immediately-invoked async function';
    return quoteCode(`${ts.isNewExpression(e) ? 'new ' : ''}${codeText(callee, sf)}(...)`);
  }
  return quoteCode(codeText(e, sf));
}

/**
 * `isAwaitAllowed`, and at the top level of a file also that the file is emitted as an ES module
 * under a `module` setting that supports top-level `await` (a `.ts` file that NodeNext compiles
 * to CommonJS is an external module, yet `await` there does not compile).
 */
export function canInsertAwait(node: ts.Node, sf: ts.SourceFile, program: ts.Program): boolean {
  if (!isAwaitAllowed(node, sf)) return false;
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) if (isFunctionLike(n)) return true;
  const options = program.getCompilerOptions();
  const module = options.module ?? ts.ModuleKind.CommonJS;
  if ((options.target ?? ts.ScriptTarget.ES5) < ts.ScriptTarget.ES2017) return false;
  if (module >= ts.ModuleKind.Node16 && module <= ts.ModuleKind.NodeNext) return sf.impliedNodeFormat === ts.ModuleKind.ESNext;
  return module === ts.ModuleKind.ES2022 || module === ts.ModuleKind.ESNext || module === ts.ModuleKind.Preserve || module === ts.ModuleKind.System;
}

/**
 * Edits that put a prefix keyword (`await`) before an expression: `await (a || b)` when the
 * expression itself needs it, and `(await p)` when `wrap` asks for it (an operand of an operator
 * or a property access, where the bare form would read ambiguously or parse differently).
 */
export function prefixEdits(expr: ts.Expression, sf: ts.SourceFile, keyword: string, wrap: boolean): { file: string; start: number; end: number; text: string }[] {
  const start = expr.getStart(sf);
  const end = expr.getEnd();
  const inner = needsParens(expr);
  const before = `${wrap ? '(' : ''}${keyword} ${inner ? '(' : ''}`;
  const after = `${inner ? ')' : ''}${wrap ? ')' : ''}`;
  const edits = [{ file: sf.fileName, start, end: start, text: before }];
  if (after) edits.push({ file: sf.fileName, start: end, end, text: after });
  return edits;
}

/** Where `async ` goes to make this function async (before `function`, a method's name, or an arrow's parameters). */
export function asyncInsertPosition(fn: ts.FunctionLikeDeclaration, sf: ts.SourceFile): number | undefined {
  if (ts.isArrowFunction(fn)) return fn.getStart(sf);
  if (ts.isMethodDeclaration(fn)) return fn.name.getStart(sf);
  if (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) {
    const keyword = fn.getChildren(sf).find((c) => c.kind === ts.SyntaxKind.FunctionKeyword);
    return keyword?.getStart(sf);
  }
  return undefined;
}
