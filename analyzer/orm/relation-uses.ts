/**
 * What the code does with a relation value it names (`channel.guild`), when that is not a read
 * through it: a relation the query did not load is `undefined`, and only reading through it
 * throws. Copying it into a property (`Thread.create({ guild: channel.guild })`,
 * `thread.guild = channel.guild`) is not a read (TypeORM's save skips an undefined relation), and
 * neither is handing it to an optional parameter the callee tests before use. Callees are
 * followed with the `orm:param-value-reads` summary.
 */
import ts from '../ts/typescript.cjs';
import type { CallGraph, FunctionLike } from '../program/callgraph.js';
import { getSummary } from '../summaries/engine.js';
import { paramValueReadsKind, type ValueRead, type ValueUses } from './param-value-reads.js';
import { outermost } from '../program/syntax.js';

type Call = ts.CallExpression | ts.NewExpression;

function isCall(n: ts.Node): n is Call {
  return ts.isCallExpression(n) || ts.isNewExpression(n);
}

export type RelationUse =
  /** A plain copy, or a callee that tests for it: quiet. */
  | { kind: 'copy' }
  /** Passed to `callee`, which reads through it without a check. */
  | { kind: 'callee'; call: Call; callee: FunctionLike; read: ValueRead }
  /** Passed to `callee`, which loads it itself when it is missing (one query per call). */
  | { kind: 'fallback'; call: Call; callee: FunctionLike; fallback: ts.BinaryExpression }
  /** Anything else: treat as a read of the relation. */
  | undefined;

function propertyName(p: ts.PropertyAssignment): string | undefined {
  return ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : undefined;
}

/** The verdict over every callee of `call` for the uses `usesOf` picks (none: not analysable). */
function throughCallees(program: ts.Program, graph: CallGraph, call: Call, usesOf: (callee: FunctionLike) => ValueUses | null | undefined): RelationUse {
  const callees = graph.resolve(call);
  if (callees.length === 0 || callees.some((c) => !c.body)) return undefined;
  let fallback: RelationUse;
  for (const callee of callees) {
    const uses = usesOf(callee);
    if (uses === null) return undefined;
    const read = uses?.reads[0];
    if (read) return { kind: 'callee', call, callee, read };
    if (uses?.fallback && !fallback) fallback = { kind: 'fallback', call, callee, fallback: uses.fallback };
  }
  return fallback ?? { kind: 'copy' };
}

/** How `access` (a relation that may be unloaded) is used, when that is not a plain read. */
export function relationUseOf(program: ts.Program, graph: CallGraph, access: ts.Expression): RelationUse {
  const n = outermost(access);
  const p = n.parent;
  if (ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = ts.isParenthesizedExpression(p.left) ? p.left.expression : p.left;
    return ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left) ? { kind: 'copy' } : undefined;
  }
  if (ts.isPropertyAssignment(p) && p.initializer === n) {
    const name = propertyName(p);
    const object = outermost(p.parent);
    const call = object.parent;
    if (!name || !isCall(call) || call.expression === object) return { kind: 'copy' };
    const j = (call.arguments ?? ts.factory.createNodeArray()).indexOf(object);
    const callees = graph.resolve(call);
    // A library call (`Repository.create`, `Object.assign`) copies the property.
    if (callees.length === 0 || callees.some((c) => !c.body)) return { kind: 'copy' };
    return throughCallees(program, graph, call, (callee) => getSummary(program, paramValueReadsKind, callee)[j]?.fields.get(name));
  }
  if (isCall(p) && p.expression !== n) {
    const j = (p.arguments ?? ts.factory.createNodeArray()).indexOf(n);
    return throughCallees(program, graph, p, (callee) => {
      const param = callee.parameters[j];
      // Only an optional parameter says "may be missing"; a required one is taken as a read.
      if (!param || param.dotDotDotToken || !(param.questionToken || param.initializer)) return null;
      return getSummary(program, paramValueReadsKind, callee)[j]?.direct;
    });
  }
  return undefined;
}
