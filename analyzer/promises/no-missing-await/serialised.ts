/**
 * Promises inside what a serialising call writes out: the fields and elements of object and array
 * literals given to `JSON.stringify`, `res.json`/`res.send`, `structuredClone` (the catalog's
 * `nested` sinks), and the arguments of a structured logger's level methods, with their fields.
 * A Promise has no own enumerable properties: it is written out as `{}`.
 *
 * For loggers only promises made here are reported (a call, or a variable that keeps the promise
 * of a call): a handler that logs the promise it was given (`unhandledRejection`) does so on purpose.
 */
import ts from '../../ts/typescript.cjs';
import { isExportedDeclaration, skipOuterExpressions } from '../../program/walk.js';
import { promiseFactOf } from './variables.js';
import { reportUse } from './findings.js';
import { isAlwaysPromise, isExactPromise, type PromiseFact, type Scan } from './context.js';

export interface Serialiser {
  /** The callee as written: `JSON.stringify`, `res.json`, `logger.info`. */
  callee: string;
  effect: string;
  /** Only promises made here (calls and variables that keep a call's promise) count. */
  callsOnly: boolean;
}

const MAX_DEPTH = 4;

/** The promises among the fields and elements of an object or array literal argument. */
export function checkFields(scan: Scan, arg: ts.Expression, sink: Serialiser, depth = 0): void {
  const e = skipOuterExpressions(arg);
  if (depth > MAX_DEPTH) return;
  if (ts.isIdentifier(e) && depth === 0) {
    const literal = constLiteralOf(scan, e);
    if (literal) checkFields(scan, literal, sink, depth + 1);
    return;
  }
  if (ts.isObjectLiteralExpression(e)) {
    for (const prop of e.properties) {
      if (ts.isPropertyAssignment(prop)) checkField(scan, prop.initializer, `the field \`${fieldName(prop.name, scan.sf)}\``, sink, depth);
      else if (ts.isShorthandPropertyAssignment(prop)) checkShorthand(scan, prop, sink);
    }
  } else if (ts.isArrayLiteralExpression(e)) {
    for (const element of e.elements) {
      if (!ts.isSpreadElement(element) && !ts.isOmittedExpression(element)) checkField(scan, element, 'an element', sink, depth);
    }
  }
}

function checkField(scan: Scan, value: ts.Expression, label: string, sink: Serialiser, depth: number): void {
  const e = skipOuterExpressions(value);
  if (ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e)) return checkFields(scan, e, sink, depth + 1);
  checkArgument(scan, e, `${label} of the ${ts.isArrayLiteralExpression(value.parent) ? 'array' : 'object'} given to \`${sink.callee}\``, sink);
}

/** A promise given directly (a logger's argument) or as a field. */
export function checkArgument(scan: Scan, expr: ts.Expression, where: string, sink: Serialiser): void {
  const e = skipOuterExpressions(expr);
  if (scan.reported.has(e)) return;
  if (sink.callsOnly && !ts.isCallExpression(e) && !ts.isIdentifier(e)) return;
  const fact = promiseFactOf(scan, e, 'always');
  if (!fact) return;
  if (sink.callsOnly && ts.isIdentifier(e) && !isCallResult(fact.variable?.initializer)) return;
  reportUse(scan, { expr: e, kind: 'value', data: { where, effect: sink.effect }, fixable: false, tests: false, wrap: false, suggest: true }, fact);
}

/** `{ user }`: the variable behind the shorthand, when it holds the promise of a call. */
function checkShorthand(scan: Scan, prop: ts.ShorthandPropertyAssignment, sink: Serialiser): void {
  const symbol = scan.types.shorthandValueSymbol(prop);
  const decl = symbol && scan.types.valueDeclarationOf(symbol);
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !decl.initializer) return;
  if (!(decl.parent.flags & ts.NodeFlags.Const) || !isCallResult(decl.initializer)) return;
  const type = scan.types.typeAt(prop.name);
  if (!type || !isAlwaysPromise(scan.types, prop.name, type) || scan.reported.has(prop.name)) return;
  const fact: PromiseFact = {
    type,
    exact: isExactPromise(scan.types, prop.name, type),
    variable: { name: decl.name.text, decl, initializer: decl.initializer, declaredAny: false },
  };
  const where = `the field \`${prop.name.text}\` of the object given to \`${sink.callee}\``;
  // No `await` suggestion: `{ await user }` is not valid; the fix is at the assignment.
  reportUse(scan, { expr: prop.name, kind: 'value', data: { where, effect: sink.effect }, fixable: false, tests: false, wrap: false, suggest: false }, fact);
}

/**
 * `const body = { user: getUser(id) }; res.json(body)`: the object or array literal a local
 * `const` of this file was initialised with (one step; an exported one may be changed elsewhere).
 */
function constLiteralOf(scan: Scan, id: ts.Identifier): ts.ObjectLiteralExpression | ts.ArrayLiteralExpression | undefined {
  const decl = scan.types.valueDeclarationAt(id);
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || decl.getSourceFile() !== scan.sf) return undefined;
  if (!(decl.parent.flags & ts.NodeFlags.Const) || isExportedDeclaration(decl)) return undefined;
  const init = skipOuterExpressions(decl.initializer);
  return ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init) ? init : undefined;
}

function isCallResult(expr: ts.Expression | undefined): boolean {
  return !!expr && ts.isCallExpression(skipOuterExpressions(expr));
}

function fieldName(name: ts.PropertyName, sf: ts.SourceFile): string {
  if (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return name.getText(sf);
}
