/**
 * The lock edges one file's bodies create, as a per-file fact the analysis cache keeps
 * between runs (analyzer/program/file-facts.ts): lock classes by id, nodes by position. An edge of a file
 * depends on that file and the functions it calls, which are in the files it imports.
 */
import ts from '../ts/typescript.cjs';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { factFamily, nodeAt, nodeRef, type FactCodec, type NodeRef } from '../program/file-facts.js';
import type { LockContext } from './context.js';
import type { Edge } from './graph.js';
import type { LockClass } from './types.js';
import type { InstancePath } from './instance-path.js';

/** A file's edges: the best witness per ordered pair (first seen first), and its recursive acquisitions. */
export interface FileEdges {
  edges: [string, Edge][];
  recursive: Edge[];
}

interface StoredClass extends Omit<LockClass, 'declaration'> {
  declaration?: NodeRef;
}

interface StoredEdge {
  from: string;
  to: string;
  outer: { lock: string; path: InstancePath; site: NodeRef };
  steps: { call: NodeRef; callee: NodeRef }[];
  inner: NodeRef;
  innerPath: InstancePath;
  at: NodeRef;
  gates: string[];
}

interface StoredFileEdges {
  classes: StoredClass[];
  edges: [string, StoredEdge][];
  recursive: StoredEdge[];
}

export function edgeCodec(ctx: LockContext): FactCodec<FileEdges> {
  return {
    encode(value) {
      const classes = new Map<string, StoredClass>();
      const classId = (lock: LockClass): string => {
        if (!classes.has(lock.id)) {
          const { declaration, ...rest } = lock;
          classes.set(lock.id, declaration ? { ...rest, declaration: nodeRef(declaration) } : rest);
        }
        return lock.id;
      };
      const edge = (e: Edge): StoredEdge => ({
        from: classId(e.from),
        to: classId(e.to),
        outer: { lock: classId(e.outer.lock), path: e.outer.path, site: nodeRef(e.outer.site) },
        steps: e.steps.map((s) => ({ call: nodeRef(s.call), callee: nodeRef(s.callee) })),
        inner: nodeRef(e.inner),
        innerPath: e.innerPath,
        at: nodeRef(e.at),
        gates: e.gates,
      });
      const stored: StoredFileEdges = { classes: [], edges: value.edges.map(([k, e]) => [k, edge(e)]), recursive: value.recursive.map(edge) };
      stored.classes = [...classes.values()];
      return stored;
    },
    decode(data, program) {
      const stored = data as StoredFileEdges;
      const classes = new Map<string, LockClass>();
      for (const c of stored.classes) {
        const declaration = c.declaration && nodeAt(program, c.declaration);
        if (c.declaration && !declaration) return undefined;
        const { declaration: _, ...rest } = c;
        classes.set(c.id, ctx.classes.get(c.id) ?? { ...rest, ...(declaration ? { declaration } : {}) });
      }
      const decodeEdge = (e: StoredEdge): Edge | undefined => {
        const from = classes.get(e.from);
        const to = classes.get(e.to);
        const holder = classes.get(e.outer.lock);
        const site = nodeAt(program, e.outer.site);
        const inner = nodeAt(program, e.inner);
        const at = nodeAt(program, e.at);
        if (!from || !to || !holder || !site || !inner || !at || !ts.isCallExpression(site) || !ts.isCallExpression(inner)) return undefined;
        const steps: Edge['steps'] = [];
        for (const s of e.steps) {
          const call = nodeAt(program, s.call);
          const callee = nodeAt(program, s.callee);
          if (!call || !callee || !(ts.isCallExpression(call) || ts.isNewExpression(call)) || !isFunctionLike(callee)) return undefined;
          steps.push({ call, callee: callee as FunctionLike });
        }
        return { from, to, outer: { lock: holder, path: e.outer.path, site }, steps, inner, innerPath: e.innerPath, at, gates: e.gates ?? [] };
      };
      const edges: [string, Edge][] = [];
      for (const [key, e] of stored.edges) {
        const edge = decodeEdge(e);
        if (!edge) return undefined;
        edges.push([key, edge]);
      }
      const recursive: Edge[] = [];
      for (const e of stored.recursive) {
        const edge = decodeEdge(e);
        if (!edge) return undefined;
        recursive.push(edge);
      }
      // Only now, when every part decoded: the classes become the program's lock classes.
      for (const [id, c] of classes) if (!ctx.classes.has(id)) ctx.classes.set(id, c);
      return { edges, recursive };
    },
  };
}

/** The lock-order check reads the whole graph on every file anyway: no targets of its own. */
export const edgeFacts = factFamily('lock-edges', () => []);
