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

  it('ignores comments and line breaks between nodes, not the text of strings, templates or regular expressions', () => {
    expect(same(`/** Prices. */\n${HELPER}\n// the end\n`)).toBe(true);
    expect(same(HELPER.replace('const rate = 2;', 'const rate = 2; // per unit\n\n'))).toBe(true);
    // A body whose type is inferred: a comment in it is trivia too, a changed statement is not.
    const inferred = 'export function f() {\n  return 1;\n}\n';
    expect(sameDeclarations(sf(inferred), sf(inferred.replace('  return 1;', '  // one\n  return 1;')))).toBe(true);
    expect(sameDeclarations(sf(inferred), sf(inferred.replace('return 1;', 'return 1 + 0;')))).toBe(false);
    const literals = "export const s = 'a // b';\nexport const t = `x ${1} // y`;\nexport const r = /a\\/\\/b/;\n";
    expect(sameDeclarations(sf(literals), sf(literals.replace("'a // b'", "'a // c'")))).toBe(false);
    expect(sameDeclarations(sf(literals), sf(literals.replace('// y', '// z')))).toBe(false);
    expect(sameDeclarations(sf(literals), sf(literals.replace('\\/b/', '\\/c/')))).toBe(false);
    expect(sameDeclarations(sf(literals), sf(literals.replace('export const t', '// t\nexport const t')))).toBe(true);
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

  it('cuts two edits in different places into two regions: what lies between them moves by the first one only', () => {
    // Between two lints: a call added in a(), and the trailing comment removed.
    const two = 'function a() {\n  x();\n}\nfunction b() {\n  z();\n}\nfunction c() {}\n// note\n';
    const edited = 'function a() {\n  y(); x();\n}\nfunction b() {\n  z();\n}\nfunction c() {}\n';
    const m = positionMap('f.ts', two, edited);
    const first = 'y(); '.length;
    const b = two.indexOf('function b');
    const bEnd = two.indexOf('}\nfunction c') + 1;
    const c = two.indexOf('function c');
    const cEnd = two.indexOf('// note');
    expect(m.range(b, bEnd)).toEqual([b + first, bEnd + first]);
    expect(m.touches(b, bEnd)).toBe(false);
    expect(m.range(c, cEnd)).toEqual([c + first, cEnd + first]);
    expect(m.touches(0, two.indexOf('}\n') + 1)).toBe(true);
    // Inside the removed comment: no counterpart; the end of the file moves by both edits.
    expect(m.range(cEnd + 2, cEnd + 4)).toBeUndefined();
    expect(m.range(two.length, two.length)).toEqual([edited.length, edited.length]);
    expect(m.unmoved(0, 8)).toBe(true);
    expect(m.unmoved(b, bEnd)).toBe(false);
    // A statement of b(), between the edits, is kept (one region from the first edit to the end could not).
    const call = { file: 'f.ts', pos: two.indexOf('{\n  z') + 1, end: two.indexOf('z();') + 'z();'.length, kind: ts.SyntaxKind.ExpressionStatement };
    expect(remapStored([call], new Map([['f.ts', m]]))).toEqual([{ ...call, pos: call.pos + first, end: call.end + first }]);
    // Line for line, a region is narrowed to the characters that differ.
    const words = positionMap('f.ts', 'let a = 1;\nlet b = 2;\nlet c = 3;\n', 'let a = 10;\nlet b = 2;\nlet c = 30;\n');
    expect(words.range(0, 'let a = '.length)).toEqual([0, 'let a = '.length]);
    expect(words.range(11, 21)).toEqual([12, 22]);
    expect(words.touches(11, 21)).toBe(false);
    expect(words.range(22, 30)).toEqual([23, 31]);
  });
});
