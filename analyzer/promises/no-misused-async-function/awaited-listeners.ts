/**
 * Listeners of a program's own emitter that the program awaits: a whole-program fact that
 * quiets `emitter.on('stopping', async () => ...)`. `EventEmitter`'s listener type returns
 * `void`, and `emit` does drop what a listener returns; but an app that owns the emitter may
 * never call `emit` on it and dispatch the events itself, awaiting each listener:
 * `for (const l of emitter.listeners(e)) await l();` (analyzer/promises/no-misused-async-function/dispatchers.ts).
 *
 * The emitter expression must resolve to one storage declared in the program (a variable, a
 * class field or static field; through imports), holding a library `EventEmitter` created by
 * its initializer (or, for an instance field, by its class's constructor). Every reference to
 * that storage in the program is looked at: it may register or remove listeners and ask about
 * them, and it may read its listeners only to call and await each one. An `emit`, any other use
 * (the emitter passed on, returned, stored elsewhere, reassigned, exported under another name,
 * or reachable from a module no file of the program imports: a package entry, whose users may
 * emit), or a dispatcher that drops a result, and the listener is reported as before. At least
 * one awaiting dispatcher is needed. Events the library emits itself (`newListener`,
 * `removeListener`) are always reported.
 *
 * Computed once per storage and program (a per-program cache: each program an editor builds
 * computes its own); files are searched as text for the storage's name first. The answer
 * depends on every file, so asking tells the analysis cache so (`touchWholeProgram`).
 */
import ts from '../../ts/typescript.cjs';
import type { SymbolRef, TypeQueries } from '../../program/type-queries.js';
import { touchWholeProgram, untracked } from '../../program/dependencies.js';
import { perProgram } from '../../program/per-program.js';
import { fileIndex } from '../../program/file-index.js';
import { isExternalFile } from '../../program/import-graph.js';
import { enclosingFunction } from '../../program/callgraph.js';
import { isAssignment, outermost } from '../../program/syntax.js';
import { skipOuterExpressions } from '../../program/walk.js';
import { awaitsEachListener } from './dispatchers.js';
import { reachableFromOutside } from './emitter-exports.js';
import type { Ctx } from './candidates.js';

/** Methods that register a listener (the second argument). */
const REGISTERS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);
/** Methods that return the emitter itself (`bus.on(...).on(...)`). */
const CHAINING = new Set([...REGISTERS, 'off', 'removeListener', 'removeAllListeners', 'setMaxListeners']);
/** Questions about the listeners that call none of them. */
const QUESTIONS = new Set(['getMaxListeners', 'listenerCount', 'eventNames']);
const READS_LISTENERS = new Set(['listeners', 'rawListeners']);
/** Events a Node `EventEmitter` emits itself. */
const LIBRARY_EVENTS = new Set(['newListener', 'removeListener']);

/** A program-declared place that holds an emitter. */
export interface Storage {
  symbol: SymbolRef;
  decl: ts.VariableDeclaration | ts.PropertyDeclaration;
  name: string;
}

type Use = 'none' | 'dispatch' | 'escape';

const verdicts = perProgram<SymbolRef, boolean>();

/**
 * Argument `index` of `call` is a listener given to `emitter.on(event, listener)` (or `once`,
 * `addListener`, ...) of a program's own emitter whose listeners the program awaits.
 */
export function isAwaitedListener(ctx: Ctx, call: ts.CallExpression | ts.NewExpression, index: number): boolean {
  if (index !== 1 || !ts.isCallExpression(call)) return false;
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !REGISTERS.has(callee.name.text)) return false;
  const event = call.arguments[0];
  if (event && ts.isStringLiteralLike(event) && LIBRARY_EVENTS.has(event.text)) return false;
  const storage = storageOf(ctx.program, ctx.types, callee.expression);
  if (!storage) return false;
  touchWholeProgram(); // an `emit` may be added in any file
  return verdicts.get(ctx.program, storage.symbol, () => untracked(() => listenersAwaited(ctx.program, ctx.types, storage)));
}

