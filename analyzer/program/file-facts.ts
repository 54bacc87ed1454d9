/**
 * Per-file facts behind the whole-program indexes (which functions a file registers as
 * callbacks, which lock edges its bodies create), kept by the analysis cache (`--cache`)
 * between runs so that one edited file does not mean re-analyzing every file.
 *
 * A fact of a file depends only on that file and the files it imports, directly or not (the
 * same dependency the cache already tracks for findings). When the cache knows a file's
 * imports did not change, it hands the previous run's facts for that file to `fileFacts`,
 * which decodes them instead of computing them; node references in facts are positions
 * (`NodeRef`), found again in the new program's (unchanged) files.
 *
 * The ESLint adapter does the same across the programs an editor builds after each edit
 * (program/generations.ts). Uncached CLI runs record nothing: `fileFacts` computes.
 */
import path from 'node:path';
import ts from '../ts/typescript.cjs';

/** A node, by file and position: stable across runs while the file's text is unchanged. */
export interface NodeRef {
  file: string;
  pos: number;
  end: number;
  kind: number;
}

export function nodeRef(node: ts.Node): NodeRef {
  return { file: node.getSourceFile().fileName, pos: node.pos, end: node.end, kind: node.kind };
}

/** The node `ref` names in `program`, or undefined when there is none (the file changed). */
export function nodeAt(program: ts.Program, ref: NodeRef): ts.Node | undefined {
  let node: ts.Node | undefined = program.getSourceFile(ref.file);
  while (node) {
    if (node.pos === ref.pos && node.end === ref.end && node.kind === ref.kind) return node;
    let next: ts.Node | undefined;
    node.forEachChild((child) => {
      if (child.pos <= ref.pos && ref.end <= child.end) {
        next = child;
        return true;
      }
      return undefined;
    });
    node = next;
  }
  return undefined;
}

/** How one kind of fact is stored: as plain JSON data. */
export interface FactCodec<T> {
  /**
   * The decoded value holds only plain data and nodes of its file and of what it imports, read from
   * nothing but the stored data: in an editor it is kept in memory across programs while they are
   * unchanged (as `carriedNodeValue`), instead of being decoded again from the stored facts.
   */
  carriable?: boolean;
  encode(value: T): unknown;
  /** Undefined when the data cannot be used (then the fact is computed). */
  decode(data: unknown, program: ts.Program): T | undefined;
}

/**
 * A family of per-file facts. Every family is listed in one place, analyzer/checks/
 * fact-families.ts, which the analysis cache reads (nothing registers itself on import).
 */
export interface FactFamily {
  name: string;
  /** The files (absolute paths) whose findings a stored fact can change beyond its own file's. */
  targets(data: unknown): string[];
  /** One kind of the family: facts computed with different options are different kinds. */
  kind(variant: string): string;
  /**
   * For a family whose program-wide answer checks read (`readFamily`, program/dependencies.ts):
   * compute or reuse the facts of every file of `program`, so that the cache compares all of
   * them even when no check of this run asked; a change re-checks the files that read it.
   */
  complete?(program: ts.Program): void;
}

export function factFamily(name: string, targets: (data: unknown) => string[], complete?: (program: ts.Program) => void): FactFamily {
  return { name, targets, kind: (variant) => `${name}:${variant}`, ...(complete ? { complete } : {}) };
}

/** The family of `kind` among `families`, if it is one of them. */
export function familyOf(families: readonly FactFamily[], kind: string): FactFamily | undefined {
  const name = kind.slice(0, kind.indexOf(':'));
  return families.find((f) => f.name === name);
}

/** Facts by kind, then by file (absolute path): the cache's stored form. */
export type StoredFacts = Record<string, Record<string, unknown>>;

