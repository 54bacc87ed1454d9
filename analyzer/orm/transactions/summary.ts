/**
 * `tx-escapes`: the queries a function runs (directly, in its callbacks, or through the
 * functions it calls) and where their handle comes from: ambient (a module-level client, a
 * model call without `{ transaction }`), `this` (an injected repository), or parameter i.
 * Inside a transaction, an ambient query runs on another connection; a `this` query does unless
 * the method is called on an object built from the transaction's handle; a parameter query does
 * unless the caller passes the transaction's handle. A query reached only when a parameter is
 * not given (guards.ts: "use the caller's transaction, else open my own") records that guard,
 * and a caller that gives the parameter does not inherit it. One entry per (ORM, source, guard),
 * with the shortest chain of calls down to the query.
 */
import ts from '../../ts/typescript.cjs';
import { getTypeQueries, type SymbolRef, type TypeQueries } from '../../program/type-queries.js';
import type { FunctionLike } from '../../program/callgraph.js';
import type { SummaryContext, SummaryKind } from '../../summaries/engine.js';
import type { ReachStep } from '../../summaries/reach.js';
import { skipOuterExpressions } from '../../program/walk.js';
import { DEFERRING_CALLS, type TxOrm } from './catalog.js';
import { originOf, type OriginContext } from './handles.js';
import { querySiteOf, type QuerySite } from './queries.js';
import { givenAt, missingGuard, type MissingGuard } from './guards.js';

export type EscapeSource = { kind: 'ambient' } | { kind: 'this' } | { kind: 'param'; index: number };

export interface Escape {
  orm: TxOrm;
  source: EscapeSource;
  /** From this function's own call down to the query (the last step is the query call). */
  steps: ReachStep[];
  site: QuerySite;
  /** Reached only when this parameter (or its property) is not given: a caller that gives it never runs the query. */
  unlessGiven?: MissingGuard;
}

const EMPTY: ReadonlySet<SymbolRef> = new Set();

/** Nested functions that run as part of their parent: callbacks passed to a call that does not defer them. */
export function runsWithParent(fn: FunctionLike): boolean {
  const p = fn.parent;
  if (!ts.isCallExpression(p) || !p.arguments.includes(fn as ts.Expression)) return false;
  const callee = skipOuterExpressions(p.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
  return !DEFERRING_CALLS.includes(name);
}

function* callSites(fn: FunctionLike, ctx: SummaryContext) {
  const queue: FunctionLike[] = [fn];
  for (let i = 0; i < queue.length; i++) {
    const info = ctx.graph.info(queue[i]!);
    yield* info.calls;
    for (const nested of info.nested) if (runsWithParent(nested)) queue.push(nested);
  }
}

/** The source of a query's own handle, seen from `fn`; undefined when it is unknown or not a query that can escape. */
export function siteSource(origins: OriginContext, site: QuerySite): EscapeSource | 'tx' | undefined {
  if (site.missingOption) return { kind: 'ambient' };
  if (!site.handle) return undefined;
  const o = originOf(origins, site.handle);
  if (site.orm === 'mikro-orm' && !o.fork && o.source.kind !== 'tx') return undefined;
  const s = o.source;
  if (s.kind === 'tx') return 'tx';
  if (s.kind === 'unknown') return undefined;
  if (s.kind === 'param') return { kind: 'param', index: s.index };
  return s.kind === 'this' ? { kind: 'this' } : { kind: 'ambient' };
}

/** Where a callee's escape lands in the caller: through the call's receiver (`this`) or argument (parameter). */
export function mapThroughCall(origins: OriginContext, call: ts.CallExpression | ts.NewExpression, source: EscapeSource): EscapeSource | 'tx' | undefined {
  if (source.kind === 'ambient') return source;
  let expr: ts.Expression | undefined;
  if (source.kind === 'this') {
    if (ts.isNewExpression(call)) return undefined;
    const callee = skipOuterExpressions(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return { kind: 'ambient' };
    expr = callee.expression;
  } else {
    const args = call.arguments ?? [];
    if (args.some((a) => ts.isSpreadElement(a))) return undefined;
    expr = args[source.index];
    // Not passed: the parameter is `undefined` or its default, never the caller's transaction.
    if (!expr) return { kind: 'ambient' };
  }
  const o = originOf(origins, expr);
  if (o.source.kind === 'tx') return 'tx';
  if (o.source.kind === 'unknown') return undefined;
  if (o.source.kind === 'param') return { kind: 'param', index: o.source.index };
  return o.source.kind === 'this' ? { kind: 'this' } : { kind: 'ambient' };
}

/** (ORM, source, guard): an escape reached only without one parameter is kept apart from one reached always. */
function keyOf(e: Escape): string {
  const guard = e.unlessGiven ? `${e.unlessGiven.index}.${e.unlessGiven.property ?? ''}` : '';
  return `${e.orm}:${e.source.kind}:${e.source.kind === 'param' ? e.source.index : ''}:${guard}`;
}

function add(out: Map<string, Escape>, e: Escape): void {
  const key = keyOf(e);
  const old = out.get(key);
  if (!old || e.steps.length < old.steps.length) out.set(key, e);
}

/**
 * The guard of a callee's escape seen from the caller: the call's own guard in the caller
 * (`own`), else the caller's parameter when the call passes it through to the guarded one.
 */
function guardThroughCall(types: TypeQueries, fn: FunctionLike, call: ts.CallExpression | ts.NewExpression, own: MissingGuard | undefined, sub: MissingGuard | undefined): MissingGuard | undefined {
  if (own || !sub) return own;
  const arg = call.arguments?.[sub.index];
  const passed = arg && skipOuterExpressions(arg);
  if (!passed || !ts.isIdentifier(passed)) return undefined;
  const decl = types.valueDeclarationAt(passed);
  return decl && ts.isParameter(decl) && decl.parent === fn ? { index: fn.parameters.indexOf(decl), property: sub.property } : undefined;
}

export const txEscapeKind: SummaryKind<Escape[]> = {
  name: 'tx-escapes',
  initial: () => [],
  *dependencies(fn, ctx) {
    for (const site of callSites(fn, ctx)) yield* site.callees;
  },
  compute(fn, get, ctx) {
    const types = getTypeQueries(ctx.program);
    const origins: OriginContext = { types, fn, tx: EMPTY };
    const out = new Map<string, Escape>();
    for (const { call, callees } of callSites(fn, ctx)) {
      const site = ts.isCallExpression(call) ? querySiteOf(types, call) : undefined;
      if (site) {
        const source = siteSource(origins, site);
        if (source && source !== 'tx') add(out, { orm: site.orm, source, steps: [{ call }], site, unlessGiven: missingGuard(types, fn, call) });
        continue;
      }
      let own: MissingGuard | undefined | null = null; // the call's own guard, found once when needed
      for (const callee of callees) {
        for (const sub of get(callee)) {
          if (sub.unlessGiven && givenAt(types, call, sub.unlessGiven)) continue;
          const source = mapThroughCall(origins, call, sub.source);
          if (!source || source === 'tx') continue;
          if (own === null) own = missingGuard(types, fn, call);
          add(out, { ...sub, source, steps: [{ call, callee }, ...sub.steps], unlessGiven: guardThroughCall(types, fn, call, own, sub.unlessGiven) });
        }
      }
    }
    return [...out.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  },
  equals(a, b) {
    return a.length === b.length && a.every((x, i) => keyOf(x) === keyOf(b[i]!) && x.steps.length === b[i]!.steps.length && x.steps[0]!.call === b[i]!.steps[0]!.call);
  },
};
