/**
 * Promises used as values: compared, computed with, put in text, spread, destructured, iterated,
 * handed to a value sink, or read a property of where TypeScript does not check types. None of
 * these is an autofix: the value's type changes after `await`, so only a suggestion is offered.
 */
import ts from '../../ts/typescript.cjs';
import { isComparison, promiseFactOf } from './variables.js';
import { collectionKeyTypeOf, loggerCalleeOf, valueSinkOf } from './sinks.js';
import { checkArgument, checkFields } from './serialised.js';
import { LOGGED } from '../catalog-value-sinks.js';
import { skipOuterExpressions } from '../../program/walk.js';
import type { TypeRef } from '../../program/type-queries.js';
import { reportUse } from './findings.js';
import { isOptionalPromiseProperty } from './presence.js';
import { isSometimesPromise, skipParens, type PromiseFact, type Scan, type Use } from './context.js';
import { codeText } from '../../check/quote.js';

const TEXT = 'which turns it into the text "[object Promise]"';
const NAN = 'which turns it into `NaN`';
const NOT_ITERABLE = 'which throws a `TypeError`: a Promise is not iterable';

function report(scan: Scan, expr: ts.Expression, fact: PromiseFact, where: string, effect: string, wrap: boolean): void {
  const use: Use = { expr, kind: 'value', data: { where, effect }, fixable: false, tests: false, wrap, suggest: true };
  reportUse(scan, use, fact);
}

function checkValue(scan: Scan, node: ts.Expression, where: string, effect: string, wrap: boolean, mode: 'always' | 'sometimes' = 'always'): void {
  const expr = skipParens(node);
  // The result of arithmetic, `+` or a comparison is a number, string or boolean, never a
  // promise; asking the checker anyway would re-check the whole subtree at every level of an
  // `a + b + c + ...` chain (quadratic).
  if (scan.reported.has(expr) || isOperatorResult(expr)) return;
  const fact = promiseFactOf(scan, expr, mode);
  if (fact) report(scan, expr, fact, where, effect, wrap);
}

export function checkValuesAt(scan: Scan, node: ts.Node): void {
  const options = scan.ctx.options;
  if (options.checksSpreads && (ts.isSpreadElement(node) || ts.isSpreadAssignment(node))) return checkSpread(scan, node);
  if (!options.checksValues) return;
  if (ts.isBinaryExpression(node)) return checkBinary(scan, node);
  if (ts.isPrefixUnaryExpression(node)) return checkUnary(scan, node);
  if (ts.isTemplateExpression(node) && !ts.isTaggedTemplateExpression(node.parent)) {
    for (const span of node.templateSpans) checkValue(scan, span.expression, 'a value in a template literal', TEXT, false);
    return;
  }
  if (ts.isVariableDeclaration(node) && node.initializer && !ts.isIdentifier(node.name)) {
    return checkDestructuring(scan, node.name, node.initializer);
  }
  if (ts.isForOfStatement(node) && !node.awaitModifier) return checkValue(scan, node.expression, 'the iterable of `for...of`', NOT_ITERABLE, false);
  if (ts.isCallExpression(node)) checkSinkArguments(scan, node);
}

function checkSpread(scan: Scan, node: ts.SpreadElement | ts.SpreadAssignment): void {
  const inObject = ts.isSpreadAssignment(node);
  const effect = inObject ? 'which copies nothing: a Promise has no own enumerable properties' : NOT_ITERABLE;
  const where = inObject ? 'an object spread' : ts.isArrayLiteralExpression(node.parent) ? 'an array spread' : 'a spread argument';
  checkValue(scan, node.expression, where, effect, false, 'sometimes');
}

const ARITHMETIC = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PercentToken,
  ts.SyntaxKind.AsteriskAsteriskToken,
  ts.SyntaxKind.AmpersandToken,
  ts.SyntaxKind.BarToken,
  ts.SyntaxKind.CaretToken,
  ts.SyntaxKind.LessThanLessThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
]);

const COMPOUND: Partial<Record<ts.SyntaxKind, ts.SyntaxKind>> = {
  [ts.SyntaxKind.PlusEqualsToken]: ts.SyntaxKind.PlusToken,
  [ts.SyntaxKind.MinusEqualsToken]: ts.SyntaxKind.MinusToken,
  [ts.SyntaxKind.AsteriskEqualsToken]: ts.SyntaxKind.AsteriskToken,
  [ts.SyntaxKind.SlashEqualsToken]: ts.SyntaxKind.SlashToken,
  [ts.SyntaxKind.PercentEqualsToken]: ts.SyntaxKind.PercentToken,
  [ts.SyntaxKind.AsteriskAsteriskEqualsToken]: ts.SyntaxKind.AsteriskAsteriskToken,
};

