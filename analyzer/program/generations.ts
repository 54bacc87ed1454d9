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
import { carriedValues, isRecording, recordFacts, recordedFacts, type CarriedValues, type StoredFacts } from './file-facts.js';
import { dependents, importersOf, importGraph, isExternalFile, type ImportGraph } from './import-graph.js';
import { editReach } from './edit-reach.js';
import { optionsKey } from './options-key.js';

interface Generation {
  files: Map<string, ts.SourceFile>;
  graph: ImportGraph;
  facts: StoredFacts;
  carried: CarriedValues;
}

/** The latest program seen per project (its tsconfig, or its folder for inferred projects) and compiler options. */
const latest = new Map<string, Generation>();

function projectKey(program: ts.Program): string {
  const options = program.getCompilerOptions();
  const config = typeof options.configFilePath === 'string' ? path.resolve(options.configFilePath) : `inferred:${program.getCurrentDirectory()}`;
  return `${config}\0${optionsKey(options)}`;
}

/** Start recording facts for `program`, reusing the previous program's where its files did not change. */
export function followProgram(program: ts.Program): void {
  if (isRecording(program)) return;
  const key = projectKey(program);
  const previous = latest.get(key);
  const graph = importGraph(program, previous && { sourceFile: (file) => previous.files.get(file), graph: previous.graph });
  const files = new Map(program.getSourceFiles().map((sf) => [path.resolve(sf.fileName), sf] as const));
  let reusable: (file: string) => boolean = () => false;
  let carriable: (file: string) => boolean = () => false;
  if (previous && graph) {
    const changed = new Set<string>();
    for (const [file, sf] of files) if (previous.files.get(file) !== sf) changed.add(file);
    for (const file of previous.files.keys()) if (!files.has(file)) changed.add(file);
    const global = [...changed].some(
      (file) => graph.globals.has(file) || previous.graph.globals.has(file) || isExternal(program, files.get(file)) || isExternal(program, previous.files.get(file)),
    );
    if (!global) {
      const importers = importersOf(graph.imports);
      const visible = [...changed].filter((file) => !isLocalEdit(program, previous.files.get(file), files.get(file), importers.get(file) ?? [], files));
      const affected = new Set(changed);
      if (visible.length > 0) for (const imports of [graph.imports, previous.graph.imports]) for (const file of dependents(imports, visible)) affected.add(file);
      const dispatch = visible.length > 0 && [...affected].some((file) => declaresSubtype(files.get(file)) || declaresSubtype(previous.files.get(file)));
      if (!dispatch) {
        reusable = (file) => !affected.has(file);
        // In-memory values hold nodes: none of a file that is a new SourceFile object, local edit or not.
        const renewed = new Set(affected);
        for (const imports of [graph.imports, previous.graph.imports]) for (const file of dependents(imports, changed)) renewed.add(file);
        carriable = (file) => !renewed.has(file);
      }
    }
  }
  recordFacts(program, previous?.facts ?? {}, reusable, previous?.carried, carriable);
  if (graph) latest.set(key, { files, graph, facts: recordedFacts(program)!, carried: carriedValues(program)! });
  else latest.delete(key);
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
