/**
 * The import graph of a program's own files, for the analysis cache: what a file's type
 * facts can depend on. A file's types come from the files it imports, directly or not
 * (`import`, `export ... from`, `import()`, `require` in JavaScript, `/// <reference path>`),
 * plus what is global: the default libraries, packages, and files that are scripts (no
 * import/export) or that augment other modules or the global scope. A change to a global
 * file can change any file's types, so the cache then checks everything again.
 *
 * Besides imports, the graph has an edge from the file of an interface or a class to each
 * file that declares one of its subtypes (program/implementations.ts, `dispatchEdgesByFile`): a call
 * through the interface runs the implementations, so its findings depend on their files.
 */
import path from 'node:path';
import ts from '../ts/typescript.cjs';
import { dispatchEdgesByFile } from './implementations.js';
import { resolvedName } from './file-facts.js';

export interface ImportGraph {
  /** The program's own files (not libraries or packages), by absolute path. */
  files: string[];
  /** Own files each own file imports (absolute paths), and the files of its types' subtypes. */
  imports: Map<string, string[]>;
  /** Own files whose declarations are visible without an import (scripts, augmentations). */
  globals: Set<string>;
  /** Per own file declaring a subtype, the own files of its supertypes (the dispatch edges, by subtype's file). */
  supertypes?: ReadonlyMap<string, readonly string[]>;
  /** The dispatch edges: supertype's file -> subtypes' files. */
  dispatch?: ReadonlyMap<string, ReadonlySet<string>>;
  /** How many files resolved their heritage clauses for this graph (the others kept the previous graph's; for tests). */
  resolvedHeritage?: number;
}

type ResolvedModuleVisitor = (
  resolution: ts.ResolvedModuleWithFailedLookupLocations,
  moduleName: string,
  mode: ts.ResolutionMode,
  filePath: ts.Path,
) => void;

/** `Program.forEachResolvedModule` is in the compiler but not in its public typings. */
interface ProgramWithResolutions {
  forEachResolvedModule?(callback: ResolvedModuleVisitor, file?: ts.SourceFile): void;
}

export function isExternalFile(program: ts.Program, sf: ts.SourceFile): boolean {
  return (
    program.isSourceFileDefaultLibrary(sf) ||
    program.isSourceFileFromExternalLibrary(sf) ||
    /[\\/]node_modules[\\/]/.test(sf.fileName)
  );
}

export function isGlobal(sf: ts.SourceFile): boolean {
  if (!ts.isExternalModule(sf)) return true; // a script: its declarations are global
  const augments = (sf as { moduleAugmentations?: readonly unknown[] }).moduleAugmentations;
  return (augments?.length ?? 0) > 0 || /\bdeclare\s+global\b/.test(sf.text);
}

/** What an earlier graph of the same project knew about a file, to take over while its `SourceFile` is the same object. */
export interface KnownImports {
  sourceFile(file: string): ts.SourceFile | undefined;
  graph: ImportGraph;
  /**
   * The files that may not keep their supertypes' files from `graph` (a file may when it and what
   * its heritage clauses resolve through are unchanged); undefined: none may.
   */
  heritageRenewed?: ReadonlySet<string>;
  /**
   * When the program lists the same files as `graph`'s, in the same order (an edit): the files
   * whose `SourceFile` is a new object, and the program's file of a name. Then only those files,
   * and the files whose dispatch edges changed, are looked at.
   */
  edited?: { files: readonly string[]; sourceFile(file: string): ts.SourceFile | undefined };
}

/**
 * The import graph, or undefined when this TypeScript cannot list resolved modules. With
 * `known` (the editor's previous program of the same project and options, program/generations.ts)
 * and the same own files, a file whose `SourceFile` is the same object keeps its imports: what a
 * file's imports resolve to changes only with the files there are (and the options).
 */
export function importGraph(program: ts.Program, known?: KnownImports): ImportGraph | undefined {
  const withResolutions = program as ts.Program & ProgramWithResolutions;
  if (typeof withResolutions.forEachResolvedModule !== 'function') return undefined;
  if (known?.edited && known.heritageRenewed && known.graph.supertypes && known.graph.dispatch) return editedGraph(withResolutions, known, known.edited);
  const own = new Map<string, ts.SourceFile>();
  for (const sf of program.getSourceFiles()) if (!isExternalFile(program, sf)) own.set(resolvedName(sf), sf);
  const sameFiles = !!known && known.graph.files.length === own.size && known.graph.files.every((file) => own.has(file));
  const imports = new Map<string, string[]>();
  const globals = new Set<string>();
  const prior = sameFiles && known!.heritageRenewed && known!.graph.supertypes ? { supertypes: known!.graph.supertypes, renewed: known!.heritageRenewed } : undefined;
  const { edges: dispatch, supertypes, resolved } = dispatchEdgesByFile(program, prior);
  const renewed: string[] = [];
  for (const [file, sf] of own) {
    // A kept file's imports include its dispatch edges: kept only while those are the same too.
    if (sameFiles && known!.sourceFile(file) === sf && sameSet(known!.graph.dispatch?.get(file), dispatch.get(file))) {
      imports.set(file, known!.graph.imports.get(file) ?? []);
      if (known!.graph.globals.has(file)) globals.add(file);
      continue;
    }
    imports.set(file, importsOf(withResolutions, sf, file, (abs) => own.has(abs), dispatch));
    renewed.push(file);
    if (isGlobal(sf)) globals.add(file);
  }
  if (sameFiles) importersAfter(known!.graph.imports, imports, renewed);
  return { files: sameFiles ? known!.graph.files : [...own.keys()].sort(), imports, globals, supertypes, dispatch, resolvedHeritage: resolved };
}

