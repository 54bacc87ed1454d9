/**
 * Data for the "cannot reject" summary (analyzer/promises/rejections.ts): the calls outside the
 * program that throw synchronously on input they do not accept, so that inside an async function
 * they turn into a rejection.
 *
 * Every other call of code outside the program (a library, a declaration, a built-in) is taken
 * not to throw: a floating promise loses asynchronous failures (I/O, a query, a request), and
 * what rejects that way is judged where a promise is awaited, returned or chained, not here. The
 * calls listed are the synchronous ones that fail on ordinary data (a body to parse, a file to
 * read, an assertion), which a careful reviewer would put inside the try as well.
 */

/** Global functions that throw on input they cannot parse or convert, and assertions (ASSERTION_ROOTS, below). */
export const THROWING_FUNCTIONS: ReadonlySet<string> = new Set(['decodeURI', 'decodeURIComponent', 'atob', 'BigInt', 'structuredClone', 'require']);

/** Constructors that throw on input they cannot parse. */
export const THROWING_CONSTRUCTORS: ReadonlySet<string> = new Set(['URL', 'RegExp']);

/**
 * Methods that throw on bad data, by name: `JSON.parse(text)`, a schema's `parse(body)` (zod,
 * valibot, ...), a token's `jwt.verify(token, secret)` (jsonwebtoken throws on a bad or expired
 * token), a decipher's `final()` (throws on a wrong key or tampered data). Besides these, the
 * synchronous file and process calls (`readFileSync`, `fs.statSync`, `execSync`,
 * `validateSync`): every function or method whose name ends in `Sync`.
 */
export const THROWING_METHODS: ReadonlySet<string> = new Set(['parse', 'verify', 'final']);

/** The `...Sync` calls that report failure in their result instead of throwing: `existsSync` (false), `spawnSync` (`result.error`). */
export const NON_THROWING_SYNC: ReadonlySet<string> = new Set(['existsSync', 'spawnSync']);

/**
 * Methods that run the program's code synchronously and pass its throw on to their caller:
 * `emitter.emit(event, payload)` runs the listeners registered for the event.
 */
export const LISTENER_RUNNING_METHODS: ReadonlySet<string> = new Set(['emit']);

/** Assertions, called or as the root of a chain: `assert(x)`, `assert.equal(a, b)`, `expect(x).toBe(y)`, `invariant(x)`. */
export const ASSERTION_ROOTS: ReadonlySet<string> = new Set(['assert', 'expect', 'invariant']);

/** Calls on promises that settle later and never throw when called: their outcome is judged separately. */
export const PROMISE_CHAIN_METHODS: ReadonlySet<string> = new Set(['then', 'catch', 'finally']);

/**
 * Functions of a library that make a promise-returning handler which catches every failure
 * itself, by package: `http.createServer(app.callback())` serves Koa, whose handler runs
 * `fnMiddleware(ctx).then(handleResponse).catch(onerror)` and answers errors with a response.
 */
export const SELF_HANDLING_HANDLER_FACTORIES: ReadonlyMap<string, ReadonlySet<string>> = new Map([['koa', new Set(['callback'])]]);
