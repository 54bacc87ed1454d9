/**
 * Proof on a real PostgreSQL server that what no-query-outside-transaction reports is a bug: each
 * file of `fixtures/no-query-outside-transaction/postgres/` (TypeORM, Prisma with its pg adapter,
 * Knex) exports a `buggy` transfer, whose ledger insert runs through the outer handle (marked
 * `// expect: no-query-outside-transaction`), and a `fixed` one that uses the transaction's.
 *
 * - Pool of one connection: the buggy transfer hangs. The transaction holds the only connection
 *   and waits for its own ledger insert, which waits for a free connection. For HANG_MS the run
 *   stays pending while the server shows that one session idle in the transaction, its last
 *   statement unchanged and no ledger row: hold and wait, long before any library limit. Then the
 *   pool's own wait limit (POOL_WAIT_MS) fails the insert with its timeout, the production
 *   symptom, and the transaction rolls back. The fixed transfer commits.
 * - Larger pool: the buggy transfer works (why the bug passes tests), but when an overdraft fails
 *   the debit and rolls the transaction back, its ledger row survives (it committed on its own
 *   connection): a ledger entry for money that never moved. The fixed one's row is rolled back.
 *
 * The test starts its own server (test/helpers/postgres.ts) and fails, with what to install, when
 * PostgreSQL is missing. Each ORM has its own databases; whatever a failed run leaves on the
 * server is ended by terminating its sessions, and the server is stopped and deleted at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgresBin, startPostgres, type PostgresServer } from './helpers/postgres.js';
import { OPEN, ORMS, POOL_WAIT_MS, prepareFixtures, PROOF_FOLDER, type Orm, type Runner, type Transfer } from './helpers/transaction-proofs.js';

const RULE = 'no-query-outside-transaction';
const MARKER = new RegExp(`//\\s*expect:.*\\b${RULE}\\b`);
/** How long a hung transfer must stay pending: far past a healthy transfer, well before POOL_WAIT_MS. */
const HANG_MS = 3000;
const LARGE_POOL = 4;
/** Alice pays Bob 30 of her 100; then Bob cannot pay Alice 50 (the debit violates the CHECK). */
const PAYMENT: Transfer = { from: 1, to: 2, amount: 30 };
const OVERDRAFT: Transfer = { from: 2, to: 1, amount: 50 };

