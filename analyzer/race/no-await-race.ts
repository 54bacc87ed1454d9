/**
 * no-await-race: check-then-act and read-modify-write of shared state across an `await`.
 *
 * Every `await` lets other calls run. A write to shared state that depends on a read (or a
 * check) made before an `await` of the same function can overwrite their updates or act on a
 * stale condition. Reported only when the read, the suspension and the write are all in the
 * same async function, on one path, with no lock held across them and no re-check after the
 * suspension.
 */
import ts from '../ts/typescript.cjs';
import type { Check, CheckContext, TraceInput } from '../check/contract.js';
import { codeText, quoteCode } from '../check/quote.js';
import type { TypeQueries } from '../program/type-queries.js';
import { type FunctionLike } from '../program/callgraph.js';
import { isAsyncFunction } from '../program/async-context.js';
import { collectEvents, consumes, dependenciesOf, within, type Access, type FunctionEvents, type Write } from './events.js';
import { related, type Place } from './places.js';
import { locksHeldAt } from '../locks/held.js';
import { protectsShared, wholeUnderLock } from './lock-scope.js';
import { isSingleFlight } from './single-flight.js';
import { exclusive, exitOf, follows, guards, leavesBefore, type Guard } from './guards.js';
import { helperReadsIn, helperWritesOf } from './helpers.js';
import { entryKeyOf, isFreshKey, methodOnReceiver, sameKey } from './entries.js';
import { fileIndex } from '../program/file-index.js';
import { isConstant, storesLoadedModule } from './module-loads.js';

export interface Options {
  /** Also report check-then-act on collections (`if (!cache.has(k)) { await ...; cache.set(k, v) }`). */
  checkCollections: boolean;
  /** Also report writes after a precondition that throws (`if (!this.active) throw ...; await ...; this.active = false`);
   * a write that consumes what the guard checked (`this.open++`) is reported either way. */
  checkThrowGuards: boolean;
}

const messages = {
  lostUpdate:
    '`{{place}}` is read before an `await` and written here after it: {{others}} can change it while this one is suspended, and this write overwrites that change (a lost update). Re-read it after the `await`, compute the new value synchronously, or hold a lock across the read and the write.',
  staleCheck:
    'This write relies on a check of `{{place}}` made before an `await`: {{others}} can run at the `await` and change it, so the check may no longer hold. Check again after the `await`, act before awaiting, or hold a lock across the check and the write.',
  lazyInit:
    'Lazy initialisation across an `await`: concurrent callers all see `{{place}}` unset, all start initialising, and the last one wins (two connections, two loads). Cache the promise synchronously (`{{place}} ??= create()`, then await it) or hold a lock.',
  lazyInitEntry:
    'Lazy initialisation of an entry across an `await`: concurrent callers with the same key all find it missing in `{{place}}`, all start loading it, and the last one wins (two loads of one key). Keep the pending promise in the map, set in the same step as the check (a map of promises: `{{place}}.set(key, promise)` before the `await`, then await it; delete the entry if it fails), or hold a lock per key.',
  claimAfterAwait:
    'The key is checked in `{{place}}` before an `await` and added only after it: concurrent calls with the same key all pass the check while the first one is suspended, so the work for that key runs more than once. Claim the key before the `await` (add it there, or to a set of keys in progress, and remove it if the work fails), or hold a lock per key.',
  onceFlag:
    '`{{place}}` is checked before an `await` and set only after it: concurrent calls all pass the check while the first one is suspended, so the work it guards runs more than once (a double close, a double send). Set `{{place}}` before the `await` (and reset it if the work fails), or hold a lock across the check and the set.',
};

/** The ids of the messages above: what `ctx.report` and the helpers that build reports may use. */
export type MessageId = keyof typeof messages;

const check: Check<Options, MessageId> = {
  meta: {
    id: 'no-await-race',
    description: 'Shared state is checked or read before an `await` and written after it, so concurrent calls overwrite each other.',
    // In configs.strict only until it meets the field study's bar (90% true; measured 25.0%, see its docs page).
    recommended: 'off',
    messages,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        checkCollections: { type: 'boolean', description: 'Report has/get-then-set on Maps, Sets and arrays.' },
        checkThrowGuards: { type: 'boolean', description: 'Report state changes after a precondition that throws (a write that consumes what the guard checked is reported either way).' },
      },
    },
    defaultOptions: { checkCollections: true, checkThrowGuards: false },
    strictOptions: { checkThrowGuards: true },
  },
  run(ctx) {
    for (const node of fileIndex(ctx.sourceFile).functions) {
      if (node.body && isAsyncFunction(node)) checkFunction(ctx, node);
    }
  },
};

