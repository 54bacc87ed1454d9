/**
 * The catalog of blocking APIs: calls that keep the event loop's thread busy until they
 * finish, so that no other request, timer or callback runs meanwhile. Data only: one entry
 * per API, with the module it comes from, why it blocks and what to use instead. The
 * recogniser (`analyzer/blocking/recognize.ts`) matches a call to an
 * entry by the resolved symbol's module, or, when the package has no types, by the import
 * specifier the callee's name was bound to.
 */

/** How a call reaches an entry from its module. */
export type BlockingKind =
  /** A function the module exports, also through the module object or a namespace export (`fs.readFileSync`, `glob.sync`). */
  | 'export'
  /** A method of an object the module creates (`new Database(file).prepare(sql).get()`). */
  | 'instance'
  /** Calling what the export returns (`deasync(fn)(...)`). */
  | 'wrapper'
  /** Recognised by shape rather than by module: `require()`, `Atomics.wait`, clock busy-wait, synchronous XHR. */
  | 'special';

/** A drop-in rewrite of a direct call inside an async function. */
export interface BlockingRewrite {
  /** The module to import the replacement from (`node:fs/promises`). */
  module: string;
  /** The replacement export (`readFile`). */
  name: string;
  /**
   * `await`: `await name(args)`; `promisify`: `await promisify(name)(args)`;
   * `promisify-stdout`: `(await promisify(name)(args)).stdout` (the value `execSync` returned).
   */
  style: 'await' | 'promisify' | 'promisify-stdout';
  /** Option names (in an object-literal argument) the replacement does not support: no rewrite then. */
  unsupportedOptions?: string[];
}

export interface BlockingApi {
  /** Module specifier without the `node:` prefix; '' for specials. */
  module: string;
  /** Export or method name; for specials, the name users put in `allow` (`require`, `Atomics.wait`, `busy-wait`, `XMLHttpRequest`). */
  name: string;
  kind: BlockingKind;
  /** Why it blocks, completing "it ...". */
  why: string;
  /** The non-blocking replacement, in words. */
  replacement: string;
  rewrite?: BlockingRewrite;
}

// ---------------------------------------------------------------------------------------
// Node: fs (and the packages that re-export its API)

/** `fs` *Sync APIs that have a drop-in promise twin in `node:fs/promises` (same arguments). */
const FS_DROP_IN = [
  'access', 'appendFile', 'chmod', 'chown', 'copyFile', 'cp', 'lchown', 'link', 'lstat', 'lutimes', 'mkdir',
  'mkdtemp', 'opendir', 'readdir', 'readFile', 'readlink', 'realpath', 'rename', 'rm', 'rmdir', 'stat', 'statfs',
  'symlink', 'truncate', 'unlink', 'utimes', 'writeFile',
];

/** `fs` *Sync APIs on file descriptors: the promise API works on a `FileHandle` instead. */
const FS_FD = [
  'close', 'fchmod', 'fchown', 'fdatasync', 'fstat', 'fsync', 'ftruncate', 'futimes', 'open', 'read', 'readv',
  'write', 'writev',
];

/** `fs-extra`'s own *Sync APIs; each has a promise-returning twin without the suffix. */
const FS_EXTRA_OWN = [
  'copy', 'createFile', 'createLink', 'createSymlink', 'emptyDir', 'emptydir', 'ensureDir', 'ensureFile',
  'ensureLink', 'ensureSymlink', 'mkdirp', 'mkdirs', 'move', 'outputFile', 'outputJson', 'outputJSON', 'pathExists',
  'readJson', 'readJSON', 'remove', 'writeJson', 'writeJSON',
];

const FS_WHY = 'waits for the file system on the event loop thread';

function fsEntries(module: string): BlockingApi[] {
  const out: BlockingApi[] = [];
  for (const base of FS_DROP_IN) {
    out.push({
      module,
      name: `${base}Sync`,
      kind: 'export',
      why: base === 'readFile' ? 'reads the whole file on the event loop thread' : FS_WHY,
      replacement: `\`${base}\` from \`node:fs/promises\``,
      rewrite:
        module === 'fs'
          ? { module: 'node:fs/promises', name: base, style: 'await', unsupportedOptions: base.endsWith('stat') ? ['throwIfNoEntry'] : undefined }
          : undefined,
    });
  }
  for (const base of FS_FD) {
    out.push({ module, name: `${base}Sync`, kind: 'export', why: FS_WHY, replacement: '`open` from `node:fs/promises` and the `FileHandle` methods' });
  }
  out.push({ module, name: 'existsSync', kind: 'export', why: FS_WHY, replacement: '`access` from `node:fs/promises`' });
  return out;
}

