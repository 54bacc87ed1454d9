/**
 * Data: the ORM APIs the relation rules know, by package and declaring class.
 *
 * A call is recognised by where its resolved method is declared (the package of the
 * declaration file, or the name of an ambient `declare module '...'` block) and by the class
 * or interface that declares it, so `this.orders.find()` on a `Repository<Order>` field, a
 * custom repository class extending `Repository`, and `User.find()` on a `BaseEntity` all
 * resolve to the same entry. Names alone are never enough.
 */

import { DRIZZLE } from './catalog-drizzle.js';
import { KYSELY } from './catalog-kysely.js';
import { KNEX } from './catalog-knex.js';
import { MONGOOSE } from './catalog-mongoose.js';

export type OrmName = 'typeorm' | 'prisma' | 'sequelize' | 'mikro-orm' | 'drizzle' | 'kysely' | 'knex' | 'mongoose';

/** What a recognised call does to the database. */
export type QueryKind = 'read' | 'write';

export interface OwnerSpec {
  /** Declaring class/interface names (exact), or a predicate on the name. */
  owners: readonly string[] | ((owner: string) => boolean);
  reads: readonly string[];
  writes: readonly string[];
}

export interface OrmSpec {
  orm: OrmName;
  /** Package names (or ambient module names) whose declarations belong to this ORM. */
  modules: readonly string[];
  /** Owners whose methods issue a query when called. */
  queries: readonly OwnerSpec[];
  /** Query builders that run when awaited or executed (Drizzle, Kysely, Knex, Mongoose): see `BuilderSpec`. */
  builders?: BuilderSpec;
  /** How the rules tell the user to load a relation together with its parent. */
  loadAdvice: string;
  /** How the rules tell the user to replace one query per item with one for the batch. */
  batchAdvice: string;
}

/**
 * An ORM whose queries are values: a builder is made, refined and then run, by `await` (it is a
 * thenable), `.then`, or an executor method (`.execute()`, `.exec()`). Making one runs nothing,
 * so a builder made in a loop and run once after it is one query, not one per element.
 */
export interface BuilderSpec {
  /**
   * A value is a query of this ORM when its type has `member`, declared by one of `owners` in one
   * of the ORM's modules (`then` of Drizzle's `QueryPromise`, `toQuery` of Knex's
   * `ChainableInterface`): robust to the `Omit<...>` types the builders' methods return.
   */
  marker: { member: string; owners: readonly string[] };
  /** Is it run by `await`/`.then` (a thenable), or only by its executors (Kysely)? */
  awaitable: boolean;
  /** Types (by name) that carry the marker but are no row query (a schema builder's DDL). */
  notQueries?: readonly string[];
  /** Methods that run the query when called on it. */
  executors: readonly string[];
  /** Methods anywhere in the chain that make the query a write. */
  writes: readonly string[];
  /** Chain methods whose first argument picks the table (`from(users)`, `selectFrom('users')`). */
  tablePickers: readonly string[];
  /** Chain methods that make one query cover a list (`whereIn('id', ids)`). */
  batchCalls?: readonly string[];
  /** A call whose second argument is this string compares with a list (Kysely `where('id', 'in', ids)`). */
  batchOperator?: string;
}

const TYPEORM_FINDERS = [
  'find', 'findBy', 'findOne', 'findOneBy', 'findOneOrFail', 'findOneByOrFail', 'findAndCount', 'findAndCountBy',
  'findByIds', 'count', 'countBy', 'exists', 'existsBy', 'sum', 'average', 'minimum', 'maximum', 'query', 'preload',
];
const TYPEORM_WRITES = [
  'save', 'insert', 'update', 'updateAll', 'upsert', 'delete', 'deleteAll', 'softDelete', 'restore', 'remove',
  'softRemove', 'recover', 'increment', 'decrement', 'clear', 'transaction',
];

