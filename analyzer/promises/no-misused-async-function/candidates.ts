/** Options, phrases and small helpers shared by the parts of `no-misused-async-function`. */
import ts from '../../ts/typescript.cjs';
import type { CheckContext, TraceInput } from '../../check/contract.js';
import type { MessageId } from './no-misused-async-function.js';
import { skipOuterExpressions } from '../../program/walk.js';
import { functionName, getCallGraph, returnedExpressions, type FunctionLike } from '../../program/callgraph.js';
import { functionBehind } from './function-facts.js';
import { handlesOwnFailures, isEmptyFunction } from '../rejections.js';
import { SELF_HANDLING_HANDLER_FACTORIES } from '../catalog-sync-throws.js';
import { calleeModule } from '../../program/module-ref.js';
import { chainRoot, hasAsyncModifier } from '../../program/syntax.js';
import { codeName, codeText, quoteCode } from '../../check/quote.js';

export interface ChecksVoidReturn {
  arguments?: boolean;
  attributes?: boolean;
  inheritedMethods?: boolean;
  properties?: boolean;
  returns?: boolean;
  variables?: boolean;
}

export interface AllowedApi {
  /** The called function or method name (`on`), or its last segments (`process.on`, `app.get`). */
  name: string | string[];
  /** The package that declares it (`node`, `express`, `lib` for TypeScript's own libs) or the module it was imported from. */
  module?: string;
}

export interface Options {
  checksVoidReturn: boolean | ChecksVoidReturn;
  allowedApis: AllowedApi[];
  /** A function that catches every rejection itself may be passed where `void` is expected. */
  allowHandledRejections: boolean;
  /** An empty async stub (`onClose: async () => {}`) may be passed where `void` is expected. */
  allowEmptyStubs: boolean;
}

export type Ctx = CheckContext<Options, MessageId>;

export function voidChecks(options: Options): Required<ChecksVoidReturn> | undefined {
  const v = options.checksVoidReturn;
  if (v === false) return undefined;
  const o = v === true || v === undefined ? {} : v;
  return {
    arguments: o.arguments ?? true,
    attributes: o.attributes ?? true,
    inheritedMethods: o.inheritedMethods ?? true,
    properties: o.properties ?? true,
    returns: o.returns ?? true,
    variables: o.variables ?? true,
  };
}

export function isInlineFunction(node: ts.Node): node is ts.ArrowFunction | ts.FunctionExpression {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

/** A promise-returning function given somewhere: the expression and what we know about it. */
export interface Candidate {
  expr: ts.Expression;
  /** Written inline (`async () => ...`, `function () {...}`). */
  inline: boolean;
  /** Declared `async` (inline or resolved). */
  isAsync: boolean;
  /** The declaration with a body, when the checker can find it. */
  fn?: FunctionLike;
  /** For a call (`withAudit()`): the function called, which returns `fn`. */
  factory?: FunctionLike;
}

export function candidateOf(ctx: Ctx, expression: ts.Expression): Candidate {
  const expr = skipOuterExpressions(expression);
  const inline = isInlineFunction(expr);
  let fn = functionBehind(ctx.types, expr);
  let factory: FunctionLike | undefined;
  if (!fn && ts.isCallExpression(expr)) ({ fn, factory } = returnedFunction(ctx, expr));
  return { expr, inline, isAsync: !!fn && hasAsyncModifier(fn), fn, factory };
}

/** `withAudit()`: the function the called factory returns (an async one first, if it has several). */
function returnedFunction(ctx: Ctx, call: ts.CallExpression): { fn?: FunctionLike; factory?: FunctionLike } {
  for (const callee of getCallGraph(ctx.program).resolve(call)) {
    const fns = returnedExpressions(callee)
      .map((e) => functionBehind(ctx.types, e))
      .filter((f): f is FunctionLike => !!f);
    const fn = fns.find((f) => hasAsyncModifier(f)) ?? fns[0];
    if (fn) return { fn, factory: callee };
  }
  return {};
}

/**
 * The value's declared type returns a promise only as one member of a union
 * (`(req, res, next) => Promise<void> | void`): the type allows a synchronous function too (a
 * project's one `Middleware` type for sync and async middleware alike), so it says nothing about
 * this value. What decides is the function behind it: true (not an async function) when that
 * function is synchronous and returns no promise, or when the program does not show it.
 */
export function isDeclaredMaybeAsync(ctx: Ctx, c: Candidate): boolean {
  if (c.inline) return false;
  const { types } = ctx;
  const type = types.typeAt(c.expr);
  if (!type) return false;
  const returns = types
    .apparentParts(type)
    .flatMap((part) => types.callReturnTypes(part));
  const promising = returns.filter((r) => types.isPromiseLike(c.expr, r));
  if (promising.length === 0) return false;
  const declaredAsync = promising.some((r) => types.unionParts(r).every((part) => types.isPromiseLike(c.expr, part)));
  if (declaredAsync) return false;
  if (!c.fn) return true;
  if (c.isAsync) return false;
  const own = types.returnTypeOf(c.fn);
  return !own || !types.isPromiseLike(c.fn, own);
}

/** `an async function`, `a function that returns a promise`, `` `save` (an async function) ``. */
export function describeCandidate(c: Candidate, sf: ts.SourceFile): string {
  if (c.inline) return c.isAsync ? 'an async function' : 'a function that returns a promise';
  const name = quoteCode(codeText(c.expr, sf, 40));
  if (c.factory) return c.isAsync ? `${name} (which returns an async function)` : `${name} (which returns a function that returns a promise)`;
  return c.isAsync ? `${name} (an async function)` : `${name} (a function that returns a promise)`;
}

/**
 * Does the candidate catch every failure itself, so that its promise cannot reject (and may that
 * excuse it)? A whole-program summary: analyzer/promises/rejections.ts.
 */
export function handlesOwnRejections(ctx: Ctx, c: Candidate): boolean {
  if (!ctx.options.allowHandledRejections) return false;
  if (!c.fn) return madeBySelfHandlingFactory(ctx, c.expr);
  return handlesOwnFailures(ctx.program, c.fn);
}

/** `app.callback()` of a library whose handlers catch every failure (analyzer/promises/catalog-sync-throws.ts). */
function madeBySelfHandlingFactory(ctx: Ctx, expr: ts.Expression): boolean {
  const call = skipOuterExpressions(expr);
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(skipOuterExpressions(call.expression))) return false;
  const callee = calleeModule(call.expression, ctx.types);
  return !!callee && !!SELF_HANDLING_HANDLER_FACTORIES.get(callee.module)?.has(callee.name);
}

