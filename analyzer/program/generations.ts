/**
 * Per-file facts across the programs an editor builds one after another. In an editor,
 * typescript-eslint's project service makes a new `ts.Program` after every edit, and the
 * language service keeps the `SourceFile` objects of the files that did not change. The
 * program-wide indexes (callback registrations, lock edges; analyzer/program/file-facts.ts) would be rebuilt
 * from every file on the first lint after each edit; instead, the facts of a file whose
 * imports (directly or not) are the same `SourceFile` objects as in the previous program of
 * the same project are taken over, and only the edited file and its importers compute theirs.
 * An edit its importers cannot see (program/edit-reach.ts: a new export nobody imports, a
 * helper only the edited file's changed code uses) stops there: only the edited file computes.
 *
 * Values kept in memory rather than stored (file-facts.ts `carriedNodeValue`) hold node objects,
 * so they are kept only for files that import no changed file at all.
 *
 * Interface dispatch (program/implementations.ts) runs a class's methods from files that do not
 * import it, so when a file that is to compute again declares a class or interface that extends
 * or implements another, every file computes again.
 */
import path from 'node:path';
import ts from '../ts/typescript.cjs';
import { continueFacts, isRecording, recordFacts, resolvedName, reuseAlso } from './file-facts.js';
import { positionMap, remapStored, type PositionMap } from './position-map.js';
import { dependents, importersOf, importGraph, isExternalFile, isGlobal, type ImportGraph } from './import-graph.js';
import { editReach, sameDeclarations } from './edit-reach.js';
import { optionsKey } from './options-key.js';

interface Generation {
  /** Kept until the next program has compared an edited file's summaries with this one's (the early cut-off). */
  program: ts.Program;
  /** `program.getSourceFiles()`, in its order. */
  sources: readonly ts.SourceFile[];
  files: Map<string, ts.SourceFile>;
  graph: ImportGraph;
}

/**
 * The early cut-off: compares what the kept facts of other files read of an edited file, in the
 * previous program and in the new one (analyzer/checks/edit-surface.ts; the declarations are
 * compared here). Undefined when it may differ; else what becomes of a stored fact of another
 * file (as JSON, its nodes already moved through the edit): the JSON to keep (the edited file's
 * ids moved too), or undefined when it cannot be kept all the same.
 */
export interface EditCutoff {
  compare(previous: ts.Program, before: ts.SourceFile, program: ts.Program, after: ts.SourceFile, map: PositionMap): ((json: string) => string | undefined) | undefined;
}

/** What the early cut-off did for a program, for tests and benchmarks. */
export interface CutoffStats {
  /** Edited files whose importers kept their facts. */
  cut: string[];
  /** Files that kept their facts thanks to it. */
  kept: number;
}

const cutoffStats = new WeakMap<ts.Program, CutoffStats>();

/**
 * What changed from the previous program of the same project, when the program lists the same
 * files in the same order (an edit): the files whose in-memory values were not taken over
 * (file-facts.ts `carriedNodeValue`; the edited files among them). A program-wide index kept
 * across programs (the lock graph) then visits only these files, not every file of the program.
 */
export interface ProgramDelta {
  previous: ts.Program;
  /** The new `SourceFile` objects (edited files), and their previous ones. */
  edited: readonly ts.SourceFile[];
  replaced: readonly ts.SourceFile[];
  /** Every file (edited ones included) whose in-memory values were dropped, by `SourceFile`. */
  renewed: readonly ts.SourceFile[];
}

const deltas = new WeakMap<ts.Program, ProgramDelta>();

/** What changed from the previous program (undefined: not an edit in place, or every file's values were dropped). */
export function programDelta(program: ts.Program): ProgramDelta | undefined {
  return deltas.get(program);
}

/** A value per program that an edit in place updates from the previous program's value, and how it was made (for tests). */
export interface IndexAcrossEdits<V> {
  (program: ts.Program): V;
  made(program: ts.Program): 'built' | 'updated' | undefined;
}

