/**
 * Data: Kysely (`kysely`). Its query builders are not thenables: a query runs only on
 * `.execute()`, `.executeTakeFirst()`, `.executeTakeFirstOrThrow()`, `.stream()` or
 * `.explain()` (and `sql\`...\`.execute(db)` for raw SQL). Kysely has no relations to load.
 */
import type { OrmSpec } from './catalog.js';

export const KYSELY: OrmSpec = {
  orm: 'kysely',
  modules: ['kysely'],
  queries: [],
  builders: {
    marker: {
      member: 'execute',
      owners: ['SelectQueryBuilder', 'InsertQueryBuilder', 'UpdateQueryBuilder', 'DeleteQueryBuilder', 'MergeQueryBuilder', 'RawBuilder', 'TransactionBuilder'],
    },
    awaitable: false,
    executors: ['execute', 'executeTakeFirst', 'executeTakeFirstOrThrow', 'stream', 'explain'],
    writes: ['insertInto', 'replaceInto', 'updateTable', 'deleteFrom', 'mergeInto', 'transaction'],
    tablePickers: ['selectFrom', 'insertInto', 'replaceInto', 'updateTable', 'deleteFrom', 'mergeInto', 'innerJoin', 'leftJoin'],
    batchOperator: 'in',
  },
  loadAdvice: 'join the related table into the parent query (or load it with one `where(\'id\', \'in\', ids)` query)',
  batchAdvice: 'load every row in one query before the loop, e.g. `db.selectFrom(\'table\').where(\'id\', \'in\', ids).execute()`, or join it into the outer query',
};
