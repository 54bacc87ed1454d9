/**
 * `orm:param-value-reads`: per function and parameter, where the function reads THROUGH the
 * value passed there without first checking that it is present: a member or element read
 * (`guild.name`, `guild[0]`), iteration (`for (… of guild)`), spreading into an array, or
 * passing it on to another function that does. Kept for the parameter itself and for each field
 * of an options-object parameter (`opts.guild`, `{ guild }: Opts`, `let g = opts.guild`).
 *
 * Lets `no-lazy-relation-access` tell `calculatePosition(id, channel.guild)` apart from a read:
 * a relation that was not loaded is `undefined`, and handing `undefined` to a function that tests
 * for it (`if (!guild) guild = await Guild.findOneOrFail(…)`, `guild ??= …`, `guild?.name`) is
 * not a read. A parameter the function assigns (its own fallback) has no reads, and the
 * assignment is kept as `fallback` (one query per call when it loads).
 */
import ts from '../ts/typescript.cjs';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { getTypeQueries, type SymbolRef } from '../program/type-queries.js';
import { walk } from '../program/walk.js';
import { isGuarded, isWriteTarget } from './access.js';
import type { SummaryKind } from '../summaries/engine.js';
import { isAssignment, outermost } from '../program/syntax.js';

export interface ValueRead {
  /** The read (`guild.name`, the `for … of`, the spread). */
  read: ts.Node;
  /** The calls from the summarised function down to the one that reads (empty: it reads itself). */
  steps: { call: ts.CallExpression; callee: FunctionLike }[];
}

export interface ValueUses {
  reads: ValueRead[];
  /** The function replaces a missing value itself (`guild ??= await …`, `if (!guild) guild = …`). */
  fallback?: ts.BinaryExpression;
}

export interface ParamValueReads {
  /** The parameter itself. */
  direct: ValueUses;
  /** Fields of an options-object parameter, by name. */
  fields: Map<string, ValueUses>;
}

/** A tracked value: parameter `param`, the parameter itself (`key` '') or one of its fields. */
interface Tracked { param: number; key: string }

function usesOf(result: ParamValueReads[], t: Tracked): ValueUses {
  const entry = result[t.param]!;
  if (t.key === '') return entry.direct;
  let uses = entry.fields.get(t.key);
  if (!uses) entry.fields.set(t.key, (uses = { reads: [] }));
  return uses;
}

/** The unguarded reads through `ref` (one reference to a tracked value), with the callees' summaries for arguments. */
function readsThrough(ref: ts.Expression, calls: Map<ts.Node, FunctionLike[]>, get: (fn: FunctionLike) => ParamValueReads[]): ValueRead[] {
  const n = outermost(ref);
  const p = n.parent;
  if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === n && !p.questionDotToken) return [{ read: p, steps: [] }];
  if (ts.isForOfStatement(p) && p.expression === n) return [{ read: p.expression, steps: [] }];
  if (ts.isSpreadElement(p)) return [{ read: p, steps: [] }];
  if (ts.isCallExpression(p) && p.expression !== n) {
    const j = p.arguments.indexOf(n);
    const out: ValueRead[] = [];
    for (const callee of calls.get(p) ?? []) {
      for (const r of get(callee)[j]?.direct.reads ?? []) out.push({ ...r, steps: [{ call: p, callee }, ...r.steps] });
    }
    return out;
  }
  return [];
}

/** The parameters and the fields of destructured options parameters, by symbol. */
function trackedParams(fn: FunctionLike, types: ReturnType<typeof getTypeQueries>): Map<SymbolRef, Tracked> {
  const tracked = new Map<SymbolRef, Tracked>();
  fn.parameters.forEach((param, i) => {
    if (ts.isIdentifier(param.name)) {
      const s = types.symbolAt(param.name);
      if (s) tracked.set(s, { param: i, key: '' });
    } else if (ts.isObjectBindingPattern(param.name)) {
      for (const el of param.name.elements) {
        const key = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : ts.isIdentifier(el.name) ? el.name.text : undefined;
        const s = ts.isIdentifier(el.name) && !el.initializer ? types.symbolAt(el.name) : undefined;
        if (key && s) tracked.set(s, { param: i, key });
      }
    }
  });
  return tracked;
}

export const paramValueReadsKind: SummaryKind<ParamValueReads[]> = {
  name: 'orm:param-value-reads',
  initial: (fn) => fn.parameters.map(() => ({ direct: { reads: [] }, fields: new Map() })),
  *dependencies(fn, ctx) {
    for (const site of ctx.graph.info(fn).calls) yield* site.callees;
  },
  compute(fn, get, ctx) {
    const result: ParamValueReads[] = fn.parameters.map(() => ({ direct: { reads: [] }, fields: new Map() }));
    if (!fn.body) return result;
    const types = getTypeQueries(ctx.program);
    const calls = new Map<ts.Node, FunctionLike[]>(ctx.graph.info(fn).calls.map((site) => [site.call, site.callees] as const));
    const tracked = trackedParams(fn, types);
    const visitRef = (ref: ts.Expression, t: Tracked) => {
      const uses = usesOf(result, t);
      const n = outermost(ref);
      if (isWriteTarget(n)) {
        if (isAssignment(n.parent) && !uses.fallback) uses.fallback = n.parent;
        return;
      }
      const decl = n.parent;
      if (ts.isVariableDeclaration(decl) && decl.initializer === n && ts.isIdentifier(decl.name)) {
        const s = types.symbolAt(decl.name); // `let guild = opts.guild`: follow the copy
        if (s) tracked.set(s, t);
        return;
      }
      if (isGuarded(ref)) return;
      uses.reads.push(...readsThrough(ref, calls, get));
    };
    walk(fn.body, (n) => {
      if (isFunctionLike(n)) return false; // a callback may run later, or never
      if (!ts.isIdentifier(n)) return true;
      const s = types.symbolAt(n);
      const t = s && tracked.get(s);
      if (!t) return true;
      visitRef(n, t);
      const p = outermost(n).parent;
      if (t.key === '' && ts.isPropertyAccessExpression(p) && p.expression === outermost(n)) visitRef(p, { param: t.param, key: p.name.text });
      return true;
    });
    for (const entry of result) {
      for (const uses of [entry.direct, ...entry.fields.values()]) if (uses.fallback) uses.reads = [];
    }
    return result;
  },
  equals(a, b) {
    const same = (x: ValueUses, y: ValueUses | undefined) => !!y && x.reads.length === y.reads.length && !!x.fallback === !!y.fallback;
    return a.length === b.length && a.every((e, i) => {
      const f = b[i]!;
      return same(e.direct, f.direct) && e.fields.size === f.fields.size && [...e.fields].every(([k, u]) => same(u, f.fields.get(k)));
    });
  },
};
