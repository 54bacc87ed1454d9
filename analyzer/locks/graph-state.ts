/**
 * The lock graph across an editor's programs (program/generations.ts): the graph of the previous
 * program is kept with its edges indexed by file, and the next program's graph takes over the
 * entries of the files whose edges were kept in memory (file-facts.ts `carriedNodeValue`: the
 * file and what it imports are the same `SourceFile` objects), computes the other files' edges,
 * and chooses the best witness again only for the pairs of lock classes those files had or have.
 * The strongly connected components of the pairs are kept while the set of pairs is the same.
 * Without a previous program (the CLI) every file is computed, as a fresh graph.
 */
import type ts from '../ts/typescript.cjs';
import type { FileEdges } from './graph-facts.js';
import { hasSourceFile } from '../program/file-facts.js';
import type { ProgramDelta } from '../program/generations.js';
import type { LockContext } from './context.js';
import type { Edge } from './graph.js';
import type { LockClass } from './types.js';

/** One file's edges in a graph. */
export interface FileEntry {
  /** As computed or carried (kept across programs: the identity test of a carried value). */
  raw: FileEdges;
  /** Best witness per pair, with the graph's own lock class objects. */
  pairs: Map<string, Edge>;
  recursive: Edge[];
  /** The lock classes its edges name. */
  classIds: string[];
}

export interface GraphState {
  /** The program the graph was built for. */
  program: ts.Program;
  files: Map<ts.SourceFile, FileEntry>;
  /** The `SourceFile` each file name had when its entry was last looked at (to find an edited file's previous entry). */
  names: Map<string, ts.SourceFile>;
  /** The files with a witness of each pair. */
  byPair: Map<string, Set<ts.SourceFile>>;
  /** The files whose entries name each lock class. */
  byClass: Map<string, Set<ts.SourceFile>>;
  edges: Map<string, Edge>;
  /** Strongly connected components of two or more lock classes, in the order the cycle search takes them. */
  components: Set<string>[];
  /** The recursive acquisitions of every file, in the program's order of files. */
  recursive: Edge[];
  /** The lock classes of the graph, one object per id. */
  classes: Map<string, LockClass>;
}

/** What building a program's lock graph did, for tests and benchmarks. */
export interface LockGraphStats {
  /** Files whose entries were taken over from the previous program's graph. */
  kept: number;
  /** Files whose edges were computed, decoded or adopted for this graph. */
  renewed: number;
  /** Pairs whose best witness was chosen again. */
  pairs: number;
  /** Were the components of the previous graph kept (the same pairs)? */
  sameComponents: boolean;
  /** Files looked at: every file of the program, or after an edit in place only those that may change (programDelta). */
  visited: number;
}

/** The latest graph per project and lock options. */
const latest = new Map<string, GraphState>();
const stats = new WeakMap<ts.Program, LockGraphStats>();

function stateKey(ctx: LockContext): string {
  const config = ctx.program.getCompilerOptions().configFilePath;
  return `${ctx.key}\0${typeof config === 'string' ? config : ctx.program.getCurrentDirectory()}`;
}

/** The previous program's graph, handed over to this one's (its index is updated in place: it is no longer the latest until kept again). */
export function takeState(ctx: LockContext): GraphState | undefined {
  const key = stateKey(ctx);
  const state = latest.get(key);
  latest.delete(key);
  return state;
}

export function keepState(ctx: LockContext, state: GraphState, record: LockGraphStats): void {
  latest.set(stateKey(ctx), state);
  stats.set(ctx.program, record);
}

/** What building the lock graph of `program` did (undefined: not built). */
export function lockGraphStats(program: ts.Program): LockGraphStats | undefined {
  return stats.get(program);
}

/**
 * May a kept entry's lock class be used by this program as it is? Yes when it has no declaration
 * or is declared in a file of this program (the same `SourceFile`), unless the program already
 * has another object for the id; it then becomes the program's class. Asked only for the
 * classes of the entries kept (an unrelated program's classes are not added).
 */
export function classSeeder(ctx: LockContext, previous: GraphState): (id: string) => boolean {
  const answers = new Map<string, boolean>();
  return (id) => {
    let ok = answers.get(id);
    if (ok !== undefined) return ok;
    const c = previous.classes.get(id);
    const known = ctx.classes.get(id);
    ok = !!c && (!c.declaration || hasSourceFile(ctx.program, declaringFile(c.declaration))) && (!known || known === c);
    if (ok && !known) ctx.classes.set(id, c!);
    answers.set(id, ok);
    return ok;
  };
}

