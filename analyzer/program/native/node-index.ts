/**
 * Our rules walk TypeScript 6 nodes; the native checker answers about TypeScript 7 nodes,
 * named by handles ("index.kind.path"). A fetched TypeScript 7 source file is a flat table of
 * 28-byte node records (kind, pos, end, next, parent, data, flags) in pre-order, so the twin of
 * a TypeScript 6 node is the record with the same pos, end and kind (mapped by name,
 * kinds.ts): the table is read once per file, without making a node object per record, and a
 * native node object is made only for the nodes a question is asked about.
 *
 * The record layout is that of the pinned TypeScript 7.0.2 (its api/node/protocol.js);
 * `checkLayout` compares a few records with the client's own node objects so a changed
 * layout fails loudly instead of answering about the wrong nodes.
 */
import type ts from '../../ts/typescript.cjs';
import type { KindMap } from './kinds.js';

const HEADER_OFFSET_NODES = 40;
const NODE_LEN = 28;
const OFFSET_KIND = 0;
const OFFSET_POS = 4;
const OFFSET_END = 8;
const KIND_NODE_LIST = 0xffffffff;

/** What this module uses of the client's RemoteSourceFile (7.0.2). */
export interface RemoteFile<N> {
  readonly view: DataView;
  readonly nodes: readonly unknown[];
  getOrCreateNodeAtIndex(index: number): N;
}

export interface NativeNodeLike {
  readonly kind: number;
  readonly pos: number;
  readonly end: number;
}

export class NodeIndex<N extends NativeNodeLike> {
  /** pos -> end -> native kind -> record index (the outermost record when several match). */
  private readonly byPos = new Map<number, number[]>();
  readonly records: number;

  constructor(
    private readonly file: RemoteFile<N>,
    private readonly kinds: KindMap,
  ) {
    const view = file.view;
    const base = view.getUint32(HEADER_OFFSET_NODES, true);
    this.records = file.nodes.length;
    for (let i = 2; i < this.records; i++) {
      const at = base + i * NODE_LEN;
      const kind = view.getUint32(at + OFFSET_KIND, true);
      if (kind === KIND_NODE_LIST) continue;
      const pos = view.getInt32(at + OFFSET_POS, true);
      const end = view.getInt32(at + OFFSET_END, true);
      let list = this.byPos.get(pos);
      if (!list) this.byPos.set(pos, (list = []));
      list.push(end, kind, i);
    }
  }

  /** The record index of a TypeScript 6 node's twin, or -1. */
  indexOf(node: ts.Node): number {
    const kind = this.kinds[node.kind] ?? -1;
    if (kind === -1) return -1;
    const list = this.byPos.get(node.pos);
    if (!list) return -1;
    for (let i = 0; i < list.length; i += 3) if (list[i] === node.end && list[i + 1] === kind) return list[i + 2]!;
    return -1;
  }

  /** The native twin of a TypeScript 6 node (made on first use), or undefined. */
  nodeFor(node: ts.Node): N | undefined {
    const i = this.indexOf(node);
    return i === -1 ? undefined : this.file.getOrCreateNodeAtIndex(i);
  }

  /** The records disagree with the client's node objects: the pinned layout changed. */
  checkLayout(): void {
    const view = this.file.view;
    const base = view.getUint32(HEADER_OFFSET_NODES, true);
    for (let i = 2; i < Math.min(this.records, 64); i++) {
      const kind = view.getUint32(base + i * NODE_LEN + OFFSET_KIND, true);
      if (kind === KIND_NODE_LIST) continue;
      const n = this.file.getOrCreateNodeAtIndex(i);
      if (n.kind !== kind || n.pos !== view.getInt32(base + i * NODE_LEN + OFFSET_POS, true) || n.end !== view.getInt32(base + i * NODE_LEN + OFFSET_END, true)) {
        throw new Error(`TypeScript 7's node table layout is not 7.0.2's (record ${i})`);
      }
    }
  }
}