/** The marked lines of a proof file, and which of its exported functions each is in. */
function markedLines(file: string): { line: number; inFunction: string | undefined }[] {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const functions = sf.statements.filter((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && !!s.name);
  return text.split('\n').flatMap((line, i) => {
    if (!MARKER.test(line)) return [];
    const pos = sf.getPositionOfLineAndCharacter(i, 0);
    const owner = functions.find((f) => f.getStart() <= pos && pos < f.end);
    return [{ line: i + 1, inFunction: owner?.name?.text }];
  });
}

const proofFile = (orm: Orm) => path.join(PROOF_FOLDER, orm, 'transfer.ts');
/** `orm/transfer.ts:line`: the marked line each ORM's proof proves, named in the test titles. */
const proves = Object.fromEntries(
  ORMS.map((orm) => [orm, `${orm}/transfer.ts:${markedLines(proofFile(orm)).find((m) => m.inFunction === 'buggy')?.line ?? '?'}`]),
) as Record<Orm, string>;

let server: PostgresServer | undefined;
let tmp: string | undefined;

const PURPOSES = ['pool1', 'pool1_fixed', 'rollback_buggy', 'rollback_fixed'] as const;
const database = (orm: Orm, purpose: (typeof PURPOSES)[number]) => `proof_${orm}_${purpose}`;

/** A database per ORM and test (so the tests can run side by side), each with the tables of schema.sql. */
async function createDatabases(): Promise<void> {
  await server!.sql('postgres', 'CREATE DATABASE proof_template');
  await server!.sql('proof_template', fs.readFileSync(path.join(PROOF_FOLDER, 'schema.sql'), 'utf8'));
  const names = ORMS.flatMap((orm) => PURPOSES.map((purpose) => database(orm, purpose)));
  await Promise.all(names.map((name) => server!.sql('postgres', `CREATE DATABASE ${name} TEMPLATE proof_template`)));
}

/** Alice with 100, Bob with nothing, an empty ledger. */
async function reset(db: string): Promise<void> {
  await server!.sql(db, "TRUNCATE ledger_entries RESTART IDENTITY; DELETE FROM accounts; INSERT INTO accounts VALUES (1, 'alice', 100), (2, 'bob', 0)");
}

async function state(db: string): Promise<{ balances: number[]; ledger: number }> {
  const balances = (await server!.sql(db, 'SELECT balance FROM accounts ORDER BY id')).rows.map((r) => Number(r.balance));
  const ledger = Number((await server!.sql(db, 'SELECT count(*) AS n FROM ledger_entries')).rows[0].n);
  return { balances, ledger };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Session {
  pid: number;
  state: string;
  query: string;
}

/** The client sessions on `db`: which backend, its state, its last statement. */
async function sessions(db: string): Promise<Session[]> {
  const sql = "SELECT pid, state, query FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' ORDER BY pid";
  return (await server!.sql('postgres', sql, [db])).rows;
}

/** Polls `read` until `ok` holds for its value (then returns it), or fails after 20 s. */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: never seen; last: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

/** `promise`, or a rejection naming `what` when it has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function withRunner<T>(orm: Orm, db: string, poolSize: number, body: (runner: Runner) => Promise<T>): Promise<T> {
  const runner = await OPEN[orm](tmp!, server!, db, poolSize);
  const close = () => within(runner.close(), 10_000, `closing the ${orm} pool`);
  let result: T;
  try {
    result = await body(runner);
  } catch (error) {
    await close().catch(() => {}); // the body's failure is the one to report
    throw error;
  }
  await close();
  return result;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-transactions-'));
  // The server and the fixtures (prisma generate) take seconds each: side by side. A server that
  // started is kept for afterAll to stop even when the other half failed.
  const [started, prepared] = await Promise.allSettled([startPostgres(), prepareFixtures(tmp)]);
  if (started.status === 'fulfilled') server = started.value;
  for (const outcome of [started, prepared]) if (outcome.status === 'rejected') throw outcome.reason;
  await createDatabases();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the server', () => {
  it('is found here; a machine without PostgreSQL fails these proofs with what to install', () => {
    expect(fs.existsSync(path.join(findPostgresBin(), 'initdb'))).toBe(true);
    expect(() => findPostgresBin('', path.join(tmp!, 'no-postgresql'))).toThrow(/initdb and pg_ctl.*apt-get install -y postgresql/s);
  });
});

describe('the proof files', () => {
  it.each(ORMS)('%s/transfer.ts: one marked line, in `buggy`; none in `fixed`', (orm) => {
    const marks = markedLines(proofFile(orm));
    expect(marks.map((m) => m.inFunction)).toEqual(['buggy']);
  });

  it('every marked line of the folder is proved by a test here', () => {
    const files = fs.readdirSync(PROOF_FOLDER, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    const marked = files.filter((f) => markedLines(path.join(PROOF_FOLDER, f)).length > 0).map((f) => f.replace(/\\/g, '/')).sort();
    expect(marked).toEqual(ORMS.map((orm) => `${orm}/transfer.ts`).sort());
  });
});

// Every test has its own database: the three ORMs' hangs wait side by side.
describe.concurrent('pool of one connection', () => {
  it.for(ORMS.map((orm) => [orm, proves[orm]] as const))('%s: buggy (%s) hangs: the transaction holds the only connection, the outer insert waits for it', async ([orm], { expect }) => {
    const db = database(orm, 'pool1');
    await reset(db);
    try {
      await withRunner(orm, db, 1, async (runner) => {
        let settled: string | undefined;
        const run = runner.buggy(PAYMENT).then(
          () => (settled = 'fulfilled'),
          (error: unknown) => (settled = `rejected: ${String(error)}`),
        );
        // The credit ran: the pool's one connection is idle in the open transaction.
        const credited = (rows: Session[]) => rows.length === 1 && rows[0]!.state === 'idle in transaction' && /^\s*update\b.*accounts/is.test(rows[0]!.query);
        const held = await until(() => sessions(db), credited, `${orm}: the transaction's session after the credit`);
        await sleep(HANG_MS);
        // Hold and wait: nothing finished, nothing more ran on the session, the ledger insert never ran.
        expect(settled, proves[orm]).toBeUndefined();
        expect(await sessions(db), proves[orm]).toEqual(held);
        expect((await state(db)).ledger, proves[orm]).toBe(0);
        // Only the pool's wait limit ends it: the insert gives up, the transaction rolls back.
        await within(run, POOL_WAIT_MS + 20_000, `${orm}: the hung transfer`);
        expect(settled, proves[orm]).toMatch(/^rejected: .*timeout/i);
      });
      expect(await state(db)).toEqual({ balances: [100, 0], ledger: 0 });
    } finally {
      // Whatever a failed run left on the server (nothing, when it passes).
      await server!.terminateConnections(db);
    }
  });

  it.for(ORMS)('%s: fixed commits', async (orm, { expect }) => {
    const db = database(orm, 'pool1_fixed');
    await reset(db);
    await withRunner(orm, db, 1, (runner) => within(runner.fixed(PAYMENT), 20_000, `${orm}: fixed transfer`));
    expect(await state(db)).toEqual({ balances: [70, 30], ledger: 1 });
  });
});

describe.concurrent(`pool of ${LARGE_POOL} connections, a transfer rolled back`, () => {
  it.for(ORMS.map((orm) => [orm, proves[orm]] as const))("%s: buggy's ledger row (%s) survives the rollback: it committed on another connection", async ([orm], { expect }) => {
    const db = database(orm, 'rollback_buggy');
    await reset(db);
    await withRunner(orm, db, LARGE_POOL, async (runner) => {
      // With connections to spare, the buggy form works: why it passes tests.
      await within(runner.buggy(PAYMENT), 20_000, `${orm}: buggy payment`);
      expect(await state(db), proves[orm]).toEqual({ balances: [70, 30], ledger: 1 });
      await expect(within(runner.buggy(OVERDRAFT), 20_000, `${orm}: buggy overdraft`)).rejects.toThrow(/check|constraint|violat/i);
    });
    // The debit failed and the transfer rolled back, yet its ledger entry stays.
    expect(await state(db), proves[orm]).toEqual({ balances: [70, 30], ledger: 2 });
  });

  it.for(ORMS)("%s: fixed's ledger row is rolled back with the transfer", async (orm, { expect }) => {
    const db = database(orm, 'rollback_fixed');
    await reset(db);
    await withRunner(orm, db, LARGE_POOL, async (runner) => {
      await within(runner.fixed(PAYMENT), 20_000, `${orm}: fixed payment`);
      await expect(within(runner.fixed(OVERDRAFT), 20_000, `${orm}: fixed overdraft`)).rejects.toThrow(/check|constraint|violat/i);
    });
    expect(await state(db)).toEqual({ balances: [70, 30], ledger: 1 });
  });
});
