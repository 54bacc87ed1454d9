/**
 * Start-up code inside async functions. An async function that is not exported and is only
 * ever called from module top level (`void bootstrap()`, `main().catch(report)`, `await
 * main()`) runs once, when the program starts. Until its first `await` nothing else can run:
 * a synchronous file read there (a NestJS `bootstrap()` reading its TLS certificate, a script's
 * `main()` listing a folder) delays start-up, not requests. After that `await`, other tasks
 * may run, so the rest of the function is async context as usual; an `await` inside a loop
 * ends the start-up part where that loop starts (its next iteration runs after the `await`).
 * The same holds across files: an exported async function that only other modules' top
 * levels call (`await runMigrations()` in a CLI's entry module) is start-up code (uses.ts).
 */
import ts from '../ts/typescript.cjs';
import { getTypeQueries, type SymbolRef } from '../program/type-queries.js';
import { getCallGraph, isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { isExportedDeclaration, walk } from '../program/walk.js';
import { isTopLevelCall, topLevelFunctionName, usesOf } from '../program/uses.js';
import { perProgram } from '../program/per-program.js';
import { fileIndex } from '../program/file-index.js';
import type { AsyncEntry } from '../program/async-context.js';

const ends = [new WeakMap<FunctionLike, number | null>(), new WeakMap<FunctionLike, number | null>()];

/**
 * Where the start-up part of `fn` ends (a source position), or undefined when `fn` is not
 * start-up code. Only with `acrossFiles` are other files' top-level calls looked at (that
 * answer depends on the whole program).
 */
export function startupPartEnd(fn: FunctionLike, program: ts.Program, acrossFiles = false): number | undefined {
  const memo = ends[acrossFiles ? 1 : 0]!;
  let end = memo.get(fn);
  if (end === undefined) {
    end = startedFromTopLevelOnly(fn, program, acrossFiles) || handedOnceAtTopLevel(fn, program) ? firstSuspension(fn) : null;
    memo.set(fn, end);
  }
  return end ?? undefined;
}

/** The name a top-level, non-exported function or `const f = async () => {}` is declared with. */
function topLevelName(fn: FunctionLike): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) {
    return fn.name && ts.isSourceFile(fn.parent) && !isExportedDeclaration(fn) ? fn.name : undefined;
  }
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const decl = fn.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== fn || !ts.isIdentifier(decl.name)) return undefined;
  const statement = decl.parent.parent;
  return ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent) && !isExportedDeclaration(statement) ? decl.name : undefined;
}

/**
 * Every use of the function's name in its file is a call made at module top level (and there
 * is one); or, for an exported function, every use in the program is such a call and one is in
 * another file (a bootstrap or CLI mode started by the entry module). An exported function no
 * other file calls may be a library's API: its callers are not in the program.
 */
function startedFromTopLevelOnly(fn: FunctionLike, program: ts.Program, acrossFiles: boolean): boolean {
  const name = topLevelName(fn);
  if (!name) {
    if (!acrossFiles) return false;
    const uses = topLevelFunctionName(fn) ? usesOf(fn, program) : undefined;
    return !!uses && uses.crossFileCalls > 0 && !uses.other;
  }
  const symbol = getTypeQueries(program).symbolAt(name);
  return !!symbol && startedOnlyIn(fn.getSourceFile(), program).get(symbol) === true;
}

const startedByFile = perProgram<ts.SourceFile, Map<SymbolRef, boolean>>();

/**
 * For the top-level functions of a file that are not exported: is every use of the name a call
 * made at module top level (and is there one)? One walk of the file answers for all of them.
 */
function startedOnlyIn(sf: ts.SourceFile, program: ts.Program): Map<SymbolRef, boolean> {
  return startedByFile.get(program, sf, () => computeStartedOnlyIn(sf, program));
}

