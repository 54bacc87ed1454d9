/**
 * Data: Knex (`knex`). `knex('table')...`, `knex.raw(...)` and the other builders are thenables
 * (Knex's `ChainableInterface`): a query runs when awaited, on `.then`/`.catch`/`.asCallback`,
 * or when streamed; `.first()` only adds `LIMIT 1` to the builder. A schema builder's DDL is not a
 * row query. Knex has no relations to load.
 */
import type { OrmSpec } from './catalog.js';

export const KNEX: OrmSpec = {
  orm: 'knex',
  modules: ['knex'],
  queries: [{ owners: ['Knex'], reads: [], writes: ['transaction'] }],
  builders: {
    marker: { member: 'toQuery', owners: ['ChainableInterface'] },
    awaitable: true,
    notQueries: ['SchemaBuilder', 'TableBuilder', 'CreateTableBuilder', 'AlterTableBuilder', 'ColumnBuilder'],
    executors: ['stream', 'asCallback'],
    writes: ['insert', 'update', 'del', 'delete', 'increment', 'decrement', 'upsert', 'truncate'],
    tablePickers: ['from', 'table', 'into', 'join', 'innerJoin', 'leftJoin'],
    batchCalls: ['whereIn', 'orWhereIn', 'andWhereIn', 'havingIn'],
  },
  loadAdvice: 'join the related table into the parent query (or load it with one `whereIn` query)',
  batchAdvice: 'load every row in one query before the loop, e.g. `knex(\'table\').whereIn(\'id\', ids)`, or join it into the outer query',
};