/** The storage an emitter expression reads (`bus`, `Lifecycle.events`, `this.bus`, `bus.on(...)`), when the program declares it. */
export function storageOf(program: ts.Program, types: TypeQueries, expression: ts.Expression, depth = 0): Storage | undefined {
  const e = skipOuterExpressions(expression);
  if (ts.isCallExpression(e)) {
    const callee = skipOuterExpressions(e.expression);
    return depth < 10 && ts.isPropertyAccessExpression(callee) && CHAINING.has(callee.name.text) ? storageOf(program, types, callee.expression, depth + 1) : undefined;
  }
  const nameNode = ts.isIdentifier(e) ? e : ts.isPropertyAccessExpression(e) ? e.name : undefined;
  const symbol = nameNode && types.symbolAt(nameNode);
  const decls = symbol ? types.declarationsOf(symbol) : [];
  const decl = decls[0];
  if (!symbol || decls.length !== 1 || !decl) return undefined;
  if (!(ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name)) && !(ts.isPropertyDeclaration(decl) && (ts.isIdentifier(decl.name) || ts.isPrivateIdentifier(decl.name)))) return undefined;
  const sf = decl.getSourceFile();
  if (sf.isDeclarationFile || isExternalFile(program, sf)) return undefined;
  return { symbol, decl, name: decl.name.text };
}

function listenersAwaited(program: ts.Program, types: TypeQueries, storage: Storage): boolean {
  if (!holdsLibraryEmitter(types, storage) || reachableFromOutside(program, types, storage)) return false;
  let dispatched = false;
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || isExternalFile(program, sf) || !sf.text.includes(storage.name)) continue;
    const names = localNames(sf, storage.name);
    const kind = storage.name.startsWith('#') ? ts.SyntaxKind.PrivateIdentifier : ts.SyntaxKind.Identifier;
    for (const id of fileIndex(sf).of<ts.Identifier | ts.PrivateIdentifier>(kind)) {
      if (!names.has(id.text)) continue;
      const use = referenceUse(types, storage, id);
      if (use === 'escape') return false;
      if (use === 'dispatch') dispatched = true;
    }
  }
  return dispatched;
}

/** The storage's name and the local names a file imports it under (`import { bus as events }`). */
function localNames(sf: ts.SourceFile, name: string): Set<string> {
  const names = new Set([name]);
  for (const statement of sf.statements) {
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const spec of bindings.elements) if ((spec.propertyName ?? spec.name).text === name) names.add(spec.name.text);
  }
  return names;
}

/** The initializer (or, for an instance field without one, its class's constructor) stores a library `new EventEmitter()`. */
function holdsLibraryEmitter(types: TypeQueries, storage: Storage): boolean {
  const init = storage.decl.initializer;
  if (init) return isLibraryEmitter(types, init);
  return ts.isPropertyDeclaration(storage.decl) && !isStatic(storage.decl) && constructorInitializes(types, storage);
}

function isLibraryEmitter(types: TypeQueries, expr: ts.Expression): boolean {
  const e = skipOuterExpressions(expr);
  if (!ts.isNewExpression(e)) return false;
  const type = types.typeAt(e);
  const symbol = type && types.typeSymbol(type);
  return !!symbol && types.symbolName(symbol) === 'EventEmitter' && types.originOf(symbol).kind !== 'file';
}

function isStatic(decl: ts.PropertyDeclaration): boolean {
  return (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Static) !== 0;
}

/** `this.bus = new EventEmitter()` in the constructor of the field's class (other assignments are judged with every reference). */
function constructorInitializes(types: TypeQueries, storage: Storage): boolean {
  const owner = storage.decl.parent;
  if (!ts.isClassLike(owner)) return false;
  const ctor = owner.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
  if (!ctor?.body) return false;
  return ctor.body.statements.some((s) => ts.isExpressionStatement(s) && isAssignment(s.expression) && isConstructorInit(types, storage, s.expression));
}