function computeStartedOnlyIn(sf: ts.SourceFile, program: ts.Program): Map<SymbolRef, boolean> {
  const types = getTypeQueries(program);
  const declared = new Map<string, ts.Identifier>();
  for (const statement of sf.statements) {
    const fns = ts.isFunctionDeclaration(statement) ? [statement] : ts.isVariableStatement(statement) ? statement.declarationList.declarations.map((d) => d.initializer) : [];
    for (const fn of fns) {
      const name = fn && isFunctionLike(fn) ? topLevelName(fn) : undefined;
      if (name) declared.set(name.text, name);
    }
  }
  const uses = new Map<SymbolRef, { calls: number; other: boolean }>();
  for (const name of declared.values()) {
    const symbol = types.symbolAt(name);
    if (symbol) uses.set(symbol, { calls: 0, other: false });
  }
  if (uses.size > 0) {
    for (const node of fileIndex(sf).of<ts.Identifier>(ts.SyntaxKind.Identifier)) {
      if (declared.get(node.text) === node || !declared.has(node.text)) continue;
      const use = uses.get(types.symbolAt(node)!);
      if (use && isTopLevelCall(node)) use.calls++;
      else if (use) use.other = true;
    }
  }
  return new Map([...uses].map(([symbol, use]) => [symbol, use.calls > 0 && !use.other]));
}


/**
 * A callback written at module top level as an argument of a function of the program that
 * calls that parameter once (`run(async () => { ... })` with `function run(main) { main().catch(fail) }`):
 * it runs once, as the program starts. Registrations (routes, timers, listeners) are entries of
 * their own kind and never get here.
 */
function handedOnceAtTopLevel(fn: FunctionLike, program: ts.Program): boolean {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return false;
  let arg: ts.Node = fn;
  while (ts.isParenthesizedExpression(arg.parent)) arg = arg.parent;
  const call = arg.parent;
  if (!ts.isCallExpression(call)) return false;
  const index = call.arguments.indexOf(arg as ts.Expression);
  if (index < 0) return false;
  for (let n: ts.Node = call; n.parent; n = n.parent) if (isFunctionLike(n) || ts.isClassLike(n)) return false;
  const runners = getCallGraph(program).resolve(call);
  if (runners.length !== 1) return false;
  const param = runners[0]!.parameters[index]?.name;
  return !!param && ts.isIdentifier(param) && callsOnce(runners[0]!, param, program);
}

/** Is the parameter used once, as the callee of a call outside loops and nested functions? */
function callsOnce(runner: FunctionLike, param: ts.Identifier, program: ts.Program): boolean {
  if (!runner.body) return false;
  const types = getTypeQueries(program);
  const symbol = types.symbolAt(param);
  let uses = 0;
  let once = true;
  walk(runner.body, (node) => {
    if (!ts.isIdentifier(node) || node.text !== param.text || types.symbolAt(node) !== symbol) return true;
    uses++;
    const call = node.parent;
    if (!ts.isCallExpression(call) || call.expression !== node) once = false;
    for (let n: ts.Node = node.parent; n !== runner.body; n = n.parent) {
      if (isFunctionLike(n) || ts.isIterationStatement(n, false)) once = false;
    }
    return true;
  });
  return uses === 1 && once;
}

/**
 * A promise callback registered at module top level (`init().then(() => ...)` in the entry
 * module): a module's top level runs once, so the callback runs once, as the program starts.
 */
export function startsAtTopLevel(entry: AsyncEntry): boolean {
  if (entry.kind !== 'promise') return false;
  for (let n: ts.Node = entry.fn; n.parent; n = n.parent) if (n !== entry.fn && (isFunctionLike(n) || ts.isClassLike(n))) return false;
  return true;
}

/** The start of the first `await` (or `for await`) in the body, or of the outermost loop around it; the body's end when there is none. */
function firstSuspension(fn: FunctionLike): number {
  let first: ts.Node | undefined;
  if (fn.body) {
    walk(fn.body, (node) => {
      if (first) return false;
      if (isFunctionLike(node)) return false;
      if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) first = node;
      return !first;
    });
  }
  if (!first) return fn.end;
  let start = first;
  for (let n: ts.Node = first; n !== fn && n.parent; n = n.parent) {
    if (ts.isIterationStatement(n, false)) start = n;
  }
  return start.getStart();
}
