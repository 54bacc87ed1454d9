/**
 * The whole-program lock graph, built once per program (and lock options) when a lock check
 * first asks: an edge A -> B wherever B is acquired while A is held, directly or through any
 * chain of calls made while A is held, each with the shortest witness. Cycles among distinct
 * lock classes are potential deadlocks (lockdep's "possible circular locking"); an edge from a
 * class to itself is a recursive acquisition (a self-deadlock, or two instances of one class
 * nested).
 */
import ts from '../ts/typescript.cjs';
import { touchWholeProgram } from '../program/dependencies.js';
import { stronglyConnected } from '../summaries/scc.js';
import { carriedNodeValue, carriedNodeValues, carryNodeValue, fileFacts, resolvedName, hasSourceFile } from '../program/file-facts.js';
import { edgeCodec, edgeFacts, type FileEdges } from './graph-facts.js';
import { acquisitionsOf, type Acquisition } from './summary.js';
import { mapPathThroughCall } from './classes.js';
import { cacheOf, type LockContext } from './context.js';
import { bodyLocks, type Body, type LockEvent } from './regions.js';
import type { CallStep, HeldLock, LockClass } from './types.js';
import { isSingleInstance, type InstancePath } from './instance-path.js';
import { fileIndex } from '../program/file-index.js';
import { classSeeder, entryOf, filesToVisit, keepState, seedClasses, takeState, updateClassIndex, updatePairs, type FileEntry, type GraphState } from './graph-state.js';
import { programDelta } from '../program/generations.js';

export interface Edge {
  from: LockClass;
  to: LockClass;
  /** Where the first lock was taken (it is held from there). */
  outer: HeldLock;
  /** The calls made while holding it, down to the function that takes the second lock. */
  steps: CallStep[];
  /** Where the second lock is taken. */
  inner: ts.CallExpression;
  /** Instance path of the second lock, relative to the body that holds the first. */
  innerPath: InstancePath;
  /** The node in the holding body: the inner acquisition itself, or the first call of `steps`. */
  at: ts.Node;
  /**
   * Single-instance locks (module variables, async-lock keys) held as well on every path that
   * takes these two locks in this order: a cycle whose edges all hold one of them cannot
   * deadlock, because only one task can be inside it (a gate lock).
   */
  gates: string[];
}

export interface Cycle {
  /** Edges in cycle order; edges[i].to === edges[i + 1].from. */
  edges: Edge[];
  /** Index of the edge whose inner acquisition is reported. */
  primary: number;
}

export interface LockGraph {
  /** Best witness per ordered pair of distinct classes. */
  edges: Map<string, Edge>;
  /** Recursive acquisitions (same class), one per holding location and class. */
  recursive: Edge[];
  cycles: Cycle[];
}

const MAX_CYCLES_PER_COMPONENT = 16;

export function lockGraph(ctx: LockContext): LockGraph {
  touchWholeProgram(); // a cycle's edges can come from any file
  return cacheOf(ctx, 'graph', () => buildGraph(ctx));
}

/** The top level of a file and each function in it. */
function bodiesOf(sf: ts.SourceFile): Body[] {
  const bodies: Body[] = [sf];
  for (const fn of fileIndex(sf).functions) if (fn.body) bodies.push(fn);
  return bodies;
}

/** The edges the bodies of one file create (a per-file fact: see graph-facts.ts). */
function fileEdges(ctx: LockContext, sf: ts.SourceFile): FileEdges {
  const edges = new Map<string, Edge>();
  const recursive = new Map<string, Edge>();
  for (const body of bodiesOf(sf)) {
    for (const event of bodyLocks(ctx, body).events) {
      const held = event.held.filter((h) => h.lock.ordering);
      if (held.length === 0 || !event.waited) continue;
      for (const inner of innerAcquisitions(ctx, event)) {
        for (const outer of held) {
          const gates = held.filter((h) => h !== outer && h.lock !== inner.lock && isSingleInstance(h.path)).map((h) => h.lock.id);
          const edge: Edge = { from: outer.lock, to: inner.lock, outer, steps: inner.steps, inner: inner.site, innerPath: inner.path, at: event.node, gates };
          if (outer.lock === inner.lock) {
            const key = `${ctx.nodeId(event.node)}|${inner.lock.id}`;
            if (!recursive.has(key)) recursive.set(key, edge);
            continue;
          }
          keepBest(edges, `${outer.lock.id}|${inner.lock.id}`, edge);
        }
      }
    }
  }
  return { edges: [...edges], recursive: [...recursive.values()] };
}

