/**
 * no-query-in-loop: one query per element of a collection. An ORM read or write (TypeORM,
 * Prisma, Sequelize, MikroORM; Drizzle, Kysely, Knex and Mongoose builders where they run), or a
 * helper that always issues one, called inside a loop over a collection or inside a per-element
 * array callback (`Promise.all(ids.map(...))`).
 *
 * Quiet for: Prisma `findUnique` in a concurrent callback (Prisma batches same-tick calls),
 * short literal lists, loops left right after the query (at most one query per run), paging
 * (`skip`/`take`, `limit`/`offset`, cursors) and queries that already batch (`In(ids)`,
 * `{ in: ids }`, bulk writes of an array).
 */
import ts from '../ts/typescript.cjs';
import { touch } from '../program/dependencies.js';
import type { Check, CheckContext, TraceInput } from '../check/contract.js';
import { skipOuterExpressions, walk } from '../program/walk.js';
import { describeExpression } from '../check/fix-helpers.js';
import { functionName, getCallGraph, type FunctionLike } from '../program/callgraph.js';
import { getSummary } from '../summaries/engine.js';
import type { ReachStep } from '../summaries/reach.js';
import { countedQuery, queryReachKind } from './query-reach.js';
import { describeContext, exitsAfter, isSmallContext, perItemContextOf, type PerItemContext } from './loops.js';
import { unrecognizedOrmNotes } from './support.js';
import { builderOrmOf, builderTables, rawSqlText, runSite, runsAt } from './builders.js';
import { inPlaceHost, inPlaceSteps } from './in-place.js';
import { abstractTargetOf, implementationsOf } from '../program/implementations.js';
import { describeQuery, isPrismaBatchable, methodOf, ormQueryOf, type OrmQuery } from './recognize.js';
import { fileIndex } from '../program/file-index.js';

export type Options = Record<string, never>;

const messages = {
  sequential:
    '{{query}} runs one database query per element of {{collection}}{{via}}, awaited one after the other{{more}}: N elements cost N sequential round trips (the N+1 problem), so this code slows down linearly with the data. Batch it: {{fix}}.',
  concurrent:
    '{{query}} runs one database query per element of {{collection}}{{via}}{{more}}: N elements fire N concurrent queries, which does not batch them and can exhaust the connection pool. Batch it: {{fix}}.',
  collected:
    '{{query}} starts one database query per element of {{collection}}{{via}} without waiting for it in the loop{{more}}: whether the promises are awaited together later (`Promise.all`) or not at all, N elements fire N concurrent queries, which does not batch them and can exhaust the connection pool. Batch it: {{fix}}.',
};

/** The ids of the messages above: what `ctx.report` and the helpers that build reports may use. */
export type MessageId = keyof typeof messages;

const check: Check<Options, MessageId> = {
  meta: {
    id: 'no-query-in-loop',
    description: 'A database query runs once per element of a collection (N+1) instead of once for the batch.',
    // In configs.strict only until it meets the field study's bar (90% true; measured 74.3%, see its docs page).
    recommended: 'off',
    messages,
    schema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    hasSuggestions: false,
  },
  run(ctx) {
    const byContext = new Map<ts.Node, Candidate[]>();
    for (const node of fileIndex(ctx.sourceFile).of<ts.CallExpression>(ts.SyntaxKind.CallExpression)) {
      const candidate = candidateAt(ctx, node);
      if (!candidate) continue;
      const group = byContext.get(candidate.pctx.node);
      if (group) group.push(candidate);
      else byContext.set(candidate.pctx.node, [candidate]);
    }
    // One finding per loop or callback: the first query reported, the others named with it.
    for (const group of byContext.values()) report(ctx, group);
  },
  notes: unrecognizedOrmNotes,
};

export default check;

type Ctx = CheckContext<Options, MessageId>;

interface Found {
  query: OrmQuery;
  /** Helper hops from the call in the loop down to the query (empty for a direct query). */
  steps: ReachStep[];
}

function findQuery(ctx: Ctx, call: ts.CallExpression): Found | undefined {
  if (ormQueryOf(ctx.types, call)) {
    const query = countedQuery(ctx.program, call);
    return query ? { query, steps: [] } : undefined;
  }
  const resolved = getCallGraph(ctx.program).resolve(call);
  const callees = resolved.length > 0 ? resolved : implementationsOf(ctx.program, call).map((i) => i.fn);
  for (const callee of callees) {
    const reach = getSummary(ctx.program, queryReachKind, callee);
    if (!reach) continue;
    const steps = [{ call, callee }, ...reach.steps.slice(0, -1)];
    // Through an interface's implementation: the finding depends on the implementation's file,
    // which the interface's file leads to in the cache's import graph (program/implementations.ts).
    for (const s of steps) {
      const target = ts.isCallExpression(s.call) ? abstractTargetOf(ctx.program, s.call) : undefined;
      if (target) touch(target.decl);
    }
    return { query: reach.target, steps };
  }
  return undefined;
}

