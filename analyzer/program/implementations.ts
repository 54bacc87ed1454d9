/**
 * Dispatch through interfaces and abstract classes (the dependency-injection shape): a call of
 * `this.users.byId(id)` on a `UserDirectory` interface, or of an abstract method, has no body
 * in the call graph; it runs one of the program's implementations, the classes that
 * `implements`/`extends` the type (directly or through other types) and declare the method
 * with a body. The index of subtypes is built once per program from the heritage clauses of
 * the program's own files (declaration files and packages are left out).
 *
 * For the analysis cache, a dispatch makes the interface's file depend on the files of its
 * implementations: `dispatchEdgesByFile` lists those edges (supertype's file -> subtype's file), which
 * the import graph adds to the imports (program/import-graph.ts). A file that calls through
 * the interface imports its file, directly or not, so an edit of an implementation (or a new
 * one) re-checks it like an edit of a file it imports, and a check that follows a dispatch
 * reads nothing beyond its file's (extended) imports.
 */
import ts from '../ts/typescript.cjs';
import { isFunctionLike, type FunctionLike } from './callgraph.js';
import { getTypeQueries } from './type-queries.js';
import { touch, untracked } from './dependencies.js';
import { carriedNodeValue, carryNodeValue, resolvedName } from './file-facts.js';
import { perProgram } from './per-program.js';
import { indexAcrossEdits, type ProgramDelta } from './generations.js';
import { skipOuterExpressions } from './walk.js';

type TypeDecl = ts.ClassLikeDeclaration | ts.InterfaceDeclaration;

export interface Implementation {
  /** The implementing method (with its body). */
  fn: FunctionLike;
  /** The class that declares it. */
  cls: ts.ClassLikeDeclaration;
}

/** At most this many implementations are followed for one method (a wider fan-out is a plugin point, not a service). */
const MAX_IMPLEMENTATIONS = 8;

const results = perProgram<ts.Node, Implementation[]>();

/** The abstract method (interface member, `abstract` method) a call resolves to, with its owner type. */
export function abstractTargetOf(program: ts.Program, call: ts.CallExpression): { decl: ts.Declaration; owner: TypeDecl; name: string } | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const decl = getTypeQueries(program).calledDeclaration(call);
  if (!decl || ts.isJSDocSignature(decl) || decl.getSourceFile().isDeclarationFile) return undefined;
  const owner = decl.parent;
  const bodiless = ts.isMethodSignature(decl) || (ts.isMethodDeclaration(decl) && !decl.body && hasAbstract(decl));
  if (!bodiless || !owner || !(ts.isInterfaceDeclaration(owner) || (ts.isClassLike(owner) && hasAbstract(owner)))) return undefined;
  return { decl, owner, name: callee.name.text };
}

function hasAbstract(node: ts.Node): boolean {
  return (ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Abstract) !== 0;
}

/** The program's implementations of the interface or abstract method that `call` resolves to. */
export function implementationsOf(program: ts.Program, call: ts.CallExpression): Implementation[] {
  const target = abstractTargetOf(program, call);
  if (!target) return [];
  // The answer depends on files the calling file need not import: through the interface's
  // file, whose dispatch edges lead to them (`dispatchEdgesByFile`).
  touch(target.decl);
  const found = results.get(program, target.decl, () => untracked(() => collect(program, target.owner, target.name)));
  for (const impl of found) touch(impl.fn);
  return found;
}

/**
 * The dispatch edges built file by file: for each own file that declares a subtype, the own files
 * of its supertypes (`supertypes`). With `known` (the previous program's per-file lists), a file
 * not in `known.renewed` keeps its list (its `SourceFile` and everything its heritage clauses can
 * resolve through are unchanged); only the others resolve their heritage clauses again. With
 * `known.edited` (the program lists the same files as the previous one, in the same order), only
 * those are looked at, by name. A file's heritage clauses are resolved once per program
 * (`pairsOf`, shared with the subtype index).
 */