const FS_EXTRA: BlockingApi[] = FS_EXTRA_OWN.map((base) => ({
  module: 'fs-extra',
  name: `${base}Sync`,
  kind: 'export' as const,
  why: FS_WHY,
  replacement: `\`${base}\` from \`fs-extra\` (it returns a promise)`,
}));

// ---------------------------------------------------------------------------------------
// Node: child_process, zlib, crypto

const CHILD_WHY = 'starts a child process and waits on the event loop thread until it exits';

const CHILD_PROCESS: BlockingApi[] = [
  {
    module: 'child_process',
    name: 'execSync',
    kind: 'export',
    why: CHILD_WHY,
    replacement: '`exec` from `node:child_process`, promisified with `promisify` from `node:util`',
    rewrite: { module: 'node:child_process', name: 'exec', style: 'promisify-stdout', unsupportedOptions: ['stdio', 'input'] },
  },
  {
    module: 'child_process',
    name: 'execFileSync',
    kind: 'export',
    why: CHILD_WHY,
    replacement: '`execFile` from `node:child_process`, promisified with `promisify` from `node:util`',
    rewrite: { module: 'node:child_process', name: 'execFile', style: 'promisify-stdout', unsupportedOptions: ['stdio', 'input'] },
  },
  { module: 'child_process', name: 'spawnSync', kind: 'export', why: CHILD_WHY, replacement: '`spawn` from `node:child_process` (wait for its `close` event)' },
];

const ZLIB: BlockingApi[] = [
  'deflate', 'inflate', 'gzip', 'gunzip', 'deflateRaw', 'inflateRaw', 'unzip', 'brotliCompress', 'brotliDecompress',
].map((base) => ({
  module: 'zlib',
  name: `${base}Sync`,
  kind: 'export' as const,
  why: 'compresses or decompresses the whole buffer on the event loop thread',
  replacement: `\`${base}\` from \`node:zlib\`, promisified with \`promisify\` from \`node:util\` (or a stream)`,
  rewrite: { module: 'node:zlib', name: base, style: 'promisify' as const },
}));

const CRYPTO: BlockingApi[] = [
  {
    module: 'crypto',
    name: 'pbkdf2Sync',
    kind: 'export',
    why: 'derives a key with deliberately slow hashing (often 100 ms or more) on the event loop thread',
    replacement: '`pbkdf2` from `node:crypto`, promisified with `promisify` from `node:util`',
    rewrite: { module: 'node:crypto', name: 'pbkdf2', style: 'promisify' },
  },
  {
    module: 'crypto',
    name: 'scryptSync',
    kind: 'export',
    why: 'derives a key with deliberately slow, memory-hard hashing on the event loop thread',
    // No rewrite: `promisify(scrypt)` is typed to resolve to `unknown`, so the result would not type-check.
    replacement: '`scrypt` from `node:crypto`, promisified with `promisify` from `node:util`',
  },
  {
    module: 'crypto',
    name: 'generateKeyPairSync',
    kind: 'export',
    why: 'generates a key pair (seconds for large RSA keys) on the event loop thread',
    replacement: '`generateKeyPair` from `node:crypto`, promisified with `promisify` from `node:util`',
  },
  {
    module: 'crypto',
    name: 'randomFillSync',
    kind: 'export',
    why: 'fills the buffer with random bytes on the event loop thread (slow for large buffers)',
    replacement: '`randomFill` from `node:crypto`, promisified with `promisify` from `node:util`',
  },
  {
    module: 'crypto',
    name: 'generatePrimeSync',
    kind: 'export',
    why: 'searches for a large prime on the event loop thread',
    replacement: '`generatePrime` from `node:crypto`, promisified with `promisify` from `node:util`',
  },
];

// ---------------------------------------------------------------------------------------
// Libraries

