/**
 * Data: how each ORM opens a transaction, which handle the transaction's queries must use, and
 * (for the builder ORMs Knex, Drizzle and Kysely, which `orm/catalog.ts` does not cover yet)
 * which handle types start a query. Checked against each ORM's own source; see
 * docs/rules/no-query-outside-transaction.md for what was found there.
 */
import type { OrmName } from '../catalog.js';

/** The ORMs whose transactions are modelled (Mongoose sessions are not: a query joins one only through its `session` option). */
export type TxOrm = Exclude<OrmName, 'mongoose'>;

export function isTxOrm(orm: OrmName | undefined): orm is TxOrm {
  return orm !== undefined && orm !== 'mongoose';
}

/** A call whose function argument runs inside a transaction, with the handle as its first parameter. */
export interface CallbackOpener {
  orm: TxOrm;
  /** Declaring classes/interfaces of the method (exact names or a test). */
  owners: readonly string[] | RegExp;
  method: string;
}

export const CALLBACK_OPENERS: readonly CallbackOpener[] = [
  { orm: 'typeorm', owners: ['DataSource', 'Connection', 'EntityManager'], method: 'transaction' },
  { orm: 'prisma', owners: ['PrismaClient'], method: '$transaction' },
  { orm: 'sequelize', owners: ['Sequelize'], method: 'transaction' },
  { orm: 'knex', owners: ['Knex', 'Transaction'], method: 'transaction' },
  { orm: 'drizzle', owners: /(Database|Transaction)$/, method: 'transaction' },
  { orm: 'kysely', owners: ['TransactionBuilder'], method: 'execute' },
  { orm: 'mikro-orm', owners: ['EntityManager', 'SqlEntityManager'], method: 'transactional' },
];

/** A call that starts a transaction on a handle it returns or binds, ended by commit/rollback calls. */
export interface SpanOpener {
  orm: TxOrm;
  owners: readonly string[];
  method: string;
  /** 'receiver': the transaction runs on the call's receiver (TypeORM's QueryRunner); 'result': on the value it returns. */
  handle: 'receiver' | 'result';
  /** Methods on the handle that end the transaction. */
  ends: readonly string[];
}

export const SPAN_OPENERS: readonly SpanOpener[] = [
  { orm: 'typeorm', owners: ['QueryRunner'], method: 'startTransaction', handle: 'receiver', ends: ['commitTransaction', 'rollbackTransaction', 'release'] },
  { orm: 'sequelize', owners: ['Sequelize'], method: 'transaction', handle: 'result', ends: ['commit', 'rollback'] },
  { orm: 'knex', owners: ['Knex', 'Transaction'], method: 'transaction', handle: 'result', ends: ['commit', 'rollback'] },
  { orm: 'kysely', owners: ['ControlledTransactionBuilder'], method: 'execute', handle: 'result', ends: ['commit', 'rollback'] },
];

/** Modules whose declarations belong to the builder ORMs. */
export const BUILDER_MODULES: Readonly<Record<string, TxOrm>> = {
  knex: 'knex',
  'drizzle-orm': 'drizzle',
  kysely: 'kysely',
};

/** Type names of the builder ORMs' handles (a database or a transaction on it). */
export const BUILDER_HANDLE_TYPES: Readonly<Record<'knex' | 'drizzle' | 'kysely', RegExp>> = {
  knex: /^(Knex|Transaction)$/,
  drizzle: /(Database|Transaction)$/,
  kysely: /^(Kysely|Transaction|ControlledTransaction)$/,
};

/** Types that are a transaction's own handle: a parameter of one of these is (or joins) a transaction. */
export const TRANSACTION_HANDLE_TYPES: Readonly<Partial<Record<TxOrm, RegExp>>> = {
  knex: /^Transaction$/,
  drizzle: /Transaction$/,
  kysely: /^(Transaction|ControlledTransaction)$/,
  sequelize: /^Transaction$/,
  prisma: /^TransactionClient$/,
};

/** Kysely runs a builder only at one of these terminal calls. */
export const KYSELY_EXECUTORS: readonly string[] = ['execute', 'executeTakeFirst', 'executeTakeFirstOrThrow', 'stream'];

/** Drizzle's SQLite builders also run at these terminals. */
export const DRIZZLE_EXECUTORS: readonly string[] = ['execute', 'run', 'all', 'get', 'values', 'then'];

/** Calls whose callback runs later, after the transaction has settled (or at an unknown time). */
export const DEFERRING_CALLS: readonly string[] = [
  'afterCommit', 'afterRollback', 'setTimeout', 'setInterval', 'setImmediate', 'on', 'once', 'addListener', 'subscribe',
];

/** How each ORM's message tells the user to run the query in the transaction. */
export const TX_ADVICE: Readonly<Record<TxOrm, string>> = {
  typeorm: 'run it through the transaction\'s entity manager (`{{tx}}.save(...)`, `{{tx}}.getRepository(Entity)`, or `{{tx}}.withRepository(repository)` for an injected or custom repository)',
  prisma: 'call it on the transaction client the callback receives (`{{tx}}.model.create(...)` instead of the root client)',
  sequelize: 'pass the transaction in the query\'s options (`{ transaction: {{tx}} }`), or enable CLS with `Sequelize.useCLS(namespace)` for managed transactions',
  knex: 'build it on the transaction (`{{tx}}(\'table\')...`, `{{tx}}.raw(...)`) or add `.transacting({{tx}})`',
  drizzle: 'build it on the transaction the callback receives (`{{tx}}.select()...`, `{{tx}}.insert(table)...`)',
  kysely: 'build it on the transaction (`{{tx}}.selectFrom(...)`, `{{tx}}.insertInto(...)`)',
  'mikro-orm': 'use the entity manager the callback receives (`{{tx}}`), or the global EntityManager, which MikroORM routes into the running transaction; a fork made with `em.fork()` is never routed',
};

/** Display names. */
export const ORM_LABEL: Readonly<Record<TxOrm, string>> = {
  typeorm: 'TypeORM', prisma: 'Prisma', sequelize: 'Sequelize', knex: 'Knex', drizzle: 'Drizzle', kysely: 'Kysely', 'mikro-orm': 'MikroORM',
};