export function dispatchEdgesByFile(
  program: ts.Program,
  known?: { supertypes: ReadonlyMap<string, readonly string[]>; renewed: ReadonlySet<string>; edited?: (file: string) => ts.SourceFile | undefined },
): { edges: Map<string, Set<string>>; supertypes: Map<string, readonly string[]>; resolved: number } {
  let supertypes: Map<string, readonly string[]>;
  let resolved = 0;
  const resolve = (sf: ts.SourceFile, file: string) => {
    resolved++;
    const list = supertypesOf(program, sf, file);
    if (list.length > 0) supertypes.set(file, list);
    else supertypes.delete(file);
  };
  if (known?.edited) {
    supertypes = new Map(known.supertypes);
    for (const file of known.renewed) {
      const sf = known.edited(file);
      if (sf && !sf.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sf)) resolve(sf, file);
      else supertypes.delete(file);
    }
  } else {
    supertypes = new Map();
    for (const sf of program.getSourceFiles()) {
      if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf)) continue;
      const file = resolvedName(sf);
      if (known && !known.renewed.has(file)) {
        const list = known.supertypes.get(file);
        if (list) supertypes.set(file, list);
        continue;
      }
      resolve(sf, file);
    }
  }
  const edges = new Map<string, Set<string>>();
  for (const [to, froms] of supertypes) {
    for (const from of froms) {
      const set = edges.get(from) ?? new Set<string>();
      set.add(to);
      edges.set(from, set);
    }
  }
  return { edges, supertypes, resolved };
}

/** The own files of the supertypes named in the heritage clauses of the file's classes and interfaces. */
function supertypesOf(program: ts.Program, sf: ts.SourceFile, file: string): string[] {
  const out = new Set(pairsOf(program, sf).map(([sup]) => resolvedName(sup.getSourceFile())));
  out.delete(file);
  return [...out];
}

function collect(program: ts.Program, owner: TypeDecl, name: string): Implementation[] {
  const index = subtypeIndex(program);
  const out: Implementation[] = [];
  const seen = new Set<ts.Node>([owner]);
  const queue: TypeDecl[] = [owner];
  for (let i = 0; i < queue.length && out.length < MAX_IMPLEMENTATIONS; i++) {
    for (const sub of index.get(queue[i]!) ?? []) {
      if (seen.has(sub)) continue;
      seen.add(sub);
      queue.push(sub);
      const fn = ts.isClassLike(sub) ? ownMethod(sub, name) : undefined;
      if (fn && out.length < MAX_IMPLEMENTATIONS) out.push({ fn, cls: sub as ts.ClassLikeDeclaration });
    }
  }
  return out;
}

/** The class's own method `name` with a body (a method, or a property bound to a function). */
function ownMethod(cls: ts.ClassLikeDeclaration, name: string): FunctionLike | undefined {
  for (const member of cls.members) {
    if (!member.name || !ts.isIdentifier(member.name) || member.name.text !== name) continue;
    if (ts.isMethodDeclaration(member) && member.body) return member;
    if (ts.isPropertyDeclaration(member) && member.initializer) {
      const init = skipOuterExpressions(member.initializer);
      if (isFunctionLike(init) && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return init;
    }
  }
  return undefined;
}

/**
 * Supertype declaration -> the classes and interfaces that name it in `implements`/`extends`;
 * after an edit in place, the previous program's index updated (`subtypeIndex.made` says which).
 */
export const subtypeIndex = indexAcrossEdits(buildSubtypeIndex, updatedSubtypeIndex);

/** In an editor, each file's pairs are kept across programs while it and what it imports are unchanged (file-facts.ts `carriedNodeValue`). */
const CARRIED_PAIRS = 'subtype-pairs';

const pairs = perProgram<ts.SourceFile, [ts.Node, TypeDecl][]>();

/**
 * [supertype declaration, class or interface naming it in `implements`/`extends`] for the file's
 * declarations: its heritage clauses resolved once per program (the dispatch edges of the import
 * graph and the subtype index both read them), or kept from the editor's previous program.
 */
function pairsOf(program: ts.Program, sf: ts.SourceFile): [ts.Node, TypeDecl][] {
  return pairs.get(program, sf, () => {
    const carried = carriedNodeValue(program, CARRIED_PAIRS, sf) as [ts.Node, TypeDecl][] | undefined;
    if (carried) return carried;
    const found = subtypePairs(sf, getTypeQueries(program));
    carryNodeValue(program, CARRIED_PAIRS, sf, found);
    return found;
  });
}

function buildSubtypeIndex(program: ts.Program): Map<ts.Node, TypeDecl[]> {
  const index = new Map<ts.Node, TypeDecl[]>();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf)) continue;
    for (const [sup, decl] of pairsOf(program, sf)) {
      const list = index.get(sup);
      if (list) list.push(decl);
      else index.set(sup, [decl]);
    }
  }
  for (const list of index.values()) list.sort(bySource);
  return index;
}

