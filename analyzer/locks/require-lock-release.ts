/**
 * require-lock-release: an `acquire()` whose release is not guaranteed on every path. The
 * release must run even when the code under the lock throws or returns early: in a
 * `finally`, or via `runExclusive`. Otherwise one failure leaves the lock held and every
 * later acquirer waits forever.
 */
import ts from '../ts/typescript.cjs';
import type { Check, CheckContext, TraceInput } from '../check/contract.js';
import { enclosingFunction, functionName, isFunctionLike } from '../program/callgraph.js';
import { walk, skipOuterExpressions as skipOuter } from '../program/walk.js';
import { describeExpression } from '../check/fix-helpers.js';
import { codeText, quoteCode } from '../check/quote.js';
import { getLockContext, type LockContext } from './context.js';
import type { SymbolRef } from '../program/type-queries.js';
import { lockOpAt } from './recognize.js';
import { bindingOf, type AcquireOp, type Binding } from './release.js';
import { findLeak, findLeakInCallback, type Leak } from './release-flow.js';
import { releaseSuggestions } from './release-fix.js';
import { lockName } from './describe.js';
import { lockOptionProperties, type CustomLock } from './types.js';
import { touch } from '../program/dependencies.js';
import { fileIndex } from '../program/file-index.js';

export interface Options {
  customLocks: CustomLock[];
  inferWrappers: boolean;
}

const FIX = 'Put the code that runs under the lock in `try { ... } finally { {{release}}; }`, or use `runExclusive`.';

const messages = {
  mayThrow: `{{lock}} is acquired here, but {{what}} can throw while it is held, and the release is not in a \`finally\`: after that error the lock is never released and every later acquirer waits forever. ${FIX}`,
  earlyExit: `{{lock}} is acquired here, but {{what}} leaves with the lock still held, so every later acquirer waits forever. ${FIX}`,
  oneOutcome: `{{lock}} is acquired here, but {{what}}: if it rejects, the release is skipped and the lock stays held, so every later acquirer waits forever. Release in \`.finally(...)\` (or pass the release as both callbacks of \`.then\`), or use \`try { await ... } finally { {{release}}; }\`.`,
  callbackSkips: '{{lock}} is acquired here, but {{what}}: on that path the lock is never released and every later acquirer waits forever. Release on every path of the callback (before the early `return` too), or in a `finally` inside it.',
  neverReleased: '{{lock}} is acquired here but never released: {{what}}. Every later acquirer waits forever. Release it when the work is done, in a `finally` block, or use `runExclusive`.',
  wrapTryFinally: 'Wrap the locked code in `try { ... } finally { {{release}}; }`',
  useRunExclusive: 'Rewrite with `await {{receiver}}.runExclusive(async () => { ... })`',
};

/** The ids of the messages above: what `ctx.report` and the helpers that build reports may use. */
export type MessageId = keyof typeof messages;

const check: Check<Options, MessageId> = {
  meta: {
    id: 'require-lock-release',
    description: 'A lock is acquired but not released on every path (no `finally`): one error or early return leaves it held forever.',
    recommended: 'error',
    messages,
    schema: { type: 'object', additionalProperties: false, properties: { ...lockOptionProperties } },
    defaultOptions: { customLocks: [], inferWrappers: true },
    hasSuggestions: true,
  },
  run(ctx) {
    const locks = getLockContext(ctx.program, ctx.options);
    for (const node of fileIndex(ctx.sourceFile).of<ts.CallExpression>(ts.SyntaxKind.CallExpression)) {
      const op = lockOpAt(locks, node);
      if (op?.kind === 'acquire') checkAcquire(ctx, locks, op);
    }
  },
};

export default check;

