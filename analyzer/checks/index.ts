/** The rule list, written once: the CLI, the ESLint plugin (rules/index.ts) and its configs take every rule from here. */
import type { AnyCheck } from '../check/contract.js';
import noFloatingPromise from '../promises/no-floating-promise.js';
import noAwaitRace from '../race/no-await-race.js';
import noMissingAwait from '../promises/no-missing-await/no-missing-await.js';
import noMisusedAsyncFunction from '../promises/no-misused-async-function/no-misused-async-function.js';
import noBlockingInAsync from '../blocking/no-blocking-in-async.js';
import noLockOrderInversion from '../locks/no-lock-order-inversion.js';
import requireLockRelease from '../locks/require-lock-release.js';
import noLazyRelationAccess from '../orm/no-lazy-relation-access.js';
import noQueryInLoop from '../orm/no-query-in-loop.js';
import noQueryOutsideTransaction from '../orm/transactions/no-query-outside-transaction.js';

export const allChecks: AnyCheck[] = [noFloatingPromise, noAwaitRace, noMisusedAsyncFunction, noMissingAwait, noBlockingInAsync, noLockOrderInversion, requireLockRelease, noLazyRelationAccess, noQueryInLoop, noQueryOutsideTransaction];

const byId = new Map(allChecks.map((c) => [c.meta.id, c]));

export function getCheck(id: string): AnyCheck | undefined {
  return byId.get(id);
}
