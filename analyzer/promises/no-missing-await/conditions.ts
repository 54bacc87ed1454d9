/**
 * Promises in boolean positions, as typescript-eslint's `no-misused-promises` (checksConditionals):
 * the tests of `if`, `while`, `do`, `for` and `?:`, the operand of `!`, the left operand of
 * `&&`/`||` (and, inside a test, every operand, `??` included), and the result of a synchronous
 * callback given to an array predicate (`filter`, `some`, `every`, `find`...). An `async`
 * callback there is `no-misused-async-function`'s; a synchronous one that returns a promise is ours.
 */
import ts from '../../ts/typescript.cjs';
import { walk } from '../../program/walk.js';
import { returnedExpressions } from '../../program/callgraph.js';
import { promiseFactOf } from './variables.js';
import { reportUse } from './findings.js';
import { isOptionalPromiseProperty } from './presence.js';
import { skipParens, type Scan } from './context.js';
import { hasAsyncModifier, isLogicalOperator } from '../../program/syntax.js';

const PREDICATES = new Set(['every', 'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'some']);

/** The condition positions a node opens, if any. */
export function checkConditionsAt(scan: Scan, node: ts.Node): void {
  if (ts.isIfStatement(node)) return checkCondition(scan, node.expression, true, '`if` condition');
  if (ts.isWhileStatement(node)) return checkCondition(scan, node.expression, true, '`while` condition');
  if (ts.isDoStatement(node)) return checkCondition(scan, node.expression, true, '`do...while` condition');
  if (ts.isForStatement(node)) {
    if (node.condition) checkCondition(scan, node.condition, true, '`for` condition');
    return;
  }
  if (ts.isConditionalExpression(node)) return checkCondition(scan, node.condition, true, 'condition of `?:`', true);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    return checkCondition(scan, node.operand, true, 'operand of `!`', true);
  }
  if (ts.isBinaryExpression(node) && isLogicalOperator(node.operatorToken.kind)) return checkCondition(scan, node, false, '');
  if (ts.isCallExpression(node)) checkPredicate(scan, node);
}

const OPERATOR: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.AmpersandAmpersandToken]: '&&',
  [ts.SyntaxKind.BarBarToken]: '||',
  [ts.SyntaxKind.QuestionQuestionToken]: '??',
};

/**
 * typescript-eslint's `checkConditional`: through logical operators, the left operand is checked
 * unless the operator is `??` outside a test; the right operand only inside a test.
 */
function checkCondition(scan: Scan, node: ts.Expression, isTest: boolean, where: string, wrap = false, predicate?: string): void {
  const expr = skipParens(node);
  if (scan.conditionSeen.has(expr)) return;
  scan.conditionSeen.add(expr);
  if (ts.isBinaryExpression(expr) && isLogicalOperator(expr.operatorToken.kind)) {
    const op = expr.operatorToken.kind;
    const label = isTest ? where : `left operand of \`${OPERATOR[op]}\``;
    if (op !== ts.SyntaxKind.QuestionQuestionToken || isTest) checkCondition(scan, expr.left, isTest, label, true, predicate);
    if (isTest) checkCondition(scan, expr.right, isTest, where, true, predicate);
    return;
  }
  const fact = promiseFactOf(scan, expr, 'always');
  if (!fact) return;
  if (predicate) {
    reportUse(scan, { expr, kind: 'predicate', data: { method: predicate }, fixable: false, tests: true, wrap, suggest: false }, fact);
    return;
  }
  if (isMemoCheck(scan, expr) || isOptionalPromiseProperty(scan, expr)) return;
  reportUse(scan, { expr, kind: 'condition', data: { where }, fixable: isTest, tests: true, wrap, suggest: true }, fact);
}

/**
 * `if (this.connecting) return this.connecting;`, `if (!this.ready) this.ready = init();`: a
 * stored promise tested for presence (its declared type says "always set", the code knows
 * better) and used in the branches. TypeScript's own "always truthy" check skips the same shape.
 */
function isMemoCheck(scan: Scan, expr: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(expr) && !ts.isElementAccessExpression(expr)) return false;
  let test: ts.Node = expr;
  while (
    ts.isParenthesizedExpression(test.parent) ||
    (ts.isPrefixUnaryExpression(test.parent) && test.parent.operator === ts.SyntaxKind.ExclamationToken) ||
    (ts.isBinaryExpression(test.parent) && isLogicalOperator(test.parent.operatorToken.kind))
  ) {
    test = test.parent;
  }
  const owner = test.parent;
  const branches: (ts.Node | undefined)[] =
    ts.isIfStatement(owner) ? [owner.thenStatement, owner.elseStatement]
    : ts.isConditionalExpression(owner) && owner.condition === test ? [owner.whenTrue, owner.whenFalse]
    : ts.isWhileStatement(owner) || ts.isDoStatement(owner) || ts.isForStatement(owner) ? [owner.statement]
    : [];
  const text = expr.getText(scan.sf);
  let used = false;
  for (const branch of branches) {
    if (!branch || used) continue;
    walk(branch, (n) => {
      if (used) return false;
      if ((ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) && n.getText(scan.sf) === text) used = true;
      return !used;
    });
  }
  return used;
}

/** `xs.filter((x) => isAllowed(x))`: a synchronous inline callback whose result is a promise. */
function checkPredicate(scan: Scan, call: ts.CallExpression): void {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !PREDICATES.has(callee.name.text)) return;
  const callback = call.arguments[0] && skipParens(call.arguments[0]);
  if (!callback || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return;
  if (hasAsyncModifier(callback) || callback.asteriskToken) return;
  if (!isArrayReceiver(scan, callee.expression)) return;
  const method = callee.name.text;
  for (const returned of returnedExpressions(callback)) checkCondition(scan, returned, true, '', false, method);
}

function isArrayReceiver(scan: Scan, receiver: ts.Expression): boolean {
  const type = scan.types.typeAt(receiver);
  if (!type) return false;
  return scan.types
    .apparentParts(type)
    .flatMap((t) => scan.types.intersectionParts(t))
    .some((t) => scan.types.isArrayOrTuple(t));
}
