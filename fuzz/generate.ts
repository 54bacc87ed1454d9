/**
 * Random TypeScript programs in the shapes concurrency-lint cares about: async and sync
 * functions calling each other within and across files (recursion and cycles included),
 * floating, awaited, voided and chained promises, callbacks, loops, try/finally, shared
 * module state, locks (async-mutex) and blocking calls. Each program is 1-3 files that
 * import each other. Mostly well-typed, never executed.
 */
import type { Rng } from './random.js';

export type Files = Record<string, string>;

interface Fn {
  name: string;
  async: boolean;
  /** The file that declares it (index). */
  file: number;
}

interface Ctx {
  rng: Rng;
  /** Functions callable from the current file. */
  callable: Fn[];
  /** Inside an async function (await allowed). */
  inAsync: boolean;
  depth: number;
  vars: number;
}

const MAX_DEPTH = 3;

function call(ctx: Ctx): string {
  const { rng } = ctx;
  const arg = rng.pick(['1', '2', 'x', 'x + 1', '0']);
  if (rng.chance(0.1)) return `sleep(${arg})`;
  if (rng.chance(0.05)) return `Promise.resolve(${arg})`;
  const fn = rng.pick(ctx.callable);
  return `${fn.name}(${arg})`;
}

/** A call that returns a promise (for `.then`/`.catch` chains). */
function asyncCall(ctx: Ctx): string {
  const asyncFns = ctx.callable.filter((fn) => fn.async);
  if (asyncFns.length === 0 || ctx.rng.chance(0.15)) return `sleep(${ctx.rng.pick(['1', 'x'])})`;
  return `${ctx.rng.pick(asyncFns).name}(${ctx.rng.pick(['1', 'x'])})`;
}

function block(ctx: Ctx, min: number, max: number, indent: string): string {
  const inner = { ...ctx, depth: ctx.depth + 1 };
  const lines: string[] = [];
  for (let i = rngCount(ctx, min, max); i > 0; i--) lines.push(statement(inner, `${indent}  `));
  return `{\n${lines.join('\n')}${lines.length ? '\n' : ''}${indent}}`;
}

function rngCount(ctx: Ctx, min: number, max: number): number {
  return ctx.depth >= MAX_DEPTH ? Math.min(min, 1) : ctx.rng.int(min, max);
}

function asyncCallback(ctx: Ctx, indent: string): string {
  return `async () => ${block({ ...ctx, inAsync: true }, 1, 3, indent)}`;
}

type Maker = (ctx: Ctx, indent: string) => string | undefined;

