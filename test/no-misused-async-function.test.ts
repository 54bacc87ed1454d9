import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProjects, type LoadedProject } from '../analyzer/project/project.js';
import { runCheck } from '../analyzer/check/run.js';
import type { Finding, TextEdit } from '../analyzer/check/finding.js';
import check, { type Options } from '../analyzer/promises/no-misused-async-function/no-misused-async-function.js';
import { rejectionsKind } from '../analyzer/promises/rejections.js';
import { summaryStats } from '../analyzer/summaries/engine.js';
import { setCheckListener, WHOLE_PROGRAM } from '../analyzer/program/dependencies.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** Write files to a fresh temp folder (an ES module package that sees our node_modules) and load them. */
function programOf(files: Record<string, string>): { dir: string; project: LoadedProject } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nmaf-'));
  temps.push(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const { projects } = loadProjects({ paths: [dir], cwd: dir });
  return { dir, project: projects[0]! };
}

function run(project: LoadedProject, options: Partial<Options> = {}): Finding[] {
  return project.files.flatMap((sf) => runCheck(check, { severity: 'error', options }, project.program, sf));
}

function lint(files: Record<string, string>, options: Partial<Options> = {}): { dir: string; findings: Finding[]; project: LoadedProject } {
  const { dir, project } = programOf(files);
  return { dir, findings: run(project, options), project };
}

const lines = (findings: Finding[]) => findings.map((f) => `${path.basename(f.file)}:${f.line} ${f.messageId}`);