export default check;

interface Race {
  messageId: MessageId;
  write: Write;
  cause: Cause;
  suspension: ts.Node;
  /** For a check: how it governs the write (an early exit names the guard in the trace). */
  guard?: Guard;
  condition?: ts.Expression;
}

/** A read, possibly made inside a helper the check calls (`via` names it). */
type Cause = Access & { via?: string; position?: boolean };

/** What one function's checks read, directly or through helpers; each condition resolved once. */
interface Scope {
  ctx: CheckContext<Options, MessageId>;
  ev: FunctionEvents;
  tested: Map<ts.Expression, Cause[]>;
}

function conditionReads(scope: Scope, condition: ts.Expression): Cause[] {
  let reads = scope.tested.get(condition);
  if (!reads) {
    reads = [...scope.ev.reads.filter((r) => within(r.node, condition)), ...helperReadsIn(scope.ctx.types, condition)];
    scope.tested.set(condition, reads);
  }
  return reads;
}

function checkFunction(ctx: CheckContext<Options, MessageId>, fn: FunctionLike): void {
  if (isDataObjectMethod(fn)) return;
  const ev = collectEvents(ctx.types, fn);
  if (ev.suspensions.length === 0) return;
  // Writes made by the synchronous helpers it calls (`this.reserve(n)`), at the call.
  const viaHelpers = helperWritesOf(ctx.types, ev);
  if (viaHelpers.length > 0) ev.writes = [...ev.writes, ...viaHelpers].sort((x, y) => x.expr.pos - y.expr.pos);
  if (ev.writes.length === 0) return;
  // Started only where its promise is published after a check that none is running: one run at a time.
  if (isSingleFlight(ctx.types, fn)) return;
  const scope: Scope = { ctx, ev, tested: new Map() };
  const singleFlight = singleFlightPoint(scope);
  // One finding per place and function: the first racy write (a state machine writing
  // `this.phase` on four paths after one stale check is one problem).
  const reported = new Set<string>();
  for (const write of ev.writes) {
    if (reported.has(write.place.key) || (singleFlight !== undefined && write.expr.pos >= singleFlight)) continue;
    const race = lostUpdate(scope, write) ?? staleCheck(scope, write);
    if (!race || heldAcross(ctx, race) || sharedTooLate(race) || loadsSameModule(ctx.types, ev, race)) continue;
    reported.add(write.place.key);
    report(ctx, race);
  }
}

/**
 * Where the function becomes single-flight: an early exit on shared state `q` followed by a write
 * to `q` before the function first suspends on the way there (`if (this.pending) return
 * this.pending; this.pending = run();`, `if (this.busy) return; this.busy = true;`). Test and set
 * happen in one synchronous step, so no other run of this function gets past that point while
 * this one is inside. An `await` on a path that leaves before the write (`if (this.pending)
 * return await this.pending;`) is not a suspension on the way.
 */
function singleFlightPoint(scope: Scope): number | undefined {
  const ev = scope.ev;
  for (const condition of ev.conditions) {
    const owner = condition.parent;
    if (!ts.isIfStatement(owner) || owner.expression !== condition || owner.elseStatement) continue;
    if (!exitOf(owner.thenStatement)) continue;
    const tested = conditionReads(scope, condition);
    const claim = ev.writes.find(
      (w) => w.expr.pos >= owner.end && follows(owner, w.expr) && tested.some((r) => related(r.place, w.place)) && !suspendsBefore(ev, w.expr),
    );
    if (claim) return claim.expr.end;
  }
  return undefined;
}

