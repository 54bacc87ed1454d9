/**
 * Do the runs of a closure overlap? A variable of an enclosing function is state of one call of
 * that function; it is shared only between runs of a closure that can be suspended at the same
 * time. That is decided here, from how the closure is used:
 *
 * - sequential: called and awaited (`await run()`, `return run()`), an awaited IIFE, or passed
 *   to a call the caller awaits whose callee runs it one run at a time: a lock callback
 *   (`runExclusive(fn)`), a helper of this program whose every use of the parameter is an
 *   awaited call (`for (...) await fn(batch)`), or a library function whose result is the
 *   callback's result (`transaction<T>(fn: (t) => Promise<T>): Promise<T>`);
 * - overlapping: anything else, named for the message: passed to `ids.map` (or any callee not
 *   known to run it one at a time), started without `await`, stored, returned, registered.
 */
import ts from '../ts/typescript.cjs';
import { enclosingFunction, getCallGraph, type FunctionLike } from '../program/callgraph.js';
import { getTypeQueries } from '../program/type-queries.js';
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';
import { getLockContext } from '../locks/context.js';
import { lockOpAt } from '../locks/recognize.js';
import { isAssignment, isConstDeclaration, outermost } from '../program/syntax.js';
import { codeText } from '../check/quote.js';
import { perProgram } from '../program/per-program.js';
import { touch } from '../program/dependencies.js';

/** Why a closure's runs overlap, for messages (`is passed to \`ids.map\``), or undefined when they do not. */
export type Overlap = string | undefined;

/** Nested questions in flight (closures handed through helpers); cycles end at the caches' in-progress marks. */
const MAX_FRAMES = 64;
let frames = 0;
const overlaps = perProgram<FunctionLike, Overlap>();
const inTurn = perProgram<string, boolean>();

/** Why the runs of the function literal `fn` can overlap, or undefined when they run one at a time. */
export function overlapOf(program: ts.Program, fn: FunctionLike): Overlap {
  // A chain deeper than any real program's: answer conservatively, without caching.
  if (frames > MAX_FRAMES && !overlaps.has(program, fn)) return 'may run again before it finishes';
  const compute = () => {
    frames++;
    try {
      return computeOverlap(program, fn);
    } finally {
      frames--;
    }
  };
  // In progress: recursion is not proof of order.
  return overlaps.get(program, fn, compute, { whileComputing: 'may run again before it finishes' });
}

function computeOverlap(program: ts.Program, fn: FunctionLike): Overlap {
  if (ts.isMethodDeclaration(fn) || ts.isConstructorDeclaration(fn) || ts.isAccessor(fn)) return 'is a method';
  if (ts.isFunctionDeclaration(fn)) return fn.name ? namedOverlap(program, fn.name) : 'is stored, so it may run at any time';
  const use = outermost(fn);
  const parent = use.parent;
  if (ts.isCallExpression(parent) && parent.expression === use) return isWaited(parent) ? undefined : 'is started without `await`';
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(use)) {
    return argumentOverlap(program, parent, parent.arguments.indexOf(use));
  }
  const name = ts.isVariableDeclaration(parent) && parent.initializer === use && ts.isIdentifier(parent.name) && isConstDeclaration(parent) ? parent.name : undefined;
  if (name) return namedOverlap(program, name);
  if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === use)) return 'is returned, so its caller may run it at any time';
  return 'is stored, so it may run at any time';
}

/** Does the caller wait for this call before going on: `await call`, `return call`, an arrow's body? */
export function isWaited(call: ts.Expression): boolean {
  const n = outermost(call);
  const p = n.parent;
  return ts.isAwaitExpression(p) || ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === n);
}

/** Passed as argument `index` of `call`: overlapping unless the caller waits and the callee runs it one run at a time. */
function argumentOverlap(program: ts.Program, call: ts.CallExpression | ts.NewExpression, index: number): Overlap {
  const why = `is passed to \`${calleeText(call)}\``;
  if (ts.isNewExpression(call) || !isWaited(call)) return why;
  return runsArgumentInTurn(program, call, index) ? undefined : why;
}

function calleeText(call: ts.CallExpression | ts.NewExpression): string {
  return codeText(skipOuter(call.expression), call.getSourceFile(), 40);
}

