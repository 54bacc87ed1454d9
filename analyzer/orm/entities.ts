/**
 * The entity model: classes decorated by TypeORM or MikroORM, and their relations
 * (`@ManyToOne`, `@OneToMany`, `@OneToOne`, `@ManyToMany`) with `eager`/`lazy` flags and
 * target classes. Computed once per class declaration; base classes contribute their relations.
 */
import ts from '../ts/typescript.cjs';
import type { TypeQueries, TypeRef } from '../program/type-queries.js';
import { skipOuterExpressions } from '../program/walk.js';
import { indexAcrossEdits } from '../program/generations.js';
import { TYPEORM_RELATION_DECORATORS } from './catalog.js';
import { moduleOfDeclaration, ormOfModule } from './recognize.js';
import { fileIndex } from '../program/file-index.js';

export type EntityOrm = 'typeorm' | 'mikro-orm';

export interface RelationInfo {
  name: string;
  decorator: string;
  many: boolean;
  eager: boolean;
  /** TypeORM lazy relation (`lazy: true` or a `Promise<T>` property): reading it runs a query. */
  lazy: boolean;
  target: ts.ClassLikeDeclaration | undefined;
  decl: ts.PropertyDeclaration;
}

export interface EntityInfo {
  orm: EntityOrm;
  decl: ts.ClassLikeDeclaration;
  name: string;
  relations: Map<string, RelationInfo>;
}

const cache = new WeakMap<ts.ClassLikeDeclaration, EntityInfo | null>();

/** The module and exported name a decorator (or any callee) resolves to. */
export function resolvedExport(types: TypeQueries, expr: ts.Expression): { module: string | undefined; name: string } | undefined {
  const e = skipOuterExpressions(expr);
  const nameNode = ts.isPropertyAccessExpression(e) ? e.name : ts.isIdentifier(e) ? e : undefined;
  if (!nameNode) return undefined;
  const symbol = types.symbolAt(nameNode);
  const decl = symbol && types.declarationsOf(symbol)[0];
  if (!symbol || !decl) return undefined;
  return { module: moduleOfDeclaration(decl), name: types.symbolName(symbol) };
}

function decoratorsOf(node: ts.Node): readonly ts.Decorator[] {
  return ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : [];
}

/** `@ManyToOne(...)` from typeorm or @mikro-orm: its ORM, kind and call. */
function relationDecorator(types: TypeQueries, d: ts.Decorator): { orm: EntityOrm; kind: string; call: ts.CallExpression } | undefined {
  const expr = skipOuterExpressions(d.expression);
  if (!ts.isCallExpression(expr)) return undefined;
  const target = resolvedExport(types, expr.expression);
  if (!target || !(target.name in TYPEORM_RELATION_DECORATORS)) return undefined;
  const orm = ormOfModule(target.module)?.orm;
  if (orm !== 'typeorm' && orm !== 'mikro-orm') return undefined;
  return { orm, kind: target.name, call: expr };
}

function isEntityDecorator(types: TypeQueries, d: ts.Decorator): EntityOrm | undefined {
  const expr = skipOuterExpressions(d.expression);
  const callee = ts.isCallExpression(expr) ? expr.expression : expr;
  const target = resolvedExport(types, callee);
  if (!target || !['Entity', 'ChildEntity', 'ViewEntity'].includes(target.name)) return undefined;
  const orm = ormOfModule(target.module)?.orm;
  return orm === 'typeorm' || orm === 'mikro-orm' ? orm : undefined;
}

function booleanOption(obj: ts.ObjectLiteralExpression | undefined, key: string): boolean {
  const p = obj?.properties.find((x) => x.name && ts.isIdentifier(x.name) && x.name.text === key);
  return !!p && ts.isPropertyAssignment(p) && p.initializer.kind === ts.SyntaxKind.TrueKeyword;
}

function optionsObject(call: ts.CallExpression): ts.ObjectLiteralExpression | undefined {
  for (let i = call.arguments.length - 1; i >= 0; i--) {
    const a = skipOuterExpressions(call.arguments[i]!);
    if (ts.isObjectLiteralExpression(a)) return a;
  }
  return undefined;
}

