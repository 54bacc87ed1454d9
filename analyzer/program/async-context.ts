/**
 * Async context: which functions run on the event loop as their own task, so that a
 * synchronous, slow call inside them stalls every other request, timer and callback.
 *
 * - async functions, methods and arrows;
 * - callbacks handed to `.then/.catch/.finally`, timers (`setTimeout`, `setInterval`,
 *   `setImmediate`, `queueMicrotask`, `process.nextTick`), event emitters (`on`, `once`, ...,
 *   `addEventListener`), stream implementations (`new Transform({ transform })`, `_transform`
 *   in a subclass), `http.createServer` listeners, and HTTP route handlers of express, fastify,
 *   koa, hono, restify and NestJS controllers (plus modules named in the options).
 *
 * Callbacks given by reference (`app.get('/', listUsers)`) make the referenced function an
 * entry too; the program-wide index of those is built once per program and options. Async
 * callbacks given to a test runner (`it('...', async () => {})`) are not entries.
 *
 * Start-up code is not async context: a synchronous function that only module top level (or
 * other such functions) calls is never an entry, so rules built on this stay quiet for it.
 *
 * Also here: which nested functions run synchronously inside their parent (array callbacks,
 * the `new Promise` executor, `Array.from`'s mapper), used by summaries that treat such
 * callbacks as part of the parent's body.
 */
import path from 'node:path';
import ts from '../ts/typescript.cjs';
import { untracked } from './dependencies.js';
import { factFamily, fileFacts, nodeAt, nodeRef, type FactCodec, type NodeRef } from './file-facts.js';
import { getTypeQueries, type SymbolRef, type TypeQueries } from './type-queries.js';
import { functionName, isFunctionLike, type FunctionLike } from './callgraph.js';
import { moduleRefOf, symbolModuleOf, calleeModule } from './module-ref.js';
import { skipOuterExpressions as skipOuter } from './walk.js';
import { perProgram } from './per-program.js';
import { CALL_KINDS, CLASS_KINDS, fileIndex } from './file-index.js';

export interface AsyncEntry {
  fn: FunctionLike;
  /** 'async' for async functions; otherwise what runs the callback. */
  kind: 'async' | 'promise' | 'timer' | 'listener' | 'stream' | 'server' | 'route' | 'controller';
  /** A short name for messages: "`setTimeout` callback", "'data' listener", "express route handler". */
  label: string;
}

export interface AsyncContextOptions {
  /** Extra packages whose router methods (`get`, `post`, `use`, ...) take request handlers. */
  routeModules?: readonly string[];
}