/**
 * Keep the edge with the fewest calls per pair, with the gates every witness of the pair holds.
 * Among equals the one whose inner acquisition comes first by file and position wins, so the
 * reported site does not depend on the order the program lists its files in.
 */
function keepBest(edges: Map<string, Edge>, key: string, edge: Edge): void {
  const prev = edges.get(key);
  if (!prev) {
    edges.set(key, edge);
    return;
  }
  const best = compareWitnesses(edge, prev) < 0 ? edge : prev;
  const gates = prev.gates.filter((g) => edge.gates.includes(g));
  edges.set(key, gates.length === best.gates.length ? best : { ...best, gates });
}

function compareWitnesses(a: Edge, b: Edge): number {
  const site = (e: Edge): [string, number, string, number] => [e.inner.getSourceFile().fileName, e.inner.getStart(), e.at.getSourceFile().fileName, e.at.getStart()];
  const [x, y] = [site(a), site(b)];
  return a.steps.length - b.steps.length || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0) || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0) || x[3] - y[3];
}

/** Is the cycle inside a gate: a single-instance lock held on every edge of it, and not one of its locks? */
export function isGated(cycle: Cycle): boolean {
  const inCycle = new Set(cycle.edges.map((e) => e.from.id));
  const [first, ...rest] = cycle.edges;
  return !!first && first.gates.some((g) => !inCycle.has(g) && rest.every((e) => e.gates.includes(g)));
}

function buildGraph(ctx: LockContext): LockGraph {
  const { program } = ctx;
  const codec = edgeCodec(ctx);
  const kind = edgeFacts.kind(ctx.key);
  const previous = takeState(ctx);
  // After an edit in place of the program the previous graph was built for, only the files whose
  // edges were not carried over and those naming a lock class that cannot be kept are visited.
  const edit = programDelta(program);
  const delta = edit && previous?.program === edit.previous ? edit : undefined;
  const unusable = delta && seedClasses(ctx, previous!, delta);
  const usable = unusable ? (id: string) => !unusable.has(id) : previous ? classSeeder(ctx, previous) : () => false;
  // The previous graph's index of files is updated in place (it is no longer the latest); its edges are copied, as its program's graph holds them.
  const state: GraphState = {
    program,
    files: previous?.files ?? new Map(),
    names: previous?.names ?? new Map(),
    byPair: previous?.byPair ?? new Map(),
    byClass: previous?.byClass ?? new Map(),
    edges: new Map(previous?.edges ?? []),
    components: previous?.components ?? [],
    recursive: previous?.recursive ?? [],
    classes: ctx.classes,
  };
  const renewed = new Map<ts.SourceFile, FileEntry>();
  const gone = new Map<ts.SourceFile, FileEntry>();
  const carried = carriedNodeValues(program, kind);
  let entries = 0;
  let visited = 0;
  for (const sf of delta ? filesToVisit(state, delta, unusable!) : program.getSourceFiles()) {
    visited++;
    const old = state.files.get(sf);
    // Kept: the file's edges were carried over from the previous program, with lock classes this program has too.
    if (old && carried(sf) === old.raw && old.classIds.every(usable)) {
      entries++;
      continue;
    }
    const external = sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf) || program.isSourceFileDefaultLibrary(sf);
    if (!old && external) continue;
    if (old) gone.set(sf, old);
    replaceByName(state, sf, gone);
    if (external) {
      state.files.delete(sf);
      continue;
    }
    const raw = edgesOfFile(ctx, sf, codec);
    const entry = entryOf(raw, adoptClasses(ctx, raw));
    state.files.set(sf, entry);
    renewed.set(sf, entry);
    entries++;
  }
  // A file the program no longer has (an edit in place keeps every file).
  if (!delta && state.files.size > entries) dropMissing(state, program, gone);
  updateClassIndex(state.byClass, gone, renewed);
  const touched = updatePairs(state.byPair, gone, renewed);
  let samePairs = !!previous;
  for (const pair of touched) {
    const had = state.edges.delete(pair);
    for (const sf of state.byPair.get(pair) ?? []) keepBest(state.edges, pair, state.files.get(sf)!.pairs.get(pair)!);
    if (had !== state.edges.has(pair)) samePairs = false;
  }
  if (!samePairs) state.components = lockComponents(state.edges);
  if (!previous || [...gone.values(), ...renewed.values()].some((entry) => entry.recursive.length > 0)) state.recursive = recursiveEdges(program, state.files);
  const kept = delta ? state.files.size - renewed.size : entries - renewed.size;
  keepState(ctx, state, { kept, renewed: renewed.size, pairs: touched.size, sameComponents: samePairs, visited });
  return { edges: state.edges, recursive: state.recursive, cycles: findCycles(state.components, state.edges) };
}

