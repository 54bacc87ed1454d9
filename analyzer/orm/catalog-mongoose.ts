/**
 * Data: Mongoose (`mongoose`). `Model.find()`, `findOne()`, `findById()`, `updateOne()`,
 * `countDocuments()`... return a `Query` (and `aggregate()` an `Aggregate`): a thenable that runs
 * when awaited, on `.then`, on `.exec()`, or when iterated (`.cursor()`, `for await`). `create`,
 * `insertMany`, `bulkWrite` and a document's `save()` run at once. Referenced documents load
 * together with `populate`; `doc.populate(path)` per document is a relation load per element
 * (no-lazy-relation-access), and an unpopulated ref is an ObjectId, never a hidden query.
 */
import type { OrmSpec } from './catalog.js';

export const MONGOOSE: OrmSpec = {
  orm: 'mongoose',
  modules: ['mongoose'],
  queries: [
    { owners: ['Model'], reads: [], writes: ['create', 'insertMany', 'bulkWrite', 'bulkSave'] },
    { owners: ['Document'], reads: [], writes: ['save'] },
    { owners: ['Connection'], reads: [], writes: ['transaction'] },
  ],
  builders: {
    marker: { member: 'then', owners: ['Query', 'Aggregate'] },
    awaitable: true,
    executors: ['exec', 'cursor', 'explain'],
    writes: [
      'updateOne', 'updateMany', 'deleteOne', 'deleteMany', 'replaceOne', 'findOneAndUpdate', 'findByIdAndUpdate',
      'findOneAndDelete', 'findByIdAndDelete', 'findOneAndReplace',
    ],
    tablePickers: [],
  },
  loadAdvice: 'load the referenced documents with the parent query\'s `populate(path)` (or `Model.populate(docs, path)` for documents already loaded)',
  batchAdvice: 'load every document in one query before the loop, e.g. `Model.find({ _id: { $in: ids } })`, or `populate` the reference in the outer query',
};
