/**
 * Loading a module is the same for every caller. A dynamic `import('m')` of a fixed specifier
 * settles to one module object for all who ask (the loader caches it, and a module that fails to
 * load fails alike for everyone), so when the only suspensions between a check and a write are
 * such imports and the write stores what the import gave (the module, a property of it) or a
 * constant, concurrent callers store the same value: the later write loses nothing.
 *
 *   if (sharp === undefined) { try { sharp = await import('sharp'); } catch { sharp = false; } }
 *
 * What is built from the module after the `await` (`client = new (await import('pg')).Client()`)
 * differs per caller and is still a race.
 */
import ts from '../ts/typescript.cjs';
import { skipOuterExpressions as skipOuter } from '../program/walk.js';

/** Do all these suspensions load a module, and does the written value come from one or is it a constant? */
export function storesLoadedModule(suspensions: ts.Node[], value: ts.Expression | undefined): boolean {
  if (suspensions.length === 0 || !suspensions.every(isModuleLoad) || !value) return false;
  return isConstant(value) || isModuleLoad(moduleOf(skipOuter(value)));
}

function isModuleLoad(node: ts.Node): boolean {
  if (!ts.isAwaitExpression(node)) return false;
  const call = skipOuter(node.expression);
  if (!ts.isCallExpression(call) || call.expression.kind !== ts.SyntaxKind.ImportKeyword) return false;
  const specifier = call.arguments[0];
  return !!specifier && (ts.isStringLiteral(specifier) || ts.isNoSubstitutionTemplateLiteral(specifier));
}

/** `(await import('m')).default` -> `await import('m')`. */
function moduleOf(value: ts.Expression): ts.Expression {
  let e = value;
  while (ts.isPropertyAccessExpression(e)) e = skipOuter(e.expression);
  return e;
}

function isConstant(value: ts.Expression): boolean {
  const v = skipOuter(value);
  switch (v.kind) {
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      return true;
    default:
      return ts.isIdentifier(v) && v.text === 'undefined';
  }
}