/**
 * After an edit in place (generations.ts `programDelta`): the previous program's index, with the
 * pairs of the files whose in-memory values were dropped taken out as they were and put back as
 * they are now. Undefined when a file's previous pairs are unknown (then the index is built).
 */
function updatedSubtypeIndex(program: ts.Program, delta: ProgramDelta, before: Map<ts.Node, TypeDecl[]>): Map<ts.Node, TypeDecl[]> | undefined {
  const replaced = new Map(delta.edited.map((sf, i) => [sf, delta.replaced[i]!] as const));
  const index = new Map(before);
  const copied = new Set<ts.Node>();
  const listOf = (sup: ts.Node): TypeDecl[] => {
    let list = index.get(sup) ?? [];
    if (!copied.has(sup)) index.set(sup, (list = [...list]));
    copied.add(sup);
    return list;
  };
  for (const sf of delta.renewed) {
    if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf)) continue;
    const old = replaced.get(sf) ?? sf;
    if (!pairs.has(delta.previous, old)) return undefined;
    for (const [sup, decl] of pairs.get(delta.previous, old, () => [])) {
      const list = listOf(sup);
      const at = list.indexOf(decl);
      if (at < 0) return undefined;
      list.splice(at, 1);
    }
    for (const [sup, decl] of pairsOf(program, sf)) listOf(sup).push(decl);
  }
  for (const sup of copied) {
    const list = index.get(sup)!;
    if (list.length === 0) index.delete(sup);
    else list.sort(bySource);
  }
  return index;
}

/** The index's order of subtypes: by file name, then position (the order of the program's files does not matter). */
function bySource(a: TypeDecl, b: TypeDecl): number {
  const fa = resolvedName(a.getSourceFile());
  const fb = resolvedName(b.getSourceFile());
  return fa < fb ? -1 : fa > fb ? 1 : a.pos - b.pos;
}

/** The pairs of the file, from its heritage clauses. */
function subtypePairs(sf: ts.SourceFile, types: ReturnType<typeof getTypeQueries>): [ts.Node, TypeDecl][] {
  const found: [ts.Node, TypeDecl][] = [];
  const add = (decl: TypeDecl) => {
    for (const clause of decl.heritageClauses ?? []) {
      for (const type of clause.types) {
        const symbol = types.symbolAt(type.expression);
        for (const sup of symbol ? types.declarationsOf(symbol) : []) {
          if (ts.isClassLike(sup) || ts.isInterfaceDeclaration(sup)) found.push([sup, decl]);
        }
      }
    }
  };
  const visit = (statements: readonly ts.Statement[]) => {
    for (const s of statements) {
      if (ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s)) add(s);
      else if (ts.isModuleDeclaration(s) && s.body && ts.isModuleBlock(s.body)) visit(s.body.statements);
    }
  };
  visit(sf.statements);
  return found;
}
