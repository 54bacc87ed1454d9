/**
 * Instance paths: which lock instance a function means, relative to that function, so that
 * taking the same instance twice (a self-deadlock) can be told apart from nesting two instances
 * of one lock class.
 *
 * A path starts at a root (`this`, a parameter of the function, a module variable, a const
 * local, a Web Locks name), goes down fields (`this.ledger.mutex`), and may end in an
 * async-lock key (`this.lock#orders`) or a key of a key family with the function's own terms
 * for which key it is (`this.lock#swap:*{"swap:"+p0@<fn>}`). Two references to one lock class
 * denote the same instance only when their paths are known and equal (`sameInstance`).
 *
 * Paths never appear in messages or traces; `pathKey` is their one rendering, a string that is
 * stable across runs (node ids come from file and position: see LockContext.nodeId), used as a
 * map key, in key-family identities and in the analysis cache's stored lock edges.
 */

/** The key part at the end of an async-lock (or helper) path. */
export type InstanceKey =
  /** One key: `#orders`. */
  | { kind: 'exact'; key: string }
  /** One key of a family: `#swap:*{<identity>}` (see keys.ts for what the identity says). */
  | { kind: 'family'; pattern: string; identity: string };

/** Fields below the root, and the key at the end, if any. */
interface Tail {
  fields: readonly string[];
  key?: InstanceKey;
}

export type InstancePath =
  /** Nothing is known about which instance it is. */
  | { kind: 'unknown' }
  /** `this` of the function (`this.mutex`). */
  | ({ kind: 'this' } & Tail)
  /** The `index`-th parameter of the function whose node id is `fn` (`p0@<fn>.lock`). */
  | ({ kind: 'param'; index: number; fn: string } & Tail)
  /**
   * One object for the whole program: a module variable (`decl` is its node id), a custom lock
   * named by its argument (`custom<i>`), or a helper called without a receiver (`''`).
   */
  | ({ kind: 'global'; decl: string } & Tail)
  /** A const local of the function (its node id): one instance per call. */
  | ({ kind: 'local'; decl: string } & Tail)
  /** A Web Locks name: one lock for the whole origin. */
  | { kind: 'web'; name: string };

export type KnownPath = Exclude<InstancePath, { kind: 'unknown' }>;
type RootedPath = Exclude<KnownPath, { kind: 'web' }>;

export const UNKNOWN_PATH: InstancePath = Object.freeze({ kind: 'unknown' });

const NO_FIELDS: readonly string[] = Object.freeze([]);

export const thisPath = (): InstancePath => ({ kind: 'this', fields: NO_FIELDS });
export const paramPath = (index: number, fn: string): InstancePath => ({ kind: 'param', index, fn, fields: NO_FIELDS });
export const globalPath = (decl: string, key?: InstanceKey): InstancePath => ({ kind: 'global', decl, fields: NO_FIELDS, ...(key ? { key } : {}) });
export const localPath = (decl: string): InstancePath => ({ kind: 'local', decl, fields: NO_FIELDS });
export const webPath = (name: string): InstancePath => ({ kind: 'web', name });

export function isKnownPath(path: InstancePath): path is KnownPath {
  return path.kind !== 'unknown';
}

/**
 * Does an instance path name a key of an async-lock key family? Its identity says which key in
 * the terms of the function it is written in; it is many locks over the program, never a
 * single-instance (gate) lock.
 */
export function isFamilyPath(path: InstancePath): boolean {
  return hasTail(path) && path.key?.kind === 'family';
}

/** A path that names one lock object for the whole program: a module variable, a custom lock name, a Web Lock name (not a key family). */
export function isSingleInstance(path: InstancePath): boolean {
  return (path.kind === 'global' || path.kind === 'web') && !isFamilyPath(path);
}

/** Do two paths surely name the same instance (both known and equal)? */
export function sameInstance(a: InstancePath, b: InstancePath): boolean {
  return isKnownPath(a) && isKnownPath(b) && pathKey(a) === pathKey(b);
}

function hasTail(path: InstancePath): path is RootedPath {
  return path.kind !== 'unknown' && path.kind !== 'web';
}

/** `base.field`; unknown stays unknown. Only a path without a key has fields below it. */
export function withField(base: InstancePath, field: string): InstancePath {
  if (!hasTail(base) || base.key) return UNKNOWN_PATH;
  return { ...base, fields: [...base.fields, field] };
}

/** `base#key`; unknown stays unknown. */
export function withKey(base: InstancePath, key: InstanceKey): InstancePath {
  if (!hasTail(base) || base.key) return UNKNOWN_PATH;
  return { ...base, key };
}

/** A callee's path below one of its roots, moved onto the caller's path for that root. */
export function rebase(base: InstancePath, below: RootedPath): InstancePath {
  if (!hasTail(base) || base.key) return UNKNOWN_PATH;
  return { ...base, fields: [...base.fields, ...below.fields], ...(below.key ? { key: below.key } : {}) };
}

/** The stable string for a path (see the header): `this.m`, `p0@<fn>.m`, `g:<decl>`, `l:<decl>`, `w:<name>`, `?`. */
export function pathKey(path: InstancePath): string {
  switch (path.kind) {
    case 'unknown':
      return '?';
    case 'web':
      return `w:${path.name}`;
    case 'this':
      return `this${tailKey(path)}`;
    case 'param':
      return `p${path.index}@${path.fn}${tailKey(path)}`;
    case 'global':
      return `g:${path.decl}${tailKey(path)}`;
    case 'local':
      return `l:${path.decl}${tailKey(path)}`;
  }
}

function tailKey(tail: Tail): string {
  const fields = tail.fields.map((f) => `.${f}`).join('');
  if (!tail.key) return fields;
  return tail.key.kind === 'exact' ? `${fields}#${tail.key.key}` : `${fields}#${tail.key.pattern}{${tail.key.identity}}`;
}
