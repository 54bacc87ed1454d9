/**
 * Compile-time tests of the rule contract (analyzer/check/contract.ts), checked by
 * `tsc -p tsconfig.test.json` (vitest does not run this file): a message id a rule does not
 * declare in `meta.messages`, or an option it does not have, is a type error. Each
 * `@ts-expect-error` below fails the type check if the error it expects goes away.
 */
import ts from 'typescript';
import type { Check, ReportInput, SuggestionInput } from '../analyzer/check/contract.js';
import type { MessageId as FloatingMessageId } from '../analyzer/promises/no-floating-promise.js';
import type { Options as BlockingOptions } from '../analyzer/blocking/no-blocking-in-async.js';

const messages = {
  found: 'Found {{what}}.',
  fixIt: 'Fix it',
};
type MessageId = keyof typeof messages;

interface Options {
  strict: boolean;
}

export const example: Check<Options, MessageId> = {
  meta: {
    id: 'example',
    description: 'An example rule.',
    recommended: 'off',
    messages,
    schema: { type: 'object' },
    defaultOptions: { strict: false },
    strictOptions: { strict: true },
    editorOptions: { strict: false },
  },
  run(ctx) {
    if (ctx.options.strict) return;
    ctx.report({ node: ctx.sourceFile, messageId: 'found', data: { what: 'it' }, suggestions: [{ messageId: 'fixIt', edits: [] }] });
    // @ts-expect-error: `fund` is not one of the rule's message ids.
    ctx.report({ node: ctx.sourceFile, messageId: 'fund' });
    // @ts-expect-error: a suggestion's id must be one of them too.
    ctx.report({ node: ctx.sourceFile, messageId: 'found', suggestions: [{ messageId: 'fixItNow', edits: [] }] });
    // @ts-expect-error: `strictly` is not an option of the rule.
    if (ctx.options.strictly) return;
  },
};

export const wrongOptions: Check<Options, MessageId>['meta'] = {
  ...example.meta,
  // @ts-expect-error: `stric` is not an option of the rule.
  strictOptions: { stric: true },
};

export const missingMessage: Check<Options, MessageId | 'other'>['meta'] = {
  ...example.meta,
  // @ts-expect-error: `other` is a message id without a message.
  messages,
};

// A real rule's helpers: a report built outside the rule module takes the rule's ids.
const node = ts.factory.createIdentifier('x');
export const floating: ReportInput<FloatingMessageId> = { node, messageId: 'floatingThen' };
// @ts-expect-error: not a message id of no-floating-promise.
export const notFloating: ReportInput<FloatingMessageId> = { node, messageId: 'blocking' };
// @ts-expect-error: not a suggestion of no-floating-promise.
export const notASuggestion: SuggestionInput<FloatingMessageId> = { messageId: 'useAsync', edits: [] };

// A real rule's editor options are options of that rule.
// @ts-expect-error: `reports` is not an option of no-blocking-in-async.
export const notEditor: Check<BlockingOptions>['meta']['editorOptions'] = { reports: 'site' };