/** `prisma.user.findUnique(...).posts()`: only the outermost call of a fluent chain is reported. */
function isInnerOfChain(ctx: Ctx, call: ts.CallExpression): boolean {
  const parent = call.parent;
  return ts.isPropertyAccessExpression(parent) && ts.isCallExpression(parent.parent) && parent.parent.expression === parent && !!ormQueryOf(ctx.types, parent.parent);
}

/** Prisma builds its queries lazily: only an awaited, returned or chained call runs. */
function runs(call: ts.CallExpression): boolean {
  let n: ts.Node = call;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isAwaitExpression(p) || ts.isReturnStatement(p) || ts.isArrowFunction(p)) return true;
  if (ts.isPropertyAccessExpression(p) && ['then', 'catch', 'finally'].includes(p.name.text)) return true;
  return ts.isArrayLiteralExpression(p) && ts.isCallExpression(p.parent) && /^Promise\.(all|allSettled)$/.test(p.parent.expression.getText());
}

/** No `await` in the callback runs before the call: all elements' calls are made in the same tick. */
function isSameTick(call: ts.CallExpression, fn: ts.Node): boolean {
  let early = false;
  walk(fn, (n) => {
    if (n !== fn && ts.isFunctionLike(n)) return false;
    if (ts.isAwaitExpression(n) && n.end <= call.getStart()) early = true;
    return !early;
  });
  return !early;
}

/** The element picks the table (`for (const repo of repos) await repo.clear()`, `em.count(Entity)` over
 * entity classes): a different query per element, which no batch replaces. A model instance's own
 * write (`account.save()`) is still one query per row. */
function variesPerElement(ctx: Ctx, found: Found, pctx: PerItemContext): boolean {
  if (found.steps.length > 0 || !ts.isCallExpression(found.query.call)) return false;
  const container = pctx.kind === 'loop' ? pctx.node : pctx.callback.fn;
  if (isInstanceCall(ctx, found.query)) return false;
  const targets = found.query.builder ? builderTables(ctx.types, found.query.call, found.query.spec) : tableExpressions(ctx, found.query.call);
  const first = found.query.call.arguments[0];
  if (/EntityManager$/.test(found.query.owner) && first && isEntityTarget(ctx, first)) targets.push(first);
  return targets.some((t) => mentionsLocalOf(ctx, t, container));
}

/** The expression that picks the table: the query's receiver, below any QueryBuilder or fluent calls
 * (`orders.createQueryBuilder('o')` in `orders.createQueryBuilder('o').where(...).getOne()`). */
function tableExpressions(ctx: Ctx, call: ts.CallExpression): ts.Node[] {
  const out: ts.Node[] = [];
  let current: ts.CallExpression = call;
  for (let depth = 0; depth < 50; depth++) {
    const callee = skipOuterExpressions(current.expression);
    if (!ts.isPropertyAccessExpression(callee)) return out;
    // `.from(table)`, `.into(Entity)`, `.update(Entity)` pick the table inside a QueryBuilder chain.
    if (current !== call && TABLE_PICKERS.has(callee.name.text) && current.arguments[0]) out.push(current.arguments[0]);
    const receiver = skipOuterExpressions(callee.expression);
    if (!ts.isCallExpression(receiver)) return [...out, receiver];
    const owner = methodOf(ctx.types, receiver)?.owner ?? '';
    if (!/QueryBuilder$|^Prisma__|Delegate$/.test(owner) && !ormQueryOf(ctx.types, receiver)) return [...out, receiver];
    current = receiver;
  }
  return out;
}

const TABLE_PICKERS = new Set(['from', 'into', 'update', 'createQueryBuilder']);

/** Raw DDL (`ALTER TABLE`, `CREATE INDEX`, ...) per element changes the schema; it is not a row lookup to batch. */
function isSchemaStatement(query: OrmQuery): boolean {
  if (query.builder && ts.isCallExpression(query.call)) return SCHEMA_SQL.test(rawSqlText(query.call));
  if (!ts.isCallExpression(query.call) || !/^(query|execute|\$executeRawUnsafe|\$queryRawUnsafe)$/.test(query.method)) return false;
  const first = query.call.arguments[0] && skipOuterExpressions(query.call.arguments[0]);
  if (!first) return false;
  const text = ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first) ? first.text : ts.isTemplateExpression(first) ? first.head.text : '';
  return SCHEMA_SQL.test(text);
}

