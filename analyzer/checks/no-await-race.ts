/**
 * no-await-race: check-then-act and read-modify-write of shared state across an `await`.
 *
 * Every `await` lets other calls run. A write to shared state that depends on a read (or a
 * check) made before an `await` of the same function can overwrite their updates or act on a
 * stale condition. Reported only when the read, the suspension and the write are all in the
 * same async function, on one path, with no lock held across them and no re-check after the
 * suspension.
 */
import ts from '../typescript.cjs';
import type { Check, CheckContext, TraceInput } from './types.js';
import { isFunctionLike, type FunctionLike } from '../callgraph.js';
import { walk } from '../walk.js';
import { collectEvents, dependenciesOf, within, type Access, type FunctionEvents, type Write } from '../race/events.js';
import { related } from '../race/places.js';
import { locksHeldAt } from '../locks/held.js';
import { protectsShared, wholeUnderLock } from '../race/lock-scope.js';
import { isSingleFlight } from '../race/single-flight.js';

export interface Options {
  /** Also report check-then-act on collections (`if (!cache.has(k)) { await ...; cache.set(k, v) }`). */
  checkCollections: boolean;
  /** Also report writes after a precondition that throws (`if (!this.active) throw ...; await ...; this.active = false`). */
  checkThrowGuards: boolean;
}

const check: Check<Options> = {
  meta: {
    id: 'no-await-race',
    description: 'Shared state is checked or read before an `await` and written after it, so concurrent calls overwrite each other.',
    // In configs.strict only until it meets the field study's bar (90% true; measured 21.7%, see its docs page).
    recommended: 'off',
    messages: {
      lostUpdate:
        '`{{place}}` is read before an `await` and written here after it: {{others}} can change it while this one is suspended, and this write overwrites that change (a lost update). Re-read it after the `await`, compute the new value synchronously, or hold a lock across the read and the write.',
      staleCheck:
        'This write relies on a check of `{{place}}` made before an `await`: {{others}} can run at the `await` and change it, so the check may no longer hold. Check again after the `await`, act before awaiting, or hold a lock across the check and the write.',
      lazyInit:
        'Lazy initialisation across an `await`: concurrent callers all see `{{place}}` unset, all start initialising, and the last one wins (two connections, two loads). Cache the promise synchronously (`{{place}} ??= create()`, then await it) or hold a lock.',
      onceFlag:
        '`{{place}}` is checked before an `await` and set only after it: concurrent calls all pass the check while the first one is suspended, so the work it guards runs more than once (a double close, a double send). Set `{{place}}` before the `await` (and reset it if the work fails), or hold a lock across the check and the set.',
    },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        checkCollections: { type: 'boolean', description: 'Report has/get-then-set on Maps, Sets and arrays.' },
        checkThrowGuards: { type: 'boolean', description: 'Report state changes after a precondition that throws.' },
      },
    },
    defaultOptions: { checkCollections: true, checkThrowGuards: false },
    strictOptions: { checkThrowGuards: true },
  },
  run(ctx) {
    walk(ctx.sourceFile, (node) => {
      if (isFunctionLike(node) && node.body && isAsync(node)) checkFunction(ctx, node);
    });
  },
};

export default check;