function isConstructorInit(types: TypeQueries, storage: Storage, assignment: ts.BinaryExpression): boolean {
  const target = skipOuterExpressions(assignment.left);
  if (assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(target)) return false;
  if (target.expression.kind !== ts.SyntaxKind.ThisKeyword || types.symbolAt(target.name) !== storage.symbol) return false;
  const fn = enclosingFunction(assignment);
  return !!fn && ts.isConstructorDeclaration(fn) && fn.parent === storage.decl.parent && isLibraryEmitter(types, assignment.right);
}

/** What one identifier named like the storage does with it. */
function referenceUse(types: TypeQueries, storage: Storage, id: ts.Identifier | ts.PrivateIdentifier): Use {
  const parent = id.parent;
  if (parent === storage.decl || ts.isImportSpecifier(parent) || ts.isImportClause(parent) || isInTypePosition(id)) return 'none';
  if (ts.isExportSpecifier(parent)) return (parent.propertyName ?? parent.name).text === parent.name.text ? 'none' : 'escape';
  // `{ bus }` passes the value on; `const { events } = Lifecycle` may read the field.
  if (ts.isShorthandPropertyAssignment(parent)) return types.shorthandValueSymbol(parent) === storage.symbol ? 'escape' : 'none';
  if (ts.isBindingElement(parent) && ts.isPropertyDeclaration(storage.decl) && (parent.propertyName ?? parent.name) === id) return 'escape';
  const symbol = types.symbolAt(id);
  if (symbol !== storage.symbol) return otherSymbolUse(types, storage, id, symbol);
  const value = ts.isPropertyAccessExpression(parent) && parent.name === id ? parent : id;
  if (ts.isExportAssignment(outermost(value).parent)) return 'escape';
  return valueUse(types, storage, value as ts.Expression, 0);
}

/**
 * A same-named identifier that is not the storage: harmless, unless it is a property read we
 * cannot tell apart from it (untyped, or through an interface or type literal the owner may satisfy).
 */
function otherSymbolUse(types: TypeQueries, storage: Storage, id: ts.Node, symbol: SymbolRef | undefined): Use {
  if (!ts.isPropertyDeclaration(storage.decl)) return 'none';
  const parent = id.parent;
  if (!ts.isPropertyAccessExpression(parent) || parent.name !== id) return 'none';
  if (!symbol) return 'escape';
  return types.declarationsOf(symbol).some((d) => ts.isPropertySignature(d)) ? 'escape' : 'none';
}

/** What the code around `value` (an expression holding the emitter) does with it. */
function valueUse(types: TypeQueries, storage: Storage, value: ts.Expression, depth: number): Use {
  const e = outermost(value);
  const p = e.parent;
  if (ts.isPropertyAccessExpression(p) && p.expression === e) {
    const call = outermost(p).parent;
    if (!ts.isCallExpression(call) || outermost(call.expression) !== outermost(p)) return 'escape';
    const method = p.name.text;
    if (QUESTIONS.has(method)) return 'none';
    if (READS_LISTENERS.has(method)) return awaitsEachListener(types, call) ? 'dispatch' : 'escape';
    if (CHAINING.has(method)) return ts.isExpressionStatement(outermost(call).parent) ? 'none' : depth < 10 ? valueUse(types, storage, call, depth + 1) : 'escape';
    return 'escape'; // `emit`, or a method we do not know
  }
  if (isAssignment(p) && p.left === e) return isConstructorInit(types, storage, p) ? 'none' : 'escape';
  return ts.isExpressionStatement(p) ? 'none' : 'escape';
}

/** `typeof Lifecycle.events`, `x: typeof bus`: a type, not a use of the value. */
function isInTypePosition(id: ts.Node): boolean {
  for (let n: ts.Node = id; n.parent; n = n.parent) {
    if (ts.isTypeNode(n)) return true;
    if (ts.isExpression(n) && !ts.isIdentifier(n) && !ts.isPropertyAccessExpression(n)) return false;
    if (ts.isStatement(n)) return false;
  }
  return false;
}