export function isAsyncFunction(fn: FunctionLike): boolean {
  return (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
}

/** Generators run their body on `next()`, not when called. */
export function isGeneratorFunction(fn: FunctionLike): boolean {
  return (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && !!fn.asteriskToken;
}

// ---------------------------------------------------------------------------------------
// Synchronous callbacks

/** Lib methods that call their function arguments before they return. */
const SYNC_METHODS = new Set([
  'forEach', 'map', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast',
  'findLastIndex', 'flatMap', 'sort', 'toSorted', 'from', 'replace', 'replaceAll', 'parse', 'stringify',
]);

/** Does this call run its function arguments before it returns (`arr.map(fn)`, `new Promise(fn)`)? */
export function callsArgumentsSynchronously(call: ts.CallExpression | ts.NewExpression, types: TypeQueries): boolean {
  const callee = skipOuter(call.expression);
  if (ts.isNewExpression(call)) {
    return ts.isIdentifier(callee) && callee.text === 'Promise' && isLibOrUnknown(types.symbolAt(callee), types);
  }
  if (!ts.isPropertyAccessExpression(callee) || !SYNC_METHODS.has(callee.name.text)) return false;
  const symbol = types.symbolAt(callee.name);
  if (symbol) return types.originOf(symbol).kind === 'lib';
  const receiver = types.typeAt(callee.expression);
  return !!receiver && types.isAnyOrUnknown(receiver);
}

/** Is this nested function called synchronously by the call it is passed to? */
export function runsSynchronously(fn: FunctionLike, types: TypeQueries): boolean {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return false;
  let arg: ts.Node = fn;
  while (ts.isParenthesizedExpression(arg.parent)) arg = arg.parent;
  const call = arg.parent;
  if (!(ts.isCallExpression(call) || ts.isNewExpression(call)) || !call.arguments?.includes(arg as ts.Expression)) return false;
  return callsArgumentsSynchronously(call, types);
}

/** The function a callback argument denotes: inline, by name, `this.method`, or `f.bind(...)`. */
export function functionOfArgument(expr: ts.Expression, types: TypeQueries): FunctionLike | undefined {
  let e = skipOuter(expr);
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e;
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind') {
    e = skipOuter(e.expression.expression);
  }
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
  const symbol = types.symbolAt(ts.isPropertyAccessExpression(e) ? e.name : e);
  for (const decl of symbol ? types.declarationsOf(symbol) : []) {
    if (isFunctionLike(decl) && decl.body) return decl;
    if ((ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl)) && decl.initializer) {
      const init = skipOuter(decl.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
  }
  return undefined;
}

function isLibOrUnknown(symbol: SymbolRef | undefined, types: TypeQueries): boolean {
  return !symbol || types.originOf(symbol).kind !== 'file' || !!symbolModuleOf(symbol, types);
}

// ---------------------------------------------------------------------------------------
// Where callbacks become async entries

const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'requestAnimationFrame', 'requestIdleCallback']);
const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'global', 'self']);
const EMITTER_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener']);
const STREAM_CLASSES = new Set(['Readable', 'Writable', 'Duplex', 'Transform', 'PassThrough']);
const STREAM_OPTION_METHODS = new Set(['read', 'write', 'writev', 'final', 'transform', 'flush', 'destroy', 'construct']);
const STREAM_SUBCLASS_METHODS = new Set(['_read', '_write', '_writev', '_final', '_transform', '_flush', '_destroy', '_construct']);
const SERVER_MODULES = new Set(['http', 'https', 'http2', 'net', 'tls']);
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all', 'use', 'param', 'route', 'addHook']);
const ROUTE_OPTION_HANDLERS = new Set(['handler', 'preHandler', 'onRequest', 'preValidation', 'preParsing', 'preSerialization', 'onSend', 'onResponse']);
export const ROUTE_MODULES: readonly string[] = [
  'express', 'express-serve-static-core', 'router', 'fastify', 'koa', '@koa/router', 'koa-router', 'hono', 'restify',
  'polka', '@hapi/hapi',
];
const NEST_DECORATORS: Record<string, string[]> = {
  '@nestjs/common': ['Get', 'Post', 'Put', 'Patch', 'Delete', 'Options', 'Head', 'All', 'Search'],
  '@nestjs/microservices': ['MessagePattern', 'EventPattern'],
  '@nestjs/websockets': ['SubscribeMessage'],
  '@nestjs/schedule': ['Cron', 'Interval', 'Timeout'],
  '@nestjs/event-emitter': ['OnEvent'],
};

interface Registration {
  kind: AsyncEntry['kind'];
  label: string;
  callbacks: ts.Expression[];
}

function functionArgs(call: ts.CallExpression | ts.NewExpression, from = 0): ts.Expression[] {
  return (call.arguments ?? []).slice(from).filter((a) => !ts.isSpreadElement(a));
}

