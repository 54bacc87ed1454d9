/**
 * Locks named by a key: async-lock's `lock.acquire(key | keys, fn)` (the key, not the
 * AsyncLock object, is the lock: a literal key, a key family, or any key; see keys.ts) and
 * `navigator.locks.request(name, [options,] fn)`.
 */
import ts from '../ts/typescript.cjs';
import { WEB_LOCK_NON_WAITING_OPTIONS } from './catalog.js';
import { skipOuterExpressions as skipOuter } from '../program/walk.js';
import type { LockContext } from './context.js';
import { internClass, instancePath, storageClassOf } from './classes.js';
import { initializerChain, literalString, type LockObject } from './objects.js';
import { keyName } from './keys.js';
import type { LockOp, LockRef } from './types.js';
import { isKnownPath, UNKNOWN_PATH, webPath, withKey, type InstancePath } from './instance-path.js';

/**
 * async-lock: the keys are the locks, taken in array order. A literal key is one lock; a
 * template (`swap:${id}`) is a key of the family `swap:*`; any other key is "any key" of the
 * AsyncLock object (see keys.ts).
 */
export function asyncLockOp(ctx: LockContext, call: ts.CallExpression, receiver: ts.Expression, obj: LockObject): LockOp {
  const keyArg = call.arguments[0];
  const inner = keyArg ? skipOuter(keyArg) : undefined;
  const elements = inner && ts.isArrayLiteralExpression(inner) ? inner.elements : inner ? [inner] : [];
  const store = storageClassOf(ctx, receiver);
  const base = instancePath(ctx, receiver);
  const reentrant = obj.library.reentrant || isDomainReentrant(ctx, receiver);
  const locks: LockRef[] = [];
  for (const element of elements) {
    const ref = ts.isSpreadElement(element) ? undefined : asyncLockKeyRef(ctx, element, store, base, reentrant, obj);
    if (ref) locks.push(ref);
  }
  return { kind: 'callback', call, locks, waitsForLock: true, callback: call.arguments[1] };
}

export function asyncLockKeyRef(
  ctx: LockContext,
  element: ts.Expression,
  store: ReturnType<typeof storageClassOf>,
  base: InstancePath,
  reentrant: boolean,
  obj: LockObject,
): LockRef | undefined {
  const name = keyName(ctx, element);
  const storeId = store?.id ?? '?';
  const storeSort = store?.sortKey ?? '';
  const intern = (spec: { id: string; name: string; short: string; sortKey: string; keys?: 'family' | 'any' }) => internClass(ctx, spec, obj.library.label, reentrant);
  switch (name.kind) {
    case 'exact': {
      const { key } = name;
      const spec = { id: `key:${storeId}:${key}`, name: `async-lock key \`'${key}'\``, short: `'${key}'`, sortKey: `1|key|${key}|${storeSort}` };
      return { lock: intern(spec), path: withKey(base, { kind: 'exact', key }) };
    }
    case 'family': {
      const { pattern, identity } = name;
      const spec = { id: `keys:${storeId}:${pattern}`, name: `async-lock keys \`'${pattern}'\``, short: `'${pattern}'`, sortKey: `1|key|${pattern}|${storeSort}`, keys: 'family' as const };
      const known = isKnownPath(base) && identity !== undefined;
      return { lock: intern(spec), path: known ? withKey(base, { kind: 'family', pattern, identity }) : UNKNOWN_PATH };
    }
    case 'unknown': {
      // Without knowing which AsyncLock it is, "any key" names nothing.
      if (!store) return undefined;
      const spec = { id: `keys:${storeId}:?`, name: `any key of the async-lock in ${store.name}`, short: `${store.short}[any key]`, sortKey: `1|key|~|${storeSort}`, keys: 'any' as const };
      return { lock: intern(spec), path: UNKNOWN_PATH };
    }
  }
}

/** `new AsyncLock({ domainReentrant: true })`: the holder may take its keys again. */
function isDomainReentrant(ctx: LockContext, receiver: ts.Expression): boolean {
  return initializerChain(ctx, receiver).some((e) => {
    const options = ts.isNewExpression(e) ? e.arguments?.[0] : undefined;
    if (!options || !ts.isObjectLiteralExpression(skipOuter(options))) return false;
    return (skipOuter(options) as ts.ObjectLiteralExpression).properties.some(
      (p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'domainReentrant' && p.initializer.kind === ts.SyntaxKind.TrueKeyword,
    );
  });
}

/** `navigator.locks.request(name, [options,] callback)`; shared locks and non-waiting requests do not order. */
export function webLockOp(ctx: LockContext, call: ts.CallExpression): LockOp {
  const args = call.arguments;
  const name = literalString(ctx, args[0]);
  const options = args.length >= 3 ? skipOuter(args[1]!) : undefined;
  let shared = false;
  let waitsForLock = true;
  if (options && ts.isObjectLiteralExpression(options)) {
    for (const prop of options.properties) {
      if (!ts.isPropertyAssignment(prop) || !ts.isIdentifier(prop.name)) continue;
      if (prop.name.text === 'mode' && literalString(ctx, prop.initializer) === 'shared') shared = true;
      if (WEB_LOCK_NON_WAITING_OPTIONS.includes(prop.name.text) && prop.initializer.kind !== ts.SyntaxKind.FalseKeyword) waitsForLock = false;
    }
  }
  const locks: LockRef[] = [];
  if (name !== undefined && !shared) {
    const spec = { id: `web:${name}`, name: `web lock \`'${name}'\``, short: `web lock '${name}'`, sortKey: `1|web|${name}` };
    locks.push({ lock: internClass(ctx, spec, 'Web Locks', false), path: webPath(name) });
  }
  return { kind: 'callback', call, locks, waitsForLock, callback: args.length >= 2 ? args[args.length - 1] : undefined };
}