/** Does the function suspend before `target` on a path that reaches it? */
function suspendsBefore(ev: FunctionEvents, target: ts.Node): boolean {
  return ev.suspensions.some((s) => s.end <= target.getStart() && !exclusive(s, target) && !leavesBefore(s, target));
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

/** The suspensions after `from` that complete before `to` does, on the same path. */
function suspensionsBetween(ev: FunctionEvents, from: ts.Node, to: ts.Node, toEnd: number): ts.Node[] {
  return ev.suspensions.filter(
    (s) => from.getStart() < s.end && s.end <= toEnd && !exclusive(s, to) && !exclusive(s, from) && !leavesBefore(s, to),
  );
}

function suspensionBetween(ev: FunctionEvents, from: ts.Node, to: ts.Node, toEnd: number): ts.Node | undefined {
  return suspensionsBetween(ev, from, to, toEnd)[0];
}

/** Write of a value computed from a read made before a suspension (directly or via a local), or
 * at a position found before it (`const i = list.indexOf(x); await ...; list.splice(i, 1)`). */
function lostUpdate(scope: Scope, write: Write): Race | undefined {
  const ev = scope.ev;
  // A helper's write takes its value inside the helper: a check (below) can still make it stale.
  if (write.via) return undefined;
  const causes: Cause[] = [...valueCauses(scope, write), ...positionCauses(ev, write)];
  // `x += await y` reads `x` first.
  if (write.kind === 'compound') causes.unshift({ place: write.place, node: write.node });
  const operator = ts.isBinaryExpression(write.expr) ? write.expr.operatorToken.kind : undefined;
  const initialises = operator === ts.SyntaxKind.QuestionQuestionEqualsToken || operator === ts.SyntaxKind.BarBarEqualsToken;
  for (const cause of causes) {
    const suspension = suspensionBetween(ev, cause.node, write.expr, write.expr.end);
    if (suspension && !refreshedBetween(scope, suspension, write)) return { messageId: initialises ? 'lazyInit' : 'lostUpdate', write, cause, suspension };
  }
  return undefined;
}

/** Reads the written value is computed from: of the written state, of something inside it, or of
 * an object that holds it (but not a mere method call on such an object). An entry written with
 * `map.set(k, v)` depends on a read of the same entry (`map.get(k)`). */
function valueCauses(scope: Scope, write: Write): Cause[] {
  const ev = scope.ev;
  if (write.kind !== 'assign' && write.kind !== 'compound' && !(write.kind === 'mutate' && write.value)) return [];
  if (isRestore(ev, write)) return [];
  // An entry whose key this call made (a fresh id): no other call writes it.
  if (isFreshKey(scope.ctx.types, ev, writeKey(write))) return [];
  return dependenciesOf(ev, write.value!).filter((r) =>
    write.kind === 'mutate'
      ? related(r.place, write.place) && methodOnReceiver(r.node) === 'get' && sameKey(scope.ctx.types, entryKeyOf(r.node), writeKey(write))
      : related(r.place, write.place) && (r.place.key.length >= write.place.key.length || !r.receiver),
  );
}

/** Methods whose answer is a position in the array they are called on. */
const POSITION_METHODS = new Set(['indexOf', 'lastIndexOf', 'findIndex', 'findLastIndex']);

/** Reads of an array's positions (`indexOf`, `findIndex`, `length`) that place the write
 * (`list.splice(i, 1)`, `list[i] = v`): stale once another call inserts or removes. */
function positionCauses(ev: FunctionEvents, write: Write): Cause[] {
  const call = write.kind === 'mutate' && ts.isCallExpression(write.expr) ? write.expr : undefined;
  const args = call && ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'splice' ? call.arguments.slice(0, 1) : [];
  if (!call && ts.isElementAccessExpression(write.node)) args.push(write.node.argumentExpression);
  const array = call ? write.place : placeOfArray(ev, write);
  if (!array) return [];
  return args
    .flatMap((a) => dependenciesOf(ev, a))
    .filter((r) => related(r.place, array) && (POSITION_METHODS.has(methodOnReceiver(r.node) ?? '') || r.place.key === `${array.key}.length`))
    .map((r) => ({ ...r, node: methodOnReceiver(r.node) ? (r.node.parent.parent as ts.CallExpression) : r.node, position: true }));
}

/** The array an element write goes to (`this.jobs` for `this.jobs[i] = v`), as a place. */
function placeOfArray(ev: FunctionEvents, write: Write): Place | undefined {
  if (!ts.isElementAccessExpression(write.node)) return undefined;
  const target = write.node.expression;
  return ev.reads.find((r) => r.node === target)?.place ?? { ...write.place, key: write.place.key.slice(0, write.place.key.lastIndexOf('[')) };
}

/** The entry a write replaces: `k` in `map.set(k, v)`, `map.delete(k)` or `obj[k] = v`. */
function writeKey(write: Write): ts.Expression | undefined {
  if (write.kind === 'mutate') return entryKeyOf(write.expr);
  return ts.isElementAccessExpression(write.node) ? write.node.argumentExpression : undefined;
}

/** `const saved = x; ...; x = saved` (or `map.set(k, saved)` after `saved = map.get(k)`): putting
 * back a saved value (a mock restored in a test, a setting reset) is deliberate, not an update
 * computed from stale state. */
function isRestore(ev: FunctionEvents, write: Write): boolean {
  let value = write.value!;
  while (ts.isParenthesizedExpression(value)) value = value.expression;
  if ((write.kind !== 'assign' && write.kind !== 'mutate') || !ts.isIdentifier(value)) return false;
  const symbol = [...ev.localUses].find(([id]) => id === value)?.[1];
  const defs = symbol ? ev.defs.get(symbol) ?? [] : [];
  const def = defs.filter((d) => d.node.end <= value.pos).pop();
  if (!def || !ts.isVariableDeclaration(def.node) || !def.node.initializer) return false;
  let init = def.node.initializer;
  while (ts.isParenthesizedExpression(init)) init = init.expression;
  const read = def.reads.length === 1 ? def.reads[0]! : undefined;
  if (!read || read.place.key !== write.place.key) return false;
  if (write.kind === 'assign') return read.node === init;
  return ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression) && init.expression.expression === read.node && init.expression.name.text === 'get';
}

