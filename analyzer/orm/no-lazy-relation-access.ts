/**
 * no-lazy-relation-access: a relation read that the loading query did not load.
 *
 * - TypeORM: a non-lazy relation read on an entity whose loading query (followed through
 *   variables, returns and helpers, across files) did not load it is `undefined` at run time.
 * - One relation load per element of a collection (N+1): a TypeORM lazy relation
 *   (`await post.author`), a Sequelize association getter (`post.getAuthor()`), or a MikroORM
 *   `Reference`/`Collection` load (`book.author.load()`, `author.books.init()`), inside a loop
 *   or an array callback; a Mongoose `doc.populate(path)` per element likewise. (An unpopulated
 *   Mongoose ref is its ObjectId, not a lazy load; Drizzle, Kysely and Knex load no relations
 *   through an entity.)
 */
import path from 'node:path';
import { touchWholeProgram } from '../program/dependencies.js';
import ts from '../ts/typescript.cjs';
import type { Check, CheckContext, SuggestionInput, TraceInput } from '../check/contract.js';
import { codeText, quoteCode } from '../check/quote.js';
import { skipOuterExpressions, walk } from '../program/walk.js';
import { entityOfExpression, relationNamesOf, relationOfAccess, type EntityInfo, type RelationInfo } from './entities.js';
import { isLoaded } from './load-tree.js';
import { loadedWithCollection, originOf, provenLoaded, treeAt, type LoadOrigin, type OriginContext } from './origin.js';
import { originContext } from './relation-summary.js';
import { paramReadsKind, type ParamRead } from './param-reads.js';
import { getSummary } from '../summaries/engine.js';
import { functionName, type FunctionLike } from '../program/callgraph.js';
import { functionOfArgument } from '../program/async-context.js';
import { isGuarded, isPerItem, isWriteTarget } from './access.js';
import { describeContext, isSmallContext, perItemContextOf, type PerItemContext } from './loops.js';
import { inPlaceSteps } from './in-place.js';
import { describeQuery, mikroLoaderOf, ormQueryOf, sequelizeGetterOf } from './recognize.js';
import { relationUseOf, type RelationUse } from './relation-uses.js';
import { loadFixFor } from './relation-fixes.js';
import { MIKRO_ALWAYS_QUERY, MIKRO_ORM, SEQUELIZE, TYPEORM } from './catalog.js';
import { MONGOOSE } from './catalog-mongoose.js';
import { documentPopulateOf } from './mongoose.js';
import { fileIndex } from '../program/file-index.js';

export type Options = Record<string, never>;

const messages = {
  unloaded:
    '`{{expr}}` reads the `{{relation}}` relation of `{{entity}}`, but {{query}} did not load it: TypeORM fills a relation only when the query asks for it, so `{{expr}}` is `undefined` here and reading through it throws. Load it with the query: {{fix}}.',
  unloadedInCallee:
    '{{arg}} is passed to `{{callee}}`, which reads its `{{relation}}` relation ({{read}}), but {{query}} did not load it: TypeORM fills a relation only when the query asks for it, so that read is `undefined` and reading through it throws. Load it with the query: {{fix}}.',
  lazyInLoop:
    '`{{expr}}` loads the lazy relation `{{relation}}` once per element of {{collection}}: one extra query per row (N+1). Load it with the collection instead: {{fix}}.',
  getterInLoop:
    '`{{expr}}` queries the `{{relation}}` association once per element of {{collection}}: one extra query per row (N+1). Load it with the collection instead: {{fix}}.',
  loadInLoop:
    '`{{expr}}` loads the relation `{{relation}}` once per element of {{collection}}: one extra query per row (N+1). Load it with the collection instead: {{fix}}.',
  initInLoop:
    '`{{expr}}` loads `{{relation}}` from the database once per element of {{collection}}: one extra query per row (N+1). Load what it needs with the collection instead: {{fix}}.',
  unloadedPassedOn:
    '`{{expr}}` (the `{{relation}}` relation of `{{entity}}`) is passed to `{{callee}}`, which reads through it without checking that it is there ({{read}}), but {{query}} did not load it: TypeORM fills a relation only when the query asks for it, so it arrives `undefined` and that read throws. Load it with the query: {{fix}}, or make `{{callee}}` load it when it is missing.',
  fallbackInLoop:
    '`{{expr}}` was not loaded by {{query}}, so `{{callee}}` loads it with its own query, once per element of {{collection}}: one extra query per row (N+1). Load it with the collection instead: {{fix}}; or, when the elements share it, load it once before the loop and pass that.',
  populateInLoop:
    '`{{expr}}` populates `{{relation}}` for one document per element of {{collection}}: one extra query per row (N+1). Populate it for the whole batch instead: {{fix}}.',
  addRelation: 'Load the relation in the query that loaded the entity',
};