interface Recorder {
  previous: StoredFacts;
  /**
   * Taken over from the previous program's recorder (`continueFacts`): `produced` began as the
   * previous run's own records, so a reusable file's previous fact is read there; `previous` then
   * holds only the facts of the files that could not be reused, as they were.
   */
  shared: boolean;
  /** Previous facts as taken over by `reuseAlso` (moved through an edit; undefined: not kept), by kind and file, before `previous`. */
  moved: Map<string, Map<string, unknown>>;
  /** Node-fact records of `produced` this recorder made (the others are the previous run's, shared until written). */
  owned: Set<object>;
  /** May the previous run's facts of this file be used? */
  reusable(file: string): boolean;
  produced: StoredFacts;
  /** Facts computed and facts reused, for tests and benchmarks. */
  stats: { computed: number; reused: number };
  /** In-memory values about nodes, kept across the editor's programs (`carriedNodeValue`). */
  carried: CarriedValues;
}

/**
 * Values by kind, then by node: plain data and nodes, nothing of one program's checker; with
 * the nodes of each file, so that a file's values are dropped without visiting the others'.
 */
export interface CarriedValues {
  byKind: Map<string, Map<ts.Node, unknown>>;
  byFile: Map<ts.SourceFile, { kind: string; node: ts.Node }[]>;
}

function noCarriedValues(): CarriedValues {
  return { byKind: new Map(), byFile: new Map() };
}

const recorders = new WeakMap<ts.Program, Recorder>();
/** Each recording program's counters, kept after it stops recording (`continueFacts`). */
const counters = new WeakMap<ts.Program, Recorder['stats']>();

function startRecording(program: ts.Program, recorder: Recorder): void {
  recorders.set(program, recorder);
  counters.set(program, recorder.stats);
}

/** Kinds of facts kept per node (function summaries) rather than per file. */
const NODE_KIND = 'summary:';

/**
 * The cache turns recording on for a program before its checks run. The previous facts of the
 * files that may be reused are kept as they are, whether this run asks for them or not (an edit
 * run asks for few function summaries; the next run may need the others).
 */
export function recordFacts(program: ts.Program, previous: StoredFacts, reusable: (file: string) => boolean): void {
  const produced: StoredFacts = {};
  for (const kind in previous) {
    const byFile = previous[kind]!;
    const out: Record<string, unknown> = (produced[kind] = {});
    // Node-fact records are shared with the previous run's until this run writes to one (recordNodeFact).
    for (const file in byFile) if (reusable(file)) out[file] = byFile[file];
  }
  startRecording(program, { previous, shared: false, moved: new Map(), owned: new Set(), reusable, produced, stats: { computed: 0, reused: 0 }, carried: noCarriedValues() });
}

/**
 * Recording for the next program of an editor (program/generations.ts): the previous program's
 * facts and in-memory values are taken over in place rather than copied, as one edit leaves
 * nearly all of them as they are. `stale`: the files whose stored facts may not be reused
 * (undefined: none may). `carriable`: may the in-memory values about this file's nodes be kept?
 * They hold node objects, so besides the stored facts' test, nothing the file imports (directly
 * or not) may be a new `SourceFile` object, even one an edit changed in a way its importers
 * cannot see. The previous program stops recording, as its records are now the next one's: a
 * later check of it (the early cut-off's comparison, program/generations.ts) computes its facts.
 */
export function continueFacts(program: ts.Program, previousProgram: ts.Program, stale: ReadonlySet<string> | undefined, carriable: (file: string) => boolean): void {
  const before = recorders.get(previousProgram);
  if (!before) return recordFacts(program, {}, () => false);
  recorders.delete(previousProgram);
  const produced = stale ? before.produced : {};
  const previous: StoredFacts = stale ? {} : before.produced;
  for (const kind in produced) {
    const byFile = produced[kind]!;
    for (const file of stale!) {
      if (!(file in byFile)) continue;
      (previous[kind] ??= {})[file] = byFile[file];
      delete byFile[file];
    }
  }
  const carried = before.carried;
  for (const [sf, entries] of carried.byFile) {
    if (hasSourceFile(program, sf) && carriable(resolvedName(sf))) continue;
    for (const { kind, node } of entries) carried.byKind.get(kind)?.delete(node);
    carried.byFile.delete(sf);
  }
  const reusable = stale ? (file: string) => !stale.has(file) : () => false;
  startRecording(program, { previous, shared: !!stale, moved: new Map(), owned: new Set(), reusable, produced, stats: { computed: 0, reused: 0 }, carried });
}