function isAsync(fn: FunctionLike): boolean {
  return (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
}

interface Race {
  messageId: 'lostUpdate' | 'staleCheck' | 'lazyInit' | 'onceFlag';
  write: Write;
  cause: Access;
  suspension: ts.Node;
}

function checkFunction(ctx: CheckContext<Options>, fn: FunctionLike): void {
  if (isDataObjectMethod(fn)) return;
  const ev = collectEvents(ctx.door, fn);
  if (ev.suspensions.length === 0 || ev.writes.length === 0) return;
  // Started only where its promise is published after a check that none is running: one run at a time.
  if (isSingleFlight(ctx.door, fn)) return;
  const singleFlight = singleFlightPoint(ev);
  // One finding per place and function: the first racy write (a state machine writing
  // `this.phase` on four paths after one stale check is one problem).
  const reported = new Set<string>();
  for (const write of ev.writes) {
    if (reported.has(write.place.key) || (singleFlight !== undefined && write.expr.pos >= singleFlight)) continue;
    const race = lostUpdate(ev, write) ?? staleCheck(ctx, ev, write);
    if (!race || heldAcross(ctx, race) || sharedTooLate(race)) continue;
    reported.add(write.place.key);
    report(ctx, race);
  }
}

/**
 * Where the function becomes single-flight: an early exit on shared state `q` followed by a write
 * to `q` before the function first suspends (`if (this.pending) return this.pending; this.pending
 * = run();`, `if (this.busy) return; this.busy = true;`). Test and set happen in one synchronous
 * step, so no other run of this function gets past that point while this one is inside.
 */
function singleFlightPoint(ev: FunctionEvents): number | undefined {
  const firstSuspension = Math.min(...ev.suspensions.map((s) => s.getStart()));
  for (const condition of ev.conditions) {
    const owner = condition.parent;
    if (condition.getStart() > firstSuspension || !ts.isIfStatement(owner) || owner.expression !== condition || owner.elseStatement) continue;
    if (!exitOf(owner.thenStatement)) continue;
    const tested = ev.reads.filter((r) => within(r.node, condition));
    const claim = ev.writes.find(
      (w) => w.expr.pos >= owner.end && w.expr.end <= firstSuspension && follows(owner, w.expr) && tested.some((r) => related(r.place, w.place)),
    );
    if (claim) return claim.expr.end;
  }
  return undefined;
}

/** Methods of ORM entity classes (`@Entity()`, `@Table`, `@Schema`): each instance is one row owned
 * by the code that loaded it, and lifecycle hooks (`@BeforeInsert`) run one at a time. */
function isDataObjectMethod(fn: FunctionLike): boolean {
  for (let n: ts.Node | undefined = fn.parent; n; n = n.parent) {
    if (ts.isClassLike(n)) {
      return (ts.getDecorators(n as ts.ClassDeclaration) ?? []).some((d) => {
        const e = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
        return ts.isIdentifier(e) && ['Entity', 'Table', 'Schema', 'ViewEntity'].includes(e.text);
      });
    }
  }
  return false;
}

/** The first suspension after `from` that completes before `to` does, on the same path. */
function suspensionBetween(ev: FunctionEvents, from: ts.Node, to: ts.Node, toEnd: number): ts.Node | undefined {
  return ev.suspensions.find(
    (s) => from.getStart() < s.end && s.end <= toEnd && !exclusive(s, to) && !exclusive(s, from) && !leavesBefore(s, to),
  );
}

/** Is the suspension in a branch that always leaves the function (or loop) without reaching
 * `target`? `if (this.p) { return await this.p; } this.p = open();` never awaits before the write. */
function leavesBefore(suspension: ts.Node, target: ts.Node): boolean {
  for (let n: ts.Node = suspension; n.parent && !within(target, n.parent); n = n.parent) {
    const parent = n.parent;
    if (ts.isIfStatement(parent) && (parent.thenStatement === n || parent.elseStatement === n) && exitOf(n as ts.Statement)) return true;
    if (ts.isReturnStatement(parent) || ts.isThrowStatement(parent)) return true;
  }
  return false;
}

/** Write of a value computed from a read made before a suspension (directly or via a local). */
function lostUpdate(ev: FunctionEvents, write: Write): Race | undefined {
  if (write.kind !== 'assign' && write.kind !== 'compound') return undefined;
  if (isRestore(ev, write)) return undefined;
  // A read of the written state, of something inside it, or of an object that holds it
  // (but not a mere method call on such an object).
  const causes: Access[] = dependenciesOf(ev, write.value!).filter(
    (r) => related(r.place, write.place) && (r.place.key.length >= write.place.key.length || !r.receiver),
  );
  // `x += await y` reads `x` first.
  if (write.kind === 'compound') causes.unshift({ place: write.place, node: write.node });
  const operator = ts.isBinaryExpression(write.expr) ? write.expr.operatorToken.kind : undefined;
  const initialises = operator === ts.SyntaxKind.QuestionQuestionEqualsToken || operator === ts.SyntaxKind.BarBarEqualsToken;
  for (const cause of causes) {
    const suspension = suspensionBetween(ev, cause.node, write.expr, write.expr.end);
    if (suspension && !refreshedBetween(ev, suspension, write)) return { messageId: initialises ? 'lazyInit' : 'lostUpdate', write, cause, suspension };
  }
  return undefined;
}

/** `const saved = x; ...; x = saved`: putting back a saved value (a mock restored in a test,
 * a setting reset) is deliberate, not an update computed from stale state. */
function isRestore(ev: FunctionEvents, write: Write): boolean {
  let value = write.value!;
  while (ts.isParenthesizedExpression(value)) value = value.expression;
  if (write.kind !== 'assign' || !ts.isIdentifier(value)) return false;
  const symbol = [...ev.localUses].find(([id]) => id === value)?.[1];
  const defs = symbol ? ev.defs.get(symbol) ?? [] : [];
  const def = defs.filter((d) => d.node.end <= value.pos).pop();
  if (!def || !ts.isVariableDeclaration(def.node) || !def.node.initializer) return false;
  let init = def.node.initializer;
  while (ts.isParenthesizedExpression(init)) init = init.expression;
  return def.reads.length === 1 && def.reads[0]!.node === init && def.reads[0]!.place.key === write.place.key;
}

/** Was the place read again in a condition between the suspension and the write (a re-check)? */
function refreshedBetween(ev: FunctionEvents, suspension: ts.Node, write: Write): boolean {
  return ev.conditions.some(
    (c) => c.pos >= suspension.end && c.end <= write.expr.getStart() && ev.reads.some((r) => within(r.node, c) && related(r.place, write.place)),
  );
}

/** A write that relies on an earlier check of the same state, with a suspension in between. */
function staleCheck(ctx: CheckContext<Options>, ev: FunctionEvents, write: Write): Race | undefined {
  if (write.kind === 'mutate' && !ctx.options.checkCollections) return undefined;
  for (const condition of ev.conditions) {
    if (condition.end > write.expr.getStart()) break;
    const cause = ev.reads.find((r) => within(r.node, condition) && related(r.place, write.place));
    const guard = cause && guards(condition, write.expr);
    if (!guard || (guard === 'throws' && !ctx.options.checkThrowGuards)) continue;
    const suspension = suspensionBetween(ev, condition, write.expr, write.expr.end);
    if (!suspension) continue;
    // Claimed before the suspension: a write to the same state between the check and the await,
    // or in the check itself, makes check and act atomic (`if (this.busy) return; this.busy = true;
    // await ...`, `if (!this.dirty.delete(k)) return; await ...`).
    const claimed = ev.writes.some(
      (w) => w !== write && related(w.place, write.place) && (w.expr.pos >= condition.end || within(w.expr, condition)) && w.expr.end <= suspension.getStart(),
    );
    if (claimed || refreshedBetween(ev, suspension, write)) continue;
    const messageId = !isLazyInit(condition, write, guard) ? 'staleCheck' : setsFlag(write) ? 'onceFlag' : 'lazyInit';
    return { messageId, write, cause, suspension };
  }
  return undefined;
}

/** How the condition decides whether `target` runs: `target` is in the `if`'s then-branch or
 * else-branch, or the `if` exits early (by return, or by throwing) and `target` follows it. */
type Guard = 'then' | 'else' | 'returns' | 'throws' | false;

function guards(condition: ts.Expression, target: ts.Node): Guard {
  const owner = condition.parent;
  if (ts.isIfStatement(owner) && owner.expression === condition) {
    if (within(target, owner.thenStatement)) return 'then';
    if (owner.elseStatement && within(target, owner.elseStatement)) return 'else';
    const exit = owner.elseStatement ? undefined : exitOf(owner.thenStatement);
    return exit && follows(owner, target) ? exit : false;
  }
  if (ts.isConditionalExpression(owner) && owner.condition === condition) {
    return within(target, owner.whenTrue) ? 'then' : within(target, owner.whenFalse) ? 'else' : false;
  }
  if (ts.isBinaryExpression(owner) && owner.left === condition) return within(target, owner.right) ? 'then' : false;
  return false;
}

/** Does the statement always leave the block: by throwing (a precondition), or otherwise? */
function exitOf(statement: ts.Statement): 'returns' | 'throws' | undefined {
  if (ts.isThrowStatement(statement)) return 'throws';
  if (ts.isReturnStatement(statement) || ts.isContinueStatement(statement) || ts.isBreakStatement(statement)) return 'returns';
  if (ts.isBlock(statement)) {
    const last = statement.statements[statement.statements.length - 1];
    return last ? exitOf(last) : undefined;
  }
  return undefined;
}

/** Is `target` inside a statement that comes after `statement` in the same block? */
function follows(statement: ts.Statement, target: ts.Node): boolean {
  const block = statement.parent;
  if (!ts.isBlock(block) && !ts.isSourceFile(block)) return false;
  const index = block.statements.indexOf(statement);
  return block.statements.slice(index + 1).some((s) => within(target, s));
}

/** The path to the write runs when the state is unset, and the write sets it: `if (!x) { x = ... }`,
 * `if (x == null)`, `if (!m.has(k)) { m.set(k, ...) }`, or `if (x) return x; ...; x = ...`. */
function isLazyInit(condition: ts.Expression, write: Write, guard: Guard): boolean {
  let c = condition;
  while (ts.isParenthesizedExpression(c)) c = c.expression;
  const testsUnset =
    (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken) ||
    (ts.isBinaryExpression(c) &&
      [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken].includes(c.operatorToken.kind) &&
      (c.right.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(c.right) && c.right.text === 'undefined')));
  const runsWhenUnset = testsUnset ? guard === 'then' : guard === 'returns' || guard === 'else';
  const sets = write.kind === 'assign' || (write.kind === 'mutate' && ts.isCallExpression(write.expr) && /\.(set|add)$/.test(write.expr.expression.getText()));
  return runsWhenUnset && sets;
}

