/**
 * One lock analysis per program and per set of lock options: the caches every lock module
 * shares (recognised operations, lock classes, per-body held-lock regions, the lock graph).
 * Kept in a WeakMap, so the CLI and the ESLint adapter reuse it across files.
 */
import crypto from 'node:crypto';
import type ts from 'typescript';
import { getTypeQueries, type TypeQueries } from '../program/type-queries.js';
import { getCallGraph, type CallGraph } from '../program/callgraph.js';
import { perProgram } from '../program/per-program.js';
import { lockOptionsKey, normalizeLockOptions, type LockClass, type LockOp, type LockOptions } from './types.js';

export interface LockContext {
  program: ts.Program;
  types: TypeQueries;
  graph: CallGraph;
  options: LockOptions;
  /** Distinguishes caches (and summary kinds) built with different lock options. */
  key: string;
  /** Directory that file names in lock-class names are relative to. */
  cwd: string;
  /** Lock classes by id: one object per class, so messages name it one way. */
  classes: Map<string, LockClass>;
  /** Recognised operation per call (null: not a lock operation). */
  ops: Map<ts.Node, LockOp | null>;
  /** Per-analysis scratch caches keyed by module (regions, graph). */
  caches: Map<string, unknown>;
  /**
   * A short name for a node, made from its file and position: stable across programs while
   * the file is unchanged (lock class ids and instance paths are kept in the analysis cache).
   */
  nodeId(node: ts.Node): string;
}

const contexts = perProgram<string, LockContext>();

/** The lock options of every lock context made in this process (for the editor's early cut-off, checks/edit-surface.ts). */
const optionsSeen = new Map<string, Partial<LockOptions>>();

export function getLockContext(program: ts.Program, options: Partial<LockOptions>): LockContext {
  const key = lockOptionsKey(options);
  if (!optionsSeen.has(key)) optionsSeen.set(key, options);
  return contexts.get(program, key, () => createContext(program, options, key));
}

/** Every set of lock options a lock context was made with so far in this process. */
export function lockOptionsUsed(): Partial<LockOptions>[] {
  return [...optionsSeen.values()];
}

/** The base of `nodeId` for a node at this file and range (a collision within one program adds a suffix). */
export function nodeIdBase(fileName: string, pos: number, end: number, kind: number): string {
  return crypto.createHash('sha1').update(`${fileName}\0${pos}\0${end}\0${kind}`).digest('hex').slice(0, 12);
}

function createContext(program: ts.Program, options: Partial<LockOptions>, key: string): LockContext {
  const ids = new WeakMap<ts.Node, string>();
  const taken = new Map<string, ts.Node>();
  return {
    program,
    types: getTypeQueries(program),
    graph: getCallGraph(program),
    options: normalizeLockOptions(options),
    key,
    cwd: program.getCurrentDirectory(),
    classes: new Map(),
    ops: new Map(),
    caches: new Map(),
    nodeId(node) {
      let id = ids.get(node);
      if (id === undefined) {
        const sf = node.getSourceFile();
        const base = nodeIdBase(sf.fileName, node.pos, node.end, node.kind);
        id = base;
        for (let i = 1; taken.has(id); i++) id = `${base}x${i}`; // a hash collision: still unique within the program
        taken.set(id, node);
        ids.set(node, id);
      }
      return id;
    },
  };
}

/** A cache owned by one module, created on first use. */
export function cacheOf<T>(ctx: LockContext, name: string, create: () => T): T {
  let value = ctx.caches.get(name) as T | undefined;
  if (value === undefined) {
    value = create();
    ctx.caches.set(name, value);
  }
  return value;
}