/** `onClose: async () => {}`: an empty async stub, whose promise is already resolved and cannot reject. */
export function isEmptyStub(c: Candidate): boolean {
  return !!c.fn && c.isAsync && isEmptyFunction(c.fn);
}

/** Where a function returning `void` is expected: also an empty async stub, when the options allow it. */
export function cannotRejectInVoidSlot(ctx: Ctx, c: Candidate): boolean {
  return handlesOwnRejections(ctx, c) || (ctx.options.allowEmptyStubs === true && isEmptyStub(c));
}

/**
 * The message for a void-return position: an empty stub gets its own (true) wording, since its
 * promise cannot reject; typescript-eslint reports it too, so it stays reported by default.
 */
export function voidMessage(c: Candidate, messageId: MessageId): MessageId {
  return isEmptyStub(c) ? 'voidReturnEmptyStub' : messageId;
}

/** A trace step to a referenced function declared in another file. */
export function candidateTrace(ctx: Ctx, c: Candidate): TraceInput[] {
  if (c.factory && c.fn) {
    const what = c.isAsync ? 'an async function' : 'a function that returns a promise';
    return [{ node: c.fn, message: `${codeName(functionName(c.factory))} returns ${what} (here)` }];
  }
  if (c.inline || !c.fn || c.fn.getSourceFile() === ctx.sourceFile) return [];
  const at = c.fn.name ?? c.fn;
  const what = c.isAsync ? 'is async' : 'returns a promise';
  return [{ node: at, message: `${codeName(functionName(c.fn))} ${what} (declared here)` }];
}

/** `setTimeout`, `process.on`, `new Promise`: how to name a callee in a message. */
export function describeCallee(call: ts.CallExpression | ts.NewExpression, sf: ts.SourceFile): string {
  const callee = skipOuterExpressions(call.expression);
  return quoteCode(`${ts.isNewExpression(call) ? 'new ' : ''}${codeText(callee, sf, 40)}`);
}

/** The names along a callee chain, outermost last: `this.bus.on` -> ['this', 'bus', 'on']. */
function calleeSegments(expr: ts.Expression): string[] {
  const out: string[] = [];
  let e: ts.Expression = skipOuterExpressions(expr);
  for (let depth = 0; depth < 20; depth++) {
    if (ts.isPropertyAccessExpression(e)) {
      out.unshift(e.name.text);
      e = skipOuterExpressions(e.expression);
    } else if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) {
      out.unshift(e.argumentExpression.text);
      e = skipOuterExpressions(e.expression);
    } else {
      if (ts.isIdentifier(e)) out.unshift(e.text);
      else if (e.kind === ts.SyntaxKind.ThisKeyword) out.unshift('this');
      break;
    }
  }
  return out;
}

const bare = (m: string) => m.replace(/^node:/, '');

/** `declare module 'events' { ... }` (how @types/node declares its modules) around a declaration. */
function ambientModuleOf(decl: ts.Node): string | undefined {
  for (let n: ts.Node | undefined = decl.parent, depth = 0; n && depth < 50; n = n.parent, depth++) {
    if (ts.isModuleDeclaration(n) && ts.isStringLiteral(n.name)) return bare(n.name.text);
  }
  return undefined;
}

/** Is this call's callee one of the `allowedApis`? */
export function isAllowedApi(ctx: Ctx, call: ts.CallExpression | ts.NewExpression): boolean {
  const allowed = ctx.options.allowedApis;
  if (allowed.length === 0) return false;
  const segments = calleeSegments(call.expression);
  if (segments.length === 0) return false;
  return allowed.some((api) => {
    const names = Array.isArray(api.name) ? api.name : [api.name];
    const nameOk = names.some((n) => {
      const want = n.split('.');
      return want.length <= segments.length && want.every((w, i) => segments[segments.length - want.length + i] === w);
    });
    return nameOk && (!api.module || moduleMatches(ctx, call, bare(api.module)));
  });
}

function moduleMatches(ctx: Ctx, call: ts.CallExpression | ts.NewExpression, module: string): boolean {
  const callee = skipOuterExpressions(call.expression);
  const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  const symbol = ctx.types.symbolAt(nameNode);
  if (symbol) {
    const origin = ctx.types.originOf(symbol);
    if (origin.kind === 'lib' && module === 'lib') return true;
    if (origin.kind === 'package' && (origin.name === module || bare(origin.name) === module)) return true;
    if (ctx.types.declarationsOf(symbol).some((d) => ambientModuleOf(d) === module)) return true;
  }
  const root = chainRoot(callee);
  const binding = root ? ctx.types.importSpecifierOf(root) : undefined;
  return !!binding && bare(binding.module) === module;
}
