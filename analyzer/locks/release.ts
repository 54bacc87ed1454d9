/**
 * How an acquisition's lock gets released: what the result of `await mutex.acquire()` is
 * bound to (a release function, `[value, release]`, a releaser object), and which later calls
 * release it (`release()`, `lock.releaseLock()`, `mutex.release()`).
 */
import ts from '../ts/typescript.cjs';
import { RELEASE_METHOD_NAME } from './catalog.js';
import { skipOuterExpressions as skipOuter } from '../program/walk.js';
import type { LockContext } from './context.js';
import type { SymbolRef } from '../program/type-queries.js';
import { lockOpAt, awaitOf } from './recognize.js';
import type { LockOp } from './types.js';
import { sameInstance } from './instance-path.js';

export type AcquireOp = Extract<LockOp, { kind: 'acquire' }>;

export type Binding =
  /** The release function (or releaser object) is held in this variable. */
  | { kind: 'function' | 'object'; symbol: SymbolRef; name: ts.Identifier }
  /** `await mutex.acquire();` with the result dropped: only `mutex.release()` releases. */
  | { kind: 'none' }
  /** The result goes somewhere else (returned, passed, stored): the caller's business. */
  | { kind: 'escaped'; node: ts.Node }
  /** Not awaited (`mutex.acquire().then(...)`): not a held region we can follow. */
  | { kind: 'unawaited' };

export function bindingOf(ctx: LockContext, op: AcquireOp): Binding {
  const awaited = awaitOf(op.call);
  if (!awaited) return { kind: 'unawaited' };
  let n: ts.Node = awaited;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  const parent = n.parent;
  const objectLike = op.release.kind === 'object' ? 'object' : 'function';
  if (ts.isExpressionStatement(parent)) return { kind: 'none' };
  if (ts.isVariableDeclaration(parent) && parent.initializer === n) return bindName(ctx, parent.name, op, objectLike) ?? { kind: 'escaped', node: parent };
  if (ts.isBinaryExpression(parent) && parent.right === n && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = skipOuter(parent.left);
    if (ts.isIdentifier(left)) return bindName(ctx, left, op, objectLike) ?? { kind: 'escaped', node: parent };
    return { kind: 'escaped', node: parent };
  }
  return { kind: 'escaped', node: parent };
}

function bindName(ctx: LockContext, name: ts.BindingName | ts.Identifier, op: AcquireOp, objectLike: 'object' | 'function'): Binding | undefined {
  if (ts.isIdentifier(name)) {
    if (op.release.kind === 'tuple') return undefined;
    const symbol = ctx.types.symbolAt(name);
    return symbol ? { kind: objectLike, symbol, name } : undefined;
  }
  if (ts.isArrayBindingPattern(name) && op.release.kind === 'tuple') {
    const element = name.elements[1];
    if (element && ts.isBindingElement(element) && ts.isIdentifier(element.name)) {
      const symbol = ctx.types.symbolAt(element.name);
      return symbol ? { kind: 'function', symbol, name: element.name } : undefined;
    }
  }
  if (ts.isObjectBindingPattern(name) && op.release.kind === 'object') {
    const method = op.release.method;
    for (const element of name.elements) {
      const prop = element.propertyName ?? element.name;
      if (ts.isIdentifier(prop) && method.test(prop.text) && ts.isIdentifier(element.name)) {
        const symbol = ctx.types.symbolAt(element.name);
        return symbol ? { kind: 'function', symbol, name: element.name } : undefined;
      }
    }
  }
  return undefined;
}

/** Does this call release the lock taken by `op` (bound as `binding`)? */
export function isReleaseCall(ctx: LockContext, op: AcquireOp, binding: Binding, call: ts.CallExpression): boolean {
  const callee = skipOuter(call.expression);
  if (binding.kind === 'function' && ts.isIdentifier(callee)) return ctx.types.symbolAt(callee) === binding.symbol;
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const method = callee.name.text;
  const target = skipOuter(callee.expression);
  if (binding.kind === 'function' && (method === 'call' || method === 'apply') && ts.isIdentifier(target)) {
    return ctx.types.symbolAt(target) === binding.symbol;
  }
  if (binding.kind === 'object' && ts.isIdentifier(target) && ctx.types.symbolAt(target) === binding.symbol) {
    return op.release.kind === 'object' ? op.release.method.test(method) : RELEASE_METHOD_NAME.test(method);
  }
  if (!op.receiverRelease || !op.receiver) return false;
  const released = lockOpAt(ctx, call);
  if (released?.kind === 'release') {
    if (released.lock.lock === op.lock.lock && sameInstance(released.lock.path, op.lock.path)) return true;
  } else if (!RELEASE_METHOD_NAME.test(method) && !(op.release.kind === 'object' && op.release.method.test(method))) {
    return false;
  }
  return sameText(target, op.receiver);
}

function sameText(a: ts.Expression, b: ts.Expression): boolean {
  return skipOuter(a).getText().replace(/\s+/g, '') === skipOuter(b).getText().replace(/\s+/g, '');
}
