/**
 * Value sinks: functions whose parameter is typed `any`/`unknown` (so TypeScript accepts a
 * Promise there) but which consume the *value* they are given: they serialise it, enumerate it,
 * convert it or send it. A Promise passed to one of them is almost always a missing `await`.
 *
 * Deliberately absent: `console.*` and `util.inspect`/`util.format` (printing a pending Promise is
 * a normal thing to do while debugging), generic `T` parameters, parameters typed `PromiseLike`,
 * `Promise.all`/`race`/`allSettled`/`any`, and test helpers such as `expect(p).rejects`.
 * Users add their own sinks (a logger that serialises its argument, a response helper) with the
 * `valueSinks` option of `no-missing-await`.
 */

export interface ValueSink {
  /** Where it is declared: 'lib' (TypeScript's default libraries) or a package name ('node'). */
  from: readonly string[];
  /** The interface, class or namespace that declares it; absent for a global function or variable. */
  owner?: string;
  name: string;
  /** Which argument it consumes. */
  argument: number;
  /** What it does with a Promise, as a clause: "which serialises it as `{}`". */
  effect: string;
  /** It serialises the fields of objects and arrays too: a promise nested in the argument is lost as well. */
  nested?: boolean;
}

const SERIALISES = 'which serialises it as `{}`, not the value it resolves to';

export const VALUE_SINKS: readonly ValueSink[] = [
  { from: ['lib'], owner: 'JSON', name: 'stringify', argument: 0, effect: SERIALISES, nested: true },
  { from: ['lib'], owner: 'ObjectConstructor', name: 'keys', argument: 0, effect: 'which returns `[]`: a Promise has no own enumerable properties' },
  { from: ['lib'], owner: 'ObjectConstructor', name: 'values', argument: 0, effect: 'which returns `[]`: a Promise has no own enumerable properties' },
  { from: ['lib'], owner: 'ObjectConstructor', name: 'entries', argument: 0, effect: 'which returns `[]`: a Promise has no own enumerable properties' },
  { from: ['lib'], name: 'String', argument: 0, effect: 'which returns the text "[object Promise]"' },
  { from: ['lib'], name: 'Number', argument: 0, effect: 'which returns `NaN`' },
  { from: ['lib'], name: 'Boolean', argument: 0, effect: 'which returns `true` whatever the promise resolves to' },
  { from: ['lib', 'node'], name: 'structuredClone', argument: 0, effect: 'which throws a `DataCloneError`: a Promise cannot be cloned', nested: true },
  // Express: `res.json(body)`, `res.send(body)`, `res.jsonp(body)` (typed `any` by default).
  { from: ['express-serve-static-core'], owner: 'Response', name: 'json', argument: 0, effect: 'which sends `{}` to the client instead of the value', nested: true },
  { from: ['express-serve-static-core'], owner: 'Response', name: 'jsonp', argument: 0, effect: 'which sends `{}` to the client instead of the value', nested: true },
  { from: ['express-serve-static-core'], owner: 'Response', name: 'send', argument: 0, effect: 'which sends `{}` to the client instead of the value', nested: true },
  // Fetch-style handlers (Next.js route handlers, Hono, Workers, Deno): `Response.json(data)` and Next's `NextResponse.json(body)`.
  { from: ['lib', 'undici-types'], owner: 'Response', name: 'json', argument: 0, effect: 'which sends `{}` as the response body instead of the value', nested: true },
  { from: ['next'], owner: 'NextResponse', name: 'json', argument: 0, effect: 'which sends `{}` as the response body instead of the value', nested: true },
  // Node streams, and so `http.ServerResponse`: `res.write(chunk)`, `res.end(chunk)` take `any`.
  { from: ['node'], owner: 'Writable', name: 'write', argument: 0, effect: 'which throws `ERR_INVALID_ARG_TYPE`: a stream takes strings and buffers, not Promises' },
  { from: ['node'], owner: 'Writable', name: 'end', argument: 0, effect: 'which throws `ERR_INVALID_ARG_TYPE`: a stream takes strings and buffers, not Promises' },
];

/**
 * Structured loggers (pino, winston, bunyan, Nest's `Logger`, a project's own wrapper) are
 * recognised by shape, not by package: an object with an `error` method, a `warn`/`warning`
 * method and at least one more of these level methods. Their arguments, and the fields of objects
 * given to them, are written out (as JSON by most): a promise there is logged as `{}` or as a
 * pending Promise. The console (TypeScript's lib, Node's types) keeps its exemption above.
 */
export const LOG_LEVEL_METHODS: ReadonlySet<string> = new Set(['trace', 'debug', 'verbose', 'info', 'notice', 'log', 'warn', 'warning', 'error', 'fatal', 'critical']);

export const LOGGED = 'which the logger writes out as `{}` (or as a pending Promise), not the value it resolves to';

/**
 * Built-in collections keyed by value, and their methods whose first argument is a key. A promise
 * key never equals a key stored before (each call makes a new Promise object).
 */
export const KEYED_COLLECTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['Map', new Set(['get', 'has', 'set', 'delete'])],
  ['ReadonlyMap', new Set(['get', 'has'])],
  ['WeakMap', new Set(['get', 'has', 'set', 'delete'])],
  ['Set', new Set(['has', 'add', 'delete'])],
  ['ReadonlySet', new Set(['has'])],
  ['WeakSet', new Set(['has', 'add', 'delete'])],
]);