/** The own files `sf` imports, and the files of its types' subtypes (`dispatch`). */
function importsOf(program: ProgramWithResolutions, sf: ts.SourceFile, file: string, isOwn: (file: string) => boolean, dispatch: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const out = new Set<string>();
  program.forEachResolvedModule!((resolution) => {
    const target = resolution.resolvedModule?.resolvedFileName;
    if (!target) return;
    const abs = path.resolve(target);
    if (isOwn(abs)) out.add(abs);
  }, sf);
  for (const ref of sf.referencedFiles) {
    const abs = path.resolve(path.dirname(file), ref.fileName);
    if (isOwn(abs)) out.add(abs);
  }
  for (const sub of dispatch.get(file) ?? []) if (isOwn(sub)) out.add(sub);
  out.delete(file);
  return [...out].sort();
}

/**
 * The graph after an edit that left the program's files and their order as they were
 * (`known.edited`): the previous graph's maps, copied, with the entries of the edited files, of
 * the files that resolve their heritage clauses again and of the files whose dispatch edges
 * changed made again. Gives the graph `importGraph` builds file by file.
 */
function editedGraph(program: ts.Program & ProgramWithResolutions, known: KnownImports, edited: NonNullable<KnownImports['edited']>): ImportGraph {
  const previous = known.graph;
  const isOwn = (file: string) => previous.imports.has(file);
  const { edges: dispatch, supertypes, resolved } = dispatchEdgesByFile(program, { supertypes: previous.supertypes!, renewed: known.heritageRenewed!, edited: edited.sourceFile });
  const again = new Set(edited.files.filter(isOwn));
  for (const file of new Set([...dispatch.keys(), ...previous.dispatch!.keys()])) if (!sameSet(previous.dispatch!.get(file), dispatch.get(file))) again.add(file);
  const imports = new Map(previous.imports);
  const globals = new Set(previous.globals);
  for (const file of again) {
    const sf = edited.sourceFile(file)!;
    imports.set(file, importsOf(program, sf, file, isOwn, dispatch));
    if (isGlobal(sf)) globals.add(file);
    else globals.delete(file);
  }
  importersAfter(previous.imports, imports, [...again]);
  return { files: previous.files, imports, globals, supertypes, dispatch, resolvedHeritage: resolved };
}

/**
 * The importers of `imports`, from those of `previous` (the same files; only `renewed` have new
 * import lists) when they were computed: the lists of the files those import, before or after,
 * are copied and changed, the others shared.
 */
function importersAfter(previous: ReadonlyMap<string, readonly string[]>, imports: ReadonlyMap<string, readonly string[]>, renewed: readonly string[]): void {
  const before = importersCache.get(previous);
  if (!before) return;
  const out = new Map(before);
  const copied = new Set<string>();
  const listOf = (target: string): string[] => {
    if (copied.has(target)) return out.get(target) as string[];
    const list = [...(out.get(target) ?? [])];
    copied.add(target);
    out.set(target, list);
    return list;
  };
  for (const file of renewed) {
    for (const target of previous.get(file) ?? []) {
      const list = listOf(target);
      const at = list.indexOf(file);
      if (at >= 0) list.splice(at, 1);
    }
    for (const target of imports.get(file) ?? []) listOf(target).push(file);
  }
  for (const target of copied) if (out.get(target)!.length === 0) out.delete(target);
  importersCache.set(imports, out);
}

function sameSet(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const x of a ?? []) if (!b!.has(x)) return false;
  return true;
}

/** `importersOf` per imports map (a graph's map is not changed once made). */
const importersCache = new WeakMap<ReadonlyMap<string, readonly string[]>, ReadonlyMap<string, readonly string[]>>();

/** Files by the own files that import them directly (computed once per imports map; not to be changed). */
export function importersOf(imports: ReadonlyMap<string, readonly string[]>): ReadonlyMap<string, readonly string[]> {
  const known = importersCache.get(imports);
  if (known) return known;
  const out = new Map<string, string[]>();
  for (const [file, targets] of imports) {
    for (const target of targets) {
      const list = out.get(target);
      if (list) list.push(file);
      else out.set(target, [file]);
    }
  }
  importersCache.set(imports, out);
  return out;
}

/** Every file that imports one of `changed`, directly or not (the changed files included). */
export function dependents(imports: ReadonlyMap<string, readonly string[]>, changed: Iterable<string>): Set<string> {
  const importers = importersOf(imports);
  const seen = new Set<string>(changed);
  const queue = [...seen];
  for (let i = 0; i < queue.length; i++) {
    for (const importer of importers.get(queue[i]!) ?? []) {
      if (!seen.has(importer)) {
        seen.add(importer);
        queue.push(importer);
      }
    }
  }
  return seen;
}

/**
 * `reaches(from, to)`: does `from` import `to`, directly or not? Each file's closure is
 * computed once, on first need; past `budget` visited edges in total it gives up and
 * answers undefined (the caller then assumes the worst).
 */
export function closureOracle(imports: ReadonlyMap<string, readonly string[]>, budget = 20_000_000) {
  const closures = new Map<string, Set<string>>();
  let spent = 0;
  return (from: string, to: string): boolean | undefined => {
    if (from === to) return true;
    let closure = closures.get(from);
    if (!closure) {
      closure = new Set([from]);
      const queue = [from];
      for (let i = 0; i < queue.length; i++) {
        for (const next of imports.get(queue[i]!) ?? []) {
          if (++spent > budget) return undefined;
          if (!closure.has(next)) {
            closure.add(next);
            queue.push(next);
          }
        }
      }
      closures.set(from, closure);
    }
    return closure.has(to);
  };
}