/** `this.closed = true`, `state = 'sent'`: a constant marks the work as done (not a value the work produced). */
function setsFlag(write: Write): boolean {
  if (write.kind !== 'assign' || !write.value) return false;
  let v = write.value;
  while (ts.isParenthesizedExpression(v)) v = v.expression;
  return v.kind === ts.SyntaxKind.TrueKeyword || v.kind === ts.SyntaxKind.FalseKeyword || ts.isNumericLiteral(v) || ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v);
}

/** Are the two nodes in different branches of one `if` or `?:` (never both on one run)? */
function exclusive(a: ts.Node, b: ts.Node): boolean {
  for (let n: ts.Node | undefined = a.parent; n; n = n.parent) {
    if (!within(b, n)) continue;
    if (ts.isIfStatement(n) && n.elseStatement) {
      const aThen = within(a, n.thenStatement);
      const bThen = within(b, n.thenStatement);
      const aElse = within(a, n.elseStatement);
      const bElse = within(b, n.elseStatement);
      return (aThen && bElse) || (aElse && bThen);
    }
    if (ts.isConditionalExpression(n)) {
      return (within(a, n.whenTrue) && within(b, n.whenFalse)) || (within(a, n.whenFalse) && within(b, n.whenTrue));
    }
    return false;
  }
  return false;
}

