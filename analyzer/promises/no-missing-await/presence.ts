/**
 * `if (this.pending)` of a property that holds a promise only some of the time: a presence test,
 * not a forgotten `await`. With `strictNullChecks` off, TypeScript shows `Promise<T> | null` as
 * just `Promise<T>`, so the type alone looks "always a promise"; what the code says decides:
 * the property is declared optional or with `null`/`undefined` in its type, or the program
 * assigns it `null`/`undefined` (or deletes it) somewhere.
 *
 * Only properties: a variable that always holds a promise (`const user = loadUser()`) and a call
 * (`if (loadUser())`) are still reported. Answers are cached per property symbol and program.
 */
import ts from '../../ts/typescript.cjs';
import { skipOuterExpressions } from '../../program/walk.js';
import type { Scan } from './context.js';
import { perProgram } from '../../program/per-program.js';
import { touch } from '../../program/dependencies.js';
import type { SymbolRef, TypeQueries } from '../../program/type-queries.js';
import { fileIndex } from '../../program/file-index.js';

const answers = perProgram<SymbolRef, boolean>();

/** Is `expr` a read of a property that the program leaves empty at times? */
export function isOptionalPromiseProperty(scan: Scan, expr: ts.Expression): boolean {
  const e = skipOuterExpressions(expr);
  const name = ts.isPropertyAccessExpression(e) ? e.name : ts.isElementAccessExpression(e) ? e.argumentExpression : undefined;
  if (!name) return false;
  const symbol = scan.types.symbolAt(name);
  if (!symbol || !scan.types.isProperty(symbol)) return false;
  // The answer reads the files that declare the property (assignedEmpty), on every ask: it is cached.
  for (const decl of scan.types.declarationsOf(symbol)) touch(decl);
  return answers.get(scan.ctx.program, symbol, () => declaredOptional(scan.types, symbol) || assignedEmpty(scan, symbol));
}

/** `pending?: Promise<T>`, `pending: Promise<T> | null`, `pending: Promise<T> | undefined`. */
function declaredOptional(types: TypeQueries, symbol: SymbolRef): boolean {
  return types.declarationsOf(symbol).some((decl) => {
    if (!(ts.isPropertyDeclaration(decl) || ts.isPropertySignature(decl) || ts.isParameter(decl))) return false;
    if (decl.questionToken) return true;
    if (!ts.isPropertySignature(decl) && decl.initializer && isEmptyValue(decl.initializer)) return true;
    return !!decl.type && typeAdmitsEmpty(decl.type);
  });
}

function typeAdmitsEmpty(type: ts.TypeNode): boolean {
  if (ts.isParenthesizedTypeNode(type)) return typeAdmitsEmpty(type.type);
  if (ts.isUnionTypeNode(type)) return type.types.some(typeAdmitsEmpty);
  if (type.kind === ts.SyntaxKind.UndefinedKeyword || type.kind === ts.SyntaxKind.VoidKeyword) return true;
  return ts.isLiteralTypeNode(type) && type.literal.kind === ts.SyntaxKind.NullKeyword;
}

function isEmptyValue(expr: ts.Expression): boolean {
  const e = skipOuterExpressions(expr);
  return e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'undefined') || ts.isVoidExpression(e);
}

/**
 * `this.pending = null`, `this.pending = undefined`, `delete this.pending`, in the files that
 * declare the property and the file being checked (where code that empties it lives).
 */
function assignedEmpty(scan: Scan, symbol: SymbolRef): boolean {
  const files = new Set<ts.SourceFile>([scan.sf]);
  for (const decl of scan.types.declarationsOf(symbol)) files.add(decl.getSourceFile());
  const name = scan.types.symbolName(symbol);
  for (const sf of files) {
    if (!sf.text.includes(name)) continue;
    const found = fileIndex(sf).of(ts.SyntaxKind.BinaryExpression, ts.SyntaxKind.DeleteExpression).some((node) => {
      const target = emptiedTarget(node);
      return !!target && targetName(target) === name && scan.types.symbolAt(ts.isPropertyAccessExpression(target) ? target.name : target.argumentExpression) === symbol;
    });
    if (found) return true;
  }
  return false;
}

function emptiedTarget(node: ts.Node): ts.PropertyAccessExpression | ts.ElementAccessExpression | undefined {
  let target: ts.Expression | undefined;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && isEmptyValue(node.right)) target = node.left;
  else if (ts.isDeleteExpression(node)) target = node.expression;
  if (!target) return undefined;
  const e = skipOuterExpressions(target);
  return ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) ? e : undefined;
}

function targetName(e: ts.PropertyAccessExpression | ts.ElementAccessExpression): string | undefined {
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return ts.isStringLiteralLike(e.argumentExpression) ? e.argumentExpression.text : undefined;
}
