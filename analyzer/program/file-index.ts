/**
 * One walk per source file, shared by every rule: the file's nodes in the order `walk`
 * (program/walk.ts) visits them, and by kind. A rule or helper that looks at every call, every
 * function or every identifier of a file reads them here instead of walking the whole file
 * again (each rule used to walk each file, and a few program-wide indexes walked every file
 * once more: about fifteen walks per file). Walks of a sub-tree (one function's body) stay walks.
 *
 * Built on first use and kept per `SourceFile` object, weakly: a syntax tree does not change,
 * and an edited file is a new object (the editor keeps the objects of unchanged files).
 * Like `walk`, it records nothing for the analysis cache (see program/dependencies.ts).
 */
import ts from '../ts/typescript.cjs';
import { isFunctionLike, type FunctionLike } from './callgraph.js';
import { walk } from './walk.js';

export interface FileIndex {
  /** Every node of the file, the file first, parents before children, in source order. */
  readonly nodes: readonly ts.Node[];
  /** The nodes of these kinds, in the same order (kept per set of kinds). */
  of<T extends ts.Node = ts.Node>(...kinds: ts.SyntaxKind[]): readonly T[];
  /** The function-likes (program/callgraph.ts `isFunctionLike`), in the same order. */
  readonly functions: readonly FunctionLike[];
}

/** Calls and `new` expressions. */
export const CALL_KINDS = [ts.SyntaxKind.CallExpression, ts.SyntaxKind.NewExpression] as const;

/** Class declarations and class expressions. */
export const CLASS_KINDS = [ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.ClassExpression] as const;

const indexes = new WeakMap<ts.SourceFile, FileIndex>();

export function fileIndex(sf: ts.SourceFile): FileIndex {
  let index = indexes.get(sf);
  if (!index) indexes.set(sf, (index = build(sf)));
  return index;
}

function build(sf: ts.SourceFile): FileIndex {
  const nodes: ts.Node[] = [];
  const byKind = new Map<ts.SyntaxKind, ts.Node[]>();
  walk(sf, (node) => {
    nodes.push(node);
    const list = byKind.get(node.kind);
    if (list) list.push(node);
    else byKind.set(node.kind, [node]);
  });
  const byKinds = new Map<string, ts.Node[]>();
  let functions: FunctionLike[] | undefined;
  return {
    nodes,
    of<T extends ts.Node>(...kinds: ts.SyntaxKind[]): readonly T[] {
      if (kinds.length === 1) return (byKind.get(kinds[0]!) ?? []) as T[];
      const key = [...kinds].sort((a, b) => a - b).join(',');
      let list = byKinds.get(key);
      if (!list) {
        const wanted = new Set(kinds);
        byKinds.set(key, (list = nodes.filter((n) => wanted.has(n.kind))));
      }
      return list as T[];
    },
    get functions() {
      return (functions ??= nodes.filter(isFunctionLike));
    },
  };
}