/** The file's name now stands for `sf`: the entry of its previous `SourceFile` (an edited file) is gone. */
function replaceByName(state: GraphState, sf: ts.SourceFile, gone: Map<ts.SourceFile, FileEntry>): void {
  const name = resolvedName(sf);
  const was = state.names.get(name);
  if (was === sf) return;
  const entry = was && state.files.get(was);
  if (entry) {
    gone.set(was!, entry);
    state.files.delete(was!);
  }
  state.names.set(name, sf);
}

/** Drop the entries (and names) of the files `program` does not have. */
function dropMissing(state: GraphState, program: ts.Program, gone: Map<ts.SourceFile, FileEntry>): void {
  for (const [sf, entry] of state.files) {
    if (hasSourceFile(program, sf)) continue;
    gone.set(sf, entry);
    state.files.delete(sf);
    if (state.names.get(resolvedName(sf)) === sf) state.names.delete(resolvedName(sf));
  }
}

/** The recursive acquisitions of every file, in the program's order of files. */
function recursiveEdges(program: ts.Program, files: ReadonlyMap<ts.SourceFile, FileEntry>): Edge[] {
  const out: Edge[] = [];
  for (const sf of program.getSourceFiles()) out.push(...(files.get(sf)?.recursive ?? []));
  return out;
}

/**
 * A file's edges, as computed: in an editor, the previous program's (decoded, in memory) while the file and what
 * it imports are unchanged; else the stored facts, decoded; else computed. Edges hold nodes,
 * lock classes and instance paths: plain data, nothing of the previous program's checker.
 */
function edgesOfFile(ctx: LockContext, sf: ts.SourceFile, codec: ReturnType<typeof edgeCodec>): FileEdges {
  const kind = edgeFacts.kind(ctx.key);
  const carried = carriedNodeValue(ctx.program, kind, sf) as FileEdges | undefined;
  if (carried) return carried;
  const facts = fileFacts(ctx.program, kind, sf, codec, () => fileEdges(ctx, sf));
  carryNodeValue(ctx.program, kind, sf, facts);
  return facts;
}

/** Carried edges with this program's one LockClass object per id (the first seen becomes it). */
function adoptClasses(ctx: LockContext, facts: FileEdges): FileEdges {
  let same = true;
  const adopt = (c: LockClass): LockClass => {
    const known = ctx.classes.get(c.id);
    if (!known) ctx.classes.set(c.id, c);
    else if (known !== c) same = false;
    return known ?? c;
  };
  // Most files' classes are already this program's: copy the edges only when one is not.
  for (const e of [...facts.edges.map(([, e]) => e), ...facts.recursive]) {
    adopt(e.from);
    adopt(e.to);
    adopt(e.outer.lock);
  }
  if (same) return facts;
  const edge = (e: Edge): Edge => ({ ...e, from: adopt(e.from), to: adopt(e.to), outer: { ...e.outer, lock: adopt(e.outer.lock) } });
  return { edges: facts.edges.map(([key, e]) => [key, edge(e)]), recursive: facts.recursive.map(edge) };
}

function innerAcquisitions(ctx: LockContext, event: LockEvent): Acquisition[] {
  if (event.kind === 'take') {
    return event.waitsForLock && event.lock.lock.ordering ? [{ lock: event.lock.lock, path: event.lock.path, site: event.node, steps: [] }] : [];
  }
  const out: Acquisition[] = [];
  for (const callee of event.callees) {
    for (const sub of acquisitionsOf(ctx, callee)) {
      const step: CallStep = { call: event.node, callee };
      out.push({ ...sub, path: mapPathThroughCall(ctx, sub.path, event.node, callee), steps: [step, ...sub.steps] });
    }
  }
  return out;
}