export const TYPEORM: OrmSpec = {
  orm: 'typeorm',
  modules: ['typeorm'],
  queries: [
    {
      owners: ['Repository', 'TreeRepository', 'MongoRepository', 'EntityManager', 'MongoEntityManager', 'BaseEntity'],
      reads: TYPEORM_FINDERS,
      writes: [...TYPEORM_WRITES, 'reload'],
    },
    {
      owners: ['SelectQueryBuilder'],
      reads: ['getOne', 'getOneOrFail', 'getMany', 'getManyAndCount', 'getRawOne', 'getRawMany', 'getRawAndEntities', 'getCount', 'getExists', 'stream', 'execute'],
      writes: [],
    },
    {
      owners: ['QueryBuilder', 'InsertQueryBuilder', 'UpdateQueryBuilder', 'DeleteQueryBuilder', 'SoftDeleteQueryBuilder'],
      reads: [],
      writes: ['execute'],
    },
    { owners: ['RelationQueryBuilder'], reads: ['loadOne', 'loadMany'], writes: ['add', 'remove', 'set', 'addAndRemove'] },
    { owners: ['DataSource', 'QueryRunner'], reads: ['query'], writes: ['transaction'] },
  ],
  loadAdvice: 'add the relation to the query\'s `relations` (or `leftJoinAndSelect` it in a QueryBuilder)',
  batchAdvice: 'load every row in one query before the loop, e.g. `findBy({ id: In(ids) })`, or join it into the outer query with `relations`',
};

export const PRISMA: OrmSpec = {
  orm: 'prisma',
  modules: ['@prisma/client', '.prisma', '.prisma/client'],
  queries: [
    {
      owners: (owner) => owner.endsWith('Delegate'),
      reads: ['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate', 'groupBy'],
      writes: ['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany'],
    },
    {
      owners: ['PrismaClient'],
      reads: ['$queryRaw', '$queryRawUnsafe'],
      writes: ['$executeRaw', '$executeRawUnsafe', '$transaction'],
    },
  ],
  loadAdvice: 'select the relation with the parent query\'s `include`',
  batchAdvice: 'load every row in one query before the loop, e.g. `findMany({ where: { id: { in: ids } } })`, or `include` the relation in the outer query',
};

export const SEQUELIZE: OrmSpec = {
  orm: 'sequelize',
  modules: ['sequelize', '@sequelize/core'],
  queries: [
    {
      owners: ['Model'],
      reads: ['findAll', 'findOne', 'findByPk', 'findAndCountAll', 'findOrCreate', 'findCreateFind', 'findOrBuild', 'count', 'max', 'min', 'sum', 'aggregate', 'reload'],
      writes: ['create', 'bulkCreate', 'update', 'upsert', 'destroy', 'restore', 'truncate', 'increment', 'decrement', 'save'],
    },
    { owners: ['Sequelize'], reads: ['query'], writes: ['transaction'] },
  ],
  loadAdvice: 'add the association to the parent query\'s `include` and read the property instead of calling the getter',
  batchAdvice: 'load every row in one query before the loop, e.g. `findAll({ where: { id: ids } })`, or `include` the association in the outer query',
};

export const MIKRO_ORM: OrmSpec = {
  orm: 'mikro-orm',
  modules: ['@mikro-orm/core', '@mikro-orm/knex', '@mikro-orm/sql', '@mikro-orm/libsql', '@mikro-orm/sqlite', '@mikro-orm/postgresql', '@mikro-orm/mysql'],
  queries: [
    {
      owners: ['EntityManager', 'SqlEntityManager', 'EntityRepository', 'SqlEntityRepository'],
      reads: ['find', 'findOne', 'findOneOrFail', 'findAll', 'findAndCount', 'findByCursor', 'count', 'refresh', 'refreshOrFail', 'populate', 'execute', 'lock'],
      writes: ['flush', 'persistAndFlush', 'removeAndFlush', 'upsert', 'upsertMany', 'insert', 'insertMany', 'nativeInsert', 'nativeUpdate', 'nativeDelete', 'transactional'],
    },
  ],
  loadAdvice: 'add the relation to the parent query\'s `populate`',
  batchAdvice: 'load every row in one query before the loop, e.g. `em.find(Entity, { id: { $in: ids } })`, or `populate` the relation in the outer query',
};

export const ORMS: readonly OrmSpec[] = [TYPEORM, PRISMA, SEQUELIZE, MIKRO_ORM, DRIZZLE, KYSELY, KNEX, MONGOOSE];