/**
 * One value per program (a program-wide index), made by `update` from the previous program's
 * value after an edit in place (`programDelta`) when that program made one, else by `build`
 * (`update` may give up with undefined: then `build` too).
 */
export function indexAcrossEdits<V>(build: (program: ts.Program) => V, update: (program: ts.Program, delta: ProgramDelta, before: V) => V | undefined): IndexAcrossEdits<V> {
  const values = new WeakMap<ts.Program, { value: V; made: 'built' | 'updated' }>();
  const get = (program: ts.Program): V => {
    let found = values.get(program);
    if (!found) {
      const delta = programDelta(program);
      const before = delta && values.get(delta.previous);
      const updated = before && update(program, delta, before.value);
      values.set(program, (found = updated === undefined ? { value: build(program), made: 'built' } : { value: updated, made: 'updated' }));
    }
    return found.value;
  };
  return Object.assign(get, { made: (program: ts.Program) => values.get(program)?.made });
}

/** What the early cut-off did for `program` (undefined: nothing was edited visibly, or no previous program). */
export function editCutoffStats(program: ts.Program): CutoffStats | undefined {
  return cutoffStats.get(program);
}

const graphs = new WeakMap<ts.Program, ImportGraph>();

/** The import graph `followProgram` made for `program` (for tests: how many files resolved their heritage clauses again). */
export function followedImportGraph(program: ts.Program): ImportGraph | undefined {
  return graphs.get(program);
}

/** The latest program seen per project (its tsconfig, or its folder for inferred projects) and compiler options. */
const latest = new Map<string, Generation>();

function projectKey(program: ts.Program): string {
  const options = program.getCompilerOptions();
  const config = typeof options.configFilePath === 'string' ? path.resolve(options.configFilePath) : `inferred:${program.getCurrentDirectory()}`;
  return `${config}\0${optionsKey(options)}`;
}

/**
 * Start recording facts for `program`, reusing the previous program's where its files did not
 * change. With `cutoff`, an edit its importers can see still stops at the edited file when what
 * they read of it is unchanged.
 */
export function followProgram(program: ts.Program, cutoff?: EditCutoff): void {
  if (isRecording(program)) return;
  const key = projectKey(program);
  const previous = latest.get(key);
  const sources = program.getSourceFiles();
  const inPlace = previous && editedInPlace(previous.sources, sources);
  let files: Map<string, ts.SourceFile>;
  if (inPlace) {
    files = new Map(previous!.files);
    for (const sf of inPlace) files.set(resolvedName(sf), sf);
  } else files = new Map(sources.map((sf) => [resolvedName(sf), sf] as const));
  const editedFiles = inPlace?.map(resolvedName);
  const graph = importGraph(
    program,
    previous && {
      sourceFile: (file) => previous.files.get(file),
      graph: previous.graph,
      heritageRenewed: heritageRenewed(program, previous, files, editedFiles),
      ...(editedFiles ? { edited: { files: editedFiles, sourceFile: (file: string) => files.get(file) } } : {}),
    },
  );
  let stale: Set<string> | undefined;
  let carriable: (file: string) => boolean = () => false;
  let candidates: string[] = [];
  let affected = new Set<string>();
  let visible: string[] = [];
  const changed = new Set<string>(editedFiles);
  if (previous && graph) {
    if (!editedFiles) {
      for (const [file, sf] of files) if (previous.files.get(file) !== sf) changed.add(file);
      for (const file of previous.files.keys()) if (!files.has(file)) changed.add(file);
    }
    const global = [...changed].some(
      (file) => graph.globals.has(file) || previous.graph.globals.has(file) || isExternal(program, files.get(file)) || isExternal(program, previous.files.get(file)),
    );
    if (!global) {
      const importers = importersOf(graph.imports);
      visible = [...changed].filter((file) => !isLocalEdit(program, previous.files.get(file), files.get(file), importers.get(file) ?? [], files));
      affected = new Set(changed);
      if (visible.length > 0) for (const imports of [graph.imports, previous.graph.imports]) for (const file of dependents(imports, visible)) affected.add(file);
      const dispatch = visible.length > 0 && [...affected].some((file) => declaresSubtype(files.get(file)) || declaresSubtype(previous.files.get(file)));
      if (!dispatch) {
        stale = affected;
        // In-memory values hold nodes: none of a file that is a new SourceFile object, local edit or not.
        const renewed = new Set(affected);
        for (const imports of [graph.imports, previous.graph.imports]) for (const file of dependents(imports, changed)) renewed.add(file);
        carriable = (file) => !renewed.has(file);
        if (inPlace) {
          const renewedFiles = [...renewed].map((file) => files.get(file)).filter((sf): sf is ts.SourceFile => !!sf);
          deltas.set(program, { previous: previous.program, edited: inPlace, replaced: inPlace.map((sf) => previous.files.get(resolvedName(sf))!), renewed: renewedFiles });
        }
        if (cutoff) candidates = visible.filter((file) => mayCutOff(file, previous, files, graph, changed));
      }
    }
  }
  if (previous) continueFacts(program, previous.program, stale, carriable);
  else recordFacts(program, {}, () => false);
  if (previous && graph && candidates.length > 0) cutOff(program, previous, files, graph, changed, affected, visible, candidates, cutoff!);
  if (graph) graphs.set(program, graph);
  if (graph) latest.set(key, { program, sources, files, graph });
  else latest.delete(key);
}

