/**
 * For test/postgres-transactions.test.ts: the fixtures of `fixtures/no-query-outside-transaction/
 * postgres/` made runnable, and one runner per ORM that opens a connection pool of a given size
 * on a PostgreSQL database and calls a fixture's `buggy` or `fixed` transfer through it.
 *
 * The fixtures are TypeScript with legacy decorators and `design:type` metadata (TypeORM reads
 * it; vitest's transformer does not emit it), so they are compiled with `ts.transpileModule` into
 * a temporary folder with a link to this package's node_modules. The Prisma client is generated
 * there from the fixtures' `schema.prisma` (`prisma generate` only; the tables come from SQL, so
 * no schema engine is needed) and compiled the same way.
 *
 * Each pool waits up to POOL_WAIT_MS for a free connection, long after the test has seen a run
 * hang, and Prisma's own limits on interactive transactions (2 s to start, 5 s to run, by
 * default) are raised to ten minutes: while the test watches, a pending run is the deadlock
 * itself, never a library timeout. The pool's wait limit is then what ends the deadlock (neither
 * Knex's nor Prisma's pool gives back a connection whose server session was terminated, so
 * terminating it would not free the waiting query): the query gives up, the transaction rolls
 * back, the pool closes.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import knex from 'knex';
import { PrismaPg } from '@prisma/adapter-pg';
import type { PostgresServer } from './postgres.js';
import { listTs, transpileTo } from './transpile.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const PROOF_FOLDER = path.join(ROOT, 'fixtures', 'no-query-outside-transaction', 'postgres');
/** How long a query waits for a free pooled connection before it fails (milliseconds). */
export const POOL_WAIT_MS = 8000;
/** Prisma's interactive transaction limits: far beyond any test. */
const NO_LIMIT_MS = 10 * 60_000;

export type Orm = 'typeorm' | 'prisma' | 'knex';
export const ORMS: readonly Orm[] = ['typeorm', 'prisma', 'knex'];

export interface Transfer {
  from: number;
  to: number;
  amount: number;
}

/** A pool of `poolSize` connections on one database, and the fixture's two forms of the transfer. */
export interface Runner {
  buggy(t: Transfer): Promise<void>;
  fixed(t: Transfer): Promise<void>;
  close(): Promise<void>;
}

/** Every .ts under `src` compiled to an ES module of the same relative path under `out`. */
function transpileFolder(src: string, out: string): void {
  for (const file of listTs(src)) transpileTo(file, src, out);
}

const GENERATOR = `
generator client {
  provider            = "prisma-client"
  output              = "./generated"
  moduleFormat        = "esm"
  importFileExtension = "js"
}
`;

/** `prisma generate` from the fixtures' schema into `out/prisma-client`, compiled to JavaScript. */
async function generatePrismaClient(out: string): Promise<void> {
  const dir = path.join(out, 'prisma-client');
  fs.mkdirSync(dir, { recursive: true });
  const schema = path.join(dir, 'schema.prisma');
  fs.writeFileSync(schema, fs.readFileSync(path.join(PROOF_FOLDER, 'prisma', 'schema.prisma'), 'utf8') + GENERATOR);
  const cli = path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js');
  // No schema engine (it would be downloaded) and no update check: generation needs neither.
  const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  try {
    await promisify(execFile)(process.execPath, [cli, 'generate', '--schema', schema], { cwd: dir, env });
  } catch (error) {
    throw new Error(`prisma generate failed: ${(error as { stderr?: string }).stderr || String(error)}`);
  }
  transpileFolder(path.join(dir, 'generated'), path.join(dir, 'generated'));
}

/** Compiles the fixtures and generates the Prisma client under `tmp`. */
export async function prepareFixtures(tmp: string): Promise<void> {
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'), 'junction');
  fs.writeFileSync(path.join(tmp, 'package.json'), '{ "type": "module" }\n');
  transpileFolder(PROOF_FOLDER, path.join(tmp, 'fixtures'));
  await generatePrismaClient(tmp);
}

async function importFrom(file: string): Promise<Record<string, any>> {
  return (await import(pathToFileURL(file).href)) as Record<string, any>;
}

type Open = (tmp: string, server: PostgresServer, database: string, poolSize: number) => Promise<Runner>;

const openTypeorm: Open = async (tmp, server, database, poolSize) => {
  const { entities, LedgerEntry } = await importFrom(path.join(tmp, 'fixtures', 'typeorm', 'entities.js'));
  const { buggy, fixed } = await importFrom(path.join(tmp, 'fixtures', 'typeorm', 'transfer.js'));
  const { host, port, user } = server.config(database);
  // connectTimeoutMS: how long pg's pool lets a query wait for a connection.
  const ds = new DataSource({ type: 'postgres', host, port, username: user, database, entities, poolSize, connectTimeoutMS: POOL_WAIT_MS });
  await ds.initialize();
  const ledger = ds.getRepository(LedgerEntry);
  return { buggy: (t) => buggy(ds, ledger, t), fixed: (t) => fixed(ds, ledger, t), close: () => ds.destroy() };
};

const openPrisma: Open = async (tmp, server, database, poolSize) => {
  const { PrismaClient } = await importFrom(path.join(tmp, 'prisma-client', 'generated', 'client.js'));
  const { buggy, fixed } = await importFrom(path.join(tmp, 'fixtures', 'prisma', 'transfer.js'));
  const adapter = new PrismaPg({ ...server.config(database), max: poolSize, connectionTimeoutMillis: POOL_WAIT_MS });
  const prisma = new PrismaClient({ adapter, transactionOptions: { maxWait: NO_LIMIT_MS, timeout: NO_LIMIT_MS } });
  await prisma.$connect();
  return { buggy: (t) => buggy(prisma, t), fixed: (t) => fixed(prisma, t), close: () => prisma.$disconnect() };
};

const openKnex: Open = async (tmp, server, database, poolSize) => {
  const { buggy, fixed } = await importFrom(path.join(tmp, 'fixtures', 'knex', 'transfer.js'));
  // Knex logs a failed acquire before it rejects the query; the test checks the rejection.
  const quiet = { warn() {}, error() {}, debug() {}, deprecate() {} };
  const db = knex({ client: 'pg', connection: server.config(database), pool: { min: 0, max: poolSize }, acquireConnectionTimeout: POOL_WAIT_MS, log: quiet });
  return { buggy: (t) => buggy(db, t), fixed: (t) => fixed(db, t), close: () => db.destroy() };
};

export const OPEN: Record<Orm, Open> = { typeorm: openTypeorm, prisma: openPrisma, knex: openKnex };
