/**
 * Shared places for `no-await-race`: state that another call can change while this one is
 * suspended at an `await`. A place is named by its access path from a shared root:
 * - `this` in a class member (instance fields), or the class itself (static fields);
 * - a module-level variable (a `let`/`var` itself, or any property path under a module-level binding);
 * - a variable of an enclosing function captured by a closure whose runs overlap (analyzer/race/closures.ts:
 *   passed to `xs.map`, registered with `emitter.on`, stored, started without `await`);
 * - a local object of the running call once it is stored where other calls can reach it (the
 *   caller passes those: analyzer/race/escapes.ts).
 * Other locals and parameters of the running call are never shared.
 */
import ts from '../ts/typescript.cjs';
import type { SymbolRef, TypeQueries } from '../program/type-queries.js';
import { enclosingFunction, functionName, isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { overlapOf } from './closures.js';
import { isInside } from '../program/syntax.js';

export interface Place {
  /** Identity: root + path (`this:Account.balance`, `module:a.ts#pool`, `class:Db.shared`). */
  key: string;
  /** As written, for messages: `this.balance`. */
  label: string;
  /** Has at least one property segment, or is a shared variable itself. */
  segments: number;
  /** Who else can change it, for messages: "another call on the same object", "another run of this callback (...)". */
  others: string;
  /** For a local object stored where other calls reach it: where it was stored (shared only after that). */
  escapedAt?: ts.Node;
}

/** Locals of the running function stored where other calls can reach them, with where. */
export type Escapes = Map<SymbolRef, { at: ts.Node; /** "is stored in `this.open`" */ where: string }>;

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

/** The innermost function from `fn` outwards whose runs overlap (its variables and those of the functions
 * around it are shared between those runs), with why; undefined when every closure on the way runs in turn. */
const overlapScopes = new WeakMap<FunctionLike, { fn: FunctionLike; why: string } | null>();

function overlappingScope(types: TypeQueries, fn: FunctionLike): { fn: FunctionLike; why: string } | undefined {
  const cached = overlapScopes.get(fn);
  if (cached !== undefined) return cached ?? undefined;
  let found: { fn: FunctionLike; why: string } | undefined;
  for (let g: FunctionLike | undefined = fn; g && enclosingFunction(g); g = enclosingFunction(g)) {
    const why = overlapOf(types.program, g);
    if (why !== undefined) {
      found = { fn: g, why };
      break;
    }
  }
  overlapScopes.set(fn, found ?? null);
  return found;
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

interface Root {
  key: string;
  variable: boolean;
  /** A module-level binding: shared by every call even when \`const\` (a module \`Map\`, array or object mutated in place). */
  module?: boolean;
  others: string;
  escapedAt?: ts.Node;
}

function identifierRoot(types: TypeQueries, id: ts.Identifier, fn: FunctionLike, escapes: Escapes | undefined): Root | undefined {
  const shared = sharedNames(id.getSourceFile()).has(id.text);
  const overlapping = shared ? undefined : overlappingScope(types, fn);
  // Locals and parameters of a function whose closures run in turn are never shared (unless stored).
  if (!shared && !overlapping && !escapes?.size) return undefined;
  const symbol = types.symbolAt(id);
  if (!shared && !overlapping && !(symbol && escapes?.has(symbol))) return undefined;
  const decl = symbol && types.valueDeclarationOf(symbol);
  // Ambient declarations (`process`, `window`, globals from .d.ts files) are the platform's state.
  if (!symbol || !decl || decl.getSourceFile().isDeclarationFile) return undefined;
  const name = types.symbolName(symbol);
  if (types.isClassSymbol(symbol)) return { key: `class:${name}`, variable: false, others: 'another call' };
  if (!ts.isVariableDeclaration(decl) && !ts.isParameter(decl)) return undefined;
  const list = decl.parent;
  const isLet = ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) === 0;
  const file = decl.getSourceFile().fileName;
  if (ts.isVariableDeclarationList(list) && ts.isVariableStatement(list.parent) && ts.isSourceFile(list.parent.parent)) {
    return { key: `module:${file}#${name}@${decl.pos}`, variable: isLet, module: true, others: 'another call' };
  }
  const escaped = escapes?.get(symbol);
  if (escaped) {
    const others = `another call (\`${name}\` ${escaped.where} before the \`await\`, where other calls can reach it)`;
    return { key: `escaped:${file}#${name}@${decl.pos}`, variable: false, others, escapedAt: escaped.at };
  }
  // A variable of an enclosing function, captured by a closure whose runs overlap.
  const scope = overlapping ?? (shared ? overlappingScope(types, fn) : undefined);
  if (!scope || isInside(decl, scope.fn)) return undefined;
  const owner = enclosingFunction(decl);
  const ownerText = owner ? ` of \`${functionName(owner)}\`` : '';
  const closure = scope.fn === fn ? 'this callback' : 'the enclosing callback';
  const others = `another run of ${closure} (\`${name}\` is a variable${ownerText}, and the callback ${scope.why}, so its runs overlap)`;
  return { key: `captured:${file}#${name}@${decl.pos}`, variable: ts.isParameter(decl) || isLet, others };
}

/** The shared place an expression denotes, if any. */
export function placeOf(types: TypeQueries, expr: ts.Expression, fn: FunctionLike, sf: ts.SourceFile, escapes?: Escapes): Place | undefined {
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
  let root: Root | undefined;
  if (e.kind === ts.SyntaxKind.ThisKeyword) {
    const key = thisRoot(e);
    if (!key || segments.length === 0) return undefined;
    root = { key, variable: false, others: key.startsWith('class:') ? 'another call' : 'another call on the same object' };
  } else if (ts.isIdentifier(e)) {
    root = identifierRoot(types, e, fn, escapes);
    // A module-level `const` is shared by itself: its methods mutate it (`cache.set(k, v)`).
    if (!root || (segments.length === 0 && !root.variable && !root.module)) return undefined;
  } else {
    return undefined;
  }
  const place: Place = { key: root.key + segments.join(''), label: stripOuter(expr).getText(sf), segments: segments.length, others: root.others };
  if (root.escapedAt) place.escapedAt = root.escapedAt;
  return place;
}
