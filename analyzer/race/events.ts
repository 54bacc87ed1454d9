/**
 * One pass over an async function's own body (nested functions excluded) collecting what
 * `no-await-race` reasons about, in source order: reads and writes of shared places, the
 * points where the function suspends (`await`, `for await`, `yield`), conditions, and the
 * definitions of locals from shared reads (so `const n = this.count; await x(); this.count = n + 1`
 * is seen as a read-modify-write).
 */
import ts from '../ts/typescript.cjs';
import type { SymbolRef, TypeQueries } from '../program/type-queries.js';
import { isFunctionLike, type FunctionLike } from '../program/callgraph.js';
import { walk } from '../program/walk.js';
import { placeOf, related, type Place } from './places.js';
import { escapesOf } from './escapes.js';
import { isAssignmentOperator, isLogicalOperator } from '../program/syntax.js';

export interface Access {
  place: Place;
  node: ts.Expression;
  /** The read only fetches an object to call a method on (`obj.send()`): it reads the reference, not the object's fields. */
  receiver?: boolean;
}

export type WriteKind = 'assign' | 'compound' | 'update' | 'mutate' | 'delete';

export interface Write extends Access {
  kind: WriteKind;
  /** The whole writing expression (assignment, `x++`, `x.push(...)`). */
  expr: ts.Expression;
  /** The assigned value, for 'assign' and 'compound', and the entry's new value for `map.set(k, v)`. */
  value?: ts.Expression;
  /** Made inside a helper the function calls (`this.reserve(n)`): the helper's name, and whether
   * the write consumes what it changes (decided in the helper, where its value is). */
  via?: string;
  consumes?: boolean;
}

export interface LocalDef {
  /** Where the local gets this value (the declaration or the assignment). */
  node: ts.Node;
  /** The shared reads its value is computed from (including earlier ones for `v -= 1`). */
  reads: Access[];
}

export interface FunctionEvents {
  fn: FunctionLike;
  reads: Access[];
  writes: Write[];
  suspensions: ts.Node[];
  /** Tests of `if`, loops, `?:` and the left of `&&`/`||`/`??`. */
  conditions: ts.Expression[];
  /** Definitions of locals, by symbol, in source order. */
  defs: Map<SymbolRef, LocalDef[]>;
  /** Reads of locals that have definitions: identifier -> symbol. */
  localUses: Map<ts.Identifier, SymbolRef>;
}

const MUTATORS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin', 'set', 'add', 'delete', 'clear']);
/** Built-in collections whose mutating methods are writes (a `session.delete()` is not). */
const COLLECTIONS = new Set(['Array', 'ReadonlyArray', 'Map', 'Set', 'WeakMap', 'WeakSet']);

function isCollection(types: TypeQueries, receiver: ts.Expression): boolean {
  const type = types.typeAt(receiver);
  if (!type) return false;
  return types.unionParts(type).some((t) => {
    const symbol = types.typeSymbol(types.apparentType(t));
    return !!symbol && COLLECTIONS.has(types.symbolName(symbol)) && types.originOf(symbol).kind === 'lib';
  });
}