/** The ids of the messages above: what `ctx.report` and the helpers that build reports may use. */
export type MessageId = keyof typeof messages;

const check: Check<Options, MessageId> = {
  meta: {
    id: 'no-lazy-relation-access',
    description: 'A relation is read without having been loaded with its entity: `undefined` at run time, or one extra query per row (N+1).',
    recommended: 'error',
    messages,
    schema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    hasSuggestions: true,
  },
  run(ctx) {
    const origins = originContext(ctx.program);
    const kinds = [ts.SyntaxKind.PropertyAccessExpression, ts.SyntaxKind.CallExpression, ts.SyntaxKind.BindingElement];
    for (const node of fileIndex(ctx.sourceFile).of(...kinds)) {
      if (ts.isPropertyAccessExpression(node)) checkRead(ctx, node, origins);
      else if (ts.isCallExpression(node)) {
        checkLoaderCall(ctx, node, origins);
        checkPassedEntities(ctx, node, origins);
      }
      else if (ts.isBindingElement(node)) checkDestructuring(ctx, node, origins);
    }
  },
};

export default check;

type Ctx = CheckContext<Options, MessageId>;

function where(node: ts.Node, from: ts.SourceFile): string {
  const sf = node.getSourceFile();
  const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  return sf === from ? `line ${line}` : `${path.basename(sf.fileName)}:${line}`;
}

function queryText(origin: LoadOrigin, from: ts.SourceFile): string {
  const site = origin.site;
  const what = describeQuery(site.call, site.call.getSourceFile());
  return `${what} (${where(site.call, from)})`;
}

function loadTrace(origin: LoadOrigin, relation: string, rootName: string): TraceInput[] {
  // Reached through an interface's implementation: the finding depends on files the checked one need not import.
  if (origin.hops.some((h) => h.dispatch)) touchWholeProgram();
  return [
    ...origin.hops.map((h) => ({ node: h.node, message: h.message })),
    { node: origin.site.call, message: `${rootName} loaded here without \`${[...origin.path, relation].join('.')}\`` },
  ];
}

function fixFor(origin: LoadOrigin | undefined, relation: string, fallback: string) {
  if (!origin) return { advice: fallback, edits: undefined };
  return loadFixFor(origin.site, [...origin.path, relation]);
}

function suggestionsFor(ctx: Ctx, relation: string, fix: { advice: string; edits: ReturnType<typeof loadFixFor>['edits'] }): SuggestionInput<MessageId>[] {
  // Edits in another file (a repository the entity came from) cannot be an editor suggestion here.
  if (!fix.edits || fix.edits.some((e) => e.file !== ctx.sourceFile.fileName)) return [];
  return [{ messageId: 'addRelation', data: { relation, fix: fix.advice }, edits: fix.edits }];
}

