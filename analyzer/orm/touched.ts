/**
 * "Touched" entity variables: handed to code that may load or assign their relations (a helper
 * whose `orm:touched-params` summary says it may, an unresolved call, `Object.assign`, an ORM
 * `populate`/`merge`/`reload`), or given a relation by assignment (`order.user = customer`). The
 * relation rules stay quiet about them. Computed once per file (symbols tell the variables apart).
 */
import ts from '../ts/typescript.cjs';
import type { SymbolRef, TypeQueries } from '../program/type-queries.js';
import { getCallGraph, type FunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions, walk } from '../program/walk.js';
import { entityOfExpression } from './entities.js';
import { perItemCallback } from './loops.js';
import { methodOf, moduleOfDeclaration, ormOfModule } from './recognize.js';
import { isAssignmentOperator } from '../program/syntax.js';

const cache = new WeakMap<ts.Node, Set<SymbolRef>>();

/** ORM calls that put data into the entity passed to them. */
const LOADING_ORM_METHODS = new Set(['populate', 'refresh', 'refreshOrFail', 'reload', 'init', 'merge', 'assign']);

/** Library functions that write into their argument. */
const MUTATING_LIB_CALLS = new Set(['assign', 'defineProperty', 'defineProperties', 'setPrototypeOf']);

/** Per parameter of a function: may a call change (load or set) relations of the entity passed there? */
export type ParamsTouched = (fn: FunctionLike) => readonly boolean[];

export function isTouched(types: TypeQueries, symbol: SymbolRef, decl: ts.Node, paramsTouched: ParamsTouched): boolean {
  const scope = decl.getSourceFile();
  let set = cache.get(scope);
  if (!set) {
    set = computeTouched(types, scope, paramsTouched);
    cache.set(scope, set);
  }
  return set.has(symbol);
}

/** May passing argument `index` to this call change the relations of what it is given? */
export function argumentMayBeTouched(types: TypeQueries, call: ts.CallExpression | ts.NewExpression, index: number, paramsTouched: ParamsTouched): boolean {
  if (isHarmlessCall(types, call)) return false;
  const callees = getCallGraph(types.program).resolve(call);
  if (callees.length === 0) return true;
  return callees.some((fn) => {
    const param = fn.parameters[Math.min(index, fn.parameters.length - 1)];
    if (!param || param.dotDotDotToken || index >= fn.parameters.length) return true;
    return paramsTouched(fn)[index] ?? true;
  });
}

/** Is this call an ORM call that loads into the entity it is called on or given (`populate`, `reload`, `init`, `merge`)? */
export function isLoadingOrmCall(types: TypeQueries, call: ts.CallExpression): boolean {
  const m = methodOf(types, call);
  return !!m && !!ormOfModule(m.module) && LOADING_ORM_METHODS.has(m.name);
}

/** Does passing an argument to this call leave the argument's relations as they were? */
function isHarmlessCall(types: TypeQueries, call: ts.CallExpression | ts.NewExpression): boolean {
  if (!ts.isCallExpression(call)) return false;
  const m = methodOf(types, call) ?? calleeDeclaration(types, call);
  if (!m) return false;
  if (ormOfModule(m.module)) return !LOADING_ORM_METHODS.has(m.name);
  if (m.module || isLib(types, m.decl)) return !MUTATING_LIB_CALLS.has(m.name);
  return false;
}

function calleeDeclaration(types: TypeQueries, call: ts.CallExpression) {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isIdentifier(callee)) return undefined;
  const symbol = types.symbolAt(callee);
  const decl = symbol && types.declarationsOf(symbol)[0];
  return decl ? { decl, module: moduleOfDeclaration(decl), name: callee.text } : undefined;
}

function isLib(types: TypeQueries, decl: ts.Node): boolean {
  return types.program.isSourceFileDefaultLibrary(decl.getSourceFile());
}

function computeTouched(types: TypeQueries, scope: ts.Node, paramsTouched: ParamsTouched): Set<SymbolRef> {
  const touched = new Set<SymbolRef>();
  const add = (expr: ts.Expression) => {
    const e = skipOuterExpressions(expr);
    if (!ts.isIdentifier(e)) return;
    const s = types.symbolAt(e);
    if (s) touched.add(s);
  };
  walk(scope, (n) => {
    if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && n.arguments?.length) {
      n.arguments.forEach((a, i) => {
        const e = skipOuterExpressions(ts.isSpreadElement(a) ? a.expression : a);
        if (ts.isIdentifier(e) && argumentMayBeTouched(types, n, i, paramsTouched)) add(e);
      });
    } else if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind)) {
      const target = skipOuterExpressions(n.left);
      if (ts.isPropertyAccessExpression(target) && entityOfExpression(types, target.expression)?.relations.has(target.name.text)) {
        add(target.expression);
      }
    }
  });
  propagate(types, touched);
  return touched;
}

/** A touched loop variable or callback element touches the collection it walks. */
function propagate(types: TypeQueries, touched: Set<SymbolRef>): void {
  const queue = [...touched];
  while (queue.length > 0) {
    const s = queue.pop()!;
    const decl = types.valueDeclarationOf(s);
    let collection: ts.Expression | undefined;
    if (decl && ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && ts.isForOfStatement(decl.parent.parent)) {
      collection = decl.parent.parent.expression;
    } else if (decl && ts.isParameter(decl)) {
      const cb = perItemCallback(types, decl.parent);
      if (cb && cb.item === decl) collection = cb.receiver;
    }
    const c = collection && skipOuterExpressions(collection);
    const cs = c && ts.isIdentifier(c) ? types.symbolAt(c) : undefined;
    if (cs && !touched.has(cs)) {
      touched.add(cs);
      queue.push(cs);
    }
  }
}