/**
 * Take over the previous facts of more files after recording started (the editor's early
 * cut-off, program/generations.ts: the files that import an edited file whose summaries did not
 * change). `transform` gives each stored datum as it is to be kept (its nodes moved through the
 * edit), or undefined when it cannot be kept (then that fact is computed). Facts these files
 * already computed for `program` stay.
 */
export function reuseAlso(program: ts.Program, files: ReadonlySet<string>, transform: (data: unknown) => unknown): void {
  const recorder = recorders.get(program);
  if (!recorder || files.size === 0) return;
  for (const kind in recorder.previous) {
    const byFile = recorder.previous[kind]!;
    for (const file of files) {
      const old = byFile[file];
      if (old === undefined) continue;
      let moved = recorder.moved.get(kind);
      if (!moved) recorder.moved.set(kind, (moved = new Map()));
      const produced = (recorder.produced[kind] ??= {});
      if (kind.startsWith(NODE_KIND)) {
        const kept: Record<string, unknown> = {};
        for (const [node, datum] of Object.entries(old as Record<string, unknown>)) {
          const data = transform(datum);
          if (data !== undefined) kept[node] = data;
        }
        moved.set(file, kept);
        const merged = { ...kept, ...(produced[file] as object | undefined) };
        recorder.owned.add(merged);
        produced[file] = merged;
      } else {
        const data = transform(old);
        moved.set(file, data);
        if (data !== undefined && produced[file] === undefined) produced[file] = data;
      }
    }
  }
  const reusable = recorder.reusable;
  recorder.reusable = (file) => files.has(file) || reusable(file);
}

/** The previous run's stored fact of `kind` about `file`, as `reuseAlso` moved it. */
function previousFact(recorder: Recorder, kind: string, file: string): unknown {
  const moved = recorder.moved.get(kind);
  if (moved?.has(file)) return moved.get(file);
  return recorder.previous[kind]?.[file] ?? (recorder.shared ? recorder.produced[kind]?.[file] : undefined);
}

/**
 * A value about one node that the previous program of an editor computed, kept in memory
 * (not stored by `--cache`) while the node's file and what it imports are unchanged; undefined
 * when there is none (then compute it and `carryNodeValue` it). Such a value must hold only
 * plain data and nodes, never a type, symbol or signature of one program's checker, and must
 * depend only on the node's file and what it imports.
 */
export function carriedNodeValue(program: ts.Program, kind: string, node: ts.Node): unknown {
  const recorder = recorders.get(program);
  const value = recorder?.carried.byKind.get(kind)?.get(node);
  if (value !== undefined) recorder!.stats.reused++;
  return value;
}

/** `carriedNodeValue` for many nodes of one kind: the lookup is made once. */
export function carriedNodeValues(program: ts.Program, kind: string): (node: ts.Node) => unknown {
  const recorder = recorders.get(program);
  const byNode = recorder?.carried.byKind.get(kind);
  if (!byNode) return () => undefined;
  return (node) => {
    const value = byNode.get(node);
    if (value !== undefined) recorder!.stats.reused++;
    return value;
  };
}

/** Keep a value about one node for the editor's next program (when recording). */
export function carryNodeValue(program: ts.Program, kind: string, node: ts.Node, value: unknown): void {
  const carried = recorders.get(program)?.carried;
  if (!carried) return;
  let byNode = carried.byKind.get(kind);
  if (!byNode) carried.byKind.set(kind, (byNode = new Map()));
  if (!byNode.has(node)) {
    const sf = ts.isSourceFile(node) ? node : node.getSourceFile();
    const entries = carried.byFile.get(sf);
    if (entries) entries.push({ kind, node });
    else carried.byFile.set(sf, [{ kind, node }]);
  }
  byNode.set(node, value);
}

export function isRecording(program: ts.Program): boolean {
  return recorders.has(program);
}

/** How many per-file facts the checks of `program` computed and how many they reused. */
export function factStats(program: ts.Program): { computed: number; reused: number } | undefined {
  const stats = counters.get(program);
  return stats && { ...stats };
}