function checkAcquire(ctx: CheckContext<Options, MessageId>, locks: LockContext, op: AcquireOp): void {
  const binding = bindingOf(locks, op);
  if (binding.kind === 'unawaited') {
    checkThenCallback(ctx, locks, op);
    return;
  }
  const lock = lockName(op.lock.lock);
  if (binding.kind === 'escaped') {
    // `this.unlock = await this.mutex.acquire()`: fine if something calls `unlock` somewhere.
    const target = storedInProperty(binding.node);
    if (target && !isEverCalled(locks, target)) {
      ctx.report({ node: op.call, messageId: 'neverReleased', data: { lock, what: `the release is stored in ${quoteCode(codeText(target, target.getSourceFile(), Infinity))} but nothing calls it` } });
    }
    return;
  }
  if (binding.kind === 'none' && !op.receiverRelease) {
    const what = op.release.kind === 'object' ? 'the object it resolves to, whose method releases it, is discarded' : 'the release function it resolves to is discarded';
    ctx.report({ node: op.call, messageId: 'neverReleased', data: { lock, what } });
    return;
  }
  if (binding.kind !== 'none') {
    const use = bindingUse(locks, binding);
    if (use.kind === 'stored-never-called') {
      ctx.report({ node: op.call, messageId: 'neverReleased', data: { lock, what: `the release is stored in \`${use.name}\` but nothing calls it` } });
      return;
    }
    if (use.kind === 'escapes') return;
  }
  const statement = statementOf(op.call);
  if (!statement) return;
  const leak = findLeak(locks, op, binding, statement);
  if (!leak) return;
  const release = releaseText(locks, op, binding);
  reportLeak(ctx, op, leak, release, releaseSuggestions(locks, op, binding, statement, release));
}

function reportLeak(ctx: CheckContext<Options, MessageId>, op: AcquireOp, leak: Leak, release: string, suggestions?: ReturnType<typeof releaseSuggestions>): void {
  const lock = lockName(op.lock.lock);
  const { messageId, what, step } = describeLeak(ctx, op, leak);
  const trace: TraceInput[] = [{ node: op.call, message: `${lock} is acquired here` }];
  if (op.evidence) trace.push(op.evidence);
  if (leak.reason === 'callback' && leak.via) trace.push({ node: leak.via, message: `the release is handed to this callback` });
  trace.push({ node: leak.node, message: step });
  ctx.report({ node: op.call, messageId, data: { lock, what, release }, trace, ...(suggestions ? { suggestions } : {}) });
}

/**
 * `mutex.acquire().then(async (release) => { ... })`: the callback receives the lock, so it
 * must release on every path of its own.
 */
function checkThenCallback(ctx: CheckContext<Options, MessageId>, locks: LockContext, op: AcquireOp): void {
  let n: ts.Node = op.call;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  const access = n.parent;
  const call = access.parent;
  if (!ts.isPropertyAccessExpression(access) || access.name.text !== 'then' || !ts.isCallExpression(call) || call.expression !== access) return;
  const cb = call.arguments[0] && skipOuter(call.arguments[0]);
  const param = cb && isFunctionLike(cb) ? cb.parameters[0] : undefined;
  if (!cb || !isFunctionLike(cb) || !param || !ts.isIdentifier(param.name) || op.release.kind === 'tuple') return;
  const symbol = locks.types.symbolAt(param.name);
  if (!symbol) return;
  const binding: Binding = { kind: op.release.kind === 'object' ? 'object' : 'function', symbol, name: param.name };
  if (bindingUse(locks, binding).kind !== 'local') return;
  const leak = findLeakInCallback(locks, op, binding, cb);
  if (leak) reportLeak(ctx, op, leak, releaseText(locks, op, binding));
}