/**
 * The files of `program` that are new `SourceFile` objects, when it lists the same files as the
 * previous program in the same order (an edit, the usual case); undefined otherwise.
 */
function editedInPlace(previous: readonly ts.SourceFile[], sources: readonly ts.SourceFile[]): ts.SourceFile[] | undefined {
  if (previous.length !== sources.length) return undefined;
  const edited: ts.SourceFile[] = [];
  for (let i = 0; i < sources.length; i++) {
    const before = previous[i]!;
    const after = sources[i]!;
    if (before === after) continue;
    if (resolvedName(before) !== resolvedName(after)) return undefined;
    edited.push(after);
  }
  return edited;
}

/**
 * The files that may not keep their supertypes' files from the previous import graph (the
 * dispatch edges, program/implementations.ts): what a heritage clause resolves to depends on the
 * file and on the files it imports, directly or not (the previous graph's imports, a superset of
 * the module imports), or on a global file. Undefined (every file resolves again) when a changed
 * file is global, a library or a declaration file. `edited`: the changed files, when the program
 * lists the same files in the same order.
 */
function heritageRenewed(program: ts.Program, previous: Generation, files: ReadonlyMap<string, ts.SourceFile>, edited: readonly string[] | undefined): ReadonlySet<string> | undefined {
  const changed: string[] = [];
  for (const file of edited ?? []) {
    const sf = files.get(file)!;
    if (isExternal(program, sf) || isGlobal(sf) || previous.graph.globals.has(file) || isExternal(program, previous.files.get(file))) return undefined;
    changed.push(file);
  }
  if (!edited) {
    for (const [file, sf] of files) {
      if (previous.files.get(file) === sf) continue;
      if (isExternal(program, sf) || isGlobal(sf)) return undefined;
      changed.push(file);
    }
    for (const [file, sf] of previous.files) {
      if (files.get(file) === sf) continue;
      if (previous.graph.globals.has(file) || isExternal(program, sf)) return undefined;
      if (!files.has(file)) changed.push(file);
    }
  }
  return changed.length === 0 ? new Set() : dependents(previous.graph.imports, changed);
}

/**
 * May the importers of an edited file keep their facts (before comparing summaries)? The file
 * was edited (not added or removed), declares the same things (program/edit-reach.ts
 * `sameDeclarations`), and is in no import cycle with another changed file or with the files
 * that import it (their summaries would feed its own).
 */