/** TypeORM relation decorators and the shape of the property they declare. */
export const TYPEORM_RELATION_DECORATORS: Readonly<Record<string, 'one' | 'many'>> = {
  ManyToOne: 'one',
  OneToOne: 'one',
  OneToMany: 'many',
  ManyToMany: 'many',
};

/** TypeORM find methods whose options may carry `relations` (first argument, or second on an EntityManager). */
export const TYPEORM_LOADERS: Readonly<Record<string, 'options' | 'where'>> = {
  find: 'options',
  findOne: 'options',
  findOneOrFail: 'options',
  findAndCount: 'options',
  findBy: 'where',
  findOneBy: 'where',
  findOneByOrFail: 'where',
  findAndCountBy: 'where',
};

/** QueryBuilder terminals that return entities. */
export const TYPEORM_QB_TERMINALS: readonly string[] = ['getOne', 'getOneOrFail', 'getMany', 'getManyAndCount'];

/** QueryBuilder calls that join and select a relation: the first argument names it (`alias.property`). */
export const TYPEORM_QB_JOINS: readonly string[] = [
  'leftJoinAndSelect', 'innerJoinAndSelect', 'leftJoinAndMapOne', 'leftJoinAndMapMany', 'innerJoinAndMapOne', 'innerJoinAndMapMany',
];

/** Sequelize association mixin type aliases whose call loads the associated rows. */
export const SEQUELIZE_GETTER_MIXINS: readonly string[] = [
  'BelongsToGetAssociationMixin', 'HasOneGetAssociationMixin', 'HasManyGetAssociationsMixin', 'BelongsToManyGetAssociationsMixin',
];

/** MikroORM wrappers whose methods load a relation through the entity. */
export const MIKRO_RELATION_LOADERS: Readonly<Record<string, readonly string[]>> = {
  Reference: ['load', 'loadOrFail', 'loadProperty'],
  ScalarReference: ['load', 'loadOrFail'],
  Collection: ['load', 'init', 'loadItems', 'loadCount', 'matching'],
  WrappedEntity: ['init', 'populate'],
  IWrappedEntity: ['init', 'populate'],
  BaseEntity: ['init', 'populate'],
};

/** MikroORM loaders that query even when the relation is already loaded (`init` reloads; `matching`
 * and `loadCount` ask the database). `load()`/`loadItems()`/`Reference.load()` return what is loaded. */
export const MIKRO_ALWAYS_QUERY: Readonly<Record<string, readonly string[]>> = {
  Collection: ['init', 'matching', 'loadCount'],
  WrappedEntity: ['init', 'populate'],
  IWrappedEntity: ['init', 'populate'],
  BaseEntity: ['init', 'populate'],
};

/** Query options that page through a table: a loop with these fetches one page per turn, by design. */
export const PAGINATION_KEYS: readonly string[] = ['skip', 'take', 'offset', 'limit', 'cursor', 'after', 'before', 'first'];

/** Query-builder calls that page through a table. */
export const PAGINATION_CALLS: readonly string[] = ['skip', 'take', 'offset', 'limit'];

/** Option keys and helpers that make one query cover a batch of ids (`In(ids)`, `{ in: ids }`, `$in`, `Op.in`). */
export const BATCH_KEYS: readonly string[] = ['in', '$in'];
export const BATCH_HELPERS: readonly string[] = ['In', 'inArray'];

/** Writes that take a whole array in one call. */
export const BULK_WRITES: readonly string[] = ['bulkCreate', 'createMany', 'createManyAndReturn', 'insertMany', 'upsertMany'];

/** Prisma batches `findUnique` calls made in the same tick into one query (its dataloader). */
export const PRISMA_BATCHED: readonly string[] = ['findUnique', 'findUniqueOrThrow'];

/** Array methods whose callback runs once per element. */
export const PER_ITEM_ARRAY_METHODS: readonly string[] = ['map', 'flatMap', 'forEach', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'reduce', 'reduceRight'];

/** Array methods that return (part of) the same elements. */
export const ELEMENT_PRESERVING_METHODS: readonly string[] = ['filter', 'slice', 'find', 'findLast', 'at', 'sort', 'reverse', 'toSorted', 'toReversed', 'pop', 'shift'];

/** A loop over a literal list this short is not "one query per row". */
export const SMALL_LITERAL_LIST = 3;
