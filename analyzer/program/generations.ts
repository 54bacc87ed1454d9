/**
 * Per-file facts across the programs an editor builds one after another. In an editor,
 * typescript-eslint's project service makes a new `ts.Program` after every edit, and the
 * language service keeps the `SourceFile` objects of the files that did not change. The
 * program-wide indexes (callback registrations, lock edges; analyzer/program/file-facts.ts) would be rebuilt
 * from every file on the first lint after each edit; instead, the facts of a file whose
 * imports (directly or not) are the same `SourceFile` objects as in the previous program of
 * the same project are taken over, and only the edited file and its importers compute theirs.
 */
import path from 'node:path';
import type ts from 'typescript';
import { isRecording, recordFacts, recordedFacts, type StoredFacts } from './file-facts.js';
import { dependents, importGraph, isExternalFile } from './import-graph.js';
import { optionsKey } from './options-key.js';

interface Generation {
  files: Map<string, ts.SourceFile>;
  imports: Map<string, string[]>;
  facts: StoredFacts;
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
  const graph = importGraph(program);
  const files = new Map(program.getSourceFiles().map((sf) => [path.resolve(sf.fileName), sf] as const));
  const key = projectKey(program);
  const previous = latest.get(key);
  let reusable: (file: string) => boolean = () => false;
  if (previous && graph) {
    const changed = new Set<string>();
    for (const [file, sf] of files) if (previous.files.get(file) !== sf) changed.add(file);
    for (const file of previous.files.keys()) if (!files.has(file)) changed.add(file);
    const global = [...changed].some((file) => graph.globals.has(file) || isExternal(program, files.get(file)) || isExternal(program, previous.files.get(file)));
    if (!global) {
      const affected = dependents(graph.imports, changed);
      for (const file of dependents(previous.imports, changed)) affected.add(file);
      reusable = (file) => !affected.has(file);
    }
  }
  recordFacts(program, previous?.facts ?? {}, reusable);
  if (graph) latest.set(key, { files, imports: graph.imports, facts: recordedFacts(program)! });
  else latest.delete(key);
}

function isExternal(program: ts.Program, sf: ts.SourceFile | undefined): boolean {
  return !!sf && (isExternalFile(program, sf) || sf.isDeclarationFile);
}
