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
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';
import type { TypeQueries } from '../program/type-queries.js';

/**
 * Do all these suspensions load a module, and does the write store what one gave, or a constant
 * with nothing else done between `from` and the write (a flag after a side-effect import; `false`
 * when the import failed)? A constant set after other work (`await import('m'); sendMail(); sent =
 * true`) still guards work that concurrent callers repeat.
 */
export function storesLoadedModule(types: TypeQueries, suspensions: ts.Node[], from: ts.Node, write: ts.Expression, value: ts.Expression | undefined): boolean {
  if (suspensions.length === 0 || !suspensions.every(isModuleLoad) || !value) return false;
  if (isModuleLoad(moduleOf(skipOuter(value)))) return true;
  return isConstant(types, value) && !callsBetween(from, write);
}

/** Is anything called (or constructed) between `from` and `to`, other than `import()` itself? */
function callsBetween(from: ts.Node, to: ts.Node): boolean {
  let root: ts.Node = to;
  while (root.parent && root.pos > from.pos) root = root.parent;
  const start = from.end;
  const end = to.getStart();
  let found = false;
  walk(root, (n) => {
    if (found || n.end <= start || n.pos >= end) return false;
    const call = (ts.isCallExpression(n) && n.expression.kind !== ts.SyntaxKind.ImportKeyword) || ts.isNewExpression(n) || ts.isTaggedTemplateExpression(n);
    if (call && n.getStart() >= start && n.end <= end) found = true;
    return !found;
  });
  return found;
}

function isModuleLoad(node: ts.Node): boolean {
  if (!ts.isAwaitExpression(node)) return false;
  const call = skipOuter(node.expression);
  if (!ts.isCallExpression(call) || call.expression.kind !== ts.SyntaxKind.ImportKeyword) return false;
  const specifier = call.arguments[0];
  return !!specifier && ts.isStringLiteralLike(specifier);
}

/** `(await import('m')).default` -> `await import('m')`. */
function moduleOf(value: ts.Expression): ts.Expression {
  let e = value;
  while (ts.isPropertyAccessExpression(e)) e = skipOuter(e.expression);
  return e;
}

/** A literal, or a member of an enum (`Status.Connected`). */
export function isConstant(types: TypeQueries, e: ts.Expression): boolean {
  let v = e;
  while (ts.isParenthesizedExpression(v)) v = v.expression;
  if (ts.isPropertyAccessExpression(v)) {
    const symbol = types.symbolAt(v.name);
    return !!symbol && types.isEnumMemberSymbol(symbol);
  }
  return v.kind === ts.SyntaxKind.TrueKeyword || v.kind === ts.SyntaxKind.FalseKeyword || ts.isNumericLiteral(v) || ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v);
}