/** Does the callee of `call` run its argument `index` at most one run at a time (and not after it returns)? */
export function runsArgumentInTurn(program: ts.Program, call: ts.CallExpression, index: number): boolean {
  const op = lockOpAt(getLockContext(program, {}), call);
  if (op?.kind === 'callback' && op.callback && skipOuter(op.callback) === skipOuter(call.arguments[index]!)) return true;
  if (call.arguments.slice(0, index).some(ts.isSpreadElement)) return false;
  const callees = getCallGraph(program).resolve(call);
  if (callees.length > 0) return callees.every((f) => runsParameterInTurn(program, f, index));
  const decl = getTypeQueries(program).calledDeclaration(call);
  if (decl) touch(decl); // the callee's declaration, read below, may be in another file
  const result = decl && !ts.isJSDocSignature(decl) ? resultIsCallbackResult(decl, index) : false;
  return result === 'bare' || (result === 'wrapped' && getTypeQueries(program).isPromiseLike(call));
}

/** Every use of parameter `index` of `fn` is a call (or a hand-over) that `fn` waits for. */
function runsParameterInTurn(program: ts.Program, fn: FunctionLike, index: number): boolean {
  const key = `${fn.getSourceFile().fileName}:${fn.pos}:${index}`;
  const compute = () => {
    const param = fn.parameters[index];
    return !!param && !!fn.body && ts.isIdentifier(param.name) && !param.dotDotDotToken && usesInTurn(program, fn, param);
  };
  return inTurn.get(program, key, compute, { whileComputing: false });
}

function usesInTurn(program: ts.Program, fn: FunctionLike, param: ts.ParameterDeclaration): boolean {
  const name = (param.name as ts.Identifier).text;
  const types = getTypeQueries(program);
  const symbol = types.symbolAt(param.name);
  let ok = true;
  walk(fn.body!, (n) => {
    if (!ok) return false;
    if (ts.isIdentifier(n) && n.text === name && !isDeclarationName(n) && types.symbolAt(n) === symbol) {
      ok = useInTurn(program, fn, n);
    }
    return true;
  });
  return ok;
}

function isDeclarationName(id: ts.Identifier): boolean {
  const p = id.parent;
  return (ts.isPropertyAccessExpression(p) && p.name === id) || ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isPropertyAssignment(p)) && p.name === id);
}

/** One use of a callback parameter inside `fn`: called and waited for, handed on to a callee that does the same, or only tested. */
function useInTurn(program: ts.Program, fn: FunctionLike, id: ts.Identifier): boolean {
  // Each function between the use and `fn` must itself run in turn (a lock callback, an awaited IIFE...).
  for (let g = enclosingFunction(id); g && g !== fn; g = enclosingFunction(g)) {
    if (overlapOf(program, g) !== undefined) return false;
  }
  const use = outermost(id);
  const parent = use.parent;
  if (ts.isCallExpression(parent) && parent.expression === use) return isWaited(parent);
  if (ts.isCallExpression(parent) && parent.arguments.includes(use)) {
    return isWaited(parent) && runsArgumentInTurn(program, parent, parent.arguments.indexOf(use));
  }
  // Tests of the callback (`if (fn)`, `typeof fn === 'function'`) do not run it.
  return ts.isIfStatement(parent) || ts.isPrefixUnaryExpression(parent) || ts.isTypeOfExpression(parent) || (ts.isBinaryExpression(parent) && !isAssignment(parent));
}

/** A closure bound to a name (`const run = async () => ...`): every use must run it in turn. */
function namedOverlap(program: ts.Program, name: ts.Identifier): Overlap {
  const types = getTypeQueries(program);
  const symbol = types.symbolAt(name);
  const scope = enclosingFunction(name) ?? name.getSourceFile();
  if (!symbol || !enclosingFunction(name)) return 'is a top-level function';
  const calls: ts.CallExpression[] = [];
  let why: Overlap;
  walk(scope, (n) => {
    if (why !== undefined) return false;
    if (!ts.isIdentifier(n) || n === name || n.text !== name.text || types.symbolAt(n) !== symbol) return true;
    const use = outermost(n);
    const parent = use.parent;
    if (ts.isCallExpression(parent) && parent.expression === use) {
      calls.push(parent);
      if (!isWaited(parent)) why = 'is started without `await`';
    } else if (ts.isCallExpression(parent) && parent.arguments.includes(use)) {
      why = argumentOverlap(program, parent, parent.arguments.indexOf(use));
    } else {
      why = 'is stored, so it may run at any time';
    }
    if (why === undefined) {
      for (let g = enclosingFunction(n); g && g !== scope; g = enclosingFunction(g)) {
        if (overlapOf(program, g) !== undefined) why = 'is called from a callback whose runs overlap';
      }
    }
    return true;
  });
  return why;
}

