/**
 * Recognise a blocking call: the catalog (analyzer/blocking/catalog.ts) plus the user's
 * additions, minus the allow list, matched by the resolved symbol's module and, without
 * types, by the import specifier the callee's name came from (see analyzer/program/module-ref.ts); and the
 * shapes no module names: `require()` in a function, `Atomics.wait`, clock busy-waits and
 * synchronous XMLHttpRequest.
 */
import { builtinModules } from 'node:module';
import ts from '../ts/typescript.cjs';
import type { SymbolRef, TypeQueries } from '../program/type-queries.js';
import { BLOCKING_APIS, SPECIALS, type BlockingApi } from './catalog.js';
import { skipOuterExpressions as skipOuter, walk } from '../program/walk.js';
import { isGlobalName, moduleRefOf, normalizeModule, symbolModuleOf, type ModuleRef } from '../program/module-ref.js';

export interface AdditionalApi {
  module: string;
  name: string;
  advice?: string;
}

export type AllowEntry = string | { module?: string; name: string };

export interface RecognizeOptions {
  additional: AdditionalApi[];
  allow: AllowEntry[];
  reportRequire: boolean;
}

export interface BlockingHit {
  api: BlockingApi;
  /** How the blocking call reads in a chain: `fs.readFileSync()`, `require('./x')`. */
  label: string;
}

export interface BlockingMatcher {
  /** Identifies the options, so summaries computed with other options are not reused. */
  key: string;
  match(call: ts.CallExpression | ts.NewExpression, types: TypeQueries): BlockingHit | undefined;
}

const BUILTINS = new Set(builtinModules);
const matchers = new Map<string, BlockingMatcher>();

export function matcherFor(options: RecognizeOptions): BlockingMatcher {
  const key = JSON.stringify([options.additional ?? [], options.allow ?? [], options.reportRequire !== false]);
  let matcher = matchers.get(key);
  if (!matcher) {
    matcher = createMatcher(options);
    matchers.set(key, matcher);
  }
  return matcher;
}

