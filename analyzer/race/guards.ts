/**
 * How a condition governs a later statement in `no-await-race`: which branch a write is on, an
 * early exit (`if (...) return;`, `if (...) throw ...;`) that the write follows, and branches that
 * never both run. Syntax only.
 */
import ts from '../ts/typescript.cjs';
import { within } from './events.js';

/** Is the suspension in a branch that always leaves the function (or loop) without reaching
 * `target`? `if (this.p) { return await this.p; } this.p = open();` never awaits before the write. */
export function leavesBefore(suspension: ts.Node, target: ts.Node): boolean {
  for (let n: ts.Node = suspension; n.parent && !within(target, n.parent); n = n.parent) {
    const parent = n.parent;
    if (ts.isIfStatement(parent) && (parent.thenStatement === n || parent.elseStatement === n) && exitOf(n as ts.Statement)) return true;
    if (ts.isReturnStatement(parent) || ts.isThrowStatement(parent)) return true;
  }
  return false;
}

/** How the condition decides whether `target` runs: `target` is in the `if`'s then-branch or
 * else-branch, or the `if` exits early (by return, or by throwing) and `target` follows it. */
export type Guard = 'then' | 'else' | 'returns' | 'throws' | false;

export function guards(condition: ts.Expression, target: ts.Node): Guard {
  const owner = condition.parent;
  if (ts.isIfStatement(owner) && owner.expression === condition) {
    if (within(target, owner.thenStatement)) return 'then';
    if (owner.elseStatement && within(target, owner.elseStatement)) return 'else';
    const exit = owner.elseStatement ? undefined : exitOf(owner.thenStatement);
    return exit && follows(owner, target) ? exit : false;
  }
  if (ts.isConditionalExpression(owner) && owner.condition === condition) {
    return within(target, owner.whenTrue) ? 'then' : within(target, owner.whenFalse) ? 'else' : false;
  }
  if (ts.isBinaryExpression(owner) && owner.left === condition) return within(target, owner.right) ? 'then' : false;
  return false;
}

/** Does the statement always leave the block: by throwing (a precondition), or otherwise? */
export function exitOf(statement: ts.Statement): 'returns' | 'throws' | undefined {
  if (ts.isThrowStatement(statement)) return 'throws';
  if (ts.isReturnStatement(statement) || ts.isContinueStatement(statement) || ts.isBreakStatement(statement)) return 'returns';
  if (ts.isBlock(statement)) {
    const last = statement.statements[statement.statements.length - 1];
    return last ? exitOf(last) : undefined;
  }
  return undefined;
}

/** Is `target` inside a statement that comes after `statement` in the same block? */
export function follows(statement: ts.Statement, target: ts.Node): boolean {
  const block = statement.parent;
  if (!ts.isBlock(block) && !ts.isSourceFile(block)) return false;
  const index = block.statements.indexOf(statement);
  return block.statements.slice(index + 1).some((s) => within(target, s));
}

/** Are the two nodes in different branches of one `if` or `?:` (never both on one run)? */
export function exclusive(a: ts.Node, b: ts.Node): boolean {
  for (let n: ts.Node | undefined = a.parent; n; n = n.parent) {
    if (!within(b, n)) continue;
    if (ts.isIfStatement(n) && n.elseStatement) {
      const aThen = within(a, n.thenStatement);
      const bThen = within(b, n.thenStatement);
      const aElse = within(a, n.elseStatement);
      const bElse = within(b, n.elseStatement);
      return (aThen && bElse) || (aElse && bThen);
    }
    if (ts.isConditionalExpression(n)) {
      return (within(a, n.whenTrue) && within(b, n.whenFalse)) || (within(a, n.whenFalse) && within(b, n.whenTrue));
    }
    return false;
  }
  return false;
}