/**
 * After an edit in place (program/generations.ts `programDelta`): every lock class of the previous
 * graph that this program may use as it is becomes the program's class at once (as `classSeeder`
 * would, one class at a time, for the entries it is asked about). Returns the ids it may not use:
 * a class declared in an edited file (the only files of the previous program this one does not
 * have: a class declared elsewhere was made from this program's or a kept file's nodes), or one
 * the program already has another object for.
 */
export function seedClasses(ctx: LockContext, previous: GraphState, delta: ProgramDelta): Set<string> {
  const replaced = new Set(delta.replaced);
  const unusable = new Set<string>();
  for (const [id, c] of previous.classes) {
    const known = ctx.classes.get(id);
    if ((known && known !== c) || (c.declaration && replaced.has(declaringFile(c.declaration)))) unusable.add(id);
    else if (!known) ctx.classes.set(id, c);
  }
  return unusable;
}

/**
 * The files to look at after an edit in place: those whose in-memory edges were dropped, and
 * those whose entries name a lock class the program does not take over. Every other file's
 * entry is kept as it is, without being looked at.
 */
export function filesToVisit(state: GraphState, delta: ProgramDelta, unusable: ReadonlySet<string>): Set<ts.SourceFile> {
  const out = new Set<ts.SourceFile>(delta.renewed);
  for (const id of unusable) for (const sf of state.byClass.get(id) ?? []) if (hasSourceFile(state.program, sf)) out.add(sf);
  return out;
}

/** The index of lock classes to files, updated for the files whose entries changed (as `updatePairs`). */
export function updateClassIndex(byClass: Map<string, Set<ts.SourceFile>>, before: Map<ts.SourceFile, FileEntry>, after: Map<ts.SourceFile, FileEntry>): void {
  for (const [sf, entry] of before) {
    for (const id of entry.classIds) {
      const files = byClass.get(id);
      files?.delete(sf);
      if (files?.size === 0) byClass.delete(id);
    }
  }
  for (const [sf, entry] of after) {
    for (const id of entry.classIds) {
      let files = byClass.get(id);
      if (!files) byClass.set(id, (files = new Set()));
      files.add(sf);
    }
  }
}

const declaringFiles = new WeakMap<ts.Node, ts.SourceFile>();

/** A declaration's file, once per node (`getSourceFile` walks up the parents). */
function declaringFile(node: ts.Node): ts.SourceFile {
  let sf = declaringFiles.get(node);
  if (!sf) declaringFiles.set(node, (sf = node.getSourceFile()));
  return sf;
}

/** A file's entry from its edges (already with the program's lock classes). */
export function entryOf(raw: FileEdges, edges: FileEdges): FileEntry {
  const classIds = new Set<string>();
  for (const e of [...edges.edges.map(([, e]) => e), ...edges.recursive]) {
    classIds.add(e.from.id);
    classIds.add(e.to.id);
    classIds.add(e.outer.lock.id);
  }
  return { raw, pairs: new Map(edges.edges), recursive: edges.recursive, classIds: [...classIds] };
}

/**
 * The index of pairs to files, updated for the files whose entries changed: `before` holds
 * the previous entries of the files renewed or gone, `after` the new entries. Returns the pairs
 * whose best witness is to be chosen again.
 */
export function updatePairs(byPair: Map<string, Set<ts.SourceFile>>, before: Map<ts.SourceFile, FileEntry>, after: Map<ts.SourceFile, FileEntry>): Set<string> {
  const touched = new Set<string>();
  for (const [sf, entry] of before) {
    for (const pair of entry.pairs.keys()) {
      touched.add(pair);
      byPair.get(pair)?.delete(sf);
    }
  }
  for (const [sf, entry] of after) {
    for (const pair of entry.pairs.keys()) {
      touched.add(pair);
      let files = byPair.get(pair);
      if (!files) byPair.set(pair, (files = new Set()));
      files.add(sf);
    }
  }
  for (const pair of touched) if (byPair.get(pair)?.size === 0) byPair.delete(pair);
  return touched;
}
