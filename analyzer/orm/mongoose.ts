/**
 * Mongoose relation loads through a document: `doc.populate('author')` runs one query for that
 * document's reference. (Reading a ref that was not populated is no load at all: it is the
 * ObjectId, typed so; TypeScript reports reading fields through it.)
 */
import ts from '../ts/typescript.cjs';
import type { TypeQueries } from '../program/type-queries.js';
import { skipOuterExpressions } from '../program/walk.js';
import { methodOf, ormOfModule } from './recognize.js';

export interface PopulateCall {
  /** The document whose reference is loaded. */
  target: ts.Expression;
  /** The populated path, when it is written as a literal (`'author'`, `{ path: 'author' }`). */
  path: string | undefined;
}

/** `doc.populate(path)` on a Mongoose document (not the batched `Model.populate(docs, path)`, not `Query.populate`). */
export function documentPopulateOf(types: TypeQueries, call: ts.CallExpression): PopulateCall | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'populate') return undefined;
  const m = methodOf(types, call);
  if (!m || m.owner !== 'Document' || ormOfModule(m.module)?.orm !== 'mongoose') return undefined;
  return { target: skipOuterExpressions(callee.expression), path: pathOf(call.arguments[0]) };
}

function pathOf(arg: ts.Expression | undefined): string | undefined {
  const e = arg && skipOuterExpressions(arg);
  if (!e) return undefined;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isObjectLiteralExpression(e)) {
    const p = e.properties.find((x) => x.name && ts.isIdentifier(x.name) && x.name.text === 'path');
    return p && ts.isPropertyAssignment(p) ? pathOf(p.initializer) : undefined;
  }
  return undefined;
}
