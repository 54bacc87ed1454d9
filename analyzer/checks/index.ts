/** The registry of checks: one module per rule, named by the rule id. */
import type { AnyCheck } from './types.js';
import noFloatingPromise from './no-floating-promise.js';
import noAwaitRace from './no-await-race.js';
import noMissingAwait from './no-missing-await.js';
import noMisusedAsyncFunction from './no-misused-async-function.js';
import noBlockingInAsync from './no-blocking-in-async.js';
import noLockOrderInversion from './no-lock-order-inversion.js';
import requireLockRelease from './require-lock-release.js';
import noLazyRelationAccess from './no-lazy-relation-access.js';
import noQueryInLoop from './no-query-in-loop.js';
import noQueryOutsideTransaction from './no-query-outside-transaction.js';

export const allChecks: AnyCheck[] = [noFloatingPromise, noAwaitRace, noMisusedAsyncFunction, noMissingAwait, noBlockingInAsync, noLockOrderInversion, requireLockRelease, noLazyRelationAccess, noQueryInLoop, noQueryOutsideTransaction];

const byId = new Map(allChecks.map((c) => [c.meta.id, c]));

export function getCheck(id: string): AnyCheck | undefined {
  return byId.get(id);
}