function checkRead(ctx: Ctx, access: ts.PropertyAccessExpression, origins: OriginContext): void {
  const found = relationOfAccess(ctx.types, access);
  if (!found || found.entity.orm !== 'typeorm' || isWriteTarget(access)) return;
  const { entity, relation } = found;
  if (relation.lazy) {
    checkPerItem(ctx, { report: access, entityExpr: access.expression, relation: relation.name, messageId: 'lazyInLoop', alwaysQueries: false }, origins);
    return;
  }
  if (isGuarded(access)) return;
  const use = relationUseOf(ctx.program, origins.graph, access);
  if (use?.kind === 'copy') return;
  if (use?.kind === 'fallback') {
    reportFallbackInLoop(ctx, access, use, origins);
    return;
  }
  reportUnloaded(ctx, access, access.expression, entity, relation, origins, use);
}

/** `const { author } = post`: a read of `post.author` (quiet with a default value). */
function checkDestructuring(ctx: Ctx, element: ts.BindingElement, origins: OriginContext): void {
  const pattern = element.parent;
  const decl = pattern.parent;
  if (!ts.isObjectBindingPattern(pattern) || !ts.isVariableDeclaration(decl) || !decl.initializer || element.initializer || element.dotDotDotToken) return;
  const nameNode = element.propertyName ?? element.name;
  if (!ts.isIdentifier(nameNode) || !relationNamesOf(ctx.program).has(nameNode.text)) return;
  const entity = entityOfExpression(ctx.types, decl.initializer);
  const relation = entity?.relations.get(nameNode.text);
  if (!entity || !relation || entity.orm !== 'typeorm' || relation.lazy) return;
  reportUnloaded(ctx, element, decl.initializer, entity, relation, origins);
}

/** The query that produced the entity without loading `relation`, when every origin is a known query. */
function queryWithout(ctx: Ctx, entityExpr: ts.Expression, relation: string, origins: OriginContext): LoadOrigin | undefined {
  const entityOrigins = originOf(entityExpr, origins);
  if (!entityOrigins || entityOrigins.length === 0 || entityOrigins.some((o) => o.kind !== 'load')) return undefined;
  return (entityOrigins as LoadOrigin[]).find((o) => {
    const tree = treeAt(ctx.types, o);
    return tree !== undefined && !isLoaded(tree, relation);
  });
}

function reportUnloaded(ctx: Ctx, node: ts.Node, entityExpr: ts.Expression, entity: EntityInfo, relation: RelationInfo, origins: OriginContext, use?: RelationUse): void {
  const missing = queryWithout(ctx, entityExpr, relation.name, origins);
  if (!missing) return;
  const fix = fixFor(missing, relation.name, TYPEORM.loadAdvice);
  const expr = `${skipOuterExpressions(entityExpr).getText(ctx.sourceFile).replace(/\s+/g, ' ')}.${relation.name}`;
  if (use?.kind === 'callee') {
    const callee = functionName(use.callee);
    ctx.report({
      node,
      messageId: 'unloadedPassedOn',
      data: { expr, relation: relation.name, entity: entity.name, callee, read: `${quoteCode(codeText(use.read.read, use.read.read.getSourceFile(), Infinity))} at ${where(use.read.read, ctx.sourceFile)}`, query: queryText(missing, ctx.sourceFile), fix: fix.advice },
      trace: [
        ...loadTrace(missing, relation.name, missing.site.entity?.name ?? 'the entity'),
        { node: use.call, message: `passed to \`${callee}\` here` },
        ...use.read.steps.map((s) => ({ node: s.call, message: `passed on to \`${functionName(s.callee)}\`` })),
        { node: use.read.read, message: 'read through without checking that it is there' },
      ],
      suggestions: suggestionsFor(ctx, relation.name, fix),
    });
    return;
  }
  ctx.report({
    node,
    messageId: 'unloaded',
    data: { expr, relation: relation.name, entity: entity.name, query: queryText(missing, ctx.sourceFile), fix: fix.advice },
    trace: loadTrace(missing, relation.name, missing.site.entity?.name ?? 'the entity'),
    suggestions: suggestionsFor(ctx, relation.name, fix),
  });
}

