/**
 * The key a lock helper is called with, when the call's arguments say which lock it takes:
 * a string literal (`acquireLock('reports')`), or a constant options object
 * (`acquireNonceLock({ chainId: '0x1', key: 'a' })`). Two calls with different constant keys
 * take different locks (as two async-lock literal keys do); two calls with the same key take
 * the same one. A key with any part the program does not fix is no key at all.
 */
import ts from '../ts/typescript.cjs';
import { skipOuterExpressions as skipOuter } from '../program/walk.js';
import type { LockContext } from './context.js';
import { declarationOf, literalString } from './objects.js';
import { instancePath, internClass } from './classes.js';
import type { LockRef } from './types.js';
import { globalPath, UNKNOWN_PATH, withField, withKey } from './instance-path.js';

const MAX_DEPTH = 3;

/** The constant key of a helper call, as shown in messages (`'reports'`, `{ chainId: '0x1', key: 'a' }`), or undefined. */
export function helperKeyOf(ctx: LockContext, call: ts.CallExpression): string | undefined {
  for (const arg of call.arguments) {
    const text = literalString(ctx, arg);
    if (text !== undefined) return `'${text}'`;
  }
  for (const arg of call.arguments) {
    if (ts.isObjectLiteralExpression(skipOuter(arg))) {
      const text = constantText(ctx, arg, 0);
      if (text !== undefined) return text;
    }
  }
  return undefined;
}

/** A value the program fixes: a literal (or a name of a literal type), or an object of such values. */
function constantText(ctx: LockContext, expr: ts.Expression, depth: number): string | undefined {
  const e = skipOuter(expr);
  if (ts.isObjectLiteralExpression(e)) return depth < MAX_DEPTH ? objectText(ctx, e, depth + 1) : undefined;
  const text = literalString(ctx, e);
  if (text !== undefined) return `'${text}'`;
  if (ts.isNumericLiteral(e)) return e.text;
  if (e.kind === ts.SyntaxKind.TrueKeyword) return 'true';
  if (e.kind === ts.SyntaxKind.FalseKeyword) return 'false';
  const type = ctx.types.typeAt(e);
  const value = type && ctx.types.numberLiteralValue(type);
  return value !== undefined ? String(value) : undefined;
}

function objectText(ctx: LockContext, obj: ts.ObjectLiteralExpression, depth: number): string | undefined {
  const parts: [string, string][] = [];
  for (const prop of obj.properties) {
    const name = prop.name && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)) ? prop.name.text : undefined;
    if (name === undefined) return undefined; // a spread, a computed name: not fixed
    let value: string | undefined;
    if (ts.isPropertyAssignment(prop)) value = constantText(ctx, prop.initializer, depth);
    else if (ts.isShorthandPropertyAssignment(prop)) value = constantText(ctx, prop.name, depth);
    if (value === undefined) return undefined;
    parts.push([name, value]);
  }
  parts.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{ ${parts.map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
}

/** The lock a helper call takes, named by the helper and its constant key (`Locks.acquireLock('reports')`). */
export function wrapperRef(ctx: LockContext, call: ts.CallExpression, name: string, ordering = true): LockRef {
  const decl = ctx.types.calledDeclaration(call) ?? declarationOf(ctx, skipOuter(call.expression));
  const key = helperKeyOf(ctx, call);
  const where = decl ? ctx.nodeId(decl) : `call${ctx.nodeId(call)}`;
  const owner = decl && (ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl) || ts.isPropertySignature(decl)) ? ownerPrefix(decl) : '';
  const shown = `${owner}${name}(${key ?? ''})`;
  const spec = {
    id: `wrap:${where}:${key ?? ''}`,
    name: `the lock taken by \`${shown}\``,
    short: shown,
    sortKey: decl ? `0|${decl.getSourceFile().fileName}|${String(decl.getStart()).padStart(10, '0')}|${key ?? ''}` : `2|wrap|${where}`,
    declaration: decl,
  };
  const callee = skipOuter(call.expression);
  let path = UNKNOWN_PATH;
  if (key !== undefined) {
    // A helper called without a receiver: one lock per key for the whole program.
    const base = ts.isPropertyAccessExpression(callee) ? instancePath(ctx, callee.expression) : globalPath('');
    path = withKey(withField(base, name), { kind: 'exact', key });
  }
  return { lock: internClass(ctx, spec, `\`${name}\``, false, ordering), path };
}

function ownerPrefix(decl: ts.Node): string {
  const parent = decl.parent;
  const name = (parent as { name?: ts.Node }).name;
  return name && ts.isIdentifier(name) ? `${name.text}.` : '';
}