function checkBinary(scan: Scan, node: ts.BinaryExpression): void {
  const op = node.operatorToken.kind;
  const text = node.operatorToken.getText(scan.sf);
  if (op === ts.SyntaxKind.EqualsToken) {
    if (ts.isObjectLiteralExpression(node.left) || ts.isArrayLiteralExpression(node.left)) checkDestructuring(scan, node.left, node.right);
    return;
  }
  const compound = COMPOUND[op];
  if (compound !== undefined) {
    const effect = compound === ts.SyntaxKind.PlusToken ? TEXT : NAN;
    return checkValue(scan, node.right, `an operand of \`${text}\``, effect, true);
  }
  if (op === ts.SyntaxKind.PlusToken) {
    checkValue(scan, node.left, 'an operand of `+`', TEXT, true);
    checkValue(scan, node.right, 'an operand of `+`', TEXT, true);
    return;
  }
  if (ARITHMETIC.has(op)) {
    checkValue(scan, node.left, `an operand of \`${text}\``, NAN, true);
    checkValue(scan, node.right, `an operand of \`${text}\``, NAN, true);
    return;
  }
  if (isComparison(op)) {
    // Two promises compared is an identity check (a cache, a sentinel): fine.
    if (isPromiseish(scan, node.left) && isPromiseish(scan, node.right)) return;
    // `this.pending !== null` of a property the program empties at times: a presence test
    // (with `strictNullChecks` off its type shows no `null`).
    if (isEmptyLiteral(node.right) && isOptionalPromiseProperty(scan, node.left)) return;
    if (isEmptyLiteral(node.left) && isOptionalPromiseProperty(scan, node.right)) return;
    const effect = 'which compares the Promise object, never the value it resolves to';
    checkValue(scan, node.left, `an operand of \`${text}\``, effect, true);
    checkValue(scan, node.right, `an operand of \`${text}\``, effect, true);
  }
}

function isEmptyLiteral(expr: ts.Expression): boolean {
  const e = skipParens(expr);
  return e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'undefined');
}

function isOperatorResult(expr: ts.Expression): boolean {
  if (ts.isBinaryExpression(expr)) {
    const op = expr.operatorToken.kind;
    return op === ts.SyntaxKind.PlusToken || ARITHMETIC.has(op) || isComparison(op);
  }
  return ts.isPrefixUnaryExpression(expr) && expr.operator !== ts.SyntaxKind.PlusPlusToken && expr.operator !== ts.SyntaxKind.MinusMinusToken;
}

function isPromiseish(scan: Scan, expr: ts.Expression): boolean {
  const type = scan.types.typeAt(expr);
  return !!type && isSometimesPromise(scan.types, expr, type);
}

function checkUnary(scan: Scan, node: ts.PrefixUnaryExpression): void {
  const op = node.operator;
  if (op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.MinusToken) {
    checkValue(scan, node.operand, `the operand of unary \`${op === ts.SyntaxKind.PlusToken ? '+' : '-'}\``, NAN, true);
  } else if (op === ts.SyntaxKind.TildeToken) {
    checkValue(scan, node.operand, 'the operand of `~`', 'which turns it into `-1`', true);
  }
}

const PROMISE_MEMBERS = new Set(['then', 'catch', 'finally', 'constructor']);

/** `const { id } = loadUser()`, `const [a, b] = Promise.all(...)`, `({ id } = p)`. */
function checkDestructuring(scan: Scan, pattern: ts.Node, value: ts.Expression): void {
  const isObject = ts.isObjectBindingPattern(pattern) || ts.isObjectLiteralExpression(pattern);
  if (isObject && onlyPromiseMembers(pattern)) return;
  const effect = isObject ? 'which reads every property from the Promise object, so each is `undefined`' : NOT_ITERABLE;
  checkValue(scan, value, isObject ? 'the source of an object destructuring' : 'the source of an array destructuring', effect, false);
}