const SCHEMA_SQL = /^\s*(ALTER|CREATE|DROP|TRUNCATE|GRANT|REVOKE|COMMENT|RENAME|VACUUM|ANALYZE|REINDEX)\b/i;

/** An entity class (or its name) as the target of a manager call, not an entity instance. */
function isEntityTarget(ctx: Ctx, expr: ts.Expression): boolean {
  const type = ctx.types.typeAt(expr);
  if (!type) return false;
  return ctx.types.unionParts(type).every((t) => ctx.types.constructSignatures(t).length > 0 || ctx.types.isStringLike(t));
}

function isInstanceCall(ctx: Ctx, query: OrmQuery): boolean {
  if (query.orm === 'mongoose') return query.owner === 'Document';
  if (query.owner !== 'Model' && query.owner !== 'BaseEntity') return false;
  const decl = ts.isCallExpression(query.call) ? ctx.types.calledDeclaration(query.call) : undefined;
  return !decl || !(ts.getCombinedModifierFlags(decl as ts.Declaration) & ts.ModifierFlags.Static);
}

function mentionsLocalOf(ctx: Ctx, node: ts.Node, container: ts.Node): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (ts.isIdentifier(n)) {
      const decl = ctx.types.valueDeclarationAt(n);
      if (decl && decl.getSourceFile() === container.getSourceFile() && decl.pos >= container.pos && decl.end <= container.end) found = true;
    }
    return true;
  });
  return found;
}

function isExempt(ctx: Ctx, call: ts.CallExpression, found: Found, pctx: PerItemContext): boolean {
  if (isSmallContext(ctx.types, pctx) || variesPerElement(ctx, found, pctx) || isSchemaStatement(found.query)) return true;
  if (pctx.kind === 'loop') return exitsAfter(call, pctx.node);
  const concurrent = !pctx.callback.method.startsWith('reduce');
  return concurrent && isPrismaBatchable(ctx.types, found.query) && isSameTick(call, pctx.callback.fn);
}

/** A query (direct or through helpers) issued once per element of a loop or callback. */
interface Candidate {
  call: ts.CallExpression;
  pctx: PerItemContext;
  found: Found;
}

function candidateAt(ctx: Ctx, call: ts.CallExpression): Candidate | undefined {
  const pctx = perItemContextOf(ctx.types, call);
  if (!pctx) return undefined;
  const found = findQuery(ctx, call);
  if (!found || isInnerOfChain(ctx, call)) return undefined;
  if (iteratesImplementations(ctx, call, pctx)) return undefined;
  if (found.steps.length === 0 && found.query.orm === 'prisma' && !runs(call)) return undefined;
  // A helper that returns a builder (Drizzle, Knex, Mongoose) runs nothing until its value is awaited.
  if (found.steps.length > 0 && builderOrmOf(ctx.types, call) && !runsAt(ctx.types, call)) return undefined;
  if (isExempt(ctx, call, found, pctx)) return undefined;
  return { call, pctx, found };
}

/**
 * `for (const provider of this.providers) await provider.search(q)`: the loop runs over the
 * implementations of an interface, one call each, so the queries are bounded by the program's
 * implementations (one of which may query), not by the data: no N+1 through that dispatch.
 */
function iteratesImplementations(ctx: Ctx, call: ts.CallExpression, pctx: PerItemContext): boolean {
  if (getCallGraph(ctx.program).resolve(call).length > 0 || !abstractTargetOf(ctx.program, call)) return false;
  const callee = skipOuterExpressions(call.expression);
  const receiver = ts.isPropertyAccessExpression(callee) ? skipOuterExpressions(callee.expression) : undefined;
  const decl = receiver && ts.isIdentifier(receiver) ? ctx.types.valueDeclarationAt(receiver) : undefined;
  if (!decl) return false;
  if (pctx.kind === 'loop') {
    return ts.isForOfStatement(pctx.node) && ts.isVariableDeclarationList(pctx.node.initializer) && pctx.node.initializer.declarations.some((d) => d === decl);
  }
  return decl === pctx.callback.item;
}

/** How the N queries run: awaited one by one, started by a callback per element, or started by the loop without waiting. */
function howItRuns(ctx: Ctx, candidate: Candidate): 'sequential' | 'concurrent' | 'collected' {
  const { pctx, call } = candidate;
  if (pctx.kind === 'callback') return pctx.callback.method.startsWith('reduce') ? 'sequential' : 'concurrent';
  const site = candidate.found.query.builder === 'awaited' && candidate.found.steps.length === 0 ? runSite(ctx.types, call) : call;
  return isAwaitedIn(ctx.program, site, pctx.node) ? 'sequential' : 'collected';
}