function line(node: ts.Node): number {
  const sf = node.getSourceFile();
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

function describeLeak(ctx: CheckContext<Options, MessageId>, op: AcquireOp, leak: Leak): { messageId: MessageId; what: string; step: string } {
  const at = `on line ${line(leak.node)}`;
  switch (leak.reason) {
    case 'await': {
      const operand = ts.isAwaitExpression(leak.node) ? leak.node.expression : undefined;
      const what = operand
        ? `the awaited ${describeExpression(operand, ctx.sourceFile)} ${at}`
        : ts.isForOfStatement(leak.node) ? `the \`for await\` loop ${at}` : `the \`await\` ${at}`;
      return { messageId: 'mayThrow', what, step: `${what.replace(` ${at}`, '')} can throw while the lock is held` };
    }
    case 'return':
    case 'throw':
    case 'break': {
      const keyword = ts.isContinueStatement(leak.node) ? 'continue' : leak.reason;
      return { messageId: 'earlyExit', what: `the \`${keyword}\` ${at}`, step: `\`${keyword}\` leaves with the lock held` };
    }
    case 'then': {
      const what = `the release on line ${line(leak.node)} is in \`${thenText(leak.node)}\`, which runs only when the promise resolves`;
      return { messageId: 'oneOutcome', what, step: 'this runs the release on one outcome of the promise only: a rejection skips it' };
    }
    case 'callback': {
      const keyword = ts.isReturnStatement(leak.node) ? 'the `return`' : ts.isAwaitExpression(leak.node) ? 'the awaited call' : 'a path';
      const what = `the callback it is handed to (line ${line(leak.via ?? leak.node)}) has ${keyword} ${at} that skips the release`;
      return { messageId: 'callbackSkips', what, step: `${keyword} leaves the callback without releasing the lock` };
    }
    case 'yield':
      return { messageId: 'earlyExit', what: `the \`yield\` ${at}`, step: '`yield` hands control to the consumer, which may never resume the generator' };
    case 'loop':
      return { messageId: 'neverReleased', what: `the loop ${at} goes round again with the lock held`, step: 'the loop goes round with the lock held' };
    case 'end': {
      const fn = enclosingFunction(op.call);
      const name = fn ? `\`${functionName(fn)}\`` : 'the function';
      return { messageId: 'neverReleased', what: `a path reaches the end of ${name} without releasing it`, step: `the end of ${name} is reached with the lock held` };
    }
  }
}

/** `.then(...)` / `.catch(...)`, with the callback elided when it is long. */
function thenText(node: ts.Node): string {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return '.then(...)';
  const args = node.arguments.map((a) => a.getText()).join(', ');
  return `.${node.expression.name.text}(${args.length <= 30 && !args.includes('\n') ? args : '...'})`;
}


/** The statement (in a statement list) that contains the acquisition. */
function statementOf(node: ts.Node): ts.Statement | undefined {
  for (let n: ts.Node = node; n.parent; n = n.parent) {
    if (isFunctionLike(n)) return undefined;
    const p = n.parent;
    if (ts.isBlock(p) || ts.isSourceFile(p) || ts.isModuleBlock(p) || ts.isCaseClause(p) || ts.isDefaultClause(p)) return n as ts.Statement;
  }
  return undefined;
}

type Use = { kind: 'local' } | { kind: 'escapes' } | { kind: 'stored-never-called'; name: string };

/**
 * How the release variable is used: only called here (local), or it escapes (returned,
 * passed, captured by a callback), or it is stored in a property that nothing calls.
 */
function bindingUse(locks: LockContext, binding: Extract<Binding, { symbol: SymbolRef }>): Use {
  const fn = enclosingFunction(binding.name) ?? binding.name.getSourceFile();
  let escapes = false;
  let storedIn: ts.PropertyAccessExpression | undefined;
  walk(fn, (n) => {
    if (escapes || !ts.isIdentifier(n) || n === binding.name || symbolOfUse(locks, n) !== binding.symbol) return !escapes;
    let use: ts.Node = n;
    while (ts.isParenthesizedExpression(use.parent) || ts.isNonNullExpression(use.parent)) use = use.parent;
    const parent = use.parent;
    // Handed to a promise method (`.then(release)`, `.finally(release)`): the flow analysis
    // knows on which outcomes that runs.
    if (isPromiseMethodArgument(use)) return true;
    if (enclosingFunction(n) !== enclosingFunction(binding.name) && !isCalledInInlineCallback(use, binding.name)) escapes = true;
    if (ts.isCallExpression(parent) && parent.expression === use) return true;
    if (isBenignUse(use, parent)) return true;
    if (binding.kind === 'object' && ts.isPropertyAccessExpression(parent) && parent.expression === use) return true;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === use && ['call', 'apply'].includes(parent.name.text)) return true;
    if (ts.isBinaryExpression(parent) && parent.right === use && ts.isPropertyAccessExpression(parent.left)) storedIn = parent.left;
    else escapes = true;
    return true;
  });
  if (escapes) return { kind: 'escapes' };
  if (storedIn) return isEverCalled(locks, storedIn) ? { kind: 'escapes' } : { kind: 'stored-never-called', name: storedIn.getText() };
  return { kind: 'local' };
}