const BETTER_SQLITE3: BlockingApi[] = ['run', 'get', 'all', 'iterate', 'exec', 'pragma'].map((name) => ({
  module: 'better-sqlite3',
  name,
  kind: 'instance' as const,
  why: 'runs the SQL statement synchronously on the event loop thread',
  replacement: 'an asynchronous driver (`sqlite3`, `@libsql/client`) or a worker thread',
}));

const BCRYPT_WHY = 'hashes with a deliberately slow algorithm on the event loop thread';

const BCRYPT: BlockingApi[] = ['bcrypt', 'bcryptjs'].flatMap((module) =>
  ['hashSync', 'compareSync', 'genSaltSync'].map((name) => ({
    module,
    name,
    kind: 'export' as const,
    why: name === 'genSaltSync' ? 'generates a salt synchronously' : BCRYPT_WHY,
    replacement: `\`${name.replace(/Sync$/, '')}\` from \`${module}\` (it returns a promise)`,
  })),
);

const HTTP_WHY = 'waits for the HTTP response on the event loop thread';

const LIBRARIES: BlockingApi[] = [
  ...BETTER_SQLITE3,
  ...BCRYPT,
  { module: 'sync-request', name: 'default', kind: 'export', why: HTTP_WHY, replacement: '`fetch`' },
  { module: 'sync-fetch', name: 'default', kind: 'export', why: HTTP_WHY, replacement: '`fetch`' },
  { module: 'readline-sync', name: '*', kind: 'export', why: 'waits for the user to type at the terminal', replacement: '`question` from `node:readline/promises`' },
  { module: 'deasync', name: 'default', kind: 'wrapper', why: 'runs the event loop inside a synchronous call and blocks its caller until the callback fires', replacement: 'a promise that you await (`promisify` from `node:util` makes one from a callback API)' },
  { module: 'deasync', name: 'loopWhile', kind: 'export', why: 'runs the event loop inside a synchronous call and blocks its caller until the condition clears', replacement: 'a promise that you await' },
  { module: 'deasync', name: 'sleep', kind: 'export', why: 'blocks its caller for the whole delay', replacement: '`setTimeout` from `node:timers/promises`' },
  ...['execaSync', 'execaCommandSync', 'execaNodeSync', 'sync', 'commandSync'].map((name) => ({
    module: 'execa',
    name,
    kind: 'export' as const,
    why: CHILD_WHY,
    replacement: 'the promise API of `execa` (`execa(...)`, `$`)',
  })),
  ...['sync', 'globSync'].map((name) => ({
    module: 'glob',
    name,
    kind: 'export' as const,
    why: 'walks the directory tree synchronously',
    replacement: '`glob` from `glob` (it returns a promise)',
  })),
  ...['sync', 'globSync'].map((name) => ({
    module: 'fast-glob',
    name,
    kind: 'export' as const,
    why: 'walks the directory tree synchronously',
    replacement: '`glob` from `fast-glob` (it returns a promise)',
  })),
];

// ---------------------------------------------------------------------------------------
// Shapes

export const SPECIALS = {
  require: {
    module: '',
    name: 'require',
    kind: 'special',
    why: 'resolves, reads and compiles the module from disk synchronously the first time it runs',
    replacement: 'a top-level `import` (or `await import(...)`)',
  },
  atomicsWait: {
    module: '',
    name: 'Atomics.wait',
    kind: 'special',
    why: 'suspends the event loop thread until another thread notifies it',
    replacement: '`Atomics.waitAsync`',
  },
  busyWait: {
    module: '',
    name: 'busy-wait',
    kind: 'special',
    why: 'spins the CPU until the clock passes a deadline',
    replacement: '`await setTimeout(ms)` from `node:timers/promises`',
  },
  syncXhr: {
    module: '',
    name: 'XMLHttpRequest',
    kind: 'special',
    why: 'makes `send()` wait for the response on the event loop thread (the third argument of `open` is `false`)',
    replacement: 'an asynchronous request (`fetch`, or `open(method, url, true)` with a `load` listener)',
  },
} satisfies Record<string, BlockingApi>;

/** Every module-based entry of the default catalog. */
export const BLOCKING_APIS: readonly BlockingApi[] = [
  ...fsEntries('fs'),
  ...fsEntries('fs-extra'),
  ...fsEntries('graceful-fs'),
  ...FS_EXTRA,
  ...CHILD_PROCESS,
  ...ZLIB,
  ...CRYPTO,
  ...LIBRARIES,
];