/** Was the place read again in a condition between the suspension and the write (a re-check)? */
function refreshedBetween(scope: Scope, suspension: ts.Node, write: Write): boolean {
  return scope.ev.conditions.some(
    (c) => c.pos >= suspension.end && c.end <= write.expr.getStart() && conditionReads(scope, c).some((r) => related(r.place, write.place)),
  );
}

/** A write that relies on an earlier check of the same state, with a suspension in between. */
function staleCheck(scope: Scope, write: Write): Race | undefined {
  const { ctx, ev } = scope;
  if (write.kind === 'mutate' && !ctx.options.checkCollections) return undefined;
  for (const condition of ev.conditions) {
    if (condition.end > write.expr.getStart()) break;
    const cause = conditionReads(scope, condition).find((r) => related(r.place, write.place) && !sameFreshEntry(scope, r, write));
    const guard = cause && guards(condition, write.expr);
    if (!guard) continue;
    // A precondition that throws asserts how the object is used; it is a check-then-act when the
    // write then consumes what it checked (a slot, a seat, stock, quota).
    if (guard === 'throws' && !ctx.options.checkThrowGuards && !consumes(ev, write)) continue;
    const suspension = suspensionBetween(ev, condition, write.expr, write.expr.end);
    if (!suspension) continue;
    // Claimed before the suspension: a write to the same state between the check and the await,
    // or in the check itself, makes check and act atomic (`if (this.busy) return; this.busy = true;
    // await ...`, `if (!this.dirty.delete(k)) return; await ...`).
    const claimed = ev.writes.some(
      (w) => w !== write && related(w.place, write.place) && (w.expr.pos >= condition.end || within(w.expr, condition)) && w.expr.end <= suspension.getStart(),
    );
    if (claimed || refreshedBetween(scope, suspension, write)) continue;
    const messageId = isLazyInit(condition, write, guard) ? lazyInitKind(ctx.types, write) : 'staleCheck';
    return { messageId, write, cause, suspension, guard, condition };
  }
  return undefined;
}

