#!/usr/bin/env node
/**
 * Generates a realistic synthetic TypeScript service (express handlers, services with locks,
 * TypeORM entities and repositories, background jobs, helper chains across files) with a known
 * sprinkling of concurrency bugs, deterministic from a seed.
 *
 *   node bench/generate.mjs --files 1000 --seed 1 --out <folder>
 *
 * The tree gets a tsconfig.json, a package.json ({"type":"module"}), an ESLint config for the
 * peer benchmark, a `node_modules` link to this repository's node_modules (so typeorm,
 * async-mutex and @types resolve), and `bench-manifest.json` with the planted bugs. Every
 * planted bug line ends with `// expect: <rule-id>`, as in the fixtures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as t from './templates.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORDS = ['invoice', 'order', 'customer', 'product', 'shipment', 'payment', 'account', 'ticket', 'booking', 'coupon', 'review', 'warehouse', 'supplier', 'refund', 'report', 'session'];
const CHAIN_LENGTH = 6;
const GROUP_SIZE = 12;
const FIXED_FILES = 7;

/** mulberry32: a small, fast, seedable random source. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function layout(domains) {
  const chains = Math.max(2, Math.round(domains / 8));
  const groups = Math.ceil(domains / GROUP_SIZE);
  return { domains, chains, groups, files: 8 * domains + CHAIN_LENGTH * chains + 2 * groups + FIXED_FILES };
}

/** The layout whose file count is closest to `files`. */
export function layoutFor(files) {
  let best = layout(1);
  for (let d = 1; d < files; d++) {
    const l = layout(d);
    if (Math.abs(l.files - files) < Math.abs(best.files - files)) best = l;
    if (l.files > files) break;
  }
  return best;
}

function chainsOf(count) {
  const chains = [];
  for (let c = 0; c < count; c++) {
    let prev;
    const steps = [];
    for (let k = 0; k < CHAIN_LENGTH; k++) {
      const u = {
        index: k,
        file: `util-${c}-${k}`,
        fn: `normalize${c}x${k}`,
        labelsFn: `labels${c}x${k}`,
        asyncFn: `loadLabels${c}x${k}`,
        sep: ['-', '_', '.'][k % 3],
        blocking: c % 2 === 0,
        prev,
      };
      steps.push(u);
      prev = u;
    }
    chains.push(steps);
  }
  return chains;
}

function domainsOf(count, chains, rng) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const name = `${WORDS[i % WORDS.length]}${i}`;
    const d = { index: i, name, Name: name[0].toUpperCase() + name.slice(1), NAME: name.toUpperCase() };
    if (i > 0 && rng() < 0.8) d.dep = out[Math.max(0, i - 1 - Math.floor(rng() * Math.min(i, 30)))];
    const chain = chains[Math.floor(rng() * chains.length)];
    d.util = chain[Math.floor(rng() * CHAIN_LENGTH)];
    const blocking = chains.filter((c) => c[0].blocking);
    const top = blocking[Math.floor(rng() * blocking.length)][CHAIN_LENGTH - 1];
    d.chain = { file: top.file, fn: top.labelsFn, asyncFn: top.asyncFn };
    out.push(d);
  }
  return out;
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    useDefineForClassFields: false,
    skipLibCheck: true,
    noEmit: true,
  },
  include: ['src'],
};

const ESLINT_CONFIG = `// typescript-eslint's type-aware promise rules, for the benchmark.
import tseslint from 'typescript-eslint';

export default [
  {
    files: ['src/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': 'error',
    },
  },
];
`;

/** Write the project; returns its manifest. */
export function generate({ files, seed = 1, out }) {
  const rng = random(seed * 7919 + files);
  const l = layoutFor(files);
  const chains = chainsOf(l.chains);
  const domains = domainsOf(l.domains, chains, rng);
  const planted = Object.fromEntries(Object.keys(t.BUG_RATES).map((k) => [k, 0]));
  const plant = (kind) => {
    const yes = rng() < t.BUG_RATES[kind];
    if (yes) planted[kind]++;
    return yes;
  };
  const sources = new Map(Object.entries(t.SHARED_FILES));
  for (const chain of chains) for (const u of chain) sources.set(`src/lib/${u.file}.ts`, t.utilFile(u));
  for (const d of domains) {
    const dir = `src/domains/${d.name}/${d.name}`;
    sources.set(`${dir}.entity.ts`, t.entityFile(d));
    sources.set(`${dir}.types.ts`, t.typesFile(d));
    sources.set(`${dir}.repository.ts`, t.repositoryFile(d, plant));
    sources.set(`${dir}.service.ts`, t.serviceFile(d, plant));
    sources.set(`${dir}.handler.ts`, t.handlerFile(d, plant));
    sources.set(`${dir}.validators.ts`, t.validatorsFile(d));
    sources.set(`${dir}.mapper.ts`, t.mapperFile(d));
    sources.set(`${dir}.jobs.ts`, t.jobsFile(d, plant));
  }
  const groups = [];
  for (let g = 0; g * GROUP_SIZE < domains.length; g++) {
    const members = domains.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE);
    groups.push(g);
    sources.set(`src/http/routes-${g}.ts`, t.routesFile(g, members));
    sources.set(`src/jobs/jobs-${g}.ts`, t.jobsGroupFile(g, members));
  }
  sources.set('src/http/app.ts', t.appFile(groups));
  sources.set('src/jobs/index.ts', t.jobsIndexFile(groups));
  sources.set('src/server.ts', t.SERVER_FILE);

  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  let lines = 0;
  for (const [rel, text] of sources) {
    const file = path.join(out, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    lines += text.split('\n').length - 1;
  }
  fs.writeFileSync(path.join(out, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({ name: 'bench-app', private: true, type: 'module' }, null, 2)}\n`);
  fs.writeFileSync(path.join(out, 'eslint.config.mjs'), ESLINT_CONFIG);
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  const manifest = { seed, requestedFiles: files, files: sources.size, lines, domains: domains.length, planted };
  fs.writeFileSync(path.join(out, 'bench-manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { files: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' }, out: { type: 'string' } } });
  if (!values.out) {
    process.stderr.write('usage: node bench/generate.mjs --files N [--seed S] --out DIR\n');
    process.exit(2);
  }
  const manifest = generate({ files: Number(values.files), seed: Number(values.seed), out: path.resolve(values.out) });
  process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
}