/** What the checks of `program` computed or reused, per kind and file; undefined when not recording. */
export function recordedFacts(program: ts.Program): StoredFacts | undefined {
  return recorders.get(program)?.produced;
}

function nodeKey(node: ts.Node): string {
  return `${node.pos}:${node.end}:${node.kind}`;
}

/**
 * The previous run's stored fact of `kind` about one node (a function's summary), when the
 * node's file and what it imports are unchanged; undefined otherwise. A fact used this way is
 * kept for the next run.
 */
export function previousNodeFact(program: ts.Program, kind: string, node: ts.Node): unknown {
  const recorder = recorders.get(program);
  if (!recorder) return undefined;
  const file = resolvedName(node.getSourceFile());
  if (!recorder.reusable(file)) return undefined;
  const data = (previousFact(recorder, NODE_KIND + kind, file) as Record<string, unknown> | undefined)?.[nodeKey(node)];
  if (data !== undefined) recorder.stats.reused++;
  return data;
}

/** Keep a fact of `kind` about one node for the next run (when recording). */
export function recordNodeFact(program: ts.Program, kind: string, node: ts.Node, data: unknown): void {
  const recorder = recorders.get(program);
  if (!recorder) return;
  const file = resolvedName(node.getSourceFile());
  const byFile = (recorder.produced[NODE_KIND + kind] ??= {});
  let byNode = byFile[file] as Record<string, unknown> | undefined;
  if (!byNode || !recorder.owned.has(byNode)) {
    byNode = { ...byNode };
    recorder.owned.add(byNode);
    byFile[file] = byNode;
  }
  byNode[nodeKey(node)] = data;
}

const carryKinds = new Map<string, string>();

/** The kind of in-memory value a carriable file fact is kept as (one string per kind: asked for every file of a program-wide index). */
function carryKindOf(kind: string): string {
  let carryKind = carryKinds.get(kind);
  if (carryKind === undefined) carryKinds.set(kind, (carryKind = `file:${kind}`));
  return carryKind;
}

/** The facts of `kind` about `sf`: reused from the previous run when allowed, else computed. */
export function fileFacts<T>(program: ts.Program, kind: string, sf: ts.SourceFile, codec: FactCodec<T>, compute: () => T): T {
  const recorder = recorders.get(program);
  if (!recorder) return compute();
  const carryKind = codec.carriable ? carryKindOf(kind) : undefined;
  if (carryKind) {
    // Kept only while the file and what it imports are the same objects; its stored data was taken over with it (recordFacts).
    const carried = recorder.carried.byKind.get(carryKind)?.get(sf);
    if (carried !== undefined) {
      recorder.stats.reused++;
      return carried as T;
    }
  }
  const file = resolvedName(sf);
  const old = previousFact(recorder, kind, file);
  let value = old !== undefined && recorder.reusable(file) ? codec.decode(old, program) : undefined;
  if (value === undefined) recorder.stats.computed++;
  else recorder.stats.reused++;
  const data = value === undefined ? codec.encode((value = compute())) : old;
  (recorder.produced[kind] ??= {})[file] = data;
  if (carryKind) carryNodeValue(program, carryKind, sf, value);
  return value;
}

/** Is `sf` one of the program's files (this object, not an older version of the file)? A lookup by path, no set of every file. */
export function hasSourceFile(program: ts.Program, sf: ts.SourceFile): boolean {
  // typescript-eslint's TypeScript 7 backend gives a program without lookups by path: by name there.
  const byPath = (sf as { path?: ts.Path }).path;
  return (byPath && typeof program.getSourceFileByPath === 'function' ? program.getSourceFileByPath(byPath) : program.getSourceFile(sf.fileName)) === sf;
}

const resolvedNames = new WeakMap<ts.SourceFile, string>();

/** The file's absolute path (the key of stored facts), once per SourceFile object. */
export function resolvedName(sf: ts.SourceFile): string {
  let name = resolvedNames.get(sf);
  if (name === undefined) resolvedNames.set(sf, (name = path.resolve(sf.fileName)));
  return name;
}
