/**
 * Mutations of real code (our fixtures): the small edits that turn correct concurrency code
 * into buggy code and back. Insert or remove `await`, `async` and `void`, swap adjacent
 * statements, wrap a statement in try/catch, duplicate a function into another file. Each
 * mutation is a text edit at a node the TypeScript parser found, so most mutants still
 * parse; the ones that do not test the "analyze what parses" path.
 */
import path from 'node:path';
import ts from 'typescript';
import { walk } from '../analyzer/program/walk.js';
import type { Rng } from './random.js';
import type { Files } from './generate.js';

interface Edit {
  start: number;
  end: number;
  text: string;
}

export const MUTATIONS = ['insert-await', 'remove-await', 'toggle-async', 'insert-void', 'swap-statements', 'wrap-try', 'duplicate-function'] as const;
export type MutationName = (typeof MUTATIONS)[number];

function scriptKind(file: string): ts.ScriptKind {
  return /\.[cm]?js$|\.jsx$/.test(file) ? ts.ScriptKind.JS : file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
}

function nodesOf<T extends ts.Node>(sf: ts.SourceFile, test: (n: ts.Node) => n is T): T[] {
  const out: T[] = [];
  walk(sf, (n) => {
    if (test(n)) out.push(n);
  });
  return out;
}

const isCall = (n: ts.Node): n is ts.CallExpression => ts.isCallExpression(n);
const isStatementInBlock = (n: ts.Node): n is ts.Statement =>
  (ts.isExpressionStatement(n) || ts.isVariableStatement(n) || ts.isReturnStatement(n) || ts.isIfStatement(n)) &&
  (ts.isBlock(n.parent) || ts.isSourceFile(n.parent));
const isFunctionWithBody = (n: ts.Node): n is ts.FunctionLikeDeclaration =>
  (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && n.body !== undefined;

function mutationEdit(name: MutationName, sf: ts.SourceFile, rng: Rng): Edit | undefined {
  switch (name) {
    case 'insert-await': {
      const calls = nodesOf(sf, isCall).filter((c) => !ts.isAwaitExpression(c.parent));
      if (calls.length === 0) return undefined;
      const call = rng.pick(calls);
      const start = call.getStart(sf);
      return { start, end: start, text: 'await ' };
    }
    case 'remove-await': {
      const awaits = nodesOf(sf, ts.isAwaitExpression);
      if (awaits.length === 0) return undefined;
      const node = rng.pick(awaits);
      return { start: node.getStart(sf), end: node.expression.getStart(sf), text: '' };
    }
    case 'toggle-async': {
      const fns = nodesOf(sf, isFunctionWithBody);
      if (fns.length === 0) return undefined;
      const fn = rng.pick(fns);
      const modifier = ts.canHaveModifiers(fn) ? ts.getModifiers(fn)?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword) : undefined;
      if (modifier) return { start: modifier.getStart(sf), end: modifier.getEnd(), text: '' };
      const start = fn.getStart(sf);
      // `async` goes before `function`, a method name or an arrow's parameters (after `static`, `export`...).
      const mods = ts.canHaveModifiers(fn) ? (ts.getModifiers(fn) ?? []) : [];
      const at = mods.length > 0 ? mods[mods.length - 1]!.getEnd() : start;
      return { start: at, end: at, text: mods.length > 0 ? ' async' : 'async ' };
    }
    case 'insert-void': {
      const statements = nodesOf(sf, ts.isExpressionStatement).filter((s) => ts.isCallExpression(s.expression));
      if (statements.length === 0) return undefined;
      const start = rng.pick(statements).expression.getStart(sf);
      return { start, end: start, text: 'void ' };
    }
    case 'swap-statements': {
      const blocks = nodesOf(sf, (n): n is ts.Block => ts.isBlock(n) && n.statements.length >= 2);
      if (blocks.length === 0) return undefined;
      const block = rng.pick(blocks);
      const i = rng.int(0, block.statements.length - 2);
      const a = block.statements[i]!;
      const b = block.statements[i + 1]!;
      const textA = sf.text.slice(a.getStart(sf), a.getEnd());
      const textB = sf.text.slice(b.getStart(sf), b.getEnd());
      const between = sf.text.slice(a.getEnd(), b.getStart(sf));
      return { start: a.getStart(sf), end: b.getEnd(), text: `${textB}${between}${textA}` };
    }
    case 'wrap-try': {
      const statements = nodesOf(sf, isStatementInBlock).filter((s) => !ts.isSourceFile(s.parent) || !ts.isVariableStatement(s));
      if (statements.length === 0) return undefined;
      const s = rng.pick(statements);
      const text = sf.text.slice(s.getStart(sf), s.getEnd());
      return { start: s.getStart(sf), end: s.getEnd(), text: `try { ${text} } catch (fuzzError) { void fuzzError; }` };
    }
    case 'duplicate-function':
      return undefined; // needs two files: see mutateFiles
  }
}

/** Append a copy of a random function declaration of `from` to `to` (a different file). */
function duplicateFunction(files: Files, from: string, to: string, rng: Rng): boolean {
  const sf = ts.createSourceFile(from, files[from]!, ts.ScriptTarget.Latest, true, scriptKind(from));
  const fns = sf.statements.filter((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.body !== undefined && s.name !== undefined);
  if (fns.length === 0) return false;
  const fn = rng.pick(fns);
  const text = sf.text.slice(fn.getStart(sf), fn.getEnd()).replace(/^export\s+(default\s+)?/, '');
  files[to] = `${files[to]!}\n${text}\n`;
  return true;
}

export interface MutationRecord {
  file: string;
  mutation: MutationName;
}

/**
 * Apply `count` random mutations to the source files of `files` (in place); returns what was
 * done. Files whose names are not .ts/.tsx/.js/... are left alone.
 */
export function mutateFiles(files: Files, count: number, rng: Rng): MutationRecord[] {
  const sources = Object.keys(files)
    .filter((f) => /\.[cm]?[jt]sx?$/.test(f) && !/\.d\.[cm]?ts$/.test(f))
    .sort();
  const done: MutationRecord[] = [];
  if (sources.length === 0) return done;
  for (let attempt = 0; done.length < count && attempt < count * 4; attempt++) {
    const file = rng.pick(sources);
    const mutation = rng.pick(MUTATIONS);
    if (mutation === 'duplicate-function') {
      const others = sources.filter((f) => f !== file && path.extname(f) === path.extname(file));
      if (others.length > 0 && duplicateFunction(files, file, rng.pick(others), rng)) done.push({ file, mutation });
      continue;
    }
    const sf = ts.createSourceFile(file, files[file]!, ts.ScriptTarget.Latest, true, scriptKind(file));
    const edit = mutationEdit(mutation, sf, rng);
    if (!edit) continue;
    files[file] = sf.text.slice(0, edit.start) + edit.text + sf.text.slice(edit.end);
    done.push({ file, mutation });
  }
  return done;
}