export function collectEvents(types: TypeQueries, fn: FunctionLike): FunctionEvents {
  const sf = fn.getSourceFile();
  const ev: FunctionEvents = { fn, reads: [], writes: [], suspensions: [], conditions: [], defs: new Map(), localUses: new Map() };
  const escapes = escapesOf(types, fn);
  const place = (e: ts.Expression) => placeOf(types, e, fn, sf, escapes);
  // Names of the function's own variables: only those identifiers need a (costly) symbol lookup.
  const localNames = new Set<string>();
  if (fn.body) {
    walk(fn.body, (n) => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) localNames.add(n.name.text);
      return !isFunctionLike(n) || n === fn.body;
    });
  }
  const localSymbol = (id: ts.Identifier): SymbolRef | undefined => {
    if (!localNames.has(id.text)) return undefined;
    const s = types.symbolAt(id);
    const d = s && types.valueDeclarationOf(s);
    return s && d && ts.isVariableDeclaration(d) && d.pos >= fn.pos && d.end <= fn.end ? s : undefined;
  };
  const dependencies = (node: ts.Node) => dependenciesOf(ev, node);
  const define = (symbol: SymbolRef, node: ts.Node, reads: Access[]) => {
    const list = ev.defs.get(symbol) ?? [];
    list.push({ node, reads });
    ev.defs.set(symbol, list);
  };

  // Post-order: children first, so a definition sees the reads inside its value.
  const stack: { node: ts.Node; exit: boolean }[] = [];
  const pushChildren = (node: ts.Node) => {
    const kids: ts.Node[] = [];
    ts.forEachChild(node, (c) => {
      kids.push(c);
    });
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i]!, exit: false });
  };
  if (fn.body) stack.push({ node: fn.body, exit: false });
  while (stack.length > 0) {
    const { node, exit } = stack.pop()!;
    if (exit) {
      onExit(node);
      continue;
    }
    if (isFunctionLike(node) || ts.isClassLike(node)) continue;
    if (onEnter(node)) continue;
    stack.push({ node, exit: true });
    pushChildren(node);
  }
  return ev;

  /** Returns true when the node was fully handled (its children pushed or skipped). */
  function onEnter(node: ts.Node): boolean {
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isIdentifier(node)) {
      if (isWriteTarget(node)) return handleWriteTarget(node);
      // A call's receiver is what is read: `this.cache.has(k)` reads `this.cache`.
      if (ts.isCallExpression(node.parent) && node.parent.expression === node && !ts.isIdentifier(node)) {
        const receiver = (node as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression;
        const p = place(receiver);
        if (p) {
          ev.reads.push({ place: p, node: receiver, receiver: true });
          const method = ts.isPropertyAccessExpression(node) ? node.name.text : undefined;
          if (method && MUTATORS.has(method) && isCollection(types, receiver)) {
            const write: Write = { place: p, node: receiver, kind: 'mutate', expr: node.parent };
            // `map.set(k, v)` replaces the entry with `v`: a value that can be computed from a stale read.
            if (method === 'set' && node.parent.arguments.length === 2) write.value = node.parent.arguments[1];
            ev.writes.push(write);
          }
          if (ts.isElementAccessExpression(node)) stack.push({ node: node.argumentExpression, exit: false });
          return true;
        }
        return false;
      }
      const p = place(node);
      if (p) {
        ev.reads.push({ place: p, node });
        if (ts.isElementAccessExpression(node)) stack.push({ node: node.argumentExpression, exit: false });
        return true;
      }
      if (ts.isIdentifier(node)) {
        const s = localSymbol(node);
        if (s) ev.localUses.set(node, s);
      }
      return false;
    }
    if (ts.isIfStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node)) ev.conditions.push(node.expression);
    else if (ts.isForStatement(node) && node.condition) ev.conditions.push(node.condition);
    else if (ts.isConditionalExpression(node)) ev.conditions.push(node.condition);
    else if (ts.isBinaryExpression(node) && isLogicalOperator(node.operatorToken.kind)) ev.conditions.push(node.left);
    return false;
  }

  function onExit(node: ts.Node): void {
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) ev.suspensions.push(node);
    else if (ts.isForOfStatement(node) && node.awaitModifier) ev.suspensions.push(node.expression);
    else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const s = types.symbolAt(node.name);
      if (s) define(s, node, dependencies(node.initializer));
    } else if (ts.isBinaryExpression(node) && isAssignmentOperator(node.operatorToken.kind)) {
      const target = node.left;
      if (ts.isIdentifier(target)) {
        const s = localSymbol(target);
        if (s) {
          const compound = node.operatorToken.kind !== ts.SyntaxKind.EqualsToken;
          const previous = compound ? (ev.defs.get(s) ?? []).slice(-1)[0]?.reads ?? [] : [];
          define(s, node, [...previous, ...dependencies(node.right)]);
        }
      }
    }
  }

  function isWriteTarget(node: ts.Expression): boolean {
    const parent = node.parent;
    if (ts.isBinaryExpression(parent) && parent.left === node && isAssignmentOperator(parent.operatorToken.kind)) return true;
    if ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) && (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken)) return true;
    return ts.isDeleteExpression(parent);
  }

  function handleWriteTarget(node: ts.Expression): boolean {
    const p = place(node);
    if (!p) return ts.isIdentifier(node); // a local: nothing to record (its definition is recorded on exit)
    const parent = node.parent;
    if (ts.isBinaryExpression(parent)) {
      const compound = parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken;
      if (compound) ev.reads.push({ place: p, node });
      ev.writes.push({ place: p, node, kind: compound ? 'compound' : 'assign', expr: parent, value: parent.right });
    } else {
      ev.reads.push({ place: p, node });
      ev.writes.push({ place: p, node, kind: ts.isDeleteExpression(parent) ? 'delete' : 'update', expr: parent as ts.Expression });
    }
    if (ts.isElementAccessExpression(node)) stack.push({ node: node.argumentExpression, exit: false });
    return true;
  }
}

/** Is `inner` within `outer` (same file)? */
export function within(inner: ts.Node, outer: ts.Node): boolean {
  return inner.pos >= outer.pos && inner.end <= outer.end;
}

/** The shared reads a value depends on: reads written in it, and the reads behind the locals it uses
 * (their last definition before the value). */
export function dependenciesOf(ev: FunctionEvents, node: ts.Node): Access[] {
  const out = ev.reads.filter((r) => within(r.node, node));
  for (const [id, symbol] of ev.localUses) {
    if (!within(id, node)) continue;
    const defs = (ev.defs.get(symbol) ?? []).filter((d) => d.node.end <= id.pos);
    if (defs.length > 0) out.push(...defs[defs.length - 1]!.reads);
  }
  return out;
}

/** Does the write change the checked state relative to its current value (`this.open++`,
 * `used += n`, `stock.set(k, stock.get(k) - n)`), rather than set it to a fresh value? */
export function consumes(ev: FunctionEvents, write: Write): boolean {
  if (write.consumes !== undefined) return write.consumes;
  if (write.kind === 'update') return true;
  // Growing or shrinking the checked collection: the slot, the job, the room is taken.
  if (write.kind === 'mutate' && ts.isCallExpression(write.expr) && ts.isPropertyAccessExpression(write.expr.expression)) {
    if (RESIZING.has(write.expr.expression.name.text)) return true;
  }
  if (write.kind === 'compound') {
    const op = (write.expr as ts.BinaryExpression).operatorToken.kind;
    return op !== ts.SyntaxKind.QuestionQuestionEqualsToken && op !== ts.SyntaxKind.BarBarEqualsToken && op !== ts.SyntaxKind.AmpersandAmpersandEqualsToken;
  }
  return !!write.value && dependenciesOf(ev, write.value).some((r) => related(r.place, write.place));
}

const RESIZING = new Set(['push', 'unshift', 'add', 'shift', 'pop', 'splice']);
