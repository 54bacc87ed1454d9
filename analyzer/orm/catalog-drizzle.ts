/**
 * Data: Drizzle ORM (`drizzle-orm`). Every query is a builder that extends Drizzle's
 * `QueryPromise` (select/insert/update/delete, the relational `db.query.<table>.findMany/
 * findFirst`, `db.execute(sql)`, `db.$count`): it runs when awaited, on `.then`, or on
 * `.execute()` (`.all()`/`.get()`/`.run()`/`.values()` on SQLite). Relations load together with
 * the relational API's `with`; there is no lazy loading.
 */
import type { OrmSpec } from './catalog.js';

export const DRIZZLE: OrmSpec = {
  orm: 'drizzle',
  modules: ['drizzle-orm'],
  queries: [
    // Runs its callback in a transaction (the callback's own queries are checked where they are).
    { owners: (owner) => /(Database|Transaction)$/.test(owner), reads: [], writes: ['transaction', 'batch'] },
  ],
  builders: {
    marker: { member: 'then', owners: ['QueryPromise'] },
    awaitable: true,
    executors: ['execute', 'all', 'get', 'run', 'values'],
    writes: ['insert', 'update', 'delete'],
    tablePickers: ['from', 'insert', 'update', 'delete', 'innerJoin', 'leftJoin'],
  },
  loadAdvice: 'load it with the parent through the relational API\'s `with` (`db.query.users.findMany({ with: { posts: true } })`)',
  batchAdvice: 'load every row in one query before the loop, e.g. `db.select().from(table).where(inArray(table.id, ids))`, or load the relation with the parent query\'s `with`',
};