/** `Channel.position(id, channel.guild)` per element, where the callee loads the missing relation itself: one query per element. */
function reportFallbackInLoop(ctx: Ctx, access: ts.PropertyAccessExpression, use: Extract<RelationUse, { kind: 'fallback' }>, origins: OriginContext): void {
  const pctx = perItemContextOf(ctx.types, access);
  if (!pctx || isSmallContext(ctx.types, pctx) || !isPerItem(ctx.types, access.expression, pctx) || !loadsInFallback(ctx, use.fallback)) return;
  const relation = access.name.text;
  const missing = queryWithout(ctx, access.expression, relation, origins);
  if (!missing) return;
  const fix = fixFor(missing, relation, TYPEORM.loadAdvice);
  const callee = functionName(use.callee);
  ctx.report({
    node: access,
    messageId: 'fallbackInLoop',
    data: { expr: access.getText(ctx.sourceFile).replace(/\s+/g, ' '), callee, collection: describeContext(pctx, ctx.sourceFile), query: queryText(missing, ctx.sourceFile), fix: fix.advice },
    trace: [...perItemTrace(ctx.program, pctx, access, missing).slice(0, 1), { node: use.call, message: `passed to \`${callee}\` here, \`undefined\`` }, { node: use.fallback, message: 'loads it with its own query when it is missing' }],
    suggestions: suggestionsFor(ctx, relation, fix),
  });
}

/** The fallback assignment runs an ORM query. */
function loadsInFallback(ctx: Ctx, fallback: ts.BinaryExpression): boolean {
  let found = false;
  walk(fallback.right, (n) => {
    if (found) return false;
    if (ts.isCallExpression(n) && ormQueryOf(ctx.types, n)) found = true;
    return true;
  });
  return found;
}

/** `render(order)`: a function (here or in another file) reads a relation of the entity passed to it. */
function checkPassedEntities(ctx: Ctx, call: ts.CallExpression, origins: OriginContext): void {
  if (call.arguments.length === 0 || relationNamesOf(ctx.program).size === 0) return;
  checkPassedToArrayCallback(ctx, call, origins);
  call.arguments.forEach((arg, index) => {
    // Cheapest first: only a name, a member, an element or a call result can be a loaded entity.
    const e = skipOuterExpressions(arg);
    if (!(ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isAwaitExpression(e) || ts.isCallExpression(e))) return;
    const entity = entityOfExpression(ctx.types, arg);
    if (!entity || entity.orm !== 'typeorm') return;
    for (const callee of origins.graph.resolve(call)) {
      for (const read of getSummary(ctx.program, paramReadsKind, callee)[index] ?? []) {
        if (reportPassed(ctx, call, arg, callee, read, origins)) return;
      }
    }
  });
}

const ELEMENT_CALLBACKS = new Set(['map', 'forEach', 'filter', 'some', 'every', 'find', 'findIndex', 'flatMap']);

/** `users.map(render)`: a function given by name to an array method reads a relation of each element. */
function checkPassedToArrayCallback(ctx: Ctx, call: ts.CallExpression, origins: OriginContext): void {
  const callee = skipOuterExpressions(call.expression);
  const ref = call.arguments[0];
  if (!ts.isPropertyAccessExpression(callee) || !ELEMENT_CALLBACKS.has(callee.name.text) || !ref || !(ts.isIdentifier(ref) || ts.isPropertyAccessExpression(ref))) return;
  const fn = functionOfArgument(ref, ctx.types);
  if (!fn) return;
  for (const read of getSummary(ctx.program, paramReadsKind, fn)[0] ?? []) {
    if (reportPassed(ctx, call, ref, fn, read, origins, callee.expression)) return;
  }
}