/** Is the checked entry the written one, under a key unique to this call? */
function sameFreshEntry(scope: Scope, cause: Cause, write: Write): boolean {
  const key = writeKey(write);
  return !cause.via && isFreshKey(scope.ctx.types, scope.ev, key) && sameKey(scope.ctx.types, entryKeyOf(cause.node), key);
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

/** A whole value set lazily; an entry per key (`map.set(k, v)`), where `??=` does not apply; or a key claimed (`set.add(k)`, a flag per key). */
function lazyInitKind(types: TypeQueries, write: Write): Race['messageId'] {
  const callee = write.kind === 'mutate' && ts.isCallExpression(write.expr) ? write.expr.expression : undefined;
  const method = callee && ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (method === 'add' || (method === 'set' && write.value && isConstant(types, write.value))) return 'claimAfterAwait';
  if (method === 'set') return 'lazyInitEntry';
  return setsFlag(types, write) ? 'onceFlag' : 'lazyInit';
}

/** `this.closed = true`, `state = 'sent'`: a constant marks the work as done (not a value the work produced). */
function setsFlag(types: TypeQueries, write: Write): boolean {
  // Through a helper called with constants only (`this.setStatus(Status.Connected)`, `this.markClosed()`).
  if (write.via && write.kind === 'assign' && ts.isCallExpression(write.expr)) return write.expr.arguments.every((a) => isConstant(types, a));
  return write.kind === 'assign' && !!write.value && isConstant(types, write.value);
}

/** Only module loads suspend between the cause and the write, which stores the module or a constant. */
function loadsSameModule(types: TypeQueries, ev: FunctionEvents, race: Race): boolean {
  const suspensions = suspensionsBetween(ev, race.cause.node, race.write.expr, race.write.expr.end);
  return storesLoadedModule(types, suspensions, race.cause.node, race.write.expr, race.write.value);
}

/** A local object stored where other calls reach it only after the suspension: nobody could change it meanwhile. */
function sharedTooLate(race: Race): boolean {
  const at = race.write.place.escapedAt;
  return !!at && at.getStart() >= race.suspension.getStart();
}

/** Is one lock held across the cause, the suspension and the write? */
function heldAcross(ctx: CheckContext<Options, MessageId>, race: Race): boolean {
  if (wholeUnderLock(ctx.program, race.write.expr)) return true;
  const ids = (node: ts.Node) => new Set(locksHeldAt(ctx.program, node).filter(protectsShared).map((h) => h.lock.id));
  const atWrite = ids(race.write.expr);
  if (atWrite.size === 0) return false;
  const atCause = ids(race.cause.node);
  return [...atWrite].some((id) => atCause.has(id));
}

function report(ctx: CheckContext<Options, MessageId>, race: Race): void {
  const { write } = race;
  const place = write.via ? write.place.label : codeText(write.node, ctx.sourceFile, Infinity);
  const trace: TraceInput[] = [
    { node: race.cause.node, message: causeMessage(ctx.sourceFile, race) },
    { node: race.suspension, message: write.place.key.startsWith('captured:') ? 'other runs of the callback can run here' : 'other calls can run here' },
  ];
  if (write.via) trace.push({ node: write.expr, message: `${quoteCode(codeText(write.expr, ctx.sourceFile))} writes \`${write.place.label}\` (in \`${write.via}\`)` });
  ctx.report({ node: race.write.expr, messageId: race.messageId, data: { place, others: race.write.place.others }, trace });
}

/** Where the stale state was read or checked: the guard that leaves the function, and the helper
 * (with the field it reads) when the check goes through one. */
function causeMessage(sf: ts.SourceFile, race: Race): string {
  const node = race.cause.node;
  // `this.counts.get(k)` rather than the bare receiver `this.counts`.
  const shown = race.cause.receiver && methodOnReceiver(node) ? node.parent.parent : node;
  const text = quoteCode(codeText(shown, sf));
  const via = race.cause.via ? ` (\`${race.cause.via}\` reads \`${race.cause.place.label}\`)` : '';
  if (race.cause.position) return `${text} is read here to find a position; it shifts when another call inserts or removes meanwhile`;
  if (race.messageId === 'lostUpdate' || !race.condition) return `${text} is read here${via}`;
  const owner = race.condition.parent;
  if ((race.guard === 'returns' || race.guard === 'throws') && ts.isIfStatement(owner)) {
    const guard = quoteCode(`if (${codeText(race.condition, sf)}) ${exitKeyword(owner.thenStatement)}`);
    return `the guard ${guard} checks ${text} here${via}; every call that passes it reaches the \`await\` before \`${race.write.place.label}\` changes`;
  }
  return `${text} is checked here${via}`;
}

/** `throw`, `return`, `continue` or `break`: how an early-exit branch leaves. */
function exitKeyword(statement: ts.Statement): string {
  const last = ts.isBlock(statement) ? statement.statements[statement.statements.length - 1] : statement;
  if (!last) return 'return';
  if (ts.isBlock(last)) return exitKeyword(last);
  return ts.isThrowStatement(last) ? 'throw' : ts.isContinueStatement(last) ? 'continue' : ts.isBreakStatement(last) ? 'break' : 'return';
}
