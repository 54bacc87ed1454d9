/**
 * Is the lock taken by an `acquire()` released on every path? A small forward analysis over
 * the statements after the acquisition, with two states (held, released): a release call
 * releases; a `try` whose `finally` releases protects everything in it; a `return`, `throw`,
 * `break` or the end of the function while held leaks; so does an `await` while held outside
 * such a `try` (the awaited call can throw). Branches merge; loops may run zero times.
 */
import ts from '../ts/typescript.cjs';
import { isFunctionLike } from '../program/callgraph.js';
import { walk } from '../program/walk.js';
import type { LockContext } from './context.js';
import { isReleaseCall, type AcquireOp, type Binding } from './release.js';
import { callbackSkip, containsRelease, promiseOutcomes, settlesWithin, isReleaseReference, type Flow } from './release-callbacks.js';

export type LeakReason = 'await' | 'yield' | 'return' | 'throw' | 'break' | 'end' | 'loop' | 'then' | 'callback';

export interface Leak {
  reason: LeakReason;
  /** The node where the lock is still held when control leaves (or may throw). */
  node: ts.Node;
  /**
   * 'then': the `.then(...)` / `.catch(...)` call that releases on one outcome of the promise
   * only. 'callback': the callback the release was handed to (`node` is its path that skips
   * the release).
   */
  via?: ts.Node;
}

type State = 'held' | 'released';
type Result = { states: Set<State> } | { leak: Leak };

const MAX_DEPTH = 40;


function isRelease(flow: Flow, node: ts.Node): boolean {
  return ts.isCallExpression(node) && isReleaseCall(flow.ctx, flow.op, flow.binding, node);
}


/** The leak after the statement holding the acquisition, if any (undefined: released on every path, or unknown). */
export function findLeak(ctx: LockContext, op: AcquireOp, binding: Binding, statement: ts.Statement): Leak | undefined {
  if (protectedByFinally(ctx, op, binding, statement)) return undefined;
  const flow: Flow = { ctx, op, binding, loops: 0, caught: 0, depth: 0 };
  return oneOutcomeLeak(flow, findLeakFrom(flow, statement));
}

/**
 * The leak in the body of a callback that receives the lock (`mutex.acquire().then(async
 * (release) => { ... })`), from its first statement: a path that leaves it held.
 */
export function findLeakInCallback(ctx: LockContext, op: AcquireOp, binding: Binding, fn: ts.FunctionLikeDeclaration): Leak | undefined {
  if (!fn.body) return undefined;
  const flow: Flow = { ctx, op, binding, loops: 0, caught: 0, depth: 0 };
  return oneOutcomeLeak(flow, bodyLeak(flow, fn.body));
}

/** Leaving with the lock held after a `.then(release)`: the real cause is the missing rejection path. */
function oneOutcomeLeak(flow: Flow, leak: Leak | undefined): Leak | undefined {
  if (leak && flow.oneOutcome && (leak.reason === 'await' || leak.reason === 'end')) return { reason: 'then', node: flow.oneOutcome, via: flow.oneOutcome };
  return leak;
}

/** A function body run from its start with the lock held: the leak, or the end reached held. */
function bodyLeak(flow: Flow, body: ts.ConciseBody): Leak | undefined {
  const r = ts.isBlock(body) ? runList(flow, body.statements, new Set(['held'])) : scanSimple(flow, body, new Set(['held']));
  if ('leak' in r) return r.leak;
  return r.states.has('held') ? { reason: 'end', node: ts.isBlock(body) ? lastNode(body) : body } : undefined;
}

function findLeakFrom(flow: Flow, statement: ts.Statement): Leak | undefined {
  let current: ts.Node = statement;
  let states = new Set<State>(['held']);
  for (let level = 0; level < MAX_DEPTH; level++) {
    const list = current.parent;
    const stmts = statementsOf(list);
    if (!stmts) return undefined;
    const result = runList(flow, stmts.slice(stmts.indexOf(current as ts.Statement) + 1), states);
    if ('leak' in result) return result.leak;
    states = result.states;
    if (!states.has('held')) return undefined;
    // Climb to the statement around this list and continue after it.
    if (ts.isSourceFile(list) || ts.isModuleBlock(list)) return undefined;
    if (isFunctionLike(list.parent)) return { reason: 'end', node: lastNode(list) };
    let up: ts.Node = ts.isCaseClause(list) || ts.isDefaultClause(list) ? list.parent.parent : list;
    while (up.parent && !statementsOf(up.parent)) {
      const p: ts.Node = up.parent;
      if (ts.isIterationStatement(p, false)) return { reason: 'loop', node: p };
      if (isFunctionLike(p)) return { reason: 'end', node: lastNode(list) };
      if (ts.isCatchClause(p)) up = p.parent;
      else if (ts.isIfStatement(p) || ts.isLabeledStatement(p) || ts.isTryStatement(p)) up = p;
      else return undefined;
    }
    current = up;
  }
  return undefined;
}

