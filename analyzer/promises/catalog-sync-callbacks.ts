/**
 * Data for `no-misused-async-function`: APIs that call a callback synchronously and use its
 * result as a plain value, or ignore its result, so an async callback (which returns a
 * promise) is misused there.
 *
 * For typed code the parameter's type decides most cases (a callback typed `() => void` is a
 * void-return position); these tables name the array methods whose callbacks need their own
 * message (a predicate sees an always-truthy promise, a comparator compares as 0, a reducer
 * gets a promise as its accumulator) and the receivers those names mean something on.
 */

/** Array methods that test their callback's result for truthiness. */
export const PREDICATE_METHODS: ReadonlyMap<string, string> = new Map([
  // method -> what happens when every callback result is a (truthy) promise
  ['filter', 'keeps every element'],
  ['some', 'is true for any non-empty array'],
  ['every', 'is always true'],
  ['find', 'returns the first element'],
  ['findIndex', 'returns 0 for any non-empty array'],
  ['findLast', 'returns the last element'],
  ['findLastIndex', 'returns the last index'],
]);

/** Methods that call their callback for each element and ignore its result. */
export const ITERATION_METHODS: ReadonlySet<string> = new Set(['forEach']);

/** Methods whose callback must return a number synchronously. */
export const COMPARATOR_METHODS: ReadonlySet<string> = new Set(['sort', 'toSorted']);

/** Methods that pass the callback's previous result back in as its first argument. */
export const REDUCER_METHODS: ReadonlySet<string> = new Set(['reduce', 'reduceRight']);

/**
 * Built-in collection types (TypeScript's libs) whose `forEach` ignores the callback's result;
 * arrays, tuples and `ReadonlyArray` are recognised by the checker, not by name.
 */
export const ITERABLE_COLLECTIONS: ReadonlySet<string> = new Set([
  'Map',
  'ReadonlyMap',
  'Set',
  'ReadonlySet',
  'NodeList',
  'NodeListOf',
  'DOMTokenList',
  'Headers',
  'FormData',
  'URLSearchParams',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
]);

/** Typed arrays: array-like for predicates, comparators and reducers too. */
export const TYPED_ARRAYS: ReadonlySet<string> = new Set([...ITERABLE_COLLECTIONS].filter((n) => n.endsWith('Array')));

/**
 * On a receiver the checker cannot type (`any`, plain JS without types), these method names are
 * still taken to be the array methods above when the callback is written inline as `async`: no
 * common library awaits a `forEach`/`filter`/`sort` callback.
 */
export const UNTYPED_ARRAY_METHODS: ReadonlySet<string> = new Set([
  ...PREDICATE_METHODS.keys(),
  ...ITERATION_METHODS,
  ...COMPARATOR_METHODS,
]);

/**
 * Callees whose parameter is typed `() => void` but which do wait for a returned promise,
 * so the void-return check must not fire: `promise.finally(cb)` waits for `cb()`'s promise
 * (typescript-eslint makes the same exception).
 */
export const AWAITING_VOID_CALLBACKS: ReadonlyArray<{ receiver: 'Promise'; method: string }> = [
  { receiver: 'Promise', method: 'finally' },
];

/**
 * Callbacks whose parameter is typed loosely (`Function`, the DOM's `TimerHandler`), so the
 * type cannot say "returns void", although the API ignores the callback's result:
 * `callee` is the callee's text after the last `globalThis.`/`window.` (the global function or
 * `process.nextTick`), `origins` where its declaration must come from ('lib' or a package).
 */
export const LOOSELY_TYPED_VOID_CALLBACKS: ReadonlyArray<{ callee: string; argument: number; origins: string[] }> = [
  { callee: 'setTimeout', argument: 0, origins: ['lib', 'node'] },
  { callee: 'setInterval', argument: 0, origins: ['lib', 'node'] },
  { callee: 'process.nextTick', argument: 0, origins: ['node'] },
];

/**
 * Built-in collections whose element type is a type argument: storing a function in one
 * (`steps.push(asyncStep)`) is not calling it. When the collection's element type was inferred
 * from other values rather than declared, its "returns void" is a guess and is not trusted.
 */
export const STORING_COLLECTIONS: ReadonlySet<string> = new Set(['Array', 'ReadonlyArray', 'Set', 'ReadonlySet', 'Map', 'ReadonlyMap', 'WeakMap', 'WeakSet']);

/** Methods that take a function only to find and remove it: they never call it, so an async
 * listener passed to them is not misused (`removeEventListener('x', onMessage)`). */
export const DETACHING_METHODS: ReadonlySet<string> = new Set([
  'removeEventListener',
  'removeListener',
  'removeAllListeners',
  'off',
  'unsubscribe',
  'unlisten',
  'unwatch',
]);
