/**
 * The door's `calledDeclaration` answers from the callee where that is certain and asks the
 * checker's `getResolvedSignature` elsewhere: for every call-like expression of every fixture
 * folder (one program per folder: the sample app is one of them) and of a program of tricky
 * shapes, its answer must be the checker's `getResolvedSignature(call)?.declaration`.
 * `CALLED_DECLARATIONS_DIR=<folder>` also compares on that folder (the bench's generated tree).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_COMPILER_OPTIONS, loadProjects } from '../analyzer/project/project.js';
import { compareCalledDeclarations } from './helpers/called-declarations.js';
import { FIXTURES } from './helpers/fixtures.js';

const folders = fs
  .readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => path.join(FIXTURES, d.name))
  .sort();
const extra = process.env.CALLED_DECLARATIONS_DIR ? [path.resolve(process.env.CALLED_DECLARATIONS_DIR)] : [];

function compareFolder(dir: string) {
  const { projects } = loadProjects({ paths: [dir], cwd: dir });
  expect(projects.length).toBeGreaterThan(0);
  const runs = projects.map((p) => compareCalledDeclarations(p.program, p.files, dir));
  return {
    calls: runs.reduce((n, r) => n + r.calls, 0),
    fast: runs.reduce((n, r) => n + r.fast, 0),
    mismatches: runs.flatMap((r) => r.mismatches),
  };
}

describe.each([...folders, ...extra])('calledDeclaration on %s', (dir) => {
  it("is the checker's resolved declaration for every call", () => {
    const { calls, fast, mismatches } = compareFolder(dir);
    if (extra.includes(dir)) console.log(`${dir}: ${calls} call-like expressions, ${fast} answered without resolving, ${calls - fast} by getResolvedSignature`);
    expect(calls).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  }, 1_200_000); // a program per folder, every call resolved twice: minutes on a busy machine
});

const SHAPES_TS = `
export function plain(n: number): number { return n; }
export function generic<T>(value: T): T { return value; }
export function overloaded(): void;
export function overloaded(n: number): void;
export function overloaded(n?: number): void {}
export function merged(): void {}
export namespace merged { export const x = 1; }
export const arrow = async (id: string) => id;
export const annotated: (id: string) => string = (id) => id;
export let reassigned = () => 1;
reassigned = () => 2;
export const expando = () => 0;
expando.extra = 1;
interface Svc { find(id: string): Promise<string>; handler: (n: number) => void; optional?: () => void; both(): void; both(n: number): void }
interface Other { find(id: string): Promise<string> }
class Base { run(): void {} static make(): Base { return new Base(); } }
class Derived extends Base { constructor(private readonly n = 1) { super(); } override run(): void { super.run(); } }
abstract class Abstract { protected constructor() {} }
class Box<T> { constructor(readonly value: T) {} get(): T { return this.value; } map<U>(f: (v: T) => U): Box<U> { return new Box(f(this.value)); } }
class Sub extends Derived {}
abstract class AbstractPublic { constructor(n?: number) {} }
class FromAbstract extends AbstractPublic {}
class Hidden { private constructor() {} static make() { return new Hidden(); } }
class Guarded { protected constructor() {} }
declare const Ctor: new (n: number) => Base;
declare const AbstractCtor: abstract new () => Base;
declare const Ctors: { Box: typeof Box };
type Mapped<T> = { [K in keyof T]: () => Promise<void> };
type Callable = { (): void; (n: number): void };
declare const svc: Svc;
declare const either: Svc | Other;
declare const mapped: Mapped<Svc>;
declare const ro: Readonly<Svc>;
declare const callable: Callable;
declare const maybeFn: (() => void) | undefined;
declare const fnOrString: (() => void) | string;
declare const anything: any;
declare function tag(parts: TemplateStringsArray, ...values: unknown[]): string;
declare const both: Svc & { find(id: number): Promise<number> };
function narrow(x: Base) { if (x instanceof Derived) x.run(); }
export function uses<T extends Svc>(t: T, f: <U>(u: U) => U) {
  plain(1); generic('a'); generic<number>(2); overloaded(); overloaded(1); merged(); arrow('x'); annotated('y'); reassigned(); expando();
  svc.find('a'); svc.handler(1); svc.optional?.(); svc.both(); either.find('a'); mapped.find(); ro.find('b'); callable(); maybeFn?.();
  if (typeof fnOrString === 'function') fnOrString();
  anything(); anything.method(); t.find('c'); t.handler(2); f(1); both.find('d');
  new Sub(); new FromAbstract(); new AbstractPublic(); new Abstract(); new Hidden(); Hidden.make(); new Guarded(); new Ctor(1); new AbstractCtor(); new Ctors.Box(1);
  new Map<string, number>(); new Promise<void>((resolve) => resolve()); new Error('x'); new Date();
  new Base().run(); Base.make(); new Derived(); new Box(1).get(); new Box('s').map((s) => s.length).get(); narrow(new Derived());
  tag\`x\${1}\`; [1, 2].map((n) => n + 1).filter(Boolean); Promise.all([svc.find('e')]); JSON.stringify({}); (0, plain)(3); (plain)(4);
  const local = function named() { return named; }; local(); Math.max(1, 2); parseInt('1'); setTimeout(() => {}, 1); String(1);
  return [plain.call(null, 1), plain.apply(null, [1]), plain.bind(null)(1)];
}
`;

const SHAPES_JS = `// @ts-check
/** @param {number} n */
export function jsPlain(n) { return n; }
/**
 * @overload
 * @param {string} s
 * @returns {string}
 */
/**
 * @overload
 * @param {number} n
 * @returns {number}
 */
/** @param {string | number} v */
export function jsOverloaded(v) { return v; }
/** @type {(n: number) => number} */
export const jsTyped = (n) => n;
/** @constructor */
export function JsClass() { this.x = 1; }
JsClass.prototype.method = function () { return 1; };
/** @callback Cb @param {number} n @returns {void} */
/** @type {Cb} */
const cb = (n) => {};
export const obj = { method() { return 1; }, arrow: () => 2 };
/** @param {number} n */
export function JsPlainClass(n) {}
new JsPlainClass(1); new JsClass();
jsPlain(1); jsOverloaded('a'); jsOverloaded(1); jsTyped(2); new JsClass().method(); cb(1); obj.method(); obj.arrow();
`;

describe('calledDeclaration on tricky shapes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'called-declaration-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'shapes.ts'), SHAPES_TS);
  fs.writeFileSync(path.join(dir, 'shapes.js'), SHAPES_JS);
  const options: ts.CompilerOptions = { ...DEFAULT_COMPILER_OPTIONS, allowJs: true, checkJs: true, noEmit: true };
  const program = ts.createProgram({ rootNames: [path.join(dir, 'shapes.ts'), path.join(dir, 'shapes.js')], options });
  const files = program.getSourceFiles().filter((sf) => sf.fileName.startsWith(dir.replace(/\\/g, '/')) || path.resolve(sf.fileName).startsWith(dir));

  it("is the checker's resolved declaration for every call, and is answered without resolving where the callee says it", () => {
    expect(files).toHaveLength(2);
    const { calls, fast, mismatches } = compareCalledDeclarations(program, files, dir);
    expect(mismatches).toEqual([]);
    expect(calls).toBeGreaterThan(60);
    // Plain functions, methods and single-signature callees are most calls; overloads, `new`,
    // tagged templates, unions and JSDoc overloads are not.
    expect(fast).toBeGreaterThan(calls / 2);
    expect(fast).toBeLessThan(calls);
  });
});