const AWAITING: Maker[] = [
  (c) => `await ${call(c)};`,
  (c) => `const v${c.vars++} = await ${call(c)};`,
  (c) => `counter += await ${call(c)};`,
  (c) => `await Promise.all([${call(c)}, ${call(c)}]);`,
  (c, i) => `if (!cache.has('k')) ${block({ ...c }, 1, 2, i).replace('{\n', `{\n${i}  cache.set('k', await ${call(c)});\n`)}`,
  (c, i) => `const release${c.vars} = await mutex.acquire();\n${i}try ${block(c, 1, 2, i)} finally {\n${i}  release${c.vars++}();\n${i}}`,
  (c, i) => `const held${c.vars++} = await mutex.acquire();\n${i}counter++;`,
  (c, i) => `await lockA.runExclusive(${asyncCallback(c, i)});`,
  (c, i) => `await lockA.runExclusive(async () => {\n${i}  await lockB.runExclusive(${asyncCallback(c, `${i}  `)});\n${i}});`,
  (c, i) => `await lockB.runExclusive(async () => {\n${i}  await lockA.runExclusive(${asyncCallback(c, `${i}  `)});\n${i}});`,
  (c, i) => `for await (const item of [${call(c)}]) ${block(c, 0, 1, i)}`,
];

const ANYWHERE: Maker[] = [
  (c) => `${call(c)};`,
  (c) => `void ${call(c)};`,
  (c) => `${asyncCall(c)}.then((value) => value).catch(() => undefined);`,
  (c) => `${asyncCall(c)}.catch(() => undefined);`,
  (c) => `const p${c.vars++} = ${call(c)};`,
  (c) => `counter = counter + 1;`,
  (c) => `if (${call(c)}) {\n  counter--;\n}`,
  (c) => `const ok${c.vars++} = ${call(c)} && true;`,
  (c, i) => `for (const x of [1, 2, 3]) ${block(c, 1, 2, i)}`,
  (c, i) => `[1, 2].forEach(async (x) => ${block({ ...c, inAsync: true }, 1, 2, i)});`,
  (c, i) => `[1, 2].map((x) => ${call(c)});`,
  (c, i) => `setTimeout(${asyncCallback(c, i)}, 0);`,
  (c, i) => `try ${block(c, 1, 2, i)} catch (error) ${block(c, 0, 1, i)}`,
  (c, i) => `try ${block(c, 1, 2, i)} finally ${block(c, 0, 1, i)}`,
  (c, i) => `if (x > 1) ${block(c, 1, 2, i)} else ${block(c, 0, 1, i)}`,
  (c, i) => `const helper${c.vars++} = async (x: number) => ${block({ ...c, inAsync: true }, 1, 2, i)};`,
  (c) => `readFileSync('data.txt', 'utf8');`,
  (c) => `new Promise<void>((resolve) => resolve());`,
  (c) => `emitter.on('event', async () => { await ${call({ ...c, inAsync: true })}; });`,
];

function statement(ctx: Ctx, indent: string): string {
  const pool = ctx.inAsync && ctx.rng.chance(0.5) ? AWAITING : ANYWHERE;
  const text = ctx.rng.pick(pool)(ctx, indent) ?? '';
  return `${indent}${text}`;
}

function functionText(ctx: Ctx, fn: Fn, exported: boolean): string {
  const inner: Ctx = { ...ctx, inAsync: fn.async, depth: 0 };
  const body = block(inner, 1, 4, '');
  const ret = fn.async && ctx.rng.chance(0.3) ? `  return ${call(inner)};\n` : '  return x;\n';
  const head = `${exported ? 'export ' : ''}${fn.async ? 'async ' : ''}function ${fn.name}(x: number)`;
  return `${head} ${body.slice(0, -1)}${ret}}\n`;
}

const PRELUDE = `import { Mutex } from 'async-mutex';
import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';

const mutex = new Mutex();
const lockA = new Mutex();
const lockB = new Mutex();
const emitter = new EventEmitter();
const cache = new Map<string, number>();
let counter = 0;
const sleep = (ms: number) => new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms));
`;

/** One random program: 1-3 files under `dir/`, importing each other. */
export function generateProgram(rng: Rng, dir: string): Files {
  const fileCount = rng.int(1, 3);
  const fns: Fn[] = [];
  for (let f = 0; f < fileCount; f++) {
    for (let k = rng.int(1, 4); k > 0; k--) fns.push({ name: `f${f}_${fns.length}`, async: rng.chance(0.65), file: f });
  }
  const files: Files = {};
  for (let f = 0; f < fileCount; f++) {
    const own = fns.filter((fn) => fn.file === f);
    const imported = fns.filter((fn) => fn.file !== f && rng.chance(0.6));
    const ctx: Ctx = { rng, callable: [...own, ...imported], inAsync: false, depth: 0, vars: 0 };
    const imports = [...new Set(imported.map((fn) => fn.file))]
      .sort()
      .map((file) => `import { ${imported.filter((fn) => fn.file === file).map((fn) => fn.name).join(', ')} } from './m${file}.js';`);
    const body = own.map((fn) => functionText(ctx, fn, true)).join('\n');
    const tail = `\nexport function touch(): number {\n  return counter + cache.size + (mutex.isLocked() ? 1 : 0) + (lockA.isLocked() || lockB.isLocked() ? 1 : 0) + emitter.listenerCount('event') + readFileSync.length + sleep.length;\n}\n`;
    files[`${dir}/m${f}.ts`] = `${PRELUDE}${imports.join('\n')}\n\n${body}${tail}`;
  }
  return files;
}