/** A local object stored where other calls reach it only after the suspension: nobody could change it meanwhile. */
function sharedTooLate(race: Race): boolean {
  const at = race.write.place.escapedAt;
  return !!at && at.getStart() >= race.suspension.getStart();
}

/** Is one lock held across the cause, the suspension and the write? */
function heldAcross(ctx: CheckContext<Options>, race: Race): boolean {
  if (wholeUnderLock(ctx.program, race.write.expr)) return true;
  const ids = (node: ts.Node) => new Set(locksHeldAt(ctx.program, node).filter(protectsShared).map((h) => h.lock.id));
  const atWrite = ids(race.write.expr);
  if (atWrite.size === 0) return false;
  const atCause = ids(race.cause.node);
  return [...atWrite].some((id) => atCause.has(id));
}

function report(ctx: CheckContext<Options>, race: Race): void {
  const place = race.write.node.getText(ctx.sourceFile);
  const trace: TraceInput[] = [
    { node: race.cause.node, message: race.messageId === 'lostUpdate' ? `\`${race.cause.node.getText(ctx.sourceFile)}\` is read here` : `\`${race.cause.node.getText(ctx.sourceFile)}\` is checked here` },
    { node: race.suspension, message: race.write.place.key.startsWith('captured:') ? 'other runs of the callback can run here' : 'other calls can run here' },
  ];
  ctx.report({ node: race.write.expr, messageId: race.messageId, data: { place, others: race.write.place.others }, trace });
}