/** The callbacks this call registers to run later as their own task, if any. */
function registrationOf(call: ts.CallExpression | ts.NewExpression, types: TypeQueries, routeModules: ReadonlySet<string>): Registration | undefined {
  const callee = skipOuter(call.expression);
  if (ts.isNewExpression(call)) return streamOptions(call, callee, types);
  const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  const plain = ts.isIdentifier(callee) ? callee.text : undefined;
  const receiver = ts.isPropertyAccessExpression(callee) ? skipOuter(callee.expression) : undefined;
  if (plain && TIMERS.has(plain) && isLibOrUnknown(types.symbolAt(callee), types)) {
    return { kind: 'timer', label: `\`${plain}\` callback`, callbacks: functionArgs(call).slice(0, 1) };
  }
  if (!method || !receiver || !ts.isPropertyAccessExpression(callee)) return undefined;
  if (TIMERS.has(method) && ts.isIdentifier(receiver) && GLOBAL_OBJECTS.has(receiver.text)) {
    return { kind: 'timer', label: `\`${method}\` callback`, callbacks: functionArgs(call).slice(0, 1) };
  }
  if (method === 'nextTick' && ts.isIdentifier(receiver) && receiver.text === 'process') {
    return { kind: 'timer', label: '`process.nextTick` callback', callbacks: functionArgs(call).slice(0, 1) };
  }
  if (method === 'then' || method === 'catch' || method === 'finally') {
    const type = types.typeAt(receiver);
    if (type && (types.isAnyOrUnknown(type) || types.isPromiseLike(receiver, type))) {
      return { kind: 'promise', label: `\`.${method}()\` callback`, callbacks: functionArgs(call) };
    }
    return undefined;
  }
  if (method === 'createServer' || method === 'createSecureServer') {
    const from = calleeModule(callee, types)?.module;
    if (from && SERVER_MODULES.has(from)) return { kind: 'server', label: `\`${from}.${method}\` request listener`, callbacks: functionArgs(call) };
  }
  const framework = ROUTE_METHODS.has(method) ? frameworkOf(callee, receiver, types, routeModules) : undefined;
  if (framework) {
    const name = framework === 'express-serve-static-core' ? 'express' : framework;
    return { kind: 'route', label: `${name} route handler`, callbacks: routeCallbacks(call) };
  }
  if (EMITTER_METHODS.has(method)) return listener(call, callee, receiver, types);
  return undefined;
}

function listener(call: ts.CallExpression, callee: ts.PropertyAccessExpression, receiver: ts.Expression, types: TypeQueries): Registration | undefined {
  const event = call.arguments[0];
  const eventName = event && ts.isStringLiteralLike(event) ? event.text : undefined;
  if (eventName === 'exit' && ts.isIdentifier(receiver) && receiver.text === 'process') return undefined; // must stay synchronous
  const symbol = types.symbolAt(callee.name);
  let known = !!symbol && (types.originOf(symbol).kind !== 'file' || !!symbolModuleOf(symbol, types));
  if (!symbol) {
    const type = types.typeAt(receiver);
    known = eventName !== undefined && (!type || types.isAnyOrUnknown(type));
  }
  if (!known) return undefined;
  return { kind: 'listener', label: eventName ? `'${eventName}' listener` : 'event listener', callbacks: functionArgs(call, 1) };
}

/** The web framework (package) whose router or app object this method belongs to, if any. */
function frameworkOf(callee: ts.PropertyAccessExpression, receiver: ts.Expression, types: TypeQueries, modules: ReadonlySet<string>): string | undefined {
  const typed = calleeModule(callee, types)?.module;
  if (typed && modules.has(typed)) return typed;
  let root: ts.Expression = receiver;
  // `app.route('/x').get(h)`, `router.use(...).get(h)`: the chain's start.
  for (let i = 0; i < 8 && ts.isCallExpression(root) && ts.isPropertyAccessExpression(skipOuter(root.expression)); i++) {
    root = skipOuter((skipOuter(root.expression) as ts.PropertyAccessExpression).expression);
  }
  const ref = moduleRefOf(root, types);
  return ref && modules.has(ref.module) ? ref.module : undefined;
}

function routeCallbacks(call: ts.CallExpression): ts.Expression[] {
  const out: ts.Expression[] = [];
  for (const arg of functionArgs(call)) {
    const e = skipOuter(arg);
    if (ts.isArrayLiteralExpression(e)) out.push(...e.elements.filter((x) => !ts.isSpreadElement(x)));
    else if (ts.isObjectLiteralExpression(e)) out.push(...objectCallbacks(e, ROUTE_OPTION_HANDLERS));
    else out.push(arg);
  }
  return out;
}

function objectCallbacks(obj: ts.ObjectLiteralExpression, names: ReadonlySet<string>): ts.Expression[] {
  const out: ts.Expression[] = [];
  for (const prop of obj.properties) {
    if (!prop.name || !(ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)) || !names.has(prop.name.text)) continue;
    if (ts.isMethodDeclaration(prop)) out.push(prop as unknown as ts.Expression);
    else if (ts.isPropertyAssignment(prop)) out.push(prop.initializer);
    else if (ts.isShorthandPropertyAssignment(prop)) out.push(prop.name);
  }
  return out;
}

