/** Words and traces for lock findings: lock names, where an edge is, the witness path of an edge. */
import ts from '../ts/typescript.cjs';
import { functionName, getCallGraph } from '../program/callgraph.js';
import { getTypeQueries } from '../program/type-queries.js';
import type { TraceInput } from '../check/contract.js';
import type { Edge } from './graph.js';
import type { LockClass } from './types.js';

export function lockName(lock: LockClass): string {
  return `\`${lock.short}\``;
}

/** The function an edge's holding code is in (`JobWorker.settleLedger`), or the file's top level. */
export function holderName(program: ts.Program, edge: Edge): string {
  const fn = getCallGraph(program).enclosingFunction(edge.outer.site);
  if (fn) return `\`${functionName(fn)}\``;
  return 'top-level code';
}

/** `through \`a\` -> \`b\`` or `directly`. */
export function viaText(edge: Edge): string {
  if (edge.steps.length === 0) return 'directly';
  return `through ${edge.steps.map((s) => `\`${functionName(s.callee)}\``).join(' -> ')}`;
}

/**
 * The path that takes the two locks of an edge: where the first is taken, each call made
 * while it is held, where the second is taken.
 */
export function edgeTrace(program: ts.Program, edge: Edge): TraceInput[] {
  const outer = lockName(edge.from);
  const inner = lockName(edge.to);
  const steps: TraceInput[] = [{ node: edge.outer.site, message: `${outer} is acquired in ${holderName(program, edge)} and held from here` }];
  for (const step of edge.steps) {
    steps.push({ node: step.call, message: `calls \`${functionName(step.callee)}\`${throughPort(program, step.call)} while holding ${outer}` });
  }
  steps.push({ node: edge.inner, message: `acquires ${inner} while holding ${outer}` });
  return steps;
}

/** ` (through the interface method \`LedgerPort.post\`)` when the call names an interface or abstract method. */
function throughPort(program: ts.Program, call: ts.CallExpression | ts.NewExpression): string {
  if (!ts.isCallExpression(call)) return '';
  const decl = getTypeQueries(program).calledDeclaration(call);
  if (!decl || !(ts.isMethodSignature(decl) || (ts.isMethodDeclaration(decl) && !decl.body))) return '';
  const owner = (decl.parent as { name?: ts.Node }).name;
  if (!owner || !ts.isIdentifier(owner) || !ts.isIdentifier(decl.name)) return '';
  const kind = ts.isInterfaceDeclaration(decl.parent) ? 'interface' : 'abstract';
  return ` (through the ${kind} method \`${owner.text}.${decl.name.text}\`)`;
}

/** `A -> B -> A`. */
export function cycleText(edges: Edge[]): string {
  return [...edges.map((e) => lockName(e.from)), lockName(edges[0]!.from)].join(' -> ');
}
