/**
 * The native backend prototype (analyzer/program/native/): TypeScript 6 nodes find their
 * TypeScript 7 twins, and TypeScript 7's answers to the prefetched `typeAt` and `symbolAt`
 * questions are TypeScript 6's, on the sample app. Starts the TypeScript 7 compiler process
 * (the `typescript-native` dev dependency) and closes it.
 */
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjects } from '../analyzer/project/project.js';
import { openNativeSession, type NativeSession } from '../analyzer/program/native/session.js';
import { NativeAnswers } from '../analyzer/program/native/answers.js';
import { collectQuestions } from '../analyzer/program/native/prefetch.js';
import { kindMap, unmappedKinds } from '../analyzer/program/native/kinds.js';

const dir = path.join(import.meta.dirname, '..', 'fixtures', 'sample-app');
const { projects } = loadProjects({ paths: [dir], cwd: dir });
const program = projects[0]!.program;
const checker = program.getTypeChecker();
const files = projects[0]!.files;

let session: NativeSession;
let answers: NativeAnswers;

beforeAll(async () => {
  session = await openNativeSession(path.join(dir, 'tsconfig.json'));
  answers = new NativeAnswers(session);
}, 60_000);
afterAll(() => session?.close());

/** Where a node is, for messages. */
const where = (node: ts.Node) => {
  const sf = node.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${path.basename(sf.fileName)}:${line + 1}:${character + 1} ${ts.SyntaxKind[node.kind]} \`${node.getText(sf).slice(0, 40)}\``;
};

describe('SyntaxKind by name', () => {
  it('maps every kind the rules ask about, and real names before range markers', () => {
    const map = session.kinds;
    const native = session.modules.ast.SyntaxKind as unknown as Record<string, number>;
    for (const kind of ['Identifier', 'CallExpression', 'PropertyAccessExpression', 'AwaitExpression', 'ThisKeyword', 'NumericLiteral', 'ArrowFunction']) {
      expect(map[ts.SyntaxKind[kind as keyof typeof ts.SyntaxKind]], kind).toBe(native[kind]);
    }
    // The numbers differ between the versions: a mapping by number would be wrong.
    expect(ts.SyntaxKind.Identifier).not.toBe(native.Identifier);
    // NumericLiteral's TypeScript 6 reverse name is the marker FirstLiteralToken; the real name wins.
    expect(map[ts.SyntaxKind.NumericLiteral]).toBe(native.NumericLiteral);
    expect(unmappedKinds(kindMap(native))).not.toContain('CallExpression');
  });
});

describe('node twins', () => {
  // TypeScript 7's file table has no record for the end-of-file token (no rule asks about it).
  it('every TypeScript 6 node of every file but the end-of-file token has a TypeScript 7 twin with the same range and kind', () => {
    const native = session.modules.ast.SyntaxKind as unknown as Record<number, string>;
    let checked = 0;
    const names = new Set<string>();
    const missing: string[] = [];
    for (const sf of files) {
      const index = answers.indexFor(sf);
      expect(index, sf.fileName).toBeDefined();
      const visit = (node: ts.Node): void => {
        if (!ts.isJSDoc(node) && node.kind !== ts.SyntaxKind.EndOfFileToken) {
          const twin = index!.nodeFor(node);
          if (!twin) missing.push(where(node));
          else {
            expect([twin.pos, twin.end, twin.kind], where(node)).toEqual([node.pos, node.end, session.kinds[node.kind]]);
            names.add(native[twin.kind]!);
            checked++;
          }
          ts.forEachChild(node, visit);
        }
      };
      ts.forEachChild(sf, visit);
    }
    expect(checked).toBeGreaterThan(1000);
    expect(names).toContain('AwaitExpression');
    expect(missing).toEqual([]);
  });
});

describe('answers equal to TypeScript 6', () => {
  beforeAll(() => answers.prefetch(files), 60_000);

  // TypeScript 7 orders union members and the properties of spread object literals by its own
  // deterministic rule, so `"admin" | "customer"` may print as `"customer" | "admin"` in
  // TypeScript 6: the same type, another text. Texts are compared untruncated; a difference
  // must be such a reordering (the same tokens), anything else fails.
  const NO_TRUNCATION = 1;
  const tokens = (text: string) => (text.match(/[\w$]+|"[^"]*"|'[^']*'|[^\s\w]/g) ?? []).sort().join(' ');

  it('typeAt: the type text of every prefetched expression, equal up to member order', () => {
    const reordered: string[] = [];
    const differ: string[] = [];
    let compared = 0;
    for (const sf of files) {
      for (const node of collectQuestions(sf).typeNodes) {
        const mine = answers.typeAt(node);
        const a = mine ? session.project.checker.typeToString(mine, undefined, NO_TRUNCATION) : '(none)';
        const b = checker.typeToString(checker.getTypeAtLocation(node), undefined, ts.TypeFormatFlags.NoTruncation);
        compared++;
        if (a === b) continue;
        (tokens(a) === tokens(b) ? reordered : differ).push(`${where(node)}: ts7 ${a} / ts6 ${b}`);
      }
    }
    expect(compared).toBeGreaterThan(500);
    expect(differ).toEqual([]);
    // Most texts are the same; the reordered ones are the sample app's unions and spreads.
    expect(reordered.length).toBeLessThan(compared / 10);
  });

  // TypeScript 7 answers a property read through an index signature (`process.env.X`) with the
  // index signature's symbol, `__index`, where TypeScript 6 answers none: the only difference allowed.
  it("symbolAt: the symbol's name of every identifier and module name, aliases not followed", () => {
    const throughIndex: string[] = [];
    const differ: string[] = [];
    let compared = 0;
    for (const sf of files) {
      for (const node of collectQuestions(sf).symbolNodes) {
        const mine = answers.symbolAt(node);
        const theirs = checker.getSymbolAtLocation(node);
        compared++;
        if (mine?.name === theirs?.getName()) continue;
        const line = `${where(node)}: ts7 ${mine?.name} / ts6 ${theirs?.getName()}`;
        if (mine?.name === '__index' && !theirs && ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) throughIndex.push(line);
        else differ.push(line);
      }
    }
    expect(compared).toBeGreaterThan(500);
    expect(differ).toEqual([]);
    expect(throughIndex.length).toBeLessThan(5);
  });

  it('answered from the batches: one round trip per question kind, no single calls', () => {
    expect(answers.stats.batches).toBe(2);
    expect(answers.stats.singleCalls).toBe(0);
    expect(answers.stats.hits).toBe(answers.stats.prefetchedTypes + answers.stats.prefetchedSymbols);
  });
});
