/**
 * How far an edit reaches (analyzer/program/edit-reach.ts): `local` only when the importers of the
 * edited file cannot see it, so that the editor may keep their facts.
 */
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { editReach, sameDeclarations } from '../analyzer/program/edit-reach.js';
import { positionMap, remapStored } from '../analyzer/program/position-map.js';

const ROOT = path.resolve('/virtual/app');
const file = (name: string) => path.join(ROOT, name);

function programOf(files: Record<string, string>): ts.Program {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noLib: true, types: [] };
  const host = ts.createCompilerHost(options);
  const text = (name: string) => files[path.relative(ROOT, path.resolve(name))];
  host.getSourceFile = (name, version) => {
    const t = text(name);
    return t === undefined ? undefined : ts.createSourceFile(name, t, version, true);
  };
  host.fileExists = (name) => text(name) !== undefined || (name.endsWith('package.json') && path.resolve(name) === file('package.json'));
  host.readFile = (name) => (path.resolve(name) === file('package.json') ? '{"type":"module"}' : text(name));
  host.getCurrentDirectory = () => ROOT;
  host.directoryExists = () => true;
  return ts.createProgram({ rootNames: Object.keys(files).map(file), options, host });
}

const HELPER = `const rate = 2;

function double(n: number): number {
  return n * rate;
}

export function price(n: number): number {
  return double(n);
}

export function unused(): number {
  return 1;
}
`;

const USER = `import { price } from './helper.js';

export const total = price(3);
`;

/** The reach of changing helper.ts from HELPER to `after`, with `user` importing it. */
function reach(after: string, user = USER, extra: Record<string, string> = {}) {
  const before = programOf({ 'helper.ts': HELPER, 'user.ts': user, ...extra });
  const next = programOf({ 'helper.ts': after, 'user.ts': user, ...extra });
  const importers = ['user.ts', ...Object.keys(extra)].map((name) => next.getSourceFile(file(name))!);
  return editReach(next, before.getSourceFile(file('helper.ts'))!, next.getSourceFile(file('helper.ts'))!, importers);
}

describe('editReach', () => {
  it('an export appended that no importer imports is local', () => {
    expect(reach(`${HELPER}export const benchEdit1 = 1;\n`)).toBe('local');
  });

  it('a changed body of an export no importer imports, and nothing in the file mentions, is local', () => {
    expect(reach(HELPER.replace('return 1;', 'return 2;'))).toBe('local');
  });

  it('a changed body of an imported export reaches the importers', () => {
    expect(reach(HELPER.replace('return double(n);', 'return double(n) + 1;'))).toBe('importers');
  });

  it('a changed helper that an unchanged export calls reaches the importers', () => {
    const edited = HELPER.replace('return n * rate;', 'return n + rate;');
    // The edit keeps every later statement in place (same length), and `price` calls `double`.
    expect(edited.length).toBe(HELPER.length);
    expect(reach(edited)).toBe('importers');
  });

  it('an edit that moves the statements after it reaches the importers', () => {
    expect(reach(`// a comment\n${HELPER}`)).toBe('importers');
    expect(reach(HELPER.replace('const rate = 2;', 'const rate = 22;'))).toBe('importers');
  });

  it('a namespace import, export * or a dynamic import sees every name', () => {
    const edited = `${HELPER}export const added = 1;\n`;
    expect(reach(edited, "import * as helper from './helper.js';\n\nexport const total = helper.price(3);\n")).toBe('importers');
    expect(reach(edited, "export * from './helper.js';\n")).toBe('importers');
    expect(reach(edited, "import { price } from './helper.js';\n\nexport const total = price(3);\nexport const later = import('./helper.js');\n")).toBe('importers');
  });

  it('a named re-export of an unchanged name does not see an added export', () => {
    expect(reach(`${HELPER}export const added = 1;\n`, "export { price } from './helper.js';\n")).toBe('local');
    expect(reach(`${HELPER}export const added = 1;\n`, "export { added } from './helper.js';\n")).toBe('importers');
  });

  it('a new export that an importer already names (unresolved before) reaches the importers', () => {
    expect(reach(`${HELPER}export const added = 1;\n`, "import { price, added } from './helper.js';\n\nexport const total = price(added);\n")).toBe('importers');
  });

  it('classes, default exports, namespaces and property assignments reach the importers', () => {
    expect(reach(`${HELPER}export class Added {}\n`)).toBe('importers');
    expect(reach(`${HELPER}export default function () {}\n`)).toBe('importers');
    expect(reach(`${HELPER}export namespace extra { export const a = 1; }\n`)).toBe('importers');
    expect(reach(`${HELPER}(price as unknown as { tag: string }).tag = 'x';\n`)).toBe('importers');
    expect(reach(`${HELPER}export { double };\n`)).toBe('importers');
  });

  it('a new call at the top level that assigns nothing is local', () => {
    expect(reach(`${HELPER}console.log(unused());\n`)).toBe('local');
  });

  it('a file that becomes a script reaches the importers', () => {
    expect(reach('const rate = 2;\n')).toBe('importers');
  });
});

