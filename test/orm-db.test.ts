/**
 * Proof against a real database: every fixture of the relation rules that exports `proofs` runs
 * against an in-memory SQLite database with a query-counting logger — TypeORM fixtures on sql.js
 * (WebAssembly), MikroORM fixtures on libsql (both install with `npm ci`, without downloads).
 *
 * - `n+1`: the buggy function runs more queries when the tables hold more rows; the fixed one
 *   runs the same number (and returns the same data).
 * - `undefined`: the buggy function's relation read really is `undefined`; the fixed one's is not.
 *
 * Each proof names the marked line it shows (`marker`); the test titles give its file:line
 * (test/runtime-proofs/orm.ts reads them) and test/runtime-proofs.test.ts checks every marker of
 * these rules has a proof or a listed reason.
 *
 * The fixtures are TypeScript with legacy decorators and `design:type` metadata, which both ORMs
 * read; vitest's transformer does not emit that metadata, so the fixtures are compiled with
 * `ts.transpileModule` into a temporary folder (with a link to this package's node_modules) and
 * imported from there. Sequelize fixtures are static only: no SQLite driver for it is installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTs, transpileTo } from './helpers/transpile.js';
import 'reflect-metadata';
import { BaseEntity, DataSource, type Logger } from 'typeorm';
import { MikroORM } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { where } from './runtime-proofs/markers.js';
import { ormProofClaims } from './runtime-proofs/orm.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SMALL = 3;
const LARGE = 6;

type Orm = 'typeorm' | 'mikro-orm';
type Kind = Proof['kind'];
/** Each suite and the kinds of proof it must have (a suite without any of a kind fails). */
const SUITES: Array<[rule: string, orm: Orm, kinds: Kind[]]> = [
  ['no-lazy-relation-access', 'typeorm', ['undefined', 'n+1']],
  ['no-lazy-relation-access', 'mikro-orm', ['n+1']],
  ['no-query-in-loop', 'typeorm', ['n+1']],
  ['no-query-in-loop', 'mikro-orm', ['n+1']],
];

interface Proof {
  name: string;
  kind: 'undefined' | 'n+1';
  buggy(handle: unknown): Promise<unknown>;
  fixed(handle: unknown): Promise<unknown>;
}

interface Outcome {
  queries: number;
  value: unknown;
}

/** An open database: `handle()` is what a proof receives; `count.n` counts the queries sent. */
interface Db {
  handle(): unknown;
  count: { n: number };
  close(): Promise<void>;
}

let tmp: string;

/** Compile `fixtures/<rule>/<orm>/**.ts` to ES modules under `tmp/<rule>/<orm>`; return the modules with proofs. */
function compile(rule: string, orm: Orm): string[] {
  const src = path.join(ROOT, 'fixtures', rule, orm);
  const out = path.join(tmp, rule, orm);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(tmp, rule, 'package.json'), '{ "type": "module" }\n');
  const withProofs: string[] = [];
  for (const file of listTs(src)) {
    const text = fs.readFileSync(file, 'utf8');
    const target = transpileTo(file, src, out, text);
    if (/^export const proofs\b/m.test(text)) withProofs.push(target);
  }
  return withProofs;
}