function streamOptions(call: ts.NewExpression, callee: ts.Expression, types: TypeQueries): Registration | undefined {
  const from = calleeModule(callee, types);
  if (!from || from.module !== 'stream' || !STREAM_CLASSES.has(from.name)) return undefined;
  const options = call.arguments?.[0] && skipOuter(call.arguments[0]);
  if (!options || !ts.isObjectLiteralExpression(options)) return undefined;
  return { kind: 'stream', label: `\`${from.name}\` stream method`, callbacks: objectCallbacks(options, STREAM_OPTION_METHODS) };
}

/** Methods of NestJS controllers with route decorators, and `_transform`-style stream overrides. */
function classEntries(cls: ts.ClassLikeDeclaration, types: TypeQueries, add: (fn: FunctionLike, kind: AsyncEntry['kind'], label: string) => void): void {
  const base = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  const baseModule = base ? calleeModule(base, types) : undefined;
  const isStream = !!baseModule && baseModule.module === 'stream' && STREAM_CLASSES.has(baseModule.name);
  for (const member of cls.members) {
    if (!ts.isMethodDeclaration(member) || !member.body) continue;
    const name = member.name && ts.isIdentifier(member.name) ? member.name.text : undefined;
    if (isStream && name && STREAM_SUBCLASS_METHODS.has(name)) add(member, 'stream', `stream \`${name}\` method`);
    for (const decorator of ts.getDecorators(member) ?? []) {
      const expr = skipOuter(decorator.expression);
      const from = calleeModule(ts.isCallExpression(expr) ? expr.expression : expr, types);
      if (from && NEST_DECORATORS[from.module]?.includes(from.name)) add(member, 'controller', `NestJS \`@${from.name}\` handler`);
    }
  }
}

// ---------------------------------------------------------------------------------------
// The program-wide index

interface EntryIndex {
  byFile: Map<ts.SourceFile, AsyncEntry[]>;
  byFn: Map<FunctionLike, AsyncEntry>;
}

const indexes = perProgram<string, EntryIndex>();

function indexFor(program: ts.Program, options: AsyncContextOptions): EntryIndex {
  const routeModules = new Set([...ROUTE_MODULES, ...(options.routeModules ?? [])]);
  const key = [...routeModules].sort().join('\n');
  return indexes.get(program, key, () => buildIndex(program, routeModules));
}

function buildIndex(program: ts.Program, routeModules: ReadonlySet<string>): EntryIndex {
  const kind = entryFacts.kind([...routeModules].sort().join(','));
  const byFn = new Map<FunctionLike, AsyncEntry>();
  // Each file's registrations are a fact of that file and its imports (kept by the analysis
  // cache), not something a check of another file reads: untracked.
  untracked(() => {
    for (const sf of program.getSourceFiles()) {
      if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf)) continue;
      for (const entry of fileFacts(program, kind, sf, entryCodec, () => registeredIn(sf, program, routeModules))) {
        if (!byFn.has(entry.fn)) byFn.set(entry.fn, entry);
      }
    }
  });
  const byFile = new Map<ts.SourceFile, AsyncEntry[]>();
  for (const entry of byFn.values()) {
    const sf = entry.fn.getSourceFile();
    const list = byFile.get(sf);
    if (list) list.push(entry);
    else byFile.set(sf, [entry]);
  }
  return { byFile, byFn };
}

/** The functions `sf` registers as callbacks that run as their own task (in any file), in source order. */
function registeredIn(sf: ts.SourceFile, program: ts.Program, routeModules: ReadonlySet<string>): AsyncEntry[] {
  const types = getTypeQueries(program);
  const found = new Map<FunctionLike, AsyncEntry>();
  const add = (fn: FunctionLike, kind: AsyncEntry['kind'], label: string) => {
    if (!found.has(fn) && !fn.getSourceFile().isDeclarationFile) found.set(fn, { fn, kind, label });
  };
  for (const node of fileIndex(sf).of(...CLASS_KINDS, ...CALL_KINDS)) {
    if (ts.isClassLike(node)) classEntries(node, types, add);
    if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) continue;
    const registration = registrationOf(node, types, routeModules);
    for (const cb of registration?.callbacks ?? []) {
      const fn = isFunctionLike(cb) ? cb : functionOfArgument(cb, types);
      if (fn) add(fn, registration!.kind, registration!.label);
    }
  }
  return [...found.values()];
}

