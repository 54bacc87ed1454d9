import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { loadProjects } from '../analyzer/project/project.js';
import { functionName, getCallGraph, isFunctionLike, type FunctionLike } from '../analyzer/program/callgraph.js';
import { getSummary, summaryStats } from '../analyzer/summaries/engine.js';
import { reachKind } from '../analyzer/summaries/reach.js';
import { walk } from '../analyzer/program/walk.js';

const dir = path.join(import.meta.dirname, 'callgraph-fixture');
const { projects } = loadProjects({ paths: [dir], cwd: dir });
const program = projects[0]!.program;
const graph = getCallGraph(program);

/** Every named function-like in the fixture, by its trace name. */
function functions(): Map<string, FunctionLike> {
  const out = new Map<string, FunctionLike>();
  for (const sf of projects[0]!.files) {
    walk(sf, (node) => {
      if (isFunctionLike(node) && node.body) out.set(`${path.basename(sf.fileName)}:${functionName(node)}`, node);
    });
  }
  return out;
}
const fns = functions();
const fn = (name: string) => {
  const f = fns.get(name);
  if (!f) throw new Error(`no function ${name}; have ${[...fns.keys()].join(', ')}`);
  return f;
};
const calleesOf = (name: string) =>
  graph
    .info(fn(name))
    .calls.flatMap((c) => c.callees.map((callee) => `${path.basename(callee.getSourceFile().fileName)}:${functionName(callee)}`));

const readsFile = reachKind<string>({
  name: 'test-reads-file',
  match(call) {
    const callee = call.expression;
    return ts.isIdentifier(callee) && callee.text === 'readFileSync' ? 'readFileSync' : undefined;
  },
});
const chainOf = (name: string) => {
  const reach = getSummary(program, readsFile, fn(name));
  return reach && reach.steps.map((s) => (s.callee ? functionName(s.callee) : s.call.expression.getText()));
};

describe('call graph', () => {
  it('resolves calls across files, through imports, re-exports and namespace imports', () => {
    expect(calleesOf('a.ts:isEven')).toEqual(['b.ts:isOdd']);
    expect(calleesOf('c.ts:viaReexport')).toEqual(['a.ts:leaf']);
    // `new A.Service()` has no constructor body to run, so it resolves to nothing.
    expect(calleesOf('d.ts:entry')).toEqual(['a.ts:selfRecursive', 'c.ts:viaReexport', 'a.ts:Service.run']);
  });

  it('resolves methods through this, object-literal methods and arrows bound to consts', () => {
    expect(calleesOf('a.ts:Service.run')).toEqual(['a.ts:Service.step']);
    expect(calleesOf('a.ts:Service.step')).toEqual(['b.ts:read']);
    expect(calleesOf('b.ts:read')).toEqual(['a.ts:arrow']);
    expect(calleesOf('a.ts:arrow')).toEqual(['a.ts:leaf']);
  });

  it('resolves an overloaded call to the implementation', () => {
    expect(calleesOf('a.ts:callsOverload')).toEqual(['a.ts:overloaded']);
    expect(fn('a.ts:overloaded').body).toBeDefined();
  });

  it('lists nested functions separately from the calls of their parent', () => {
    const info = graph.info(fn('a.ts:useCallback'));
    expect(info.nested).toHaveLength(1);
    expect(info.calls.map((c) => c.call.expression.getText())).toEqual(['xs.map']);
  });

  it('walks each body once, however often it is asked', () => {
    const first = graph.info(fn('a.ts:leaf'));
    expect(graph.info(fn('a.ts:leaf'))).toBe(first);
  });
});

describe('summaries to a fixpoint over strongly connected components', () => {
  it('finds the shortest witness chain through helpers across files', () => {
    expect(chainOf('a.ts:leaf')).toEqual(['readFileSync']);
    expect(chainOf('c.ts:viaReexport')).toEqual(['leaf', 'readFileSync']);
    expect(chainOf('a.ts:Service.run')).toEqual(['Service.step', 'read', 'arrow', 'leaf', 'readFileSync']);
    expect(chainOf('d.ts:entry')).toEqual(['selfRecursive', 'leaf', 'readFileSync']);
  });

  it('terminates on mutual recursion across files and still finds the fact', () => {
    expect(chainOf('a.ts:isEven')).toEqual(['isOdd', 'arrow', 'leaf', 'readFileSync']);
    expect(chainOf('b.ts:isOdd')).toEqual(['arrow', 'leaf', 'readFileSync']);
  });

  it('terminates on self recursion', () => {
    expect(chainOf('a.ts:selfRecursive')).toEqual(['leaf', 'readFileSync']);
  });

  it('reports nothing for a function that reaches nothing', () => {
    expect(chainOf('a.ts:clean')).toBeNull();
    expect(chainOf('a.ts:useCallback')).toBeNull();
  });

  it('computes each summary once per program and caches it', () => {
    const before = { ...summaryStats(program, readsFile) };
    for (const name of fns.keys()) getSummary(program, readsFile, fn(name));
    const after = summaryStats(program, readsFile);
    expect(after.recursiveComponents).toBeGreaterThanOrEqual(1);
    const again = after.computeCalls;
    for (const name of fns.keys()) getSummary(program, readsFile, fn(name));
    expect(summaryStats(program, readsFile).computeCalls).toBe(again);
    expect(after.computeCalls).toBeGreaterThanOrEqual(before.computeCalls);
  });
});