function classOfExpression(types: TypeQueries, expr: ts.Expression | undefined): ts.ClassLikeDeclaration | undefined {
  if (!expr) return undefined;
  let e = skipOuterExpressions(expr);
  if (ts.isArrowFunction(e) && !ts.isBlock(e.body)) e = skipOuterExpressions(e.body);
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
  const decl = types.valueDeclarationAt(e);
  return decl && ts.isClassLike(decl) ? decl : undefined;
}

/** The class behind a type: strips promises, null/undefined, arrays, `Relation<T>`, `Ref<T>`, `Collection<T>`, intersections. */
export function classOfType(types: TypeQueries, type: TypeRef | undefined, depth = 0): ts.ClassLikeDeclaration | undefined {
  if (!type || depth > 6) return undefined;
  const t = types.nonNullable(type);
  if (types.isUnion(t) || types.isIntersection(t)) {
    for (const part of types.isUnion(t) ? types.unionParts(t) : types.intersectionParts(t)) {
      const found = classOfType(types, part, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  const symbol = types.typeSymbol(t);
  const decl = symbol && (types.valueDeclarationOf(symbol) ?? types.declarationsOf(symbol)[0]);
  if (decl && ts.isClassLike(decl) && !moduleOfDeclaration(decl)) return decl;
  const name = symbol && types.symbolName(symbol);
  const kind = types.arrayKind(t);
  if (kind === 'tuple') return classOfType(types, types.typeArguments(t)[0], depth + 1);
  if (kind === 'array' || name === 'Promise' || name === 'Collection' || name === 'Reference' || name === 'Ref') {
    return classOfType(types, types.typeArguments(t)[0], depth + 1);
  }
  return undefined;
}

function relationOf(types: TypeQueries, member: ts.PropertyDeclaration, d: ts.Decorator): [EntityOrm, RelationInfo] | undefined {
  const found = relationDecorator(types, d);
  if (!found || !ts.isIdentifier(member.name)) return undefined;
  const options = optionsObject(found.call);
  const typeText = member.type ? member.type.getText() : '';
  const lazy = found.orm === 'typeorm' && (booleanOption(options, 'lazy') || /^Promise\s*</.test(typeText));
  const entityOption = options?.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'entity');
  const targetExpr = found.call.arguments[0] && !ts.isObjectLiteralExpression(skipOuterExpressions(found.call.arguments[0]))
    ? found.call.arguments[0]
    : entityOption && ts.isPropertyAssignment(entityOption) ? entityOption.initializer : undefined;
  const target = classOfExpression(types, targetExpr) ?? classOfType(types, types.typeAt(member.name));
  return [
    found.orm,
    {
      name: member.name.text,
      decorator: found.kind,
      many: TYPEORM_RELATION_DECORATORS[found.kind] === 'many',
      eager: booleanOption(options, 'eager'),
      lazy,
      target,
      decl: member,
    },
  ];
}

function baseClassOf(types: TypeQueries, decl: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration | undefined {
  const ext = decl.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  if (!ext) return undefined;
  const base = types.valueDeclarationAt(ext.expression);
  return base && ts.isClassLike(base) && !moduleOfDeclaration(base) ? base : undefined;
}

/** The entity model of a class, or undefined when it is not a TypeORM/MikroORM entity. */
export function entityOfClass(types: TypeQueries, decl: ts.ClassLikeDeclaration): EntityInfo | undefined {
  const cached = cache.get(decl);
  if (cached !== undefined) return cached ?? undefined;
  cache.set(decl, null); // guards inheritance cycles
  const relations = new Map<string, RelationInfo>();
  let orm: EntityOrm | undefined;
  for (const d of decoratorsOf(decl)) orm ??= isEntityDecorator(types, d);
  let base: ts.ClassLikeDeclaration | undefined = decl;
  for (let depth = 0; base && depth < 8; depth++, base = baseClassOf(types, base)) {
    for (const member of base.members) {
      if (!ts.isPropertyDeclaration(member)) continue;
      for (const d of decoratorsOf(member)) {
        const found = relationOf(types, member, d);
        if (found && !relations.has(found[1].name)) {
          orm ??= found[0];
          relations.set(found[1].name, found[1]);
        }
      }
    }
  }
  const info: EntityInfo | undefined = orm ? { orm, decl, name: decl.name?.text ?? '<entity>', relations } : undefined;
  cache.set(decl, info ?? null);
  return info;
}

/** The entity model behind an expression's type (`Order`, `Order | null`, `Order[]`, `Promise<Order>`). */
export function entityOfType(types: TypeQueries, type: TypeRef | undefined): EntityInfo | undefined {
  const decl = classOfType(types, type);
  return decl ? entityOfClass(types, decl) : undefined;
}

/** The entity (not an array of them) an expression denotes, for reads like `order.user`. */
export function entityOfExpression(types: TypeQueries, expr: ts.Expression): EntityInfo | undefined {
  const type = types.typeAt(expr);
  if (!type) return undefined;
  const t = types.nonNullable(type);
  if (types.isArrayOrTuple(t)) return undefined;
  const symbol = types.typeSymbol(t);
  const decl = symbol && types.valueDeclarationOf(symbol);
  if (decl && ts.isClassLike(decl)) return entityOfClass(types, decl);
  if (types.isIntersection(t)) return entityOfType(types, t);
  return undefined;
}

/** Names of properties decorated `@ManyToOne`/`@OneToMany`/... anywhere in the program's own files (a syntactic
 * pre-filter: a property read whose name is not here is no relation read, and needs no checker). */
export const relationNamesOf = indexAcrossEdits(collectRelationNames, (_program, delta, before) => namesAfterEdit(before, delta.edited));

/**
 * After an edit in place (program/generations.ts `programDelta`): the previous program's names
 * and the edited files' own. A name an edit removed stays (a pre-filter may let through more
 * reads than it must: they are checked as before), so an unchanged set is shared as it is.
 */
function namesAfterEdit(before: Set<string>, edited: readonly ts.SourceFile[]): Set<string> {
  const added = edited.flatMap((sf) => [...relationNamesIn(sf)]).filter((name) => !before.has(name));
  return added.length === 0 ? before : new Set([...before, ...added]);
}

/**
 * This pre-filter is not a fact about the checked file (a read of a relation needs its entity's
 * type, which the file imports), so it records nothing for the analysis cache (`walk` records
 * nothing: program/dependencies.ts). It is read from syntax alone, so each file's names are kept
 * with its `SourceFile`: the programs an editor builds after each edit share the unchanged ones.
 */
function collectRelationNames(program: ts.Program): Set<string> {
  const names = new Set<string>();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf)) continue;
    for (const name of relationNamesIn(sf)) names.add(name);
  }
  return names;
}