function mayCutOff(file: string, previous: Generation, files: ReadonlyMap<string, ts.SourceFile>, graph: ImportGraph, changed: ReadonlySet<string>): boolean {
  const before = previous.files.get(file);
  const after = files.get(file);
  if (!before || !after || !sameDeclarations(before, after)) return false;
  // An incremental parse moves the nodes of the previous version past the edit in place (and
  // reuses them): then its positions no longer match its text.
  if (before.endOfFileToken.end !== before.text.length || after.endOfFileToken.end !== after.text.length) return false;
  const imported = new Set<string>();
  const stack = [file];
  while (stack.length > 0) {
    for (const next of graph.imports.get(stack.pop()!) ?? []) {
      if (imported.has(next)) continue;
      if (next === file || changed.has(next)) return false;
      imported.add(next);
      stack.push(next);
    }
  }
  return true;
}

/**
 * Compare the candidates' summaries in the previous program and in this one; for those found
 * the same, the files that import them (and nothing else that changed) take over their facts,
 * each stored fact's nodes of the edited files moved through the edit.
 */
function cutOff(
  program: ts.Program,
  previous: Generation,
  files: ReadonlyMap<string, ts.SourceFile>,
  graph: ImportGraph,
  changed: ReadonlySet<string>,
  affected: ReadonlySet<string>,
  visible: readonly string[],
  candidates: readonly string[],
  cutoff: EditCutoff,
): void {
  const maps = new Map<string, PositionMap>();
  const keeps: ((json: string) => string | undefined)[] = [];
  const cut: string[] = [];
  for (const file of candidates) {
    const before = previous.files.get(file)!;
    const after = files.get(file)!;
    const map = positionMap(after.fileName, before.text, after.text);
    const keep = cutoff.compare(previous.program, before, program, after, map);
    if (!keep) continue;
    maps.set(after.fileName, map);
    keeps.push(keep);
    cut.push(file);
  }
  const stats: CutoffStats = { cut, kept: 0 };
  cutoffStats.set(program, stats);
  if (cut.length === 0) return;
  // The files still to compute: every changed file, and the importers of the changed files not cut off.
  const still = new Set(changed);
  const uncut = visible.filter((file) => !cut.includes(file));
  if (uncut.length > 0) for (const imports of [graph.imports, previous.graph.imports]) for (const file of dependents(imports, uncut)) still.add(file);
  const kept = new Set([...affected].filter((file) => !still.has(file)));
  stats.kept = kept.size;
  reuseAlso(program, kept, (data) => {
    const moved = remapStored(data, maps);
    if (moved === undefined) return undefined;
    const json = JSON.stringify(moved);
    let kept: string | undefined = json;
    for (const keep of keeps) if (kept !== undefined) kept = keep(kept);
    if (kept === undefined) return undefined;
    return kept === json ? moved : JSON.parse(kept);
  });
}

function isExternal(program: ts.Program, sf: ts.SourceFile | undefined): boolean {
  return !!sf && (isExternalFile(program, sf) || sf.isDeclarationFile);
}

/** Was the file edited (not added or removed) in a way its importers cannot see? */
function isLocalEdit(program: ts.Program, before: ts.SourceFile | undefined, after: ts.SourceFile | undefined, importers: readonly string[], files: ReadonlyMap<string, ts.SourceFile>): boolean {
  if (!before || !after) return false;
  const importerFiles = importers.map((file) => files.get(file)).filter((sf): sf is ts.SourceFile => !!sf);
  return editReach(program, before, after, importerFiles) === 'local';
}

/** Does the file declare, at its top level, a class or interface with `extends` or `implements` (the subtype index's input)? */
function declaresSubtype(sf: ts.SourceFile | undefined): boolean {
  if (!sf) return false;
  const visit = (statements: readonly ts.Statement[]): boolean =>
    statements.some((s) =>
      (ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s)) ? !!s.heritageClauses?.length : ts.isModuleDeclaration(s) && !!s.body && ts.isModuleBlock(s.body) && visit(s.body.statements),
    );
  return visit(sf.statements);
}
