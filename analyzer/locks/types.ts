/**
 * The vocabulary of the lock analysis: lock classes (named as lockdep names them: by class,
 * not by instance), references to a lock from a function (class + instance path), lock
 * operations found at calls, and the options both lock rules share.
 */
import type ts from 'typescript';
import type { JSONSchema4 } from '@typescript-eslint/utils/json-schema';
import type { FunctionLike } from '../program/callgraph.js';
import { specifierSchema, type Specifier } from '../program/specifiers.js';
import type { InstancePath } from './instance-path.js';

/**
 * A lock class: every lock object stored in one place is one class ("field `mutex` of class
 * `Ledger`", "module variable `cacheLock` in src/cache.ts", "async-lock key `'orders'`").
 */
export interface LockClass {
  /** Stable within one program. */
  id: string;
  /** Long description, for the first mention. */
  name: string;
  /** Short name for messages and for the `perInstanceLocks` option: `Ledger.mutex`, `cacheLock`, `'orders'`. */
  short: string;
  /** May the holder take it again? */
  reentrant: boolean;
  /** Deterministic order between lock classes (declaration file and position, or kind and key). */
  sortKey: string;
  /** Where the class is declared (the field, the variable), if it has a declaration. */
  declaration?: ts.Node;
  /** The library or API, for messages: 'async-mutex', 'async-lock', 'Web Locks', a helper's name as code (`` `withLock` ``). */
  library: string;
  /** Does it order anything? False for a semaphore with more than one permit (or an unknown count). */
  ordering: boolean;
  /**
   * For async-lock keys that are not one literal: 'family' for a template's family of keys
   * (`'swap:*'`), 'any' for a key nothing is known about. Two locks of such a class may or
   * may not be the same key.
   */
  keys?: 'family' | 'any';
}

/**
 * A lock as a function sees it: its class, and a path naming the instance relative to the
 * function (instance-path.ts). Two references to one class denote the same instance only when
 * their paths are known and equal (`sameInstance`).
 */
export interface LockRef {
  lock: LockClass;
  path: InstancePath;
}

/** A lock held at some point, with where it was taken. */
export interface HeldLock extends LockRef {
  /** The call that took it (`acquire()`, `runExclusive(...)`, `lock.acquire(key, ...)`). */
  site: ts.CallExpression;
}

/** One hop of a call chain: the call made in a function, and the function it runs. */
export interface CallStep {
  call: ts.CallExpression | ts.NewExpression;
  callee: FunctionLike;
}

/** How the lock taken by a 'returns-release' operation is released. */
export type ReleaseShape =
  /** The result is a release function. */
  | { kind: 'function' }
  /** The result is `[value, release]`. */
  | { kind: 'tuple' }
  /** The result is an object; calling a method matching `method` releases. */
  | { kind: 'object'; method: RegExp };

/** A lock operation recognised at a call. */
export type LockOp =
  | {
      kind: 'acquire';
      call: ts.CallExpression;
      lock: LockRef;
      /** Does the acquisition wait while another task holds the lock (false for `tryAcquire`, `ifAvailable`: they give up instead)? */
      waitsForLock: boolean;
      release: ReleaseShape;
      /** Can the lock also be released by calling `release()` on the receiver (`mutex.release()`)? */
      receiverRelease: boolean;
      /** Does the API offer `runExclusive` (for the rewrite suggestion)? */
      hasRunExclusive: boolean;
      /** The expression of the lock object (`this.mutex`), when there is one. */
      receiver?: ts.Expression;
      /** For a lock-shaped API of any name: why it is taken for a lock, and where that shows. */
      evidence?: { node: ts.Node; message: string };
    }
  | {
      kind: 'callback';
      call: ts.CallExpression;
      /** In the order they are taken (async-lock takes an array of keys one by one). */
      locks: LockRef[];
      /** As for 'acquire'. */
      waitsForLock: boolean;
      /** The argument that runs under the lock. */
      callback?: ts.Expression;
    }
  | { kind: 'wait'; call: ts.CallExpression; lock: LockRef }
  | { kind: 'release'; call: ts.CallExpression; lock: LockRef };

/** A user-declared lock API (the `customLocks` option). */
export interface CustomLock {
  /** The function or method that takes the lock. */
  acquire: Specifier;
  /** 'returns-release' (default): resolves to a release function or an object with a release method; 'callback': runs a callback under the lock. */
  style?: 'returns-release' | 'callback';
  /** Name of the method that releases (on the returned object, or on the receiver); default any `release*`/`unlock*`. */
  release?: string;
  /** For 'callback': index of the callback argument (default: the last function argument). */
  callbackArgument?: number;
  /** Index of the argument whose string literal names the lock (then the name is the lock class). */
  nameArgument?: number;
  /** May the holder take the lock again? Default false. */
  reentrant?: boolean;
}

/** Options both lock rules understand. */
export interface LockOptions {
  customLocks: CustomLock[];
  /** Recognise helpers that look like they take a lock by what they return. */
  inferWrappers: boolean;
  /** Lock classes (short names) whose instances are ordered by the program, not one lock. */
  perInstanceLocks: string[];
}

export const customLockSchema: JSONSchema4 = {
  type: 'object',
  additionalProperties: false,
  required: ['acquire'],
  properties: {
    acquire: { ...specifierSchema, description: 'The function or method that takes the lock.' },
    style: { type: 'string', enum: ['returns-release', 'callback'] },
    release: { type: 'string', description: 'Name of the method that releases the lock.' },
    callbackArgument: { type: 'integer', minimum: 0 },
    nameArgument: { type: 'integer', minimum: 0 },
    reentrant: { type: 'boolean' },
  },
};

export const lockOptionProperties: Record<string, JSONSchema4> = {
  customLocks: { type: 'array', items: customLockSchema, description: 'Your own lock APIs: how to acquire, how to release, what names the lock.' },
  inferWrappers: { type: 'boolean', description: 'Recognise lock helpers by their result: a release function, or an object whose only method releases.' },
};

/** A key for caches that depend on the lock options. */
export function lockOptionsKey(options: Partial<LockOptions>): string {
  return JSON.stringify([options.customLocks ?? [], options.inferWrappers ?? true]);
}

export function normalizeLockOptions(options: Partial<LockOptions>): LockOptions {
  return {
    customLocks: options.customLocks ?? [],
    inferWrappers: options.inferWrappers ?? true,
    perInstanceLocks: options.perInstanceLocks ?? [],
  };
}
