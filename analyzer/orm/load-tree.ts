/**
 * Which relations a query loaded, as a tree of relation names under the loaded entity.
 * `relations: { user: true, posts: { comments: true } }`, `['user', 'posts.comments']`,
 * QueryBuilder joins and MikroORM `populate` paths all become the same tree; eager relations
 * are implied by `eager` (find methods load them, QueryBuilder does not).
 */
import ts from '../ts/typescript.cjs';
import type { TypeQueries } from '../program/type-queries.js';
import { skipOuterExpressions } from '../program/walk.js';
import type { EntityInfo } from './entities.js';
import { entityOfClass } from './entities.js';

export interface LoadTree {
  entity: EntityInfo | undefined;
  /** Relations the query named, with what it loaded under each. */
  explicit: Map<string, LoadTree>;
  /** Eager relations of this entity were loaded too (find methods; not QueryBuilder). */
  eager: boolean;
  /** The analysis cannot tell what was loaded here (a computed option, a spread): assume everything. */
  all: boolean;
}

export function emptyTree(entity: EntityInfo | undefined, eager: boolean): LoadTree {
  return { entity, explicit: new Map(), eager, all: false };
}

function childEntity(types: TypeQueries, tree: LoadTree, name: string): EntityInfo | undefined {
  const target = tree.entity?.relations.get(name)?.target;
  return target ? entityOfClass(types, target) : undefined;
}

/** Is relation `name` loaded on entities at this node of the tree? */
export function isLoaded(tree: LoadTree, name: string): boolean {
  if (tree.all || tree.explicit.has(name)) return true;
  return tree.eager && !!tree.entity?.relations.get(name)?.eager;
}

/** The tree under relation `name`, if it was loaded. */
export function childTree(types: TypeQueries, tree: LoadTree, name: string): LoadTree | undefined {
  if (tree.all) return tree;
  const explicit = tree.explicit.get(name);
  if (explicit) return explicit;
  if (tree.eager && tree.entity?.relations.get(name)?.eager) return emptyTree(childEntity(types, tree, name), true);
  return undefined;
}

/** Add a dotted relation path (`posts.comments`). */
export function addPath(types: TypeQueries, tree: LoadTree, path: readonly string[]): LoadTree | undefined {
  let node = tree;
  for (const name of path) {
    if (node.all) return node;
    let next = node.explicit.get(name);
    if (!next) {
      next = emptyTree(childEntity(types, node, name), node.eager);
      node.explicit.set(name, next);
    }
    node = next;
  }
  return node;
}

function propName(p: ts.ObjectLiteralElementLike): string | undefined {
  const n = p.name;
  if (!n) return undefined;
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return undefined;
}

/** The value of `key` in an object literal (or `undefined` when absent; `null` when not analysable). */
export function optionValue(obj: ts.ObjectLiteralExpression, key: string): ts.Expression | null | undefined {
  let result: ts.Expression | null | undefined;
  for (const p of obj.properties) {
    if (ts.isSpreadAssignment(p)) result = null;
    else if (propName(p) === key) result = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : null;
  }
  return result;
}

/** Follow an identifier to the literal it is a `const` of (one hop). */
function literalOf(types: TypeQueries, expr: ts.Expression): ts.Expression {
  const e = skipOuterExpressions(expr);
  if (!ts.isIdentifier(e)) return e;
  const decl = types.valueDeclarationAt(e);
  if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const) {
    return skipOuterExpressions(decl.initializer);
  }
  return e;
}

/** TypeORM `relations`: object form (`{ user: true, posts: { comments: true } }`) or the 0.3 string-array form. */
export function addRelationsOption(types: TypeQueries, tree: LoadTree, value: ts.Expression, depth = 0): void {
  const v = literalOf(types, value);
  if (depth > 10) { tree.all = true; return; }
  if (ts.isArrayLiteralExpression(v)) {
    for (const el of v.elements) {
      const e = literalOf(types, el);
      if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) addPath(types, tree, e.text.split('.'));
      else tree.all = true;
    }
    return;
  }
  if (!ts.isObjectLiteralExpression(v)) { tree.all = true; return; }
  for (const p of v.properties) {
    const name = propName(p);
    if (!name || !ts.isPropertyAssignment(p)) { tree.all = true; continue; }
    const init = skipOuterExpressions(p.initializer);
    if (init.kind === ts.SyntaxKind.FalseKeyword) continue;
    const child = addPath(types, tree, [name]);
    if (!child) continue;
    if (init.kind === ts.SyntaxKind.TrueKeyword) continue;
    if (ts.isObjectLiteralExpression(init) || ts.isIdentifier(init)) addRelationsOption(types, child, init, depth + 1);
    else child.all = true;
  }
}

/** MikroORM `populate`: `['books', 'books.tags']`, `['*']`, `true`; `:ref` suffixes are stripped. */
export function addPopulateOption(types: TypeQueries, tree: LoadTree, value: ts.Expression): void {
  const v = literalOf(types, value);
  if (v.kind === ts.SyntaxKind.FalseKeyword) return;
  if (!ts.isArrayLiteralExpression(v)) { tree.all = true; return; }
  for (const el of v.elements) {
    const e = literalOf(types, el);
    if (!ts.isStringLiteral(e) && !ts.isNoSubstitutionTemplateLiteral(e)) { tree.all = true; continue; }
    const text = e.text.replace(/:[a-z]+$/, '');
    if (text === '*' || text === '$infer') { tree.all = true; continue; }
    addPath(types, tree, text.split('.'));
  }
}

/** Render the tree path as the TypeORM option that loads it: `{ user: { company: true } }`. */
export function relationsLiteral(path: readonly string[]): string {
  let out = 'true';
  for (let i = path.length - 1; i >= 0; i--) out = `{ ${path[i]}: ${out} }`;
  return out;
}