/** Is the acquisition inside a `try` block whose `finally` releases? */
function protectedByFinally(ctx: LockContext, op: AcquireOp, binding: Binding, statement: ts.Node): boolean {
  for (let n: ts.Node = statement; n.parent && !isFunctionLike(n); n = n.parent) {
    const p = n.parent;
    if (ts.isTryStatement(p) && p.tryBlock === n && p.finallyBlock && containsRelease(ctx, op, binding, p.finallyBlock)) return true;
  }
  return false;
}

function statementsOf(node: ts.Node | undefined): readonly ts.Statement[] | undefined {
  if (!node) return undefined;
  if (ts.isBlock(node) || ts.isSourceFile(node) || ts.isModuleBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) return node.statements;
  return undefined;
}

function lastNode(list: ts.Node): ts.Node {
  const stmts = statementsOf(list);
  return stmts && stmts.length > 0 ? stmts[stmts.length - 1]! : list;
}

function runList(flow: Flow, stmts: readonly ts.Statement[], entry: Set<State>): Result {
  let states = entry;
  for (const s of stmts) {
    if (!states.has('held')) break;
    const r = runStatement(flow, s, states);
    if ('leak' in r) return r;
    states = r.states;
  }
  return { states };
}

const union = (...sets: Set<State>[]) => new Set<State>(sets.flatMap((s) => [...s]));

function runStatement(flow: Flow, s: ts.Statement, states: Set<State>): Result {
  if (flow.depth++ > MAX_DEPTH * 4) return { states: new Set(['released']) };
  try {
    return runStatementInner(flow, s, states);
  } finally {
    flow.depth--;
  }
}

function runStatementInner(flow: Flow, s: ts.Statement, states: Set<State>): Result {
  if (ts.isBlock(s)) return runList(flow, s.statements, states);
  if (ts.isIfStatement(s)) {
    const cond = scanExpression(flow, s.expression);
    if (cond) return cond;
    const a = runStatement(flow, s.thenStatement, states);
    if ('leak' in a) return a;
    const b = s.elseStatement ? runStatement(flow, s.elseStatement, states) : { states };
    if ('leak' in b) return b;
    return { states: union(a.states, b.states) };
  }
  if (ts.isTryStatement(s)) return runTry(flow, s, states);
  if (ts.isReturnStatement(s)) {
    if (s.expression && containsRelease(flow.ctx, flow.op, flow.binding, s.expression)) return { states: new Set(['released']) };
    // `return work().finally(release)`: the returned chain releases on both outcomes.
    if (s.expression && (handsOffWithin(flow, s.expression) || settlesWithin(flow, s.expression))) return { states: new Set(['released']) };
    return { leak: { reason: 'return', node: s } };
  }
  if (ts.isThrowStatement(s)) return flow.caught > 0 ? { states: new Set() } : { leak: { reason: 'throw', node: s } };
  if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) {
    return flow.loops > 0 && !s.label ? { states: new Set() } : { leak: { reason: 'break', node: s } };
  }
  if (ts.isIterationStatement(s, false)) {
    flow.loops++;
    try {
      const head = scanLoopHead(flow, s);
      if (head) return head;
      const body = runStatement(flow, s.statement, states);
      if ('leak' in body) return body;
      return { states: union(states, body.states) };
    } finally {
      flow.loops--;
    }
  }
  if (ts.isSwitchStatement(s)) return runSwitch(flow, s, states);
  if (ts.isLabeledStatement(s)) return runStatement(flow, s.statement, states);
  if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) return { states };
  return scanSimple(flow, s, states);
}

function runTry(flow: Flow, s: ts.TryStatement, states: Set<State>): Result {
  if (s.finallyBlock && containsRelease(flow.ctx, flow.op, flow.binding, s.finallyBlock)) return { states: new Set(['released']) };
  // With a catch clause, an await or throw in the try block goes to the catch, which runs held.
  const inner = s.catchClause ? runCaught(flow, s.tryBlock, states) : runList(flow, s.tryBlock.statements, states);
  if ('leak' in inner) return inner;
  let after = inner.states;
  if (s.catchClause) {
    const caught = runList(flow, s.catchClause.block.statements, union(states, inner.states));
    if ('leak' in caught) return caught;
    after = union(after, caught.states);
  }
  return s.finallyBlock ? runList(flow, s.finallyBlock.statements, after) : { states: after };
}

/** A try block with a catch: awaits and throws go to the catch (analysed separately); returns still leave. */
function runCaught(flow: Flow, block: ts.Block, states: Set<State>): Result {
  flow.caught++;
  try {
    return runList(flow, block.statements, states);
  } finally {
    flow.caught--;
  }
}

function runSwitch(flow: Flow, s: ts.SwitchStatement, states: Set<State>): Result {
  const head = scanExpression(flow, s.expression);
  if (head) return head;
  let out = s.caseBlock.clauses.some((c) => ts.isDefaultClause(c)) ? new Set<State>() : new Set(states);
  flow.loops++; // `break` ends a clause
  try {
    for (const clause of s.caseBlock.clauses) {
      const r = runList(flow, clause.statements, states);
      if ('leak' in r) return r;
      out = union(out, r.states, r.states.size === 0 ? new Set<State>(states) : new Set<State>());
    }
  } finally {
    flow.loops--;
  }
  return { states: out };
}

