/**
 * Door answers from TypeScript 7: `typeAt` and `symbolAt` of TypeScript 6 nodes, prefetched in
 * batches (prefetch.ts) and otherwise asked one at a time, with counters for what each cost.
 * A prototype of the native backend's core (docs/native-backend.md): it answers the two
 * questions that make up most of the rules' asking; the follow-up questions (signatures,
 * properties, declarations) are single calls the caller makes on the returned objects.
 */
import type ts from '../../ts/typescript.cjs';
import type * as Sync from 'typescript-native/unstable/sync';
import type * as Ast from 'typescript-native/unstable/ast';
import { NodeIndex, type RemoteFile } from './node-index.js';
import { collectQuestions, type Questions } from './prefetch.js';
import type { NativeSession } from './session.js';

export interface AnswerStats {
  files: number;
  /** Records of the fetched TypeScript 7 files. */
  records: number;
  prefetchedTypes: number;
  prefetchedSymbols: number;
  /** Round trips of the batched prefetch. */
  batches: number;
  hits: number;
  /** Questions the prefetch did not cover, asked one at a time. */
  singleCalls: number;
  /** TypeScript 6 nodes with no TypeScript 7 twin (no answer). */
  unmapped: number;
}

type NativeFile = RemoteFile<Ast.Node> & Ast.SourceFile;

export class NativeAnswers {
  readonly stats: AnswerStats = { files: 0, records: 0, prefetchedTypes: 0, prefetchedSymbols: 0, batches: 0, hits: 0, singleCalls: 0, unmapped: 0 };
  private readonly indexes = new Map<string, NodeIndex<Ast.Node>>();
  private readonly types = new Map<ts.Node, Sync.Type | undefined>();
  private readonly symbols = new Map<ts.Node, Sync.Symbol | undefined>();

  constructor(readonly session: NativeSession) {}

  private get checker(): Sync.Checker {
    return this.session.project.checker;
  }

  /** The node index of a file (fetched from the compiler on first use), or undefined when the project lacks it. */
  indexFor(sf: ts.SourceFile): NodeIndex<Ast.Node> | undefined {
    let index = this.indexes.get(sf.fileName);
    if (!index) {
      const remote = this.session.project.program.getSourceFile(sf.fileName) as NativeFile | undefined;
      if (!remote) return undefined;
      index = new NodeIndex(remote, this.session.kinds);
      if (this.indexes.size === 0) index.checkLayout();
      this.indexes.set(sf.fileName, index);
      this.stats.files++;
      this.stats.records += index.records;
    }
    return index;
  }

  /** Ask, in one round trip per question kind, the types and symbols of a group of files. */
  prefetch(files: readonly ts.SourceFile[], questions: (sf: ts.SourceFile) => Questions = collectQuestions): void {
    const typeOf: [ts.Node, Ast.Node][] = [];
    const symbolOf: [ts.Node, Ast.Node][] = [];
    for (const sf of files) {
      const index = this.indexFor(sf);
      if (!index) continue;
      const q = questions(sf);
      for (const [list, out, known] of [[q.typeNodes, typeOf, this.types], [q.symbolNodes, symbolOf, this.symbols]] as const) {
        for (const node of list) {
          if ((known as Map<ts.Node, unknown>).has(node)) continue;
          const twin = index.nodeFor(node);
          if (twin) out.push([node, twin]);
          else this.stats.unmapped++;
        }
      }
    }
    if (typeOf.length) {
      const answers = this.checker.getTypeAtLocation(typeOf.map(([, n]) => n));
      typeOf.forEach(([node], i) => this.types.set(node, answers[i]));
      this.stats.prefetchedTypes += typeOf.length;
      this.stats.batches++;
    }
    if (symbolOf.length) {
      const answers = this.checker.getSymbolAtLocation(symbolOf.map(([, n]) => n));
      symbolOf.forEach(([node], i) => this.symbols.set(node, answers[i]));
      this.stats.prefetchedSymbols += symbolOf.length;
      this.stats.batches++;
    }
  }

  private twin(node: ts.Node): Ast.Node | undefined {
    const twin = this.indexFor(node.getSourceFile())?.nodeFor(node);
    if (!twin) this.stats.unmapped++;
    return twin;
  }

  /** The type at a node, as TypeScript 7 sees it. */
  typeAt(node: ts.Node): Sync.Type | undefined {
    return this.answer(this.types, node, (twin) => this.checker.getTypeAtLocation(twin));
  }

  /** The symbol at a node as written (an import's alias is not followed), as TypeScript 7 sees it. */
  symbolAt(node: ts.Node): Sync.Symbol | undefined {
    return this.answer(this.symbols, node, (twin) => this.checker.getSymbolAtLocation(twin));
  }

  /** The prefetched answer for `node`, else one single call on its twin (remembered either way). */
  private answer<T>(known: Map<ts.Node, T | undefined>, node: ts.Node, ask: (twin: Ast.Node) => T | undefined): T | undefined {
    if (known.has(node)) {
      this.stats.hits++;
      return known.get(node);
    }
    const twin = this.twin(node);
    let value: T | undefined;
    if (twin) {
      this.stats.singleCalls++;
      value = ask(twin);
    }
    known.set(node, value);
    return value;
  }

  /** A call's resolved signature: the API has no batched form, so this is always one round trip. */
  signatureOf(call: ts.CallLikeExpression): Sync.Signature | undefined {
    const twin = this.twin(call);
    if (!twin) return undefined;
    this.stats.singleCalls++;
    return this.checker.getResolvedSignature(twin);
  }

  typeText(type: Sync.Type): string {
    return this.checker.typeToString(type);
  }
}