function isPromiseMethodArgument(use: ts.Node): boolean {
  const call = use.parent;
  return ts.isCallExpression(call) && call.arguments.includes(use as ts.Expression) && isPromiseMethod(call);
}

function isPromiseMethod(call: ts.CallExpression): boolean {
  return ts.isPropertyAccessExpression(call.expression) && ['then', 'catch', 'finally'].includes(call.expression.name.text);
}

/**
 * `release()` called inside a callback written as an argument of a call in the acquiring
 * function (`job.once('done', () => { ...; release(); })`, `.then(() => release())`): the flow
 * analysis follows it (a hand-off, unless a path of the callback skips the release).
 */
function isCalledInInlineCallback(use: ts.Node, declared: ts.Node): boolean {
  if (!(ts.isCallExpression(use.parent) && use.parent.expression === use)) return false;
  const fn = enclosingFunction(use);
  if (!fn || enclosingFunction(fn) !== enclosingFunction(declared)) return false;
  let arg: ts.Node = fn;
  while (ts.isParenthesizedExpression(arg.parent)) arg = arg.parent;
  const call = arg.parent;
  return (ts.isCallExpression(call) || ts.isNewExpression(call)) && !!call.arguments?.includes(arg as ts.Expression);
}

/** The variable a name refers to; for `{ release }` the variable, not the new property. */
function symbolOfUse(locks: LockContext, n: ts.Identifier): SymbolRef | undefined {
  if (ts.isShorthandPropertyAssignment(n.parent) && n.parent.name === n) return locks.types.shorthandValueSymbol(n.parent);
  return locks.types.symbolAt(n);
}

function storedInProperty(node: ts.Node): ts.PropertyAccessExpression | undefined {
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const left = skipOuter(node.left);
  return ts.isPropertyAccessExpression(left) ? left : undefined;
}

/** Declarations, reassignments and truthiness tests (`if (release)`, `release && release()`) neither call nor leak it. */
function isBenignUse(use: ts.Node, parent: ts.Node): boolean {
  if (ts.isVariableDeclaration(parent) && parent.name === use) return true;
  if (ts.isBinaryExpression(parent) && parent.left === use && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
  if (ts.isIfStatement(parent) || (ts.isConditionalExpression(parent) && parent.condition === use)) return true;
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) return true;
  if (ts.isVoidExpression(parent) || ts.isTypeOfExpression(parent)) return true;
  if (ts.isBinaryExpression(parent) && parent.left === use && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(parent.operatorToken.kind)) return true;
  return false;
}

/** Is a property with this name called anywhere in the program's files (`x.releaseQueue()`)? */
function isEverCalled(locks: LockContext, target: ts.PropertyAccessExpression): boolean {
  const name = target.name.text;
  for (const sf of locks.program.getSourceFiles()) {
    if (sf.isDeclarationFile || !sf.text.includes(name)) continue;
    touch(sf); // a file the checked one need not import
    const called = fileIndex(sf).of(ts.SyntaxKind.CallExpression, ts.SyntaxKind.PropertyAccessExpression).some((n) => {
      if (ts.isCallExpression(n)) {
        const callee = skipOuter(n.expression);
        if (ts.isPropertyAccessExpression(callee) && callee.name.text === name) return true;
      }
      // Passed on or read into a variable: assume it is called.
      return ts.isPropertyAccessExpression(n) && n.name.text === name && n !== target && !ts.isCallExpression(n.parent);
    });
    if (called) return true;
  }
  return false;
}

/** What to call in the `finally`: `release()`, `lock.releaseLock()`, `this.mutex.release()`. */
function releaseText(locks: LockContext, op: AcquireOp, binding: Binding): string {
  if (binding.kind === 'function') return `${binding.name.text}()`;
  if (binding.kind === 'object') {
    const method = op.release.kind === 'object' ? op.release.method.source.replace(/^\^|\$$/g, '').replace(/\\\$/g, '$') : 'release';
    return `${binding.name.text}.${/^[\w$]+$/.test(method) ? method : 'release'}()`;
  }
  void locks;
  return `${op.receiver ? op.receiver.getText() : 'lock'}.release()`;
}