function reportPassed(ctx: Ctx, call: ts.CallExpression, arg: ts.Expression, callee: FunctionLike, read: ParamRead, origins: OriginContext, source: ts.Expression = arg): boolean {
  const missing = queryWithout(ctx, source, read.relation, origins);
  if (!missing) return false;
  const fix = fixFor(missing, read.relation, TYPEORM.loadAdvice);
  const text = skipOuterExpressions(source).getText(ctx.sourceFile).replace(/\s+/g, ' ');
  const argText = source === arg ? `\`${text}\`` : `each element of \`${text}\``;
  ctx.report({
    node: arg,
    messageId: 'unloadedInCallee',
    data: {
      arg: argText,
      callee: functionName(callee),
      relation: read.relation,
      read: `${quoteCode(codeText(read.read, read.read.getSourceFile(), Infinity))} at ${where(read.read, ctx.sourceFile)}`,
      query: queryText(missing, ctx.sourceFile),
      fix: fix.advice,
    },
    trace: [
      ...loadTrace(missing, read.relation, missing.site.entity?.name ?? 'the entity'),
      { node: call, message: `passed to \`${functionName(callee)}\` here` },
      ...read.steps.map((s) => ({ node: s.call, message: `passed on to \`${functionName(s.callee)}\`` })),
      { node: read.read, message: `\`${read.relation}\` is read here` },
    ],
    suggestions: suggestionsFor(ctx, read.relation, fix),
  });
  return true;
}

/** One load through an entity, found inside a loop or an array callback. */
interface PerItemLoad {
  /** The read or call to report. */
  report: ts.Expression;
  /** The entity it loads through (`post` in `post.reviewer`, `novel` in `wrap(novel).init()`). */
  entityExpr: ts.Expression;
  /** The relation, when the load names one. */
  relation: string | undefined;
  messageId: 'lazyInLoop' | 'getterInLoop' | 'loadInLoop' | 'initInLoop' | 'populateInLoop';
  /** The call queries even when the relation is loaded (Sequelize getters, MikroORM `init()`). */
  alwaysQueries: boolean;
  /** What to do instead of calling it, for loads that always query. */
  readInstead?: string;
}

/** For MikroORM loads that always query: what to read from the populated collection instead. */
const READ_INSTEAD: Record<string, string> = {
  init: 'read it with `getItems()` instead of calling `init()`, which always queries',
  loadCount: 'read `count()` instead of calling `loadCount()`, which queries',
  matching: 'filter `getItems()` instead of calling `matching()`, which queries',
};

const ADVICE: Record<PerItemLoad['messageId'], string> = {
  lazyInLoop: TYPEORM.loadAdvice,
  getterInLoop: SEQUELIZE.loadAdvice,
  loadInLoop: MIKRO_ORM.loadAdvice,
  initInLoop: MIKRO_ORM.loadAdvice,
  populateInLoop: MONGOOSE.loadAdvice,
};

function checkPerItem(ctx: Ctx, load: PerItemLoad, origins: OriginContext): void {
  const pctx = perItemContextOf(ctx.types, load.report);
  if (!pctx || isSmallContext(ctx.types, pctx) || !isPerItem(ctx.types, load.entityExpr, pctx)) return;
  const entityOrigins = originOf(load.entityExpr, origins);
  const loaded = loadedWithCollection(ctx.types, entityOrigins, load.relation);
  if (loaded && !load.alwaysQueries) return;
  const single = entityOrigins && entityOrigins.length === 1 && entityOrigins[0]!.kind === 'load' ? (entityOrigins[0] as LoadOrigin) : undefined;
  const fix = perItemFix(ctx, load, single, provenLoaded(ctx.types, entityOrigins, load.relation));
  const report = load.report;
  const exprText = ts.isCallExpression(report) ? `${codeText(report.expression, ctx.sourceFile, Infinity)}(...)` : codeText(report, ctx.sourceFile, Infinity);
  ctx.report({
    node: report,
    messageId: load.messageId,
    data: {
      expr: exprText,
      relation: load.relation ?? load.entityExpr.getText(ctx.sourceFile),
      collection: describeContext(pctx, ctx.sourceFile),
      fix: fix.text,
    },
    trace: perItemTrace(ctx.program, pctx, report, single),
    suggestions: load.relation ? suggestionsFor(ctx, load.relation, fix) : [],
  });
}