function onlyPromiseMembers(pattern: ts.ObjectBindingPattern | ts.ObjectLiteralExpression): boolean {
  const names: (string | undefined)[] = ts.isObjectBindingPattern(pattern)
    ? pattern.elements.map((e) => {
        const key = e.propertyName ?? e.name;
        return ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;
      })
    : pattern.properties.map((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined));
  return names.length > 0 && names.every((n) => n !== undefined && PROMISE_MEMBERS.has(n));
}

const KEY_EFFECT: Record<string, string> = {
  get: 'which looks up the Promise object, not the value it resolves to: a new promise never equals a stored key, so the lookup always misses',
  has: 'which looks up the Promise object, not the value it resolves to: a new promise never equals a stored key, so the answer is always `false`',
  set: 'which stores the entry under the Promise object: no lookup by the value it resolves to finds it again',
  add: 'which stores the Promise object: no lookup by the value it resolves to finds it again',
  delete: 'which deletes nothing: a new promise never equals a stored key',
};

function checkSinkArguments(scan: Scan, call: ts.CallExpression): void {
  call.arguments.forEach((arg, index) => {
    if (ts.isSpreadElement(arg)) return;
    const sink = valueSinkOf(scan, call, index);
    if (sink) {
      checkValue(scan, arg, `the argument of \`${sink.callee}\``, sink.effect, false);
      if (sink.nested) checkFields(scan, arg, { callee: sink.callee, effect: sink.effect, callsOnly: false });
      return;
    }
    const keyed = collectionKeyTypeOf(scan, call, index);
    if (keyed && !isSometimesPromise(scan.types, arg, keyed.key)) {
      const method = (skipOuterExpressions(call.expression) as ts.PropertyAccessExpression).name.text;
      checkValue(scan, arg, `the key of \`${calleeText(scan, call)}\``, KEY_EFFECT[method] ?? KEY_EFFECT.get!, false);
    }
  });
  const logger = loggerCalleeOf(scan, call);
  if (!logger) return;
  const sink = { callee: logger, effect: LOGGED, callsOnly: true };
  for (const arg of call.arguments) {
    if (ts.isSpreadElement(arg)) continue;
    checkArgument(scan, arg, `the argument of \`${logger}\``, sink);
    checkFields(scan, arg, sink);
  }
}

function calleeText(scan: Scan, call: ts.CallExpression): string {
  return codeText(call.expression, scan.sf, 40);
}

/**
 * `user.name` where `user` holds a promise, in code TypeScript does not check (plain JavaScript,
 * `// @ts-nocheck`) or through a variable declared `any`. In checked code TypeScript already
 * rejects a property the Promise does not have.
 */
export function checkPropertyAccess(scan: Scan, node: ts.PropertyAccessExpression | ts.ElementAccessExpression): void {
  if (!scan.ctx.options.checksPropertyAccess) return;
  const object = skipParens(node.expression);
  if (scan.reported.has(object)) return;
  const name = memberName(node);
  if (name !== undefined && PROMISE_MEMBERS.has(name)) return;
  const fact = promiseFactOf(scan, object, 'always');
  if (!fact) return;
  const throughAny = !!fact.variable?.declaredAny;
  if (scan.typeChecked && !throughAny) return;
  if (name !== undefined && hasMember(scan, fact.type, name)) return;
  const member = name === undefined ? 'such element' : `\`${name}\``;
  const isCall = ts.isCallExpression(node.parent) && node.parent.expression === node;
  const effect = isCall ? 'this call throws a `TypeError`' : 'this read gives `undefined`';
  const unchecked = throughAny
    ? `\`${fact.variable!.name}\` is declared \`any\`, so TypeScript no longer sees the Promise`
    : /\.[cm]?jsx?$/.test(scan.sf.fileName)
      ? 'TypeScript does not check types in this JavaScript file'
      : 'this file has `// @ts-nocheck`, so TypeScript does not check it';
  reportUse(scan, { expr: object, kind: 'property', data: { member, effect, unchecked }, fixable: false, tests: false, wrap: true, suggest: true }, fact);
}

function memberName(node: ts.PropertyAccessExpression | ts.ElementAccessExpression): string | undefined {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  const arg = node.argumentExpression;
  return ts.isStringLiteralLike(arg) || ts.isNumericLiteral(arg) ? arg.text : undefined;
}

function hasMember(scan: Scan, type: TypeRef, name: string): boolean {
  const apparent = scan.types.apparentType(type);
  return scan.types.unionParts(apparent).every((p) => scan.types.propertyOf(p, name) !== undefined);
}
