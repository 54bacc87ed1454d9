/**
 * The door's facts (analyzer/program/type-queries.ts) on a small program: the flag predicates,
 * the part and member questions and the declaration questions that checks ask with handles.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_COMPILER_OPTIONS } from '../analyzer/project/project.js';
import { getTypeQueries, type TypeRef } from '../analyzer/program/type-queries.js';

const SOURCE = [
  'export declare const anyValue: any;',
  'export declare const unknownValue: unknown;',
  'export declare const voidValue: void;',
  'export declare const nullValue: null;',
  'export declare const undefinedValue: undefined;',
  'export declare const neverValue: never;',
  'export declare const maybe: string | undefined;',
  'export declare const both: { a: number } & { b: string };',
  'export declare const map: Map<string, number>;',
  'export declare const list: number[];',
  'export declare const plain: { x: number };',
  "export declare const literal: 'ready';",
  'export declare const overloaded: { (): void; (n: number): Promise<number> };',
  'export function generic<T>(value: T): T { return value; }',
  'export class Base { size = 1; method(): void {} }',
  'export class Job extends Base {',
  '  declare __private: string;',
  '  constructor();',
  '  constructor(name?: string) { super(); }',
  '  method(): void {}',
  '}',
  'export const job = new Job();',
  'export const alias = job;',
  "export function narrow(v: string | number) { if (typeof v === 'string') { return v; } return v; }",
].join('\n');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'type-queries-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'facts.ts');
fs.writeFileSync(file, SOURCE);
const program = ts.createProgram({ rootNames: [file], options: DEFAULT_COMPILER_OPTIONS });
const sf = program.getSourceFile(file)!;
const types = getTypeQueries(program);

/** The identifier that names a top-level declaration. */
function nameOf(name: string): ts.Identifier {
  let found: ts.Identifier | undefined;
  const visit = (node: ts.Node): void => {
    if (!found && ts.isIdentifier(node) && node.text === name && (ts.isVariableDeclaration(node.parent) || ts.isClassDeclaration(node.parent) || ts.isFunctionDeclaration(node.parent))) found = node;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found!;
}
const typeOf = (name: string): TypeRef => types.typeAt(nameOf(name))!;

describe('the door', () => {
  it('answers flag questions with named predicates, on the type itself (a union is none of them)', () => {
    const flags = (name: string) =>
      Object.entries({
        any: types.isAny(typeOf(name)),
        anyOrUnknown: types.isAnyOrUnknown(typeOf(name)),
        void: types.isVoid(typeOf(name)),
        nullish: types.isNullish(typeOf(name)),
        never: types.isNever(typeOf(name)),
      })
        .filter(([, yes]) => yes)
        .map(([flag]) => flag);
    expect(flags('anyValue')).toEqual(['any', 'anyOrUnknown']);
    expect(flags('unknownValue')).toEqual(['anyOrUnknown']);
    expect(flags('voidValue')).toEqual(['void', 'nullish']);
    expect(flags('nullValue')).toEqual(['nullish']);
    expect(flags('undefinedValue')).toEqual(['nullish']);
    expect(flags('neverValue')).toEqual(['never']);
    expect(flags('maybe')).toEqual([]);
    expect(types.unionParts(typeOf('maybe')).filter((t) => types.isNullish(t)).map((t) => types.typeText(t))).toEqual(['undefined']);
  });

  it('tells a type parameter and an instantiated generic type (a type reference) from other types', () => {
    const generic = nameOf('generic').parent as ts.FunctionDeclaration;
    expect(types.isTypeParameter(types.typeAt(generic.parameters[0]!.name)!)).toBe(true);
    expect(types.isTypeParameter(typeOf('plain'))).toBe(false);
    expect(types.isTypeReference(typeOf('map'))).toBe(true);
    expect(types.typeArguments(typeOf('map')).map((t) => types.typeText(t))).toEqual(['string', 'number']);
    expect(types.isTypeReference(typeOf('list'))).toBe(true);
    expect(types.isTypeReference(typeOf('plain'))).toBe(false);
    expect(types.stringLiteralValue(typeOf('literal'))).toBe('ready');
  });

  it('splits intersections and lists the return types of call signatures in order', () => {
    expect(types.intersectionParts(typeOf('both')).map((t) => types.typeText(t))).toEqual(['{ a: number; }', '{ b: string; }']);
    expect(types.intersectionParts(typeOf('plain'))).toEqual([typeOf('plain')]);
    expect(types.callReturnTypes(typeOf('overloaded')).map((t) => types.typeText(t))).toEqual(['void', 'Promise<number>']);
    expect(types.callReturnTypes(typeOf('plain'))).toEqual([]);
  });

  it("finds a type's own member first, inherited ones too, and names with leading underscores", () => {
    const job = typeOf('job');
    const own = types.memberOf(job, 'method')!;
    expect(types.declarationsOf(own)[0]!.parent).toBe(nameOf('Job').parent);
    const inherited = types.memberOf(job, 'size')!;
    expect(types.declarationsOf(inherited)[0]!.parent).toBe(nameOf('Base').parent);
    expect(types.isProperty(inherited)).toBe(true);
    expect(types.isProperty(own)).toBe(false);
    expect(types.memberOf(job, '__private')).toBeDefined();
    expect(types.memberOf(job, 'missing')).toBeUndefined();
  });

  it("remembers answers per location: a symbol's narrowed type at each use, its declared type, origins", () => {
    const fn = nameOf('narrow').parent as ts.FunctionDeclaration;
    const uses: ts.Identifier[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isReturnStatement(node) && node.expression && ts.isIdentifier(node.expression)) uses.push(node.expression);
      ts.forEachChild(node, visit);
    };
    visit(fn.body!);
    const v = types.symbolAt(uses[0]!)!;
    for (let round = 0; round < 2; round++) {
      expect(types.typeText(types.typeOfSymbol(v, uses[0]!))).toBe('string');
      expect(types.typeText(types.typeOfSymbol(v, uses[1]!))).toBe('number');
      expect(types.typeText(types.typeOfSymbol(v))).toBe('string | number');
      expect(types.originOf(v)).toEqual({ kind: 'file', fileName: sf.fileName });
      expect(types.callSignatures(typeOf('overloaded'))).toHaveLength(2);
      expect(types.arrayKind(typeOf('list'))).toBe('array');
      expect(types.arrayKind(typeOf('map'))).toBeUndefined();
    }
    expect(types.originOf(types.typeSymbol(typeOf('map'))!)).toEqual({ kind: 'lib' });
  });

  it('gives the constructor declarations of a class and the declaration behind a name', () => {
    const cls = types.symbolAt(nameOf('Job'))!;
    expect(types.constructorDeclarationsOf(cls).map((d) => !!(d as ts.ConstructorDeclaration).body)).toEqual([false, true]);
    expect(types.constructorDeclarationsOf(types.symbolAt(nameOf('job'))!)).toEqual([]);
    const alias = nameOf('alias').parent as ts.VariableDeclaration;
    expect(types.valueDeclarationAt(alias.initializer!)).toBe(nameOf('job').parent);
  });
});