function createMatcher(options: RecognizeOptions): BlockingMatcher {
  const byModule = new Map<string, BlockingApi[]>();
  const extra: BlockingApi[] = (options.additional ?? []).map((a) => ({
    module: normalizeModule(a.module),
    name: a.name,
    kind: 'export',
    why: 'is listed as blocking in the rule options',
    replacement: a.advice ?? 'a non-blocking alternative',
  }));
  for (const api of [...BLOCKING_APIS, ...extra]) byModule.set(api.module, [...(byModule.get(api.module) ?? []), api]);
  const userApis = new Set(extra);
  const allowed = (api: BlockingApi): boolean =>
    (options.allow ?? []).some((a) =>
      typeof a === 'string' ? a === api.name : a.name === api.name && (a.module === undefined || normalizeModule(a.module) === api.module),
    );
  const reportRequire = options.reportRequire !== false;
  return {
    key: JSON.stringify([options.additional ?? [], options.allow ?? [], reportRequire]),
    match(call, types) {
      const hit = special(call, types, reportRequire) ?? fromModule(call, types, byModule, userApis);
      return hit && !allowed(hit.api) ? hit : undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Module APIs

function fromModule(
  call: ts.CallExpression | ts.NewExpression,
  types: TypeQueries,
  byModule: ReadonlyMap<string, BlockingApi[]>,
  userApis: ReadonlySet<BlockingApi>,
): BlockingHit | undefined {
  if (!ts.isCallExpression(call)) return undefined;
  const callee = skipOuter(call.expression);
  const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
  const symbol = nameNode ? types.symbolAt(nameNode) : undefined;
  const typedModule = symbol ? symbolModuleOf(symbol, types) : undefined;
  if (symbol && typedModule) {
    const name = types.symbolName(symbol);
    const api = byModule.get(typedModule)?.find((a) => (a.kind === 'export' || a.kind === 'instance') && (a.name === name || a.name === '*'));
    if (api) return { api, label: labelOf(api, name) };
  }
  const ref = moduleRefOf(callee, types);
  if (!ref) return undefined;
  const api = byModule.get(ref.module)?.find((a) => refMatches(a, ref, userApis.has(a)));
  return api ? { api, label: labelOf(api, ref.path[ref.path.length - 1]) } : undefined;
}

function refMatches(api: BlockingApi, ref: ModuleRef, user: boolean): boolean {
  const last = ref.path[ref.path.length - 1];
  const instance = ref.path.includes('()');
  if (user) return last === api.name;
  switch (api.kind) {
    case 'export':
      if (instance) return false;
      if (api.name === 'default') return ref.path.length === 0;
      return api.name === '*' ? ref.path.length > 0 : last === api.name;
    case 'instance':
      return instance && last === api.name;
    case 'wrapper':
      return ref.path.length === 1 && last === '()';
    default:
      return false;
  }
}

function labelOf(api: BlockingApi, called: string | undefined): string {
  if (api.kind === 'instance') return `${api.module} .${api.name}()`;
  if (api.kind === 'wrapper') return `${api.module}-wrapped function()`;
  if (api.name === 'default') return `${api.module}()`;
  return `${api.module}.${api.name === '*' ? called : api.name}()`;
}

// ---------------------------------------------------------------------------------------
// Shapes

function special(call: ts.CallExpression | ts.NewExpression, types: TypeQueries, reportRequire: boolean): BlockingHit | undefined {
  const callee = skipOuter(call.expression);
  if (ts.isCallExpression(call) && ts.isIdentifier(callee) && callee.text === 'require') {
    return reportRequire ? requireHit(call, callee, types) : undefined;
  }
  if (isClockCall(call, types) && isBusyWaitCondition(call, types)) {
    return { api: SPECIALS.busyWait, label: `busy-wait loop on ${clockText(call)}` };
  }
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (method === 'wait' && isGlobalName(types, callee.expression, 'Atomics')) return { api: SPECIALS.atomicsWait, label: 'Atomics.wait()' };
  if (method === 'open' && call.arguments[2]?.kind === ts.SyntaxKind.FalseKeyword && isXhr(callee.expression, types)) {
    return { api: SPECIALS.syncXhr, label: 'XMLHttpRequest .open(..., false)' };
  }
  return undefined;
}

function requireHit(call: ts.CallExpression, callee: ts.Identifier, types: TypeQueries): BlockingHit | undefined {
  const symbol = types.symbolAt(callee);
  if (symbol && types.originOf(symbol).kind === 'file' && !isCreateRequire(symbol, types)) return undefined; // a function of the user's named `require`
  const arg = call.arguments[0];
  if (arg && ts.isStringLiteralLike(arg)) {
    if (BUILTINS.has(normalizeModule(arg.text)) || arg.text.startsWith('node:')) return undefined; // built-ins are in memory
    return { api: SPECIALS.require, label: `require('${arg.text}')` };
  }
  return { api: SPECIALS.require, label: 'require(...)' };
}

/** `const require = createRequire(import.meta.url)`. */
function isCreateRequire(symbol: SymbolRef, types: TypeQueries): boolean {
  const decl = types.valueDeclarationOf(symbol);
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return false;
  const init = skipOuter(decl.initializer);
  if (!ts.isCallExpression(init)) return false;
  const fn = skipOuter(init.expression);
  const name = ts.isPropertyAccessExpression(fn) ? fn.name.text : ts.isIdentifier(fn) ? fn.text : '';
  return name === 'createRequire';
}

function isXhr(receiver: ts.Expression, types: TypeQueries): boolean {
  const type = types.typeAt(receiver);
  const typeSymbol = type && types.typeSymbol(type);
  if (typeSymbol && types.symbolName(typeSymbol) === 'XMLHttpRequest') return true;
  const e = skipOuter(receiver);
  const decl = ts.isIdentifier(e) ? types.valueDeclarationAt(e) : undefined;
  const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? skipOuter(decl.initializer) : undefined;
  return !!init && ts.isNewExpression(init) && isGlobalName(types, init.expression, 'XMLHttpRequest');
}

/** `Date.now()`, `new Date()`, `performance.now()`, `process.hrtime()`, `process.hrtime.bigint()`. */
function isClockCall(call: ts.CallExpression | ts.NewExpression, types: TypeQueries): boolean {
  const callee = skipOuter(call.expression);
  if (ts.isNewExpression(call)) return isGlobalName(types, callee, 'Date') && (call.arguments?.length ?? 0) === 0;
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const method = callee.name.text;
  const target = skipOuter(callee.expression);
  if (method === 'now') return isGlobalName(types, target, 'Date') || isGlobalName(types, target, 'performance');
  if (method === 'hrtime') return isGlobalName(types, target, 'process');
  if (method === 'bigint' && ts.isPropertyAccessExpression(target) && target.name.text === 'hrtime') {
    return isGlobalName(types, target.expression, 'process');
  }
  return false;
}

function clockText(call: ts.CallExpression | ts.NewExpression): string {
  return ts.isNewExpression(call) ? 'new Date()' : `${skipOuter(call.expression).getText()}()`;
}

/**
 * Is this clock call the first one in the condition of a loop that does nothing else:
 * `while (Date.now() < end) {}`, `do {} while (...)`, `for (; Date.now() < end; ) ;`, or
 * `while (true) { if (Date.now() >= end) break; }`?
 */
function isBusyWaitCondition(call: ts.CallExpression | ts.NewExpression, types: TypeQueries): boolean {
  let node: ts.Node = call;
  while (node.parent && ts.isExpression(node.parent)) node = node.parent;
  const holder = node.parent;
  if (!holder) return false;
  let loop: ts.IterationStatement | undefined;
  if ((ts.isWhileStatement(holder) || ts.isDoStatement(holder)) && holder.expression === node) loop = holder;
  else if (ts.isForStatement(holder) && holder.condition === node) loop = holder;
  if (loop) return isEmptyBody(loop.statement) && firstClockCall(node as ts.Expression, types) === call;
  // `if (clock) break;` as the only statement of an endless loop
  if (!ts.isIfStatement(holder) || holder.expression !== node || holder.elseStatement) return false;
  const exit = ts.isBlock(holder.thenStatement) && holder.thenStatement.statements.length === 1 ? holder.thenStatement.statements[0]! : holder.thenStatement;
  if (!ts.isBreakStatement(exit) && !ts.isReturnStatement(exit)) return false;
  const body = ts.isBlock(holder.parent) && holder.parent.statements.length === 1 ? holder.parent.parent : holder.parent;
  const endless =
    ((ts.isWhileStatement(body) || ts.isDoStatement(body)) && body.expression.kind === ts.SyntaxKind.TrueKeyword) ||
    (ts.isForStatement(body) && !body.condition);
  return endless && firstClockCall(node as ts.Expression, types) === call;
}

function isEmptyBody(statement: ts.Statement): boolean {
  if (ts.isEmptyStatement(statement)) return true;
  return ts.isBlock(statement) && statement.statements.every(ts.isEmptyStatement);
}

function firstClockCall(condition: ts.Expression, types: TypeQueries): ts.Node | undefined {
  let first: ts.Node | undefined;
  walk(condition, (n) => {
    if (first) return false;
    if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && isClockCall(n, types)) first = n;
    return !first;
  });
  return first;
}
