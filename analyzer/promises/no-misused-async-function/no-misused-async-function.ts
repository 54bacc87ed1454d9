/**
 * no-misused-async-function: an async (promise-returning) function given where a synchronous
 * callback is expected: `forEach`, array predicates, comparators and reducers, `new Promise`
 * executors, and any position typed as a function returning `void` (timers, event listeners,
 * properties, variables, returned functions, JSX attributes, overridden or implemented methods).
 *
 * Modelled on typescript-eslint's `no-misused-promises` (`checksVoidReturn` and the array
 * predicate part of `checksConditionals`); differences are listed in the rule's docs.
 * "Async function" means an inline `async` function, or any function-valued expression whose
 * type returns a promise (a reference to an async function declared anywhere in the program).
 */
import ts from '../../ts/typescript.cjs';
import type { Check, CheckContext } from '../../check/contract.js';
import { lostRejectionWording } from '../process-handlers.js';
import { checkCall } from './calls.js';
import { checkAssignment, checkAttribute, checkHeritage, checkProperty, checkReturn, checkVariable } from './positions.js';
import { voidChecks, type Options } from './candidates.js';
import { checkDisposeMember, isDisposeName } from './dispose.js';
import { fileIndex } from '../../program/file-index.js';

export type { Options } from './candidates.js';

/** `{{lost}}` says what happens to the rejection in this program (analyzer/promises/process-handlers.ts). */
const LOST = 'nothing waits for the promise, and {{lost}}';
const CATCH_INSIDE = 'Catch every failure inside it (wrap the whole body in `try { ... } catch (error) { ... }`), or pass a synchronous wrapper: `() => { void task().catch(handleError); }`.';

const messages = {
  forEach:
    '`{{method}}` is given {{fn}}, but it ignores what its callback returns: the call returns before the callbacks finish, so code after it runs too early, and a rejection in any callback goes unhandled. Run them one at a time with `for (const x of xs) { await ... }`, or together with `await Promise.all(xs.map(async (x) => ...))`.',
  predicate:
    '`{{method}}` is given {{fn}}, but it tests what its callback returns for truthiness, and a promise is always truthy, so `{{method}}` {{effect}}. Resolve the results first: `const keep = await Promise.all(xs.map(test));`, then `xs.{{method}}((_, i) => keep[i])`.',
  sort: '`{{method}}` is given {{fn}} as its comparator, but it needs a number synchronously; a promise compares as 0, so the order is left as it was. Compute the sort keys first (`await Promise.all(...)`), then sort with a synchronous comparator.',
  reduce:
    '`{{method}}` is given {{fn}} that never awaits its accumulator {{acc}}: from the second element on it receives the previous step\'s promise, not its value, so every step starts at once, works on a promise, and earlier rejections go unhandled. Await the accumulator first (`const value = await previous;`), or use a `for...of` loop with `await`.',
  executor:
    '`new Promise` is given {{fn}} as its executor: an error thrown in it rejects only the executor\'s own promise, which `new Promise` ignores, so the constructed promise never settles and the error goes unhandled. Make the enclosing function `async` and `await` the work directly instead of wrapping it in `new Promise`; keep executors synchronous.',
  voidReturnArgument: `{{api}} is given {{fn}}, but it expects a callback that returns nothing and ignores its result: ${LOST}. ${CATCH_INSIDE}`,
  voidReturnProperty: `Property \`{{name}}\` is typed as a function that returns nothing, but is given {{fn}}: whoever calls it ignores the result, so ${LOST}. ${CATCH_INSIDE}`,
  voidReturnVariable: `\`{{name}}\` is typed as a function that returns nothing, but is given {{fn}}: whoever calls it ignores the result, so ${LOST}. ${CATCH_INSIDE}`,
  voidReturnDispose:
    '`{{name}}` is disposed with `[Symbol.dispose]()`, which returns a promise here, but synchronous disposal (`using`, `Disposable`) does not wait for it: the clean-up may not finish before the scope ends, and its rejection goes unhandled. Implement `[Symbol.asyncDispose]` and use `await using`, or make `[Symbol.dispose]` synchronous.',
  voidReturnDisposeMember:
    '`[Symbol.dispose]` of {{owner}} returns a promise, but {{how}} `{{slot}}`, whose `[Symbol.dispose]` is synchronous: `using` and other holders call it and move on without waiting, so the clean-up may not finish before the scope ends, and its rejection goes unhandled. Implement `[Symbol.asyncDispose]` instead (`AsyncDisposable`, disposed by `await using`), or make `[Symbol.dispose]` synchronous.',
  voidReturnReturnValue: `This function is declared to return a function that returns nothing, but returns {{fn}}: whoever calls that ignores its result, so ${LOST}. ${CATCH_INSIDE}`,
  voidReturnAttribute: `JSX attribute \`{{name}}\` expects a function that returns nothing, but is given {{fn}}: the component ignores its result, so ${LOST}. ${CATCH_INSIDE}`,
  voidReturnInheritedMethod:
    '`{{name}}` returns a promise, but it overrides or implements `{{base}}.{{name}}`, which returns {{ret}}: code that calls it through `{{base}}` does not wait for it, and its rejection goes unhandled. Keep `{{name}}` synchronous and handle the async work inside (`void this.work().catch(handleError)`, or `try`/`catch` around the whole body), or change `{{base}}` so that `{{name}}` returns a promise.',
  voidReturnEmptyStub:
    'Where a function that returns nothing is expected, {{fn}} with an empty body is given: it cannot reject, so nothing is lost today, but whatever is added to it later runs unawaited and its failures go unseen. Drop `async` (`() => {}`), or set `allowEmptyStubs` to accept such stubs.',
  suggestForOf: 'Rewrite as a `for...of` loop that awaits each item in turn',
  suggestPromiseAll: 'Run them concurrently and wait: `await Promise.all(xs.map(...))`',
};