describe('sameDeclarations (the early cut-off\'s declarations)', () => {
  const sf = (text: string) => ts.createSourceFile(file('helper.ts'), text, ts.ScriptTarget.ES2022, true);
  const same = (after: string) => sameDeclarations(sf(HELPER), sf(after));

  it('leaves out the bodies of functions with a declared return type', () => {
    expect(same(HELPER.replace('return double(n);', 'void 1;\n  return double(n) + 1;'))).toBe(true);
    expect(same(HELPER.replace('return n * rate;', '// twice\n  return n * rate;'))).toBe(true);
  });

  it('keeps declarations, module-level code and bodies whose type is inferred', () => {
    expect(same(HELPER.replace('const rate = 2;', 'const rate = 3;'))).toBe(false);
    expect(same(HELPER.replace('export function price(n: number): number {', 'export function price(n: number, m = 0): number {'))).toBe(false);
    expect(same(`import fs from 'node:fs';\n${HELPER}`)).toBe(false);
    const inferred = 'export function f() {\n  return 1;\n}\n';
    expect(sameDeclarations(sf(inferred), sf(inferred.replace('return 1;', "return 'one';")))).toBe(false);
  });
});

describe('positionMap and remapStored (nodes of an edited file moved through the edit)', () => {
  const before = 'function a() {\n  x();\n}\nfunction b() {}\n';
  const after = 'function a() {\n  y(); x();\n}\nfunction b() {}\n';
  const map = positionMap('f.ts', before, after);
  const shift = after.length - before.length;

  it('keeps positions before the edit, moves those after it, and has none inside it', () => {
    const b = before.indexOf('\nfunction b');
    expect(map.range(0, 5)).toEqual([0, 5]);
    expect(map.range(b, before.length)).toEqual([b + shift, before.length + shift]);
    expect(map.range(0, before.indexOf('}\n') + 1)).toEqual([0, before.indexOf('}\n') + 1 + shift]);
    expect(map.unmoved(0, 5)).toBe(true);
    expect(map.unmoved(b, before.length)).toBe(false);
    expect(map.touches(0, before.indexOf('}\n') + 1)).toBe(true);
    expect(map.touches(b, before.length)).toBe(false);
  });

  it('moves the NodeRefs of stored data, and refuses one whose node the edit changed unless it is a function', () => {
    const b = before.indexOf('\nfunction b');
    const fn = { file: 'f.ts', pos: b, end: before.length, kind: ts.SyntaxKind.FunctionDeclaration };
    const other = { file: 'g.ts', pos: 1, end: 2, kind: ts.SyntaxKind.Identifier };
    expect(remapStored({ fns: [fn, other], n: 1 }, new Map([['f.ts', map]]))).toEqual({ fns: [{ ...fn, pos: b + shift, end: before.length + shift }, other], n: 1 });
    const edited = { file: 'f.ts', pos: 0, end: before.indexOf('}\n') + 1, kind: ts.SyntaxKind.FunctionDeclaration };
    expect(remapStored([edited], new Map([['f.ts', map]]))).toEqual([{ ...edited, end: edited.end + shift }]);
    const statement = { file: 'f.ts', pos: before.indexOf('{') + 1, end: before.indexOf(';') + 1, kind: ts.SyntaxKind.ExpressionStatement };
    expect(remapStored([statement], new Map([['f.ts', map]]))).toBeUndefined();
  });
});