async function importFrom(file: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

async function openTypeorm(base: string, rows: number): Promise<Db> {
  const { entities } = (await importFrom(path.join(base, 'entities', 'index.js'))) as { entities: Function[] };
  const { seed } = (await importFrom(path.join(base, 'seed.js'))) as { seed: (ds: DataSource, n: number) => Promise<void> };
  const count = { n: 0 };
  const quiet = () => {};
  const logger: Logger = {
    logQuery: () => {
      count.n++;
    },
    logQueryError: quiet,
    logQuerySlow: quiet,
    logSchemaBuild: quiet,
    logMigration: quiet,
    log: quiet,
  };
  const ds = new DataSource({ type: 'sqljs', entities, synchronize: true, logging: ['query'], logger });
  await ds.initialize();
  BaseEntity.useDataSource(ds);
  await seed(ds, rows);
  return { handle: () => ds, count, close: () => ds.destroy() };
}

async function openMikro(base: string, rows: number): Promise<Db> {
  const { entities } = (await importFrom(path.join(base, 'entities.js'))) as { entities: Function[] };
  const { seed } = (await importFrom(path.join(base, 'seed.js'))) as { seed: (em: unknown, n: number) => Promise<void> };
  const count = { n: 0 };
  const orm = await MikroORM.init({
    driver: LibSqlDriver,
    dbName: ':memory:',
    entities,
    debug: ['query'],
    logger: () => {
      count.n++;
    },
    allowGlobalContext: true,
  });
  await orm.schema.createSchema();
  await seed(orm.em.fork(), rows);
  return { handle: () => orm.em.fork(), count, close: () => orm.close() };
}

async function measure(db: Db, run: (handle: unknown) => Promise<unknown>): Promise<Outcome> {
  const handle = db.handle();
  db.count.n = 0;
  const value = await run(handle);
  return { queries: db.count.n, value };
}

interface SuiteResults {
  proofs: Proof[];
  /** proof name -> rows -> outcome */
  buggy: Map<string, Map<number, Outcome>>;
  fixed: Map<string, Map<number, Outcome>>;
}

const results = new Map<string, SuiteResults>();

async function runSuite(rule: string, orm: Orm): Promise<SuiteResults> {
  const proofs: Proof[] = [];
  for (const file of compile(rule, orm)) proofs.push(...((await importFrom(file)).proofs as Proof[]));
  const entry: SuiteResults = { proofs, buggy: new Map(), fixed: new Map() };
  const base = path.join(tmp, rule, orm);
  for (const rows of [SMALL, LARGE]) {
    const db = orm === 'typeorm' ? await openTypeorm(base, rows) : await openMikro(base, rows);
    try {
      for (const proof of proofs) {
        for (const [which, map] of [['buggy', entry.buggy], ['fixed', entry.fixed]] as const) {
          const byRows = map.get(proof.name) ?? new Map<number, Outcome>();
          byRows.set(rows, await measure(db, proof[which].bind(proof)));
          map.set(proof.name, byRows);
        }
      }
    } finally {
      await db.close();
    }
  }
  return entry;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'orm-db-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'), 'junction');
  for (const [rule, orm] of SUITES) results.set(`${rule}/${orm}`, await runSuite(rule, orm));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe.each(SUITES)('fixtures/%s/%s against SQLite', (rule, orm, kinds) => {
  const get = () => results.get(`${rule}/${orm}`)!;
  const ofKind = (kind: Kind) => get().proofs.filter((p) => p.kind === kind);
  const claims = ormProofClaims({ rule, orm });
  const titled = (kind: Kind) => claims.filter((c) => c.kind === kind).map((c) => [where(c.marker), c.name] as const);

  it('has proofs of the kinds it claims, and no others; each names its marked line', () => {
    for (const kind of kinds) expect(ofKind(kind).length, kind).toBeGreaterThan(0);
    expect(get().proofs.filter((p) => !kinds.includes(p.kind))).toEqual([]);
    expect(get().proofs.map((p) => p.name).sort()).toEqual(claims.map((c) => c.name).sort());
  });

  const proof = (name: string) => {
    const found = get().proofs.find((p) => p.name === name);
    expect(found, name).toBeDefined();
    return found!;
  };

  it.each(titled('n+1'))('%s (%s): the buggy query count grows with the rows, the fixed one stays constant', (_where, name) => {
    const entry = get();
    proof(name);
    const buggy = entry.buggy.get(name)!;
    const fixed = entry.fixed.get(name)!;
    expect(buggy.get(LARGE)!.queries, name).toBeGreaterThan(buggy.get(SMALL)!.queries);
    expect(fixed.get(LARGE)!.queries, name).toBe(fixed.get(SMALL)!.queries);
    expect(buggy.get(LARGE)!.queries, name).toBeGreaterThan(fixed.get(LARGE)!.queries);
    expect([SMALL, LARGE].map((rows) => buggy.get(rows)!.value), name).toEqual([SMALL, LARGE].map((rows) => fixed.get(rows)!.value));
  });

  // Both sides read the same row; the fixed side finding a value (not null, not undefined) shows
  // the row is there, so the buggy side's `undefined` is the unloaded relation, not a missing row.
  it.each(titled('undefined'))('%s (%s): the relation really reads `undefined`; loaded, it does not', (_where, name) => {
    const entry = get();
    proof(name);
    for (const rows of [SMALL, LARGE]) {
      expect(entry.buggy.get(name)!.get(rows)!.value, name).toBe(undefined);
      expect(entry.fixed.get(name)!.get(rows)!.value, name).toEqual(expect.anything());
    }
  });
});