/**
 * A library signature whose result is what the callback returns (`transaction<T>(fn: (t) =>
 * PromiseLike<T>): Promise<T>`, `runExclusive<T>(fn: () => Promise<T>): Promise<T>`,
 * `with<F>(ctx, fn: F): ReturnType<F>`): it runs the callback to produce its one result. A result
 * built from many runs (`map`'s `U[]`) or a callback that also receives the result type (`reduce`)
 * does not qualify. 'wrapped': the result is `Wrapper<T>` (the caller checks it is a promise).
 */
export function resultIsCallbackResult(decl: ts.SignatureDeclaration, index: number): 'bare' | 'wrapped' | false {
  const param = decl.parameters[index];
  const result = decl.type;
  if (!param?.type || !result || !decl.typeParameters) return false;
  for (const tp of decl.typeParameters) {
    const name = tp.name.text;
    const fnType = callbackType(param.type);
    if (fnType) {
      if (!mentions(fnType.type, name) || fnType.parameters.some((p) => p.type && mentions(p.type, name))) continue;
      const found = resultOf(result, name, false);
      if (found) return found;
    } else if (ts.isTypeReferenceNode(param.type) && ts.isIdentifier(param.type.typeName) && param.type.typeName.text === name) {
      const found = resultOf(result, name, true);
      if (found) return found;
    }
  }
  return false;
}

/** The function type in `(t: Tx) => PromiseLike<T>`, `((v) => R) | null`. */
function callbackType(node: ts.TypeNode): ts.FunctionTypeNode | undefined {
  if (ts.isParenthesizedTypeNode(node)) return callbackType(node.type);
  if (ts.isFunctionTypeNode(node)) return node;
  if (ts.isUnionTypeNode(node)) {
    const fns = node.types.map(callbackType).filter((t): t is ts.FunctionTypeNode => !!t);
    return fns.length === 1 ? fns[0] : undefined;
  }
  return undefined;
}

function mentions(node: ts.Node, name: string): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (ts.isTypeReferenceNode(n) && ts.isIdentifier(n.typeName) && n.typeName.text === name) found = true;
    return true;
  });
  return found;
}

const MANY = new Set(['Array', 'ReadonlyArray', 'Set', 'ReadonlySet', 'Map', 'Iterable', 'AsyncIterable', 'Generator', 'AsyncGenerator']);

/** `T` (or, for a callback typed `F`, `ReturnType<F>`): 'bare'; `Promise<T>`, `Wrapper<T | U>`: 'wrapped'. */
function resultOf(node: ts.TypeNode, name: string, viaReturnType: boolean, wrapped = false): 'bare' | 'wrapped' | false {
  if (ts.isParenthesizedTypeNode(node)) return resultOf(node.type, name, viaReturnType, wrapped);
  if (ts.isUnionTypeNode(node)) {
    for (const t of node.types) {
      const found = resultOf(t, name, viaReturnType, wrapped);
      if (found) return found;
    }
    return false;
  }
  if (!ts.isTypeReferenceNode(node) || !ts.isIdentifier(node.typeName)) return false;
  const ref = node.typeName.text;
  const args = node.typeArguments ?? [];
  const done = wrapped ? 'wrapped' : 'bare';
  if (ref === name && args.length === 0) return viaReturnType ? false : done;
  if (ref === 'ReturnType' && args.length === 1) return viaReturnType && resultOf(args[0]!, name, false) ? done : false;
  if (args.length !== 1 || MANY.has(ref)) return false;
  return resultOf(args[0]!, name, viaReturnType, ref !== 'Awaited' || wrapped);
}
