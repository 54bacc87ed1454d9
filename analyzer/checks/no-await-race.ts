/**
 * no-await-race: check-then-act and read-modify-write of shared state across an `await`.
 *
 * Every `await` lets other calls run. A write to shared state that depends on a read (or a
 * check) made before an `await` of the same function can overwrite their updates or act on a
 * stale condition. Reported only when the read, the suspension and the write are all in the
 * same async function, on one path, with no lock held across them and no re-check after the
 * suspension.
 */
import ts from 'typescript';
import type { Check, CheckContext, TraceInput } from './types.js';
import { isFunctionLike, type FunctionLike } from '../callgraph.js';
import { walk } from '../walk.js';
import { collectEvents, dependenciesOf, within, type Access, type FunctionEvents, type Write } from '../race/events.js';
import { related } from '../race/places.js';
import { locksHeldAt } from '../locks/held.js';

export interface Options {
  /** Also report check-then-act on collections (`if (!cache.has(k)) { await ...; cache.set(k, v) }`). */
  checkCollections: boolean;
}

const check: Check<Options> = {
  meta: {
    id: 'no-await-race',
    description: 'Shared state is checked or read before an `await` and written after it, so concurrent calls overwrite each other.',
    recommended: 'error',
    messages: {
      lostUpdate:
        '`{{place}}` is read before an `await` and written here after it: another call can change `{{place}}` while this one is suspended, and this write overwrites that change (a lost update). Re-read it after the `await`, compute the new value synchronously, or hold a lock across the read and the write.',
      staleCheck:
        'This write relies on a check of `{{place}}` made before an `await`: other calls can run at the `await` and change `{{place}}`, so the check may no longer hold. Check again after the `await`, act before awaiting, or hold a lock across the check and the write.',
      lazyInit:
        'Lazy initialisation across an `await`: concurrent callers all see `{{place}}` unset, all start initialising, and the last one wins (two connections, two loads). Cache the promise synchronously (`{{place}} ??= create()`, then await it) or hold a lock.',
    },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        checkCollections: { type: 'boolean', description: 'Report has/get-then-set on Maps, Sets and arrays.' },
      },
    },
    defaultOptions: { checkCollections: true },
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
  messageId: 'lostUpdate' | 'staleCheck' | 'lazyInit';
  write: Write;
  cause: Access;
  suspension: ts.Node;
}

function checkFunction(ctx: CheckContext<Options>, fn: FunctionLike): void {
  const ev = collectEvents(ctx.door, fn);
  if (ev.suspensions.length === 0 || ev.writes.length === 0) return;
  const reported = new Set<Write>();
  for (const write of ev.writes) {
    const race = lostUpdate(ev, write) ?? staleCheck(ctx, ev, write);
    if (!race || reported.has(write) || heldAcross(ctx, race)) continue;
    reported.add(write);
    report(ctx, race);
  }
}

/** The first suspension after `from` that completes before `to` does, on the same path. */
function suspensionBetween(ev: FunctionEvents, from: ts.Node, to: ts.Node, toEnd: number): ts.Node | undefined {
  return ev.suspensions.find((s) => from.getStart() < s.end && s.end <= toEnd && !exclusive(s, to) && !exclusive(s, from));
}

/** Write of a value computed from a read made before a suspension (directly or via a local). */
function lostUpdate(ev: FunctionEvents, write: Write): Race | undefined {
  if (write.kind !== 'assign' && write.kind !== 'compound') return undefined;
  const causes: Access[] = dependenciesOf(ev, write.value!).filter((r) => related(r.place, write.place));
  // `x += await y` reads `x` first.
  if (write.kind === 'compound') causes.unshift({ place: write.place, node: write.node });
  for (const cause of causes) {
    const suspension = suspensionBetween(ev, cause.node, write.expr, write.expr.end);
    if (suspension && !refreshedBetween(ev, suspension, write)) return { messageId: 'lostUpdate', write, cause, suspension };
  }
  return undefined;
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
    if (!cause || !guards(condition, write.expr)) continue;
    const suspension = suspensionBetween(ev, condition, write.expr, write.expr.end);
    if (!suspension) continue;
    // Claimed before the suspension: a write to the same state between the check and the await
    // makes check and act atomic (`if (this.busy) return; this.busy = true; await ...`).
    const claimed = ev.writes.some((w) => w !== write && related(w.place, write.place) && w.expr.pos >= condition.end && w.expr.end <= suspension.getStart());
    if (claimed || refreshedBetween(ev, suspension, write)) continue;
    return { messageId: isLazyInit(condition, write) ? 'lazyInit' : 'staleCheck', write, cause, suspension };
  }
  return undefined;
}

