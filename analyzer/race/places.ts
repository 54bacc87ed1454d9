/**
 * Shared places for `no-await-race`: state that another call can change while this one is
 * suspended at an `await`. A place is named by its access path from a shared root:
 * - `this` in a class member (instance fields), or the class itself (static fields);
 * - a module-level variable (a `let`/`var` itself, or any property path under a module-level binding);
 * - a variable of an enclosing function captured by an async callback that can run concurrently
 *   (one passed as an argument: `xs.map(async ...)`, `emitter.on(..., async ...)`).
 * Locals of the running call are never shared.
 */
import ts from '../typescript.cjs';
import type { Door } from '../checker.js';
import { isFunctionLike, type FunctionLike } from '../callgraph.js';

export interface Place {
  /** Identity: root + path (`this:Account.balance`, `module:a.ts#pool`, `class:Db.shared`). */
  key: string;
  /** As written, for messages: `this.balance`. */
  label: string;
  /** Has at least one property segment, or is a shared variable itself. */
  segments: number;
}

const MAX_PATH = 8;

/** Are two places the same state or one inside the other (`this.state` and `this.state.items`)? */
export function related(a: Place, b: Place): boolean {
  if (a.key === b.key) return true;
  const [short, long] = a.key.length < b.key.length ? [a.key, b.key] : [b.key, a.key];
  return long.startsWith(short) && (long[short.length] === '.' || long[short.length] === '[');
}

function stripOuter(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

/** The class whose instance (or, in a static member, whose constructor) `this` is at `node`. */
function thisRoot(node: ts.Node): string | undefined {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isArrowFunction(n)) continue;
    if (ts.isPropertyDeclaration(n) || ts.isClassStaticBlockDeclaration(n) || (isFunctionLike(n) && ts.isClassLike(n.parent))) {
      const cls = n.parent as ts.ClassLikeDeclaration;
      const name = cls.name?.text ?? '<class>';
      const isStatic = ts.isClassStaticBlockDeclaration(n) || (ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword));
      return isStatic ? `class:${name}` : `this:${name}`;
    }
    if (isFunctionLike(n) || ts.isSourceFile(n)) return undefined;
  }
  return undefined;
}

/** Is this async function a callback that can run concurrently with itself (passed as an argument)? */
export function isConcurrentCallback(fn: FunctionLike): boolean {
  let node: ts.Node = fn;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (!ts.isCallExpression(parent) && !ts.isNewExpression(parent)) return false;
  const args: readonly ts.Expression[] = parent.arguments ?? [];
  return args.includes(node as ts.Expression);
}

/** Names that can denote shared state in a file: top-level declarations and imports (a cheap
 * filter, so most identifiers never reach the checker). */
const sharedNamesCache = new WeakMap<ts.SourceFile, Set<string>>();

function sharedNames(sf: ts.SourceFile): Set<string> {
  let names = sharedNamesCache.get(sf);
  if (names) return names;
  names = new Set();
  const addBinding = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names!.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  for (const statement of sf.statements) {
    if (ts.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) addBinding(d.name);
    else if (ts.isClassDeclaration(statement) && statement.name) names.add(statement.name.text);
    else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) names.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      else if (bindings) for (const el of bindings.elements) names.add(el.name.text);
    } else if (ts.isImportEqualsDeclaration(statement)) names.add(statement.name.text);
  }
  sharedNamesCache.set(sf, names);
  return names;
}

function identifierRoot(door: Door, id: ts.Identifier, fn: FunctionLike): { key: string; variable: boolean } | undefined {
  // Locals and parameters of a function that is not a concurrent callback are never shared.
  if (!sharedNames(id.getSourceFile()).has(id.text) && !isConcurrentCallback(fn)) return undefined;
  const symbol = door.symbolAt(id);
  const decl = symbol?.valueDeclaration;
  // Ambient declarations (`process`, `window`, globals from .d.ts files) are the platform's state.
  if (!symbol || !decl || decl.getSourceFile().isDeclarationFile) return undefined;
  if (symbol.flags & ts.SymbolFlags.Class) return { key: `class:${symbol.getName()}`, variable: false };
  if (!ts.isVariableDeclaration(decl) && !ts.isParameter(decl)) return undefined;
  const list = decl.parent;
  const isLet = ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) === 0;
  const file = decl.getSourceFile().fileName;
  if (ts.isVariableDeclarationList(list) && ts.isVariableStatement(list.parent) && ts.isSourceFile(list.parent.parent)) {
    return { key: `module:${file}#${symbol.getName()}@${decl.pos}`, variable: isLet };
  }
  // A variable of an enclosing function, captured by a concurrently running callback.
  if (!isConcurrentCallback(fn) || isInside(decl, fn)) return undefined;
  return { key: `captured:${file}#${symbol.getName()}@${decl.pos}`, variable: ts.isParameter(decl) || isLet };
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end && node.getSourceFile() === container.getSourceFile();
}

/** The shared place an expression denotes, if any. */
export function placeOf(door: Door, expr: ts.Expression, fn: FunctionLike, sf: ts.SourceFile): Place | undefined {
  const segments: string[] = [];
  let e = stripOuter(expr);
  for (let depth = 0; depth < MAX_PATH; depth++) {
    if (ts.isPropertyAccessExpression(e)) {
      segments.unshift(`.${e.name.text}`);
      e = stripOuter(e.expression);
    } else if (ts.isElementAccessExpression(e)) {
      const arg = stripOuter(e.argumentExpression);
      const key = ts.isStringLiteral(arg) || ts.isNumericLiteral(arg) ? JSON.stringify(arg.text) : ts.isIdentifier(arg) ? arg.text : '?';
      segments.unshift(`[${key}]`);
      e = stripOuter(e.expression);
    } else {
      break;
    }
  }
  let root: string | undefined;
  if (e.kind === ts.SyntaxKind.ThisKeyword) {
    root = thisRoot(e);
    if (!root || segments.length === 0) return undefined;
  } else if (ts.isIdentifier(e)) {
    const found = identifierRoot(door, e, fn);
    if (!found || (segments.length === 0 && !found.variable)) return undefined;
    root = found.key;
  } else {
    return undefined;
  }
  return { key: root + segments.join(''), label: stripOuter(expr).getText(sf), segments: segments.length };
}
