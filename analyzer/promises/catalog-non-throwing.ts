/**
 * Data for the "cannot reject" summary (analyzer/promises/rejections.ts): calls outside the
 * program that do not throw synchronously, so code made only of them (and of plain reads and
 * assignments) cannot turn into a rejection inside an async function.
 *
 * Kept small on purpose: a call missing here only makes the analysis say "may reject", which
 * keeps a finding; a call wrongly listed here hides one.
 */

/** Global objects whose every method is a plain, non-throwing report or computation. */
export const NON_THROWING_RECEIVERS: ReadonlySet<string> = new Set(['console', 'Math']);

/** Global functions that never throw on ordinary arguments (timers). */
export const NON_THROWING_FUNCTIONS: ReadonlySet<string> = new Set(['clearTimeout', 'clearInterval', 'clearImmediate', 'setTimeout', 'setInterval', 'setImmediate']);

/** `Date.now()`, `Number.isFinite(x)`...: static calls that never throw. */
export const NON_THROWING_STATIC_CALLS: ReadonlySet<string> = new Set([
  'Date.now',
  'Number.isFinite',
  'Number.isInteger',
  'Number.isNaN',
  'Array.isArray',
  'Object.keys',
  'Object.values',
  'Object.entries',
  'Object.assign',
  'Promise.resolve',
  'Promise.reject',
  'Promise.all',
  'Promise.allSettled',
  'Promise.race',
  'Promise.any',
]);

/**
 * Logger methods (`logger.error(...)`, `this.log.warn(...)`) with no body in the program (a library, a declaration):
 * a log call is how a handler reports a failure it swallows, and loggers do not throw.
 * A logger written in the program is judged by its own body instead.
 */
export const LOG_METHODS: ReadonlySet<string> = new Set(['log', 'trace', 'debug', 'verbose', 'silly', 'info', 'notice', 'warn', 'warning', 'error', 'fatal', 'critical']);

/** Methods of built-in collections (`Map`, `Set`, arrays) that never throw on a live receiver. */
export const NON_THROWING_COLLECTION_METHODS: ReadonlySet<string> = new Set([
  'get',
  'has',
  'set',
  'add',
  'delete',
  'clear',
  'push',
  'pop',
  'shift',
  'unshift',
  'includes',
  'indexOf',
  'slice',
  'concat',
  'join',
]);

/** Built-in classes whose constructor never throws on ordinary arguments. */
export const NON_THROWING_CONSTRUCTORS: ReadonlySet<string> = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Date', 'Error', 'TypeError', 'RangeError', 'AbortController']);

/** Calls on promises that settle later and never throw when called: their outcome is judged separately. */
export const PROMISE_CHAIN_METHODS: ReadonlySet<string> = new Set(['then', 'catch', 'finally']);

/**
 * Functions of a library that make a promise-returning handler which catches every failure
 * itself, by package: `http.createServer(app.callback())` serves Koa, whose handler runs
 * `fnMiddleware(ctx).then(handleResponse).catch(onerror)` and answers errors with a response.
 */
export const SELF_HANDLING_HANDLER_FACTORIES: ReadonlyMap<string, ReadonlySet<string>> = new Map([['koa', new Set(['callback'])]]);