/** Does the condition decide whether `target` runs: it is inside the `if`'s branch, or the `if`
 * exits early and `target` follows it in the same block? */
function guards(condition: ts.Expression, target: ts.Node): boolean {
  const owner = condition.parent;
  if (ts.isIfStatement(owner) && owner.expression === condition) {
    if (within(target, owner.thenStatement) || (owner.elseStatement && within(target, owner.elseStatement))) return true;
    return !owner.elseStatement && exits(owner.thenStatement) && follows(owner, target);
  }
  if (ts.isConditionalExpression(owner) && owner.condition === condition) return within(target, owner.whenTrue) || within(target, owner.whenFalse);
  if (ts.isBinaryExpression(owner) && owner.left === condition) return within(target, owner.right);
  return false;
}

function exits(statement: ts.Statement): boolean {
  if (ts.isReturnStatement(statement) || ts.isThrowStatement(statement) || ts.isContinueStatement(statement) || ts.isBreakStatement(statement)) return true;
  if (ts.isBlock(statement)) {
    const last = statement.statements[statement.statements.length - 1];
    return !!last && exits(last);
  }
  return false;
}

/** Is `target` inside a statement that comes after `statement` in the same block? */
function follows(statement: ts.Statement, target: ts.Node): boolean {
  const block = statement.parent;
  if (!ts.isBlock(block) && !ts.isSourceFile(block)) return false;
  const index = block.statements.indexOf(statement);
  return block.statements.slice(index + 1).some((s) => within(target, s));
}

/** `if (!x)`, `if (x === undefined)`, `if (x == null)`, `if (!m.has(k))`, then `x = ...` / `m.set(...)`. */
function isLazyInit(condition: ts.Expression, write: Write): boolean {
  let c = condition;
  while (ts.isParenthesizedExpression(c)) c = c.expression;
  const unset =
    (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken) ||
    (ts.isBinaryExpression(c) &&
      [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken].includes(c.operatorToken.kind) &&
      (c.right.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(c.right) && c.right.text === 'undefined')));
  return unset && (write.kind === 'assign' || (write.kind === 'mutate' && ts.isCallExpression(write.expr) && /\.(set|add)$/.test(write.expr.expression.getText())));
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

/** Is one lock held across the cause, the suspension and the write? */
function heldAcross(ctx: CheckContext<Options>, race: Race): boolean {
  const ids = (node: ts.Node) => new Set(locksHeldAt(ctx.program, node).map((h) => h.lock.id));
  const atWrite = ids(race.write.expr);
  if (atWrite.size === 0) return false;
  const atCause = ids(race.cause.node);
  return [...atWrite].some((id) => atCause.has(id));
}

function report(ctx: CheckContext<Options>, race: Race): void {
  const place = race.write.node.getText(ctx.sourceFile);
  const trace: TraceInput[] = [
    { node: race.cause.node, message: race.messageId === 'lostUpdate' ? `\`${race.cause.node.getText(ctx.sourceFile)}\` is read here` : `\`${race.cause.node.getText(ctx.sourceFile)}\` is checked here` },
    { node: race.suspension, message: 'other calls can run here' },
  ];
  ctx.report({ node: race.write.expr, messageId: race.messageId, data: { place }, trace });
}
