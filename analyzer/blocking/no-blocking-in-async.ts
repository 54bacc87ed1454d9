/**
 * no-blocking-in-async: a synchronous, slow call (file system, child process, key
 * derivation, synchronous database driver, busy-wait, ...) that runs inside async context
 * (an async function, a promise/timer/event callback, a route handler), directly or through
 * any chain of synchronous helpers. While it runs, the event loop serves nothing else.
 *
 * The summaries (analyzer/blocking/summary.ts) say, once per function and program, whether
 * a function may block and by which shortest chain; this check walks only the bodies of the
 * async entries (analyzer/program/async-context.ts). With `report: 'site'` (the ESLint plugin's default)
 * it reports each blocking call once per entry of the current file, at the call in the entry
 * that starts its shortest chain; with `report: 'cause'` (the CLI's default) once per cause, at
 * the blocking call, with the entry points as related locations (no-blocking-in-async/cause.ts).
 */
import type { JSONSchema4 } from '@typescript-eslint/utils/json-schema';
import type { Check } from '../check/contract.js';
import { asyncEntriesIn } from '../program/async-context.js';
import { blockingKind } from './summary.js';
import { matcherFor, type AdditionalApi, type AllowEntry } from './recognize.js';
import { reportsForEntry } from './by-site.js';
import { causeReportsIn } from './by-cause.js';

export interface Options {
  /** More blocking APIs: `{ module: 'my-db', name: 'querySync', advice: '`query`' }`. */
  additional: AdditionalApi[];
  /** APIs not to report: a name (`'existsSync'`) or `{ module, name }`. */
  allow: AllowEntry[];
  /** Report `require()` of a non-built-in module inside a function body. */
  reportRequire: boolean;
  /** Extra packages whose router methods (`get`, `post`, `use`, ...) take request handlers. */
  routeHandlers: string[];
  /**
   * 'cause': one finding per cause (the helper that holds the blocking call), in that file, with
   * every entry point as a related location; 'site': one per entry, at the call in the entry
   * (a finding in the file you edit, and a file's findings depend only on what it reaches).
   */
  report: 'cause' | 'site';
  /**
   * Also report blocking calls in code that runs only as the program starts (async functions
   * only module top level starts, after their first `await`; promise callbacks registered at
   * module top level). Off by default: start-up is not a request path.
   */
  reportStartup: boolean;
}

const allowSchema: JSONSchema4 = {
  oneOf: [
    { type: 'string' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { module: { type: 'string' }, name: { type: 'string' } },
    },
  ],
};

const messages = {
  blocking: `{{call}} blocks the event loop in {{entry}}: it {{why}}, {{effect}}. Use {{replacement}} instead.{{more}}`,
  blockingChain:
    `{{call}} blocks the event loop in {{entry}}: it reaches {{target}} through \`{{chain}}\`, which {{why}}, {{effect}}. ` +
    'Make {{helper}} async (use {{replacement}}) and await it along the chain, or move the work to start-up or a worker thread.',
  blockingCause:
    `{{call}} in {{helper}} blocks the event loop: it {{why}}, {{effect}}. {{reached}} ` +
    'Make {{helper}} async (use {{replacement}}) and await it along the chain, or move the work to start-up or a worker thread.',
  // No placeholders: the ESLint adapter does not pass suggestion data through.
  useAsync: 'Await the non-blocking version instead (rewrites the call and adds the import)',
};

/** The ids of the messages above: what `ctx.report` and the helpers that build reports may use. */
export type MessageId = keyof typeof messages;

const check: Check<Options, MessageId> = {
  meta: {
    id: 'no-blocking-in-async',
    description: 'A synchronous, blocking call runs in async context (directly or through helpers) and stalls the event loop.',
    // In configs.strict only until it meets the field study's bar (90% true; measured 29.2%, see its docs page).
    recommended: 'off',
    messages,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        additional: {
          type: 'array',
          description: 'More blocking APIs, by module and exported (or method) name.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['module', 'name'],
            properties: { module: { type: 'string' }, name: { type: 'string' }, advice: { type: 'string' } },
          },
        },
        allow: { type: 'array', items: allowSchema, description: 'Blocking APIs not to report.' },
        reportRequire: { type: 'boolean', description: 'Report `require()` of a non-built-in module inside a function body.' },
        routeHandlers: {
          type: 'array',
          items: { type: 'string' },
          description: 'Extra packages whose router methods (`get`, `post`, `use`, ...) take request handlers.',
        },
        reportStartup: {
          type: 'boolean',
          description: 'Also report blocking calls in code that runs only as the program starts: async functions only module top level starts (after their first `await`) and promise callbacks registered at module top level.',
        },
        report: {
          type: 'string',
          enum: ['cause', 'site'],
          description: "'cause': one finding per blocking helper with the entry points as related locations; 'site': one per entry, at its call.",
        },
      },
    },
    defaultOptions: { additional: [], allow: [], reportRequire: true, routeHandlers: [], report: 'cause', reportStartup: false },
    /**
     * In an editor the finding belongs in the open file, at the call that leads to the blocking
     * code, and ESLint's own cache keys a file's messages on that file alone: per call site.
     */
    editorOptions: { report: 'site' },
    hasSuggestions: true,
  },
  run(ctx) {
    const matcher = matcherFor(ctx.options);
    if (ctx.options.report === 'cause') {
      for (const report of causeReportsIn(ctx.sourceFile, ctx.program, matcher, ctx.options.routeHandlers, ctx.options.reportStartup)) ctx.report(report);
      return;
    }
    for (const entry of asyncEntriesIn(ctx.sourceFile, ctx.program, { routeModules: ctx.options.routeHandlers })) {
      for (const report of reportsForEntry(ctx.program, entry, matcher, ctx.options.routeHandlers, ctx.options.reportStartup)) ctx.report(report);
    }
  },
};

export default check;

/** The summary kind the check uses with these options (for tests and benchmarks). */
export function blockingKindFor(options: Partial<Options> = {}) {
  return blockingKind(matcherFor({ ...check.meta.defaultOptions, ...options }));
}
