/** The per-file node index: one walk, the same nodes in the same order as `walk`, by kind. */
import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { CALL_KINDS, CLASS_KINDS, fileIndex } from '../analyzer/program/file-index.js';
import { walk } from '../analyzer/program/walk.js';
import { isFunctionLike } from '../analyzer/program/callgraph.js';

const text = `
import { readFile } from 'node:fs/promises';
export class Store {
  #cache = new Map<string, string>();
  async get(key: string): Promise<string> {
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const value = await readFile(key, 'utf8');
    [1, 2].map((n) => n + 1);
    return value;
  }
}
const Anonymous = class { run = () => new Store().get('x'); };
function outer() {
  function inner() { return outer(); }
  return inner();
}
export default async () => { await new Anonymous().run(); };
`;

function parse(): ts.SourceFile {
  return ts.createSourceFile('/virtual/a.ts', text, ts.ScriptTarget.ES2022, true);
}

function walked(sf: ts.SourceFile, test: (n: ts.Node) => boolean): ts.Node[] {
  const out: ts.Node[] = [];
  walk(sf, (n) => {
    if (test(n)) out.push(n);
  });
  return out;
}

describe('fileIndex', () => {
  it('lists every node in the order walk visits them, the file first', () => {
    const sf = parse();
    const index = fileIndex(sf);
    expect(index.nodes[0]).toBe(sf);
    expect(index.nodes).toEqual(walked(sf, () => true));
    expect(index.nodes.length).toBeGreaterThan(100);
  });

  it('gives the nodes of one kind or of several, in walk order', () => {
    const sf = parse();
    const index = fileIndex(sf);
    const calls = walked(sf, (n) => ts.isCallExpression(n) || ts.isNewExpression(n));
    expect(index.of(...CALL_KINDS)).toEqual(calls);
    expect(calls.filter(ts.isNewExpression)).toHaveLength(3);
    expect(index.of(ts.SyntaxKind.CallExpression)).toEqual(calls.filter(ts.isCallExpression));
    expect(index.of(...CLASS_KINDS).map((c) => c.kind)).toEqual([ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.ClassExpression]);
    expect(index.of(ts.SyntaxKind.AwaitExpression)).toHaveLength(2);
    expect(index.of(ts.SyntaxKind.WhileStatement)).toEqual([]);
    // The same list for the same kinds in any order.
    expect(index.of(ts.SyntaxKind.NewExpression, ts.SyntaxKind.CallExpression)).toBe(index.of(...CALL_KINDS));
  });

  it('gives the function-likes, nested ones after their parents', () => {
    const sf = parse();
    const functions = fileIndex(sf).functions;
    expect(functions).toEqual(walked(sf, isFunctionLike));
    expect(functions.map((f) => f.kind)).toEqual([
      ts.SyntaxKind.MethodDeclaration,
      ts.SyntaxKind.ArrowFunction,
      ts.SyntaxKind.ArrowFunction,
      ts.SyntaxKind.FunctionDeclaration,
      ts.SyntaxKind.FunctionDeclaration,
      ts.SyntaxKind.ArrowFunction,
    ]);
  });

  it('is built once per source file object', () => {
    const sf = parse();
    expect(fileIndex(sf)).toBe(fileIndex(sf));
    const again = parse();
    expect(fileIndex(again)).not.toBe(fileIndex(sf));
    expect(fileIndex(again).nodes.length).toBe(fileIndex(sf).nodes.length);
  });
});