const namesByFile = new WeakMap<ts.SourceFile, string[]>();

function relationNamesIn(sf: ts.SourceFile): string[] {
  let names = namesByFile.get(sf);
  if (!names) {
    const found: string[] = [];
    // Property declarations not inside another one (a class expression in an initializer).
    for (const n of fileIndex(sf).of<ts.PropertyDeclaration>(ts.SyntaxKind.PropertyDeclaration)) {
      if (insideProperty(n)) continue;
      if (ts.isIdentifier(n.name) && decoratorsOf(n).some(isRelationDecoratorSyntax)) found.push(n.name.text);
    }
    namesByFile.set(sf, (names = found));
  }
  return names;
}

function insideProperty(node: ts.Node): boolean {
  for (let n = node.parent; n && !ts.isSourceFile(n); n = n.parent) if (ts.isPropertyDeclaration(n)) return true;
  return false;
}

function isRelationDecoratorSyntax(d: ts.Decorator): boolean {
  const e = skipOuterExpressions(d.expression);
  const callee = ts.isCallExpression(e) ? skipOuterExpressions(e.expression) : e;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
  return name in TYPEORM_RELATION_DECORATORS;
}

/** The relation a property read names, found from the property's declaration (cheap: no type of the object). */
export function relationOfAccess(types: TypeQueries, access: ts.PropertyAccessExpression): { entity: EntityInfo; relation: RelationInfo } | undefined {
  if (!relationNamesOf(types.program).has(access.name.text)) return undefined;
  const decl = types.valueDeclarationAt(access.name);
  if (!decl || !ts.isPropertyDeclaration(decl) || decoratorsOf(decl).length === 0 || !ts.isClassLike(decl.parent)) return undefined;
  const owner = entityOfClass(types, decl.parent);
  const relation = owner?.relations.get(access.name.text);
  if (!owner || !relation || relation.decl !== decl) return undefined;
  return { entity: entityOfExpression(types, access.expression) ?? owner, relation };
}