function scanLoopHead(flow: Flow, s: ts.IterationStatement): Result | undefined {
  if (ts.isForOfStatement(s) && s.awaitModifier) return { leak: { reason: 'await', node: s } };
  for (const part of [
    (s as ts.ForStatement).initializer,
    (s as ts.ForStatement).condition,
    (s as ts.ForStatement).incrementor,
    (s as ts.WhileStatement).expression,
  ]) {
    if (part) {
      const r = scanExpression(flow, part);
      if (r) return r;
    }
  }
  return undefined;
}

/** An await in an expression while held leaks (it can throw); a release in it releases. */
function scanExpression(flow: Flow, node: ts.Node): Result | undefined {
  const r = scanSimple(flow, node, new Set(['held']));
  return 'leak' in r ? r : undefined;
}

/** A simple statement: the first release or risky node, in source order. */
function scanSimple(flow: Flow, node: ts.Node, states: Set<State>): Result {
  let result: Result | undefined;
  walk(node, (n) => {
    if (result) return false;
    if (n !== node && isFunctionLike(n)) {
      // `defer(() => mutex.release())`, `stream.once('end', () => release())`: the release is
      // handed to whoever runs the callback (a cleanup list, an event), as when `release` is passed.
      if (releasesWhenHandedOff(flow, n)) {
        const skip = callbackSkip(flow, n, (f, body) => bodyLeak(f, body));
        result = skip
          ? { leak: { reason: 'callback', node: skip, via: n } }
          : { states: isConditionalWithin(n, node) ? union(states, new Set(['released'])) : new Set(['released']) };
      } else if (promiseOutcomes(flow, n) === 'both') {
        result = { states: isConditionalWithin(n, node) ? union(states, new Set(['released'])) : new Set(['released']) };
      }
      return false;
    }
    // `work().finally(release)`, `.then(release, release)`: the release function itself handed to the promise.
    if (isReleaseReference(flow, n) && promiseOutcomes(flow, n) === 'both') {
      result = { states: isConditionalWithin(n, node) ? union(states, new Set(['released'])) : new Set(['released']) };
      return false;
    }
    if (isRelease(flow, n)) {
      result = { states: isConditionalWithin(n, node) ? union(states, new Set(['released'])) : new Set(['released']) };
      return false;
    }
    if (ts.isYieldExpression(n)) {
      result = { leak: { reason: 'yield', node: n } };
      return false;
    }
    // `await work().finally(() => mutex.release())`: released whether the awaited call fails or not.
    if (ts.isAwaitExpression(n) && (handsOffWithin(flow, n.expression) || settlesWithin(flow, n.expression))) {
      result = { states: isConditionalWithin(n, node) ? union(states, new Set(['released'])) : new Set(['released']) };
      return false;
    }
    if (ts.isAwaitExpression(n) && flow.caught === 0) {
      result = { leak: { reason: 'await', node: n } };
      return false;
    }
    return true;
  });
  return result ?? { states };
}

/** Does the expression hand a releasing callback to a call that takes charge of it? */
function handsOffWithin(flow: Flow, expr: ts.Node): boolean {
  let found = false;
  walk(expr, (n) => {
    if (found) return false;
    if (!isFunctionLike(n)) return true;
    found = releasesWhenHandedOff(flow, n);
    return false;
  });
  return found;
}

/** A callback that releases, given to a call that takes charge of running it. */
function releasesWhenHandedOff(flow: Flow, fn: ts.FunctionLikeDeclaration): boolean {
  return !!fn.body && handsOff(fn) && containsRelease(flow.ctx, flow.op, flow.binding, fn.body);
}

/**
 * Is the function an argument that another call takes charge of? Not for `.then(cb)` and
 * `.catch(cb)`: only one outcome of the promise runs `cb`, so the other leaks the lock
 * (`.finally(cb)` runs on both).
 */
function handsOff(fn: ts.Node): boolean {
  let arg = fn;
  while (ts.isParenthesizedExpression(arg.parent)) arg = arg.parent;
  const call = arg.parent;
  if (!(ts.isCallExpression(call) || ts.isNewExpression(call)) || !call.arguments?.includes(arg as ts.Expression)) return false;
  const callee = call.expression;
  return !(ts.isPropertyAccessExpression(callee) && (callee.name.text === 'then' || callee.name.text === 'catch'));
}

function isConditionalWithin(n: ts.Node, root: ts.Node): boolean {
  for (let c = n; c !== root && c.parent; c = c.parent) {
    const p = c.parent;
    if (ts.isConditionalExpression(p) && p.condition !== c) return true;
    if (ts.isBinaryExpression(p) && p.right === c && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(p.operatorToken.kind)) return true;
    if (ts.isCallExpression(p) && p.questionDotToken) return false;
  }
  return false;
}
