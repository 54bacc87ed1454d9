/**
 * Names for async-lock keys that are not literals. A key is the lock, so a key written as a
 * template (`swap:${id}`) is one of a *family* of locks, named by its constant parts
 * (`swap:*`): two keys of different families are never the same key, so their order matters
 * exactly as two literal keys' order does, while two keys of one family may be the same key
 * (or two ids nested in either order). A key nothing can be said about (a parameter of type
 * `string`) is "any key of that lock": its own node in the lock graph, which only makes a
 * cycle where the program really takes it both before and after another lock.
 *
 * Keys are followed through constants, readonly properties, `+` concatenation, template
 * literal types and helpers that return one expression (`swapKey(id)` returning `swap:${id}`).
 */
import ts from '../ts/typescript.cjs';
import { returnedExpressions } from '../program/callgraph.js';
import { skipOuterExpressions as skipOuter } from '../program/walk.js';
import type { LockContext } from './context.js';
import { instancePath } from './classes.js';
import { declarationOf, literalString } from './objects.js';
import { isKnownPath, pathKey } from './instance-path.js';

export type KeyName =
  /** One key (a literal, or a constant of a literal type). */
  | { kind: 'exact'; key: string }
  /** A family of keys: constant parts with `*` where a value goes (`swap:*`). */
  | { kind: 'family'; pattern: string; identity: string | undefined }
  /** Nothing is known: any key of the lock. */
  | { kind: 'unknown' };

const HOLE = Symbol('hole');
type Piece = string | typeof HOLE;
const MAX_DEPTH = 6;

/** The name of the key `expr` evaluates to. */
export function keyName(ctx: LockContext, expr: ts.Expression): KeyName {
  const exact = literalString(ctx, expr);
  if (exact !== undefined) return { kind: 'exact', key: exact };
  const pieces = normalize(piecesOf(ctx, expr, 0));
  if (!pieces.some((p) => p !== HOLE)) return { kind: 'unknown' };
  if (!pieces.includes(HOLE)) return { kind: 'exact', key: pieces.join('') };
  return { kind: 'family', pattern: pieces.map((p) => (p === HOLE ? '*' : p)).join(''), identity: identityOf(ctx, expr, 0) };
}

/** Merge adjacent constant parts, collapse adjacent holes, drop empty parts. */
function normalize(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (p === '') continue;
    if (p === HOLE) {
      if (last !== HOLE) out.push(HOLE);
    } else if (typeof last === 'string') out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}

function piecesOf(ctx: LockContext, expr: ts.Expression, depth: number): Piece[] {
  if (depth > MAX_DEPTH) return [HOLE];
  const e = skipOuter(expr);
  const literal = literalString(ctx, e);
  if (literal !== undefined) return [literal];
  if (ts.isTemplateExpression(e)) {
    const out: Piece[] = [e.head.text];
    for (const span of e.templateSpans) out.push(...piecesOf(ctx, span.expression, depth + 1), span.literal.text);
    return out;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken && isStringTyped(ctx, e)) {
    return [...piecesOf(ctx, e.left, depth + 1), ...piecesOf(ctx, e.right, depth + 1)];
  }
  const followed = followValue(ctx, e);
  if (followed) return piecesOf(ctx, followed, depth + 1);
  return templateTypePieces(ctx, e) ?? [HOLE];
}

function isStringTyped(ctx: LockContext, e: ts.Expression): boolean {
  const type = ctx.types.typeAt(e);
  return !!type && ctx.types.isStringLike(type);
}

/**
 * The one expression a value always is: a `const`'s initializer, a readonly property's
 * initializer, the single returned expression of a helper that is called.
 */
function followValue(ctx: LockContext, e: ts.Expression): ts.Expression | undefined {
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const decl = declarationOf(ctx, e);
    if (!decl) return undefined;
    if (ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) return decl.initializer;
    if (ts.isPropertyDeclaration(decl) && decl.initializer && ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Readonly) return decl.initializer;
    return undefined;
  }
  if (ts.isCallExpression(e)) {
    const callees = ctx.graph.resolve(e);
    if (callees.length !== 1) return undefined;
    const returned = returnedExpressions(callees[0]!);
    return returned.length === 1 ? returned[0] : undefined;
  }
  return undefined;
}

/** A value typed by a template literal type (`` `swap:${string}` ``). */
function templateTypePieces(ctx: LockContext, e: ts.Expression): Piece[] | undefined {
  const type = ctx.types.typeAt(e);
  const texts = type && ctx.types.templateLiteralTexts(type);
  if (!texts) return undefined;
  const out: Piece[] = [];
  texts.forEach((text, i) => {
    if (i > 0) out.push(HOLE);
    out.push(text);
  });
  return out;
}

/**
 * Which key a family expression denotes inside its function, when that can be told from the
 * text: the same template over the same constants and parameters (`swap:${id}` twice with one
 * `id`) is the same key. Undefined when a part may differ between two evaluations.
 */
function identityOf(ctx: LockContext, expr: ts.Expression, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const e = skipOuter(expr);
  const literal = literalString(ctx, e);
  if (literal !== undefined) return JSON.stringify(literal);
  if (ts.isTemplateExpression(e)) {
    const parts = [JSON.stringify(e.head.text)];
    for (const span of e.templateSpans) {
      const inner = identityOf(ctx, span.expression, depth + 1);
      if (inner === undefined) return undefined;
      parts.push(inner, JSON.stringify(span.literal.text));
    }
    return parts.join('+');
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = identityOf(ctx, e.left, depth + 1);
    const right = identityOf(ctx, e.right, depth + 1);
    return left !== undefined && right !== undefined ? `${left}+${right}` : undefined;
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const path = instancePath(ctx, e);
    return isKnownPath(path) ? pathKey(path) : undefined;
  }
  if (ts.isCallExpression(e)) {
    const callees = ctx.graph.resolve(e);
    if (callees.length !== 1) return undefined;
    const args = e.arguments.map((a) => identityOf(ctx, a, depth + 1));
    if (args.some((a) => a === undefined)) return undefined;
    return `${ctx.nodeId(callees[0]!)}(${args.join(',')})`;
  }
  return undefined;
}
