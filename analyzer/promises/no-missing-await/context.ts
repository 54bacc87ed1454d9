/** The shared vocabulary of `no-missing-await`: its options, the per-file scan state and the promise-type questions its parts ask. */
import ts from '../../ts/typescript.cjs';
import type { CheckContext } from '../../check/contract.js';
import type { SymbolRef, TypeQueries, TypeRef } from '../../program/type-queries.js';
import type { Specifier } from '../../program/specifiers.js';
import type { MessageId } from './no-missing-await.js';

export interface Options {
  /** Promises in boolean positions: `if`, loops, `?:`, `!`, `&&`/`||` operands, array predicates. */
  checksConditionals: boolean;
  /** `...promise` in arrays, calls and object literals. */
  checksSpreads: boolean;
  /** Comparisons, arithmetic, template literals, destructuring, `for...of` and value sinks. */
  checksValues: boolean;
  /** Property reads and method calls on a Promise where TypeScript does not check types. */
  checksPropertyAccess: boolean;
  /** `return promise` (no `await`) inside `try` or after `using` in an async function. */
  checksReturnInTry: boolean;
  /** More functions whose arguments are consumed as values (loggers that serialise, response helpers). */
  valueSinks: Specifier[];
}

export type Ctx = CheckContext<Options, MessageId>;

/** The report kinds; each is a messageId. */
export type UseKind = 'condition' | 'predicate' | 'value' | 'property' | 'returnInTry';

/** A place where a promise is used as if it were its value. */
export interface Use {
  /** The promise-valued expression (parentheses skipped): the reported node. */
  expr: ts.Expression;
  kind: UseKind;
  /** Message data besides `what` (`where`, `effect`, `name`, ...). */
  data: Record<string, string>;
  /** Adding `await` here is unambiguous (a test position, `return` in `try`): may be an autofix. */
  fixable: boolean;
  /** The position tests truthiness: `await` of a `Promise<void>` would not type-check there. */
  tests: boolean;
  /** `(await x)`: the expression is an operand, where the bare form reads ambiguously. */
  wrap: boolean;
  /** Offer `await` suggestions at all (not for array predicates, whose callback is synchronous on purpose). */
  suggest: boolean;
}

/** What the check knows about the promise behind an expression. */
export interface PromiseFact {
  type: TypeRef;
  /** Every part of the type is a built-in Promise (no thenables, no non-promise union members). */
  exact: boolean;
  /** For an identifier: the variable that holds the promise. */
  variable?: VariableOrigin;
}

export interface VariableOrigin {
  name: string;
  decl: ts.VariableDeclaration | ts.ParameterDeclaration;
  /** The promise-valued initializer, for the trace and the "await where assigned" suggestion. */
  initializer?: ts.Expression;
  /** Declared `any`: the promise flows through an `any`, so TypeScript checks nothing done with it. */
  declaredAny: boolean;
}

export interface Scan {
  ctx: Ctx;
  types: TypeQueries;
  sf: ts.SourceFile;
  /** TypeScript reports type errors in this file (not plain JS, not `// @ts-nocheck`). */
  typeChecked: boolean;
  /** Nodes already reported (one finding per expression). */
  reported: Set<ts.Node>;
  /** Logical expressions and tests already walked as conditions. */
  conditionSeen: Set<ts.Node>;
  /** Per variable: is it used as a promise somewhere (awaited, returned, passed on)? */
  handles: Map<SymbolRef, VariableVerdict>;
}

export interface VariableVerdict {
  /** Used as a promise somewhere (awaited, returned, passed on, stored). */
  handle: boolean;
  /** Assigned again after its declaration. */
  reassigned: boolean;
}

export function skipParens(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** The outermost node of `node` climbing through parentheses and type-only wrappers. */
export function outerOf(node: ts.Node): ts.Node {
  let n = node;
  while (
    ts.isParenthesizedExpression(n.parent) ||
    ts.isAsExpression(n.parent) ||
    ts.isNonNullExpression(n.parent) ||
    ts.isSatisfiesExpression(n.parent) ||
    ts.isTypeAssertionExpression(n.parent)
  ) {
    n = n.parent;
  }
  return n;
}

/** Every part of the type is promise-like (a union with `undefined` is not: it may be a check for presence). */
export function isAlwaysPromise(types: TypeQueries, node: ts.Node, type: TypeRef): boolean {
  if (types.isAnyOrUnknown(type)) return false;
  const ps = types.apparentParts(type);
  return ps.length > 0 && ps.every((p) => types.isPromiseLike(node, p, true));
}

/** Every part is a built-in Promise. */
export function isExactPromise(types: TypeQueries, node: ts.Node, type: TypeRef): boolean {
  if (types.isAnyOrUnknown(type)) return false;
  const ps = types.apparentParts(type);
  return ps.length > 0 && ps.every((p) => types.isPromiseLike(node, p, false));
}

/** Some part of the type is promise-like. */
export function isSometimesPromise(types: TypeQueries, node: ts.Node, type: TypeRef): boolean {
  return types.isPromiseLike(node, type, true);
}

/** `await x` of this promise type yields `void` (which cannot be tested for truthiness). */
export function awaitsToVoid(types: TypeQueries, type: TypeRef): boolean {
  const awaited = types.awaitedType(type);
  if (!awaited) return true;
  return types.unionParts(awaited).some((t) => types.isVoid(t));
}

export function isCallOrIdentifier(expr: ts.Expression): boolean {
  return ts.isCallExpression(expr) || ts.isIdentifier(expr);
}
