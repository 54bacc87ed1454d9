/**
 * The call graph: which function-like declarations a call can run, and which calls each
 * function makes. Built lazily per `ts.Program` (a WeakMap), one body walk per function.
 *
 * Resolution goes through the checker's resolved signature, so it follows imports,
 * re-exports, aliases, methods (class, interface-implemented, object-literal), arrow
 * functions and function expressions bound to variables or properties, and overloads.
 */
import ts from '../ts/typescript.cjs';
import { getTypeQueries } from './type-queries.js';
import { touch } from './dependencies.js';
import { oncePerProgram } from './per-program.js';
import { skipOuterExpressions as skipOuter, walk } from './walk.js';

export type FunctionLike =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

const FUNCTION_KINDS = new Set([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
]);

/** One kind test (it runs on every node of every walk). */
export function isFunctionLike(node: ts.Node): node is FunctionLike {
  return FUNCTION_KINDS.has(node.kind);
}

/** The function-like whose body contains `node` (not the node itself). */
export function enclosingFunction(node: ts.Node): FunctionLike | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n)) return n;
  return undefined;
}

export interface CallSite {
  call: ts.CallExpression | ts.NewExpression;
  /** Declarations with a body that this call can run (empty when unknown or external). */
  callees: FunctionLike[];
}

export interface FunctionInfo {
  fn: FunctionLike;
  /** Calls made directly in this function's body (not in nested functions). */
  calls: CallSite[];
  /** Functions written directly inside this one (callbacks, local helpers). */
  nested: FunctionLike[];
}

export interface CallGraph {
  program: ts.Program;
  /** The declarations with a body that a call can run. */
  resolve(call: ts.CallExpression | ts.NewExpression): FunctionLike[];
  /** The calls and nested functions of one function, computed once. */
  info(fn: FunctionLike): FunctionInfo;
  /** The function-like whose body contains `node` directly (not the node itself). */
  enclosingFunction(node: ts.Node): FunctionLike | undefined;
}

const graphs = oncePerProgram<CallGraph>();

export function getCallGraph(program: ts.Program): CallGraph {
  return graphs(program, () => createCallGraph(program));
}

function createCallGraph(program: ts.Program): CallGraph {
  const types = getTypeQueries(program);
  const infos = new Map<FunctionLike, FunctionInfo>();
  const resolved = new Map<ts.Node, FunctionLike[]>();

  function withBody(decl: ts.Node | undefined): FunctionLike | undefined {
    if (!decl) return undefined;
    if (isFunctionLike(decl)) {
      if (decl.body) return decl;
      return implementationOf(decl);
    }
    // `const f = () => ...`, `f: function () {}`, `x = async () => {}` in a class
    if ((ts.isVariableDeclaration(decl) || ts.isPropertyAssignment(decl) || ts.isPropertyDeclaration(decl)) && decl.initializer) {
      const init = skipOuter(decl.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
    return undefined;
  }

  /** For an overload signature, the implementation with the body. */
  function implementationOf(decl: FunctionLike): FunctionLike | undefined {
    const symbol = decl.name ? types.symbolAt(decl.name) : undefined;
    for (const d of symbol ? types.declarationsOf(symbol) : []) {
      if (isFunctionLike(d) && d.body) return d;
    }
    return undefined;
  }

  function resolveUncached(call: ts.CallExpression | ts.NewExpression): FunctionLike[] {
    const callee = skipOuter(call.expression);
    // Immediately invoked function expressions.
    if (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) return [callee];
    const fromSignature = withBody(types.calledDeclaration(call));
    if (fromSignature) return [fromSignature];
    if (ts.isNewExpression(call)) {
      const symbol = types.symbolAt(call.expression);
      const ctor = symbol ? types.constructorDeclarationsOf(symbol).find((d) => isFunctionLike(d) && d.body) : undefined;
      return ctor ? [ctor as FunctionLike] : [];
    }
    // Untyped code (plain JS with `any`): fall back to the symbol of the callee name.
    const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
    const symbol = types.symbolAt(nameNode);
    const decl = symbol ? (types.valueDeclarationOf(symbol) ?? types.declarationsOf(symbol)[0]) : undefined;
    const fromSymbol = withBody(decl);
    return fromSymbol ? [fromSymbol] : [];
  }

  function resolve(call: ts.CallExpression | ts.NewExpression): FunctionLike[] {
    let result = resolved.get(call);
    if (!result) {
      result = resolveUncached(call);
      resolved.set(call, result);
    }
    for (const fn of result) touch(fn);
    return result;
  }

  function info(fn: FunctionLike): FunctionInfo {
    touch(fn);
    let result = infos.get(fn);
    if (result) return result;
    const calls: CallSite[] = [];
    const nested: FunctionLike[] = [];
    const visit = (node: ts.Node): boolean => {
      if (isFunctionLike(node)) {
        nested.push(node);
        return false;
      }
      if (ts.isClassLike(node)) return false;
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) calls.push({ call: node, callees: resolve(node) });
      return true;
    };
    // Parameter default values run in the function too.
    for (const p of fn.parameters) if (p.initializer) walk(p.initializer, visit);
    if (fn.body) walk(fn.body, visit);
    result = { fn, calls, nested };
    infos.set(fn, result);
    return result;
  }

  return { program, resolve, info, enclosingFunction };
}

/** The expressions a function returns (an arrow's expression body, or its own `return` statements). */
export function returnedExpressions(fn: FunctionLike): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: ts.Expression[] = [];
  walk(fn.body, (n) => {
    if (isFunctionLike(n) || ts.isClassLike(n)) return false;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    return true;
  });
  return out;
}

/** A readable name for a function, for traces: `AccountService.transfer`, `loadConfig`, `<arrow in handler>`. */
export function functionName(fn: FunctionLike): string {
  const own = ownName(fn);
  const cls = ts.isClassLike(fn.parent) ? fn.parent.name?.text : undefined;
  if (own) return cls ? `${cls}.${own}` : own;
  const outer = enclosingNamed(fn);
  return outer ? `<anonymous in ${outer}>` : '<anonymous>';
}

function ownName(fn: FunctionLike): string | undefined {
  if (ts.isConstructorDeclaration(fn)) return 'constructor';
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name) || ts.isPrivateIdentifier(fn.name))) {
    return fn.name.text;
  }
  const parent = fn.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  return undefined;
}

function enclosingNamed(fn: FunctionLike): string | undefined {
  for (let n: ts.Node | undefined = fn.parent; n; n = n.parent) {
    if (isFunctionLike(n)) {
      const name = ownName(n);
      if (name) return functionName(n);
    }
  }
  return undefined;
}