function applyEdits(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Type-check one rewritten file in its program's settings: syntax and semantic errors. */
function errorsAfter(project: LoadedProject, file: string, text: string): string[] {
  const options = project.program.getCompilerOptions();
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (name) => (path.resolve(name) === path.resolve(file) ? text : read(name));
  const program = ts.createProgram({ rootNames: project.program.getRootFileNames(), options, host });
  const sf = program.getSourceFile(file)!;
  return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

const HEADER = [
  'declare function save(x: number): Promise<void>;',
  'declare function log(e: unknown): void;',
].join('\n');

describe('no-misused-async-function: suggestions for forEach', () => {
  const source = [
    HEADER,
    'export async function run(xs: number[]): Promise<void> {',
    '  xs.forEach(async (x) => {',
    '    await save(x);',
    '    console.log(x);',
    '  });',
    '}',
    '',
  ].join('\n');

  it('offers a for...of rewrite and an awaited Promise.all, both type-checking', () => {
    const { findings, project } = lint({ 'a.ts': source });
    expect(lines(findings)).toEqual(['a.ts:4 forEach']);
    const [forOf, all] = findings[0]!.suggestions;
    expect(forOf!.messageId).toBe('suggestForOf');
    expect(all!.messageId).toBe('suggestPromiseAll');
    expect(findings[0]!.fix).toBeUndefined();
    const file = findings[0]!.file;
    const loop = applyEdits(source, forOf!.edits);
    expect(loop).toContain('  for (const x of xs) {\n    await save(x);\n    console.log(x);\n  }\n}');
    expect(errorsAfter(project, file, loop)).toEqual([]);
    const concurrent = applyEdits(source, all!.edits);
    expect(concurrent).toContain('  await Promise.all(xs.map(async (x) => {');
    expect(concurrent).toContain('  }));\n}');
    expect(errorsAfter(project, file, concurrent)).toEqual([]);
  });

  it('uses `let` when the callback reassigns its parameter', () => {
    const text = source.replace('console.log(x);', 'x += 1;');
    const { findings } = lint({ 'a.ts': text });
    expect(applyEdits(text, findings[0]!.suggestions[0]!.edits)).toContain('for (let x of xs) {');
  });

  it('offers no for...of rewrite when it would not be mechanical', () => {
    const cases = [
      source.replace('console.log(x);', 'if (x > 1) return;'), // a return
      source.replace('async (x) =>', 'async (x, i) =>').replace('console.log(x);', 'console.log(i);'), // index parameter
      source.replace('console.log(x);', 'var y = x; console.log(y);'), // var
      source.replace('async (x) => {', 'async function (this: unknown, x: number) {').replace('console.log(x);', 'console.log(this);'), // this
      source.replace('async (x) =>', 'async (x: number) =>'), // annotated parameter
    ];
    const { findings } = lint(Object.fromEntries(cases.map((text, i) => [`case${i}.ts`, text])));
    expect(findings.map((f) => `${path.basename(f.file)} ${f.suggestions.map((s) => s.messageId).join()}`)).toEqual(
      cases.map((_, i) => `case${i}.ts suggestPromiseAll`),
    );
  });

  it('offers nothing outside an async function, on optional chains, or on a Map', () => {
    const cases = [
      source.replace('export async function run(xs: number[]): Promise<void>', 'export function run(xs: number[]): void'),
      source.replace('xs.forEach', 'xs?.forEach'),
      source.replace('xs: number[]', 'xs: Map<number, number>'),
      source.replace('  xs.forEach', '  const r = xs.forEach').replace('  });\n}', '  });\n  console.log(r);\n}'),
    ];
    const { findings } = lint(Object.fromEntries(cases.map((text, i) => [`case${i}.ts`, text])));
    expect(findings.map((f) => `${path.basename(f.file)} ${f.suggestions.length}`)).toEqual(cases.map((_, i) => `case${i}.ts 0`));
  });
});

describe('no-misused-async-function: options', () => {
  const files = {
    'a.ts': [
      HEADER,
      "import { EventEmitter } from 'node:events';",
      'export function wire(bus: EventEmitter, xs: number[]): void {',
      "  bus.on('x', async () => { await save(1); });",
      "  setTimeout(async () => { try { await save(2); } catch (e) { log(e); } }, 1);",
      '  xs.forEach(async (x) => { await save(x); });',
      '  const onDone: () => void = async () => { await save(3); };',
      '  console.log(onDone);',
      '}',
      'interface L { on(): void }',
      'export class C implements L { async on(): Promise<void> { await save(4); } }',
      '',
    ].join('\n'),
  };

  const { project } = programOf(files);
  const linted = (options: Partial<Options> = {}) => lines(run(project, options));

  it('reports every position by default and lets a handler that catches everything pass', () => {
    expect(linted()).toEqual(['a.ts:5 voidReturnArgument', 'a.ts:7 forEach', 'a.ts:8 voidReturnVariable', 'a.ts:12 voidReturnInheritedMethod']);
  });

  it('allowHandledRejections: false reports the try/catch handler too (typescript-eslint behaviour)', () => {
    expect(linted({ allowHandledRejections: false })).toContain('a.ts:6 voidReturnArgument');
  });

  it('checksVoidReturn: false keeps only the array and executor checks', () => {
    expect(linted({ checksVoidReturn: false })).toEqual(['a.ts:7 forEach']);
  });

  it('checksVoidReturn can turn single positions off', () => {
    const got = linted({ checksVoidReturn: { arguments: false, inheritedMethods: false } });
    expect(got).toEqual(['a.ts:7 forEach', 'a.ts:8 voidReturnVariable']);
  });

  it('allowedApis by name, by dotted name and by module', () => {
    expect(linted({ allowedApis: [{ name: 'on' }] })).not.toContain('a.ts:5 voidReturnArgument');
    expect(linted({ allowedApis: [{ name: 'bus.on' }] })).not.toContain('a.ts:5 voidReturnArgument');
    expect(linted({ allowedApis: [{ name: 'on', module: 'node:events' }] })).not.toContain('a.ts:5 voidReturnArgument');
    expect(linted({ allowedApis: [{ name: 'on', module: 'express' }] })).toContain('a.ts:5 voidReturnArgument');
    expect(linted({ allowedApis: [{ name: 'forEach', module: 'lib' }] })).not.toContain('a.ts:7 forEach');
  });
});

describe('no-misused-async-function: boundaries and messages', () => {
  it('leaves a synchronous predicate that returns a promise to no-missing-await', () => {
    const { findings } = lint({
      'a.ts': [
        'declare function allowed(x: number): Promise<boolean>;',
        'export const a = [1, 2].filter((x) => allowed(x));',
        'export const b = [1, 2].filter(async (x) => allowed(x));',
        'export const c = [1, 2].filter(allowed);',
        '',
      ].join('\n'),
    });
    expect(lines(findings)).toEqual(['a.ts:3 predicate', 'a.ts:4 predicate']);
  });

  it('names the callee and the function, and traces a function declared in another file', () => {
    const { findings, dir } = lint({
      'jobs.ts': 'export async function flush(): Promise<void> { await write(); }\ndeclare function write(): Promise<void>;\n',
      'use.ts': "import { flush } from './jobs.js';\nexport function start(): void {\n  setInterval(flush, 1000);\n}\n",
    });
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.message).toContain('`setInterval` is given `flush` (an async function)');
    expect(f.message).toContain('try { ... } catch (error)');
    expect(f.trace.map((s) => `${path.relative(dir, s.file)}:${s.line} ${s.message}`)).toEqual(['jobs.ts:1 `flush` is async (declared here)']);
  });

  it('a reducer that awaits its accumulator is fine; one that does not is reported with its name', () => {
    const { findings } = lint({
      'a.js': [
        'export async function sum(xs) {',
        '  const good = await xs.reduce(async (p, x) => (await p) + x, Promise.resolve(0));',
        '  const bad = await xs.reduce(async (total, x) => total + x, 0);',
        '  return [good, bad];',
        '}',
        '',
      ].join('\n'),
    });
    expect(lines(findings)).toEqual([]); // `xs` is untyped: reduce is not guessed by name
    const typed = lint({
      'a.js': [
        'export async function sum() {',
        '  const xs = [1, 2, 3];',
        '  const good = await xs.reduce(async (p, x) => (await p) + x, Promise.resolve(0));',
        '  const bad = await xs.reduce(async (total, x) => total + x, 0);',
        '  return [good, bad];',
        '}',
        '',
      ].join('\n'),
    }).findings;
    expect(lines(typed)).toEqual(['a.js:4 reduce']);
    expect(typed[0]!.message).toContain('accumulator `total`');
  });
});

describe('no-misused-async-function: per-function facts', () => {
  it('reads a handler passed in many files once per program', () => {
    const files: Record<string, string> = {
      'safe.ts': 'declare function work(): Promise<void>;\nexport async function safe(): Promise<void> {\n  try {\n    await work();\n  } catch (e) {\n    console.error(e);\n  }\n}\n',
    };
    for (let i = 0; i < 10; i++) {
      files[`use${i}.ts`] = "import { safe } from './safe.js';\nexport function wire(): void {\n  setTimeout(safe, 1);\n  setInterval(safe, 2);\n}\n";
    }
    const { findings, project } = lint(files);
    expect(findings).toEqual([]);
    expect(summaryStats(project.program, rejectionsKind).computeCalls).toBe(1);
  });
});

describe('no-misused-async-function: callbacks that cannot reject', () => {
  const files = {
    'a.ts': [
      'declare function work(): Promise<void>;',
      'declare const log: { error(e: unknown): void };',
      'async function safe(): Promise<void> { try { await work(); } catch (e) { log.error(e); } }',
      'async function viaHelper(): Promise<void> { await safe(); }',
      'export function wire(): void {',
      '  setTimeout(viaHelper, 1);',
      '  setTimeout(async () => {}, 2);',
      '  setTimeout(async () => { await work(); }, 3);',
      '}',
      '',
    ].join('\n'),
  };
  const ids = (findings: Finding[]) => findings.map((f) => `${f.line} ${f.messageId}`);

  it('is quiet for a listener that only awaits a helper that handles its failures', () => {
    expect(ids(lint(files).findings)).not.toContain('6 voidReturnArgument');
  });

  it('reports an empty async stub with its own wording by default, and allowEmptyStubs accepts it', () => {
    const { findings } = lint(files);
    expect(ids(findings)).toEqual(['7 voidReturnEmptyStub', '8 voidReturnArgument']);
    expect(findings[0]!.message).toContain('cannot reject');
    expect(ids(lint(files, { allowEmptyStubs: true }).findings)).toEqual(['8 voidReturnArgument']);
  });

  it('says Node exits only when the program installs no unhandledRejection handler', () => {
    const without = lint(files).findings.find((f) => f.line === 8)!;
    expect(without.message).toContain('Node 15+ exits');
    const withHandler = lint({ ...files, 'main.ts': "process.on('unhandledRejection', (reason) => { console.error(reason); });\nexport {};\n" }).findings.find((f) => f.line === 8)!;
    expect(withHandler.message).not.toContain('exits');
    expect(withHandler.message).toContain('process-wide `unhandledRejection` handler');
  });
});

describe('no-misused-async-function: listeners of an emitter the program awaits', () => {
  const emitter = [
    "import { EventEmitter } from 'node:events';",
    'export class Lifecycle {',
    '  static events = new EventEmitter();',
    '  static async stop(): Promise<void> {',
    "    for (const l of this.events.listeners('stopping')) await l();",
    '  }',
    '}',
    '',
  ].join('\n');
  const listener = [
    "import { Lifecycle } from './lifecycle.js';",
    'declare function close(): Promise<void>;',
    "Lifecycle.events.on('stopping', async () => { await close(); });",
    '',
  ].join('\n');
  const main = "import './server.js';\nimport { Lifecycle } from './lifecycle.js';\nawait Lifecycle.stop();\n";

  it('is quiet while no file emits, and reports once one does (the fact depends on every file)', () => {
    expect(lines(lint({ 'lifecycle.ts': emitter, 'server.ts': listener, 'main.ts': main }).findings)).toEqual([]);
    const emits = "import { Lifecycle } from './lifecycle.js';\nexport function quit(): void { Lifecycle.events.emit('stopping'); }\n";
    const { findings } = lint({ 'lifecycle.ts': emitter, 'server.ts': listener, 'main.ts': main, 'signals.ts': emits });
    expect(lines(findings)).toEqual(['server.ts:3 voidReturnArgument']);
  });

  it('tells the analysis cache that a listener file read the whole program, and other files did not', () => {
    const { project } = programOf({ 'lifecycle.ts': emitter, 'server.ts': listener, 'main.ts': main });
    const wholeProgram: string[] = [];
    setCheckListener((_rule, sf, touched) => {
      if (touched.has(WHOLE_PROGRAM)) wholeProgram.push(path.basename(sf.fileName));
    });
    try {
      run(project);
    } finally {
      setCheckListener(undefined);
    }
    expect(wholeProgram).toEqual(['server.ts']);
  });

  it('reports when the field may be read through an interface, or the emitter is reassigned', () => {
    const viaInterface = "import { Lifecycle } from './lifecycle.js';\ninterface HasEvents { events: { emit(e: string): boolean } }\nconst h: HasEvents = Lifecycle;\nh.events.emit('stopping');\n";
    expect(lines(lint({ 'lifecycle.ts': emitter, 'server.ts': listener, 'main.ts': main, 'alias.ts': viaInterface }).findings)).toEqual(['server.ts:3 voidReturnArgument']);
    const reassigned = "import { EventEmitter } from 'node:events';\nimport { Lifecycle } from './lifecycle.js';\nLifecycle.events = new EventEmitter();\n";
    expect(lines(lint({ 'lifecycle.ts': emitter, 'server.ts': listener, 'main.ts': main, 'reset.ts': reassigned }).findings)).toEqual(['server.ts:3 voidReturnArgument']);
  });

  it('keeps a private field of a class exported from a package entry quiet (no one outside can reach it)', () => {
    const owned = [
      "import { EventEmitter } from 'node:events';",
      'declare function close(): Promise<void>;',
      'export class Service {',
      '  readonly #events = new EventEmitter();',
      "  constructor() { this.#events.on('stopping', async () => { await close(); }); }",
      "  async stop(): Promise<void> { await Promise.all(this.#events.listeners('stopping').map((l) => l())); }",
      '}',
      '',
    ].join('\n');
    const publicField = owned.replaceAll('#events', 'events');
    const { findings } = lint({ 'private.ts': owned, 'public.ts': publicField, 'index.ts': "export * from './private.js';\nexport * from './public.js';\n" });
    expect(lines(findings)).toEqual(['public.ts:5 voidReturnArgument']);
  });
});