const bySortKey = (a: LockClass, b: LockClass) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0);

/** Strongly connected components (iterative Tarjan) of two or more lock classes; they depend only on the pairs. */
function lockComponents(edges: Map<string, Edge>): Set<string>[] {
  const out = outgoing(edges, () => true);
  const nodes = new Map<string, LockClass>();
  for (const e of edges.values()) {
    nodes.set(e.from.id, e.from);
    nodes.set(e.to.id, e.to);
  }
  const ordered = [...nodes.values()].sort(bySortKey);
  const successors = (id: string) => (out.get(id) ?? []).map((e) => e.to.id);
  return stronglyConnected(ordered.map((c) => c.id), successors).filter((c) => c.length >= 2).map((c) => new Set(c));
}

/** Edges by the class they leave, each list in the order of the class entered. */
function outgoing(edges: Map<string, Edge>, keep: (from: string) => boolean): Map<string, Edge[]> {
  const out = new Map<string, Edge[]>();
  for (const e of edges.values()) {
    if (!keep(e.from.id)) continue;
    if (!out.has(e.from.id)) out.set(e.from.id, []);
    out.get(e.from.id)!.push(e);
  }
  for (const list of out.values()) list.sort((a, b) => bySortKey(a.to, b.to));
  return out;
}

/** Cycles covering every edge of each component. */
function findCycles(components: Set<string>[], edges: Map<string, Edge>): Cycle[] {
  if (components.length === 0) return [];
  const inside = new Set(components.flatMap((c) => [...c]));
  const out = outgoing(edges, (from) => inside.has(from));
  const cycles: Cycle[] = [];
  const usedPrimaries = new Set<ts.Node>();
  for (const component of components) cycles.push(...componentCycles(component, out, usedPrimaries));
  return cycles;
}

/** Shortest cycles through each not-yet-covered edge of a component, rotated to start at its first lock class. */
function componentCycles(component: Set<string>, out: Map<string, Edge[]>, usedPrimaries: Set<ts.Node>): Cycle[] {
  const inside = (e: Edge) => component.has(e.to.id);
  const all = [...component].flatMap((id) => (out.get(id) ?? []).filter(inside));
  all.sort((a, b) => bySortKey(a.from, b.from) || bySortKey(a.to, b.to));
  const covered = new Set<Edge>();
  const seen = new Set<string>();
  const cycles: Cycle[] = [];
  for (const first of all) {
    if (covered.has(first) || cycles.length >= MAX_CYCLES_PER_COMPONENT) continue;
    const back = shortestPath(first.to.id, first.from.id, out, inside);
    if (!back) continue;
    const edges = rotate([first, ...back]);
    const key = edges.map((e) => e.from.id).join('>');
    for (const e of edges) covered.add(e);
    if (seen.has(key)) continue;
    seen.add(key);
    // Report at the first edge's inner acquisition, unless another cycle is already reported there.
    let primary = edges.findIndex((e) => !usedPrimaries.has(e.inner));
    if (primary < 0) primary = 0;
    usedPrimaries.add(edges[primary]!.inner);
    cycles.push({ edges, primary });
  }
  return cycles;
}

function shortestPath(from: string, to: string, out: Map<string, Edge[]>, inside: (e: Edge) => boolean): Edge[] | undefined {
  const via = new Map<string, Edge | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    if (id === to) break;
    for (const e of out.get(id) ?? []) {
      if (!inside(e) || via.has(e.to.id)) continue;
      via.set(e.to.id, e);
      queue.push(e.to.id);
    }
  }
  if (!via.has(to)) return undefined;
  const path: Edge[] = [];
  for (let e = via.get(to); e; e = via.get(e.from.id)) path.unshift(e);
  return path;
}

/** Start the cycle at the lock class that sorts first (declared first), for one canonical report. */
function rotate(edges: Edge[]): Edge[] {
  let best = 0;
  edges.forEach((e, i) => {
    if (bySortKey(e.from, edges[best]!.from) < 0) best = i;
  });
  return [...edges.slice(best), ...edges.slice(0, best)];
}