interface StoredEntry {
  fn: NodeRef;
  kind: AsyncEntry['kind'];
  label: string;
}

const entryCodec: FactCodec<AsyncEntry[]> = {
  carriable: true,
  encode: (entries) => entries.map((e): StoredEntry => ({ fn: nodeRef(e.fn), kind: e.kind, label: e.label })),
  decode(data, program) {
    const out: AsyncEntry[] = [];
    for (const e of data as StoredEntry[]) {
      const fn = nodeAt(program, e.fn);
      if (!fn || !isFunctionLike(fn)) return undefined;
      out.push({ fn, kind: e.kind, label: e.label });
    }
    return out;
  },
};

/** A file's registrations can make functions of other files entries. */
export const entryFacts = factFamily('async-entries', (data) => (data as StoredEntry[]).map((e) => path.resolve(e.fn.file)));

/** Why `fn` runs as its own task on the event loop, or undefined when it does not (as far as we can tell). */
export function asyncEntryOf(fn: FunctionLike, program: ts.Program, options: AsyncContextOptions = {}): AsyncEntry | undefined {
  const registered = indexFor(program, options).byFn.get(fn);
  if (registered) return registered;
  return isAsyncFunction(fn) && !isTestCallback(fn, getTypeQueries(program)) ? { fn, kind: 'async', label: asyncLabel(fn) } : undefined;
}

/** Every async entry declared in `sf`, in source order. */
export function asyncEntriesIn(sf: ts.SourceFile, program: ts.Program, options: AsyncContextOptions = {}): AsyncEntry[] {
  const index = indexFor(program, options);
  const types = getTypeQueries(program);
  const out = [...(index.byFile.get(sf) ?? [])];
  for (const node of fileIndex(sf).functions) {
    if (isAsyncFunction(node) && !index.byFn.has(node) && !isTestCallback(node, types)) {
      out.push({ fn: node, kind: 'async', label: asyncLabel(node) });
    }
  }
  return out.sort((a, b) => a.fn.getStart() - b.fn.getStart());
}

const TEST_FUNCTIONS = new Set(['it', 'test', 'describe', 'suite', 'bench', 'beforeAll', 'beforeEach', 'afterAll', 'afterEach', 'before', 'after']);

/**
 * A callback given to a test runner (`it('...', async () => {})`, `test.each(rows)('...', fn)`,
 * `beforeEach(fn)`, from vitest, jest, mocha or `node:test`): tests do not serve concurrent
 * work, so blocking there is harmless and not async context for this purpose.
 */
export function isTestCallback(fn: FunctionLike, types: TypeQueries): boolean {
  let arg: ts.Node = fn;
  while (ts.isParenthesizedExpression(arg.parent)) arg = arg.parent;
  const call = arg.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(arg as ts.Expression)) return false;
  let root: ts.Expression = skipOuter(call.expression);
  for (let i = 0; i < 4; i++) {
    if (ts.isCallExpression(root)) root = skipOuter(root.expression); // test.each(rows)(name, fn)
    else if (ts.isPropertyAccessExpression(root)) root = skipOuter(root.expression); // it.only, test.concurrent
    else break;
  }
  return ts.isIdentifier(root) && TEST_FUNCTIONS.has(root.text) && (isLibOrUnknown(types.symbolAt(root), types) || !!moduleRefOf(root, types));
}

function asyncLabel(fn: FunctionLike): string {
  if (ts.isMethodDeclaration(fn)) return 'async method';
  if (ts.isArrowFunction(fn)) return 'async arrow function';
  return 'async function';
}

/** "the async function `handle`", "the `setTimeout` callback in `start`". */
export function describeEntry(entry: AsyncEntry): string {
  const name = functionName(entry.fn);
  const inside = /^<anonymous in (.*)>$/.exec(name);
  if (inside) return `the ${entry.label} in \`${inside[1]}\``;
  return name === '<anonymous>' ? `the ${entry.label}` : `the ${entry.label} \`${name}\``;
}