/** Is the call's promise awaited inside the loop body (an `await` around it, below the loop)? A call
 * in a callback that runs in place (a lock's critical section) is awaited when the callback's host is. */
function isAwaitedIn(program: ts.Program, call: ts.Node, loop: ts.IterationStatement): boolean {
  let start: ts.Node = call;
  for (let n = call.parent; n && n !== loop; n = n.parent) {
    if (!ts.isFunctionLike(n)) continue;
    const host = inPlaceHost(program, n);
    if (!host) return false;
    start = n = host;
  }
  for (let n = start.parent; n && n !== loop; n = n.parent) if (ts.isAwaitExpression(n)) return true;
  return false;
}

function viaText(found: Found): string {
  const target = found.query.call;
  const chain = found.steps.map((step) => `\`${functionName(step.callee!)}\``).join(' -> ');
  if (!chain) return '';
  return ` (through ${chain}, which runs ${ts.isCallExpression(target) ? describeQuery(target, target.getSourceFile()) : describeExpression(target, target.getSourceFile())})`;
}

function report(ctx: Ctx, group: Candidate[]): void {
  const [first, ...others] = group;
  if (!first) return;
  const names = others.map((o) => describeQuery(o.call, ctx.sourceFile));
  const more = others.length === 0 ? '' : ` (and ${others.length} more ${others.length === 1 ? 'query' : 'queries'} per element in the same ${first.pctx.kind === 'loop' ? 'loop' : 'callback'}: ${names.join(', ')})`;
  ctx.report({
    node: first.call,
    messageId: howItRuns(ctx, first),
    data: {
      query: describeQuery(first.call, ctx.sourceFile),
      collection: describeContext(first.pctx, ctx.sourceFile),
      via: viaText(first.found),
      more,
      fix: first.found.query.spec.batchAdvice,
    },
    trace: [...traceFor(ctx.program, first.pctx, first.call, first.found), ...others.flatMap((o) => alsoTrace(ctx.program, o))],
  });
}

/** The trace of another query of the same loop: the call in the loop, any helper hops, the query. */
function alsoTrace(program: ts.Program, other: Candidate): TraceInput[] {
  const [, ...rest] = traceFor(program, other.pctx, other.call, other.found);
  const head = rest[0];
  if (head) head.message = `also per element: ${head.message}`;
  return rest;
}

function traceFor(program: ts.Program, pctx: PerItemContext, call: ts.CallExpression, found: Found): TraceInput[] {
  const loop: TraceInput = pctx.kind === 'loop'
    ? { node: pctx.iterable ?? loopHead(pctx.node), message: 'runs once per element' }
    : { node: pctx.callback.call.expression, message: 'the callback runs once per element' };
  const steps: TraceInput[] = [loop, ...inPlaceSteps(program, call, pctx.node)];
  for (const step of found.steps) {
    steps.push({ node: step.call, message: step.callee ? callMessage(program, step.call, step.callee) : 'queries' });
  }
  const what = found.query.kind === 'read' ? 'a query' : 'a write';
  steps.push({ node: found.query.call, message: `runs ${what} (${found.query.orm} \`${found.query.method}\`)` });
  return steps;
}

/** `calls \`X.f\``, or for a call of an interface or abstract method, which implementation queries. */
function callMessage(program: ts.Program, call: ts.CallExpression | ts.NewExpression, callee: FunctionLike): string {
  const target = ts.isCallExpression(call) ? abstractTargetOf(program, call) : undefined;
  if (!target || getCallGraph(program).resolve(call).includes(callee)) return `calls \`${functionName(callee)}\``;
  const impls = implementationsOf(program, call as ts.CallExpression);
  const others = impls.filter((i) => i.fn !== callee).map((i) => `\`${functionName(i.fn)}\``);
  const kind = ts.isInterfaceDeclaration(target.owner) ? 'interface' : 'abstract class';
  const owner = target.owner.name?.text ?? '<anonymous>';
  const rest = others.length === 0 ? 'its only implementation in the program' : `one of ${impls.length} implementations in the program; also ${others.join(', ')}`;
  return `calls \`${owner}.${target.name}\` of ${kind} \`${owner}\`, which runs \`${functionName(callee)}\` (${rest})`;
}

function loopHead(loop: ts.IterationStatement): ts.Node {
  if (ts.isForStatement(loop)) return loop.condition ?? loop;
  if (ts.isWhileStatement(loop) || ts.isDoStatement(loop)) return skipOuterExpressions(loop.expression);
  return loop;
}
