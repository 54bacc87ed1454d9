/** Calls that consume an argument as a value: the catalog's sinks and the user's `valueSinks`. */
import ts from '../../typescript.cjs';
import { VALUE_SINKS } from '../../catalog/value-sinks.js';
import { calleeMatches } from '../../specifiers.js';
import { skipOuterExpressions } from '../../walk.js';
import type { Scan } from './shared.js';

export interface SinkMatch {
  /** The callee as written, for messages: `JSON.stringify`, `res.json`. */
  callee: string;
  effect: string;
}

const CUSTOM_EFFECT = 'receives the Promise object instead of the value it resolves to';

/** Does `call` consume its argument number `index` as a value? */
export function valueSinkOf(scan: Scan, call: ts.CallExpression, index: number): SinkMatch | undefined {
  if (index < 0) return undefined;
  const callee = skipOuterExpressions(call.expression);
  const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
  if (!nameNode || !ts.isIdentifier(nameNode)) return undefined;
  const text = shorten(callee.getText(scan.sf));
  if (scan.ctx.options.valueSinks.length > 0 && calleeMatches(scan.door, call, scan.ctx.options.valueSinks)) {
    return { callee: text, effect: CUSTOM_EFFECT };
  }
  const candidates = VALUE_SINKS.filter((s) => s.name === nameNode.text && s.argument === index);
  if (candidates.length === 0) return undefined;
  const symbol = scan.door.symbolAt(nameNode);
  const decls = symbol?.getDeclarations() ?? [];
  if (!symbol || decls.length === 0) return undefined;
  const origin = scan.door.originOf(symbol);
  const from = origin.kind === 'lib' ? 'lib' : origin.kind === 'package' ? origin.name : undefined;
  if (!from) return undefined;
  for (const sink of candidates) {
    if (!sink.from.includes(from)) continue;
    if (decls.some((d) => ownerName(d) === sink.owner)) return { callee: text, effect: sink.effect };
  }
  return undefined;
}

export function isValueSinkCall(scan: Scan, call: ts.CallExpression, index: number): boolean {
  return valueSinkOf(scan, call, index) !== undefined;
}

/** The interface or class that declares a member; undefined for globals. */
function ownerName(decl: ts.Declaration): string | undefined {
  const parent = decl.parent;
  if ((ts.isInterfaceDeclaration(parent) || ts.isClassLike(parent)) && parent.name) return parent.name.text;
  return undefined;
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 37)}...` : oneLine;
}