/**
 * The advice (and, when mechanical, the edit) for a per-element load; `loaded`: the query is
 * known to load the relation (`provenLoaded`), so the advice is what to read instead.
 */
function perItemFix(ctx: Ctx, load: PerItemLoad, single: LoadOrigin | undefined, loaded: boolean) {
  const advice = ADVICE[load.messageId];
  const where = single ? `in ${queryText(single, ctx.sourceFile)}, ` : '';
  if (load.messageId === 'initInLoop') {
    const inQuery = single ? ` in ${queryText(single, ctx.sourceFile)}` : ' in the query that loads the collection';
    return { text: `populate what the loop reads${inQuery} and drop the per-element \`init()\``, advice, edits: undefined };
  }
  if (load.messageId === 'getterInLoop' || !load.relation) return { text: advice, advice, edits: undefined };
  if (loaded && load.readInstead) return { text: `\`${load.relation}\` is populated already, so ${load.readInstead}`, advice, edits: undefined };
  const base = fixFor(single, load.relation, advice);
  const text = load.readInstead ? `${base.advice}, then ${load.readInstead}` : base.advice;
  return { text: single ? `${where}${text}` : text, advice: base.advice, edits: base.edits };
}

function perItemTrace(program: ts.Program, pctx: PerItemContext, report: ts.Node, single: LoadOrigin | undefined): TraceInput[] {
  const loop: TraceInput = pctx.kind === 'loop'
    ? { node: pctx.iterable ?? pctx.node, message: 'runs once per element' }
    : { node: pctx.callback.call.expression, message: `the callback runs once per element` };
  const steps: TraceInput[] = [loop, ...inPlaceSteps(program, report, pctx.node), { node: report, message: 'loads the relation with its own query' }];
  if (single) steps.push({ node: single.site.call, message: 'the collection was loaded here' });
  return steps;
}

function checkLoaderCall(ctx: Ctx, call: ts.CallExpression, origins: OriginContext): void {
  const getter = sequelizeGetterOf(ctx.types, call);
  if (getter) {
    const relation = getter.name.text.replace(/^get/, '');
    const name = relation.charAt(0).toLowerCase() + relation.slice(1);
    checkPerItem(ctx, { report: call, entityExpr: getter.expression, relation: name, messageId: 'getterInLoop', alwaysQueries: true }, origins);
    return;
  }
  const populate = documentPopulateOf(ctx.types, call);
  if (populate) {
    checkPerItem(ctx, { report: call, entityExpr: populate.target, relation: populate.path, messageId: 'populateInLoop', alwaysQueries: true }, origins);
    return;
  }
  const loader = mikroLoaderOf(ctx.types, call);
  if (!loader) return;
  if (loader.owner === 'Reference' || loader.owner === 'ScalarReference' || loader.owner === 'Collection') {
    if (!ts.isPropertyAccessExpression(loader.target)) return;
    const always = MIKRO_ALWAYS_QUERY[loader.owner]?.includes(loader.method) ?? false;
    const readInstead = always ? READ_INSTEAD[loader.method] : undefined;
    const load: PerItemLoad = { report: call, entityExpr: loader.target.expression, relation: loader.target.name.text, messageId: 'loadInLoop', alwaysQueries: always, readInstead };
    checkPerItem(ctx, load, origins);
  } else {
    const target = ts.isCallExpression(loader.target) && loader.target.arguments[0] ? loader.target.arguments[0] : loader.target;
    checkPerItem(ctx, { report: call, entityExpr: target, relation: undefined, messageId: 'initInLoop', alwaysQueries: true }, origins);
  }
}
