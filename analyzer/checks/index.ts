/** The registry of checks: one module per rule, named by the rule id. */
import type { AnyCheck } from './types.js';
import noFloatingPromise from './no-floating-promise.js';
import noMisusedAsyncFunction from './no-misused-async-function.js';

export const allChecks: AnyCheck[] = [noFloatingPromise, noMisusedAsyncFunction];

const byId = new Map(allChecks.map((c) => [c.meta.id, c]));

export function getCheck(id: string): AnyCheck | undefined {
  return byId.get(id);
}
