/**
 * Lock APIs the lock rules recognise: which module and export, which methods acquire,
 * release or wait, and how the lock is held (a release function, or a callback that runs
 * under the lock). Recognition goes by the resolved symbol of a type (and by the import
 * specifier of a constructor when types are missing), never by a variable's name.
 */

/** How an operation holds its lock. */
export type LockOpStyle =
  /** Resolves to a release function (`const release = await mutex.acquire()`). */
  | 'returns-release'
  /** Resolves to `[value, release]` (`Semaphore.acquire`). */
  | 'returns-tuple'
  /** Runs a callback while holding the lock (`runExclusive(fn)`, `lock.acquire(key, fn)`). */
  | 'callback'
  /** Waits until the lock is free without taking it (`waitForUnlock`). */
  | 'wait'
  /** Releases the lock held through this object (`mutex.release()`). */
  | 'release';

export interface LockMethod {
  style: LockOpStyle;
  /** For 'callback': the index of the callback argument. */
  callbackArgument?: number;
  /** For keyed locks: the index of the key argument (a string or an array of strings). */
  keyArgument?: number;
}

/** The kinds of lock object a value can be. */
export type LockObjectKind = 'mutex' | 'semaphore' | 'async-lock' | 'web-locks';

export interface LockLibrary {
  kind: LockObjectKind;
  /** Package that declares the type (`originOf(symbol)`), or 'lib' for TypeScript's DOM lib. */
  origin: string;
  /** Type names (class or interface) whose values are lock objects of this kind. */
  types: string[];
  /** Module and exports whose `new X()` makes such an object (for untyped code). */
  constructors: { module: string; exports: string[] };
  methods: Record<string, LockMethod>;
  /** Is a lock of this kind reentrant (may the holder take it again)? */
  reentrant: boolean;
  /** What the messages call it. */
  label: string;
}

const MUTEX_METHODS: Record<string, LockMethod> = {
  acquire: { style: 'returns-release' },
  runExclusive: { style: 'callback', callbackArgument: 0 },
  waitForUnlock: { style: 'wait' },
  release: { style: 'release' },
};

export const LOCK_LIBRARIES: LockLibrary[] = [
  {
    kind: 'mutex',
    origin: 'async-mutex',
    types: ['Mutex', 'MutexInterface'],
    constructors: { module: 'async-mutex', exports: ['Mutex'] },
    methods: MUTEX_METHODS,
    reentrant: false,
    label: 'async-mutex',
  },
  {
    // A Semaphore is a lock for ordering only when created with a count of 1.
    kind: 'semaphore',
    origin: 'async-mutex',
    types: ['Semaphore', 'SemaphoreInterface'],
    constructors: { module: 'async-mutex', exports: ['Semaphore'] },
    methods: { ...MUTEX_METHODS, acquire: { style: 'returns-tuple' } },
    reentrant: false,
    label: 'async-mutex',
  },
  {
    // The key, not the AsyncLock object, is the lock.
    kind: 'async-lock',
    origin: 'async-lock',
    types: ['AsyncLock'],
    constructors: { module: 'async-lock', exports: ['default', '*'] },
    methods: { acquire: { style: 'callback', callbackArgument: 1, keyArgument: 0 } },
    reentrant: false,
    label: 'async-lock',
  },
  {
    // `navigator.locks.request(name, [options,] callback)`.
    kind: 'web-locks',
    origin: 'lib',
    types: ['LockManager'],
    constructors: { module: '', exports: [] },
    methods: { request: { style: 'callback', keyArgument: 0 } },
    reentrant: false,
    label: 'Web Locks',
  },
];

/** async-mutex functions that wrap a mutex or semaphore and return the same lock. */
export const MUTEX_WRAPPERS: Record<string, { waitsForLock: boolean }> = {
  withTimeout: { waitsForLock: true },
  // `tryAcquire(m).acquire()` throws instead of waiting, so it can never be the waiting side of a deadlock.
  tryAcquire: { waitsForLock: false },
};

/** Web Locks options that mean the request never waits for an exclusive holder. */
export const WEB_LOCK_NON_WAITING_OPTIONS = ['ifAvailable', 'steal'];

/** Names of helper functions that look like they take a lock (`acquireLock`, `getNonceLock`, `obtain`). */
export const LOCK_HELPER_NAME = /acquire|lock|obtain/i;

/** Names of the one method of an object "whose only job is to release" (`release`, `releaseLock`, `unlock`). */
export const RELEASE_METHOD_NAME = /^(release|unlock)/i;

/**
 * Calls that defer a callback to a later task: a callback passed to them does not run while
 * the caller holds its locks, and the caller does not wait for it.
 */
export const DEFERRING_CALLS = new Set([
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'nextTick',
  'on',
  'once',
  'addListener',
  'addEventListener',
  'prependListener',
]);