/** The ids of the messages above: what `ctx.report` and the helpers that build reports may use. */
export type MessageId = keyof typeof messages;

const check: Check<Options, MessageId> = {
  meta: {
    id: 'no-misused-async-function',
    description: 'An async function is passed where a synchronous callback is expected, so its promise is ignored or misread.',
    // In configs.strict only until it meets the field study's bar (90% true; measured 67.0%, see its docs page).
    recommended: 'off',
    strictOptions: { allowHandledRejections: false },
    messages,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        checksVoidReturn: {
          description: 'Which void-return positions to check (all by default), as in typescript-eslint.',
          oneOf: [
            { type: 'boolean' },
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                arguments: { type: 'boolean' },
                attributes: { type: 'boolean' },
                inheritedMethods: { type: 'boolean' },
                properties: { type: 'boolean' },
                returns: { type: 'boolean' },
                variables: { type: 'boolean' },
              },
            },
          ],
        },
        allowedApis: {
          type: 'array',
          description: 'Functions and methods that may be given async callbacks (they handle the promise themselves).',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
              module: { type: 'string' },
            },
          },
        },
        allowEmptyStubs: {
          type: 'boolean',
          description: 'Allow an empty async function (`onClose: async () => {}`) where `void` is expected: its promise is already resolved and cannot reject.',
        },
        allowHandledRejections: {
          type: 'boolean',
          description: 'Allow a function that catches every rejection itself (a whole-body try/catch, or `.catch(handler)`) where `void` is expected and as a `new Promise` executor.',
        },
      },
    },
    defaultOptions: { checksVoidReturn: true, allowedApis: [], allowHandledRejections: true, allowEmptyStubs: false },
    hasSuggestions: true,
  },
  run(outer) {
    const ctx = withLostWording(outer);
    const voids = voidChecks(ctx.options);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) checkCall(ctx, node);
      if (!voids) return;
      if (ts.isComputedPropertyName(node) && isDisposeName(node)) {
        if (ts.isClassLike(node.parent.parent) ? voids.inheritedMethods : voids.properties) checkDisposeMember(ctx, node);
        return;
      }
      if (voids.properties && (ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node) || ts.isMethodDeclaration(node))) {
        if (ts.isObjectLiteralExpression(node.parent)) checkProperty(ctx, node);
      } else if (voids.variables && ts.isVariableDeclaration(node)) {
        checkVariable(ctx, node);
      } else if (voids.variables && ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        checkAssignment(ctx, node);
      } else if (voids.returns && ts.isReturnStatement(node)) {
        checkReturn(ctx, node);
      } else if (voids.attributes && ts.isJsxAttribute(node)) {
        checkAttribute(ctx, node);
      } else if (voids.inheritedMethods && (ts.isClassLike(node) || ts.isInterfaceDeclaration(node))) {
        checkHeritage(ctx, node);
      }
    };
    for (const node of fileIndex(ctx.sourceFile).nodes) visit(node);
  },
};

export default check;

/** Every report says what happens to a lost rejection in this program (asked only when reporting). */
function withLostWording(ctx: CheckContext<Options, MessageId>): CheckContext<Options, MessageId> {
  return { ...ctx, report: (input) => ctx.report({ ...input, data: { ...input.data, lost: lostRejectionWording(ctx.program) } }) };
}
