/**
 * `reach:orm-query`: "calling this function always issues a query", with the shortest chain
 * of helper calls down to it. Only calls on the function's straight-line path count: a query
 * under an `if`, a `switch` case, a `catch`, a loop, a short-circuit, or after an early
 * `return` (a cache hit) is not issued on every call, so a loop calling the function is not
 * reported for it. Paginated and batched queries never count.
 */
import ts from '../ts/typescript.cjs';
import { isFunctionLike } from '../program/callgraph.js';
import { getTypeQueries } from '../program/type-queries.js';
import { reachKind } from '../summaries/reach.js';
import { isBatchQuery, isPaginated, ormQueryOf, type OrmQuery } from './recognize.js';
import { implementationsOf } from '../program/implementations.js';
import { inPlaceHost } from './in-place.js';

function isShortCircuit(kind: ts.SyntaxKind): boolean {
  return (
    kind === ts.SyntaxKind.AmpersandAmpersandToken || kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.QuestionQuestionToken ||
    kind === ts.SyntaxKind.AmpersandAmpersandEqualsToken || kind === ts.SyntaxKind.BarBarEqualsToken || kind === ts.SyntaxKind.QuestionQuestionEqualsToken
  );
}

/** Is `child` a branch of `parent` that may not run? */
function isConditionalBranch(parent: ts.Node, child: ts.Node): boolean {
  if (ts.isIfStatement(parent)) return child !== parent.expression;
  if (ts.isConditionalExpression(parent)) return child !== parent.condition;
  if (ts.isBinaryExpression(parent)) return child === parent.right && isShortCircuit(parent.operatorToken.kind);
  if (ts.isCaseClause(parent) || ts.isDefaultClause(parent) || ts.isCatchClause(parent)) return true;
  if (ts.isIterationStatement(parent, false)) return !(ts.isForOfStatement(parent) || ts.isForInStatement(parent)) || child === parent.statement;
  return false;
}

function containsReturn(stmt: ts.Statement): boolean {
  let found = false;
  const stack: ts.Node[] = [stmt];
  while (stack.length > 0 && !found) {
    const n = stack.pop()!;
    if (ts.isReturnStatement(n)) found = true;
    else if (!isFunctionLike(n) && !ts.isClassLike(n)) ts.forEachChild(n, (c) => {
      stack.push(c);
    });
  }
  return found;
}

/** The call runs on every run of its function: no branch above it, no `return` before it. With
 * `hostOf`, a callback that runs in place (`runExclusive(fn)`) is looked through to its host call. */
export function isUnconditional(call: ts.Node, hostOf?: (fn: ts.Node) => ts.Node | undefined): boolean {
  let child: ts.Node = call;
  for (let n = call.parent; n; child = n, n = n.parent) {
    if (isFunctionLike(n)) {
      const host = hostOf?.(n);
      if (!host) return true;
      n = host;
      continue;
    }
    if (ts.isSourceFile(n)) return true;
    if (ts.isPropertyAccessExpression(n) && n.questionDotToken) return false;
    if (isConditionalBranch(n, child)) return false;
    if (ts.isBlock(n)) {
      const index = n.statements.indexOf(child as ts.Statement);
      if (n.statements.slice(0, Math.max(index, 0)).some(containsReturn)) return false;
    }
  }
  return true;
}

/** A query that counts as "one per call" of its function. */
export function countedQuery(program: ts.Program, call: ts.CallExpression | ts.NewExpression): OrmQuery | undefined {
  if (!ts.isCallExpression(call)) return undefined;
  const types = getTypeQueries(program);
  const query = ormQueryOf(types, call);
  if (!query || isPaginated(types, query) || isBatchQuery(types, query)) return undefined;
  return query;
}

const unconditional = (call: ts.Node, program: ts.Program) => isUnconditional(call, (fn) => inPlaceHost(program, fn));

export const queryReachKind = reachKind<OrmQuery>({
  name: 'orm-query',
  match: (call, ctx) => (unconditional(call, ctx.program) ? countedQuery(ctx.program, call) : undefined),
  follow: (call, _callee, ctx) => unconditional(call, ctx.program),
  // A method of an interface or abstract class runs one of the program's implementations.
  dispatch: (call, ctx) => (ts.isCallExpression(call) ? implementationsOf(ctx.program, call).map((i) => i.fn) : []),
  // A lock's critical section or a `.then` continuation runs as part of its function.
  includeNested: (nested, ctx) => !!inPlaceHost(ctx.program, nested),
});
