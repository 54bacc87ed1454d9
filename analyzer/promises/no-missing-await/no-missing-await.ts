/**
 * no-missing-await: a promise used as if it were its value. The code reads as if it awaited, but
 * it holds a Promise: tested in a condition (always truthy), compared, computed with, put in text,
 * spread, destructured, serialised, read a property of where TypeScript does not check, or
 * returned from `try` without `await` (the `catch` never sees the rejection).
 *
 * Parts: conditions and array predicates (`no-missing-await/conditions.ts`), value positions and
 * unchecked property reads (`values.ts`), `return` in `try`/`using` (`returns.ts`), promises held
 * in variables (`variables.ts`), value sinks (`sinks.ts`, data in `../catalog-value-sinks.ts`), and
 * the message, trace and fixes (`findings.ts`).
 */
import ts from '../../ts/typescript.cjs';
import type { Check } from '../../check/contract.js';
import { specifierSchema } from '../../program/specifiers.js';
import { checkConditionsAt } from './conditions.js';
import { checkPropertyAccess, checkValuesAt } from './values.js';
import { checkReturn } from './returns.js';
import type { Options, Scan } from './context.js';
import { fileIndex } from '../../program/file-index.js';

export type { Options } from './context.js';

const messages = {
  condition:
    '{{what}} is a Promise, used as the {{where}}: a Promise object is always truthy, so this check ignores the result of the async work (a guard like this always passes, or never does). Await it to test the value it resolves to.',
  predicate:
    '{{what}} is a Promise returned from the `{{method}}` callback: it is always truthy, so `{{method}}` treats every element as a match. Resolve the answers first (`const ok = await Promise.all(items.map(check))`) and test `ok[i]` in a synchronous callback.',
  value: '{{what}} is a Promise, used as {{where}}, {{effect}}. Await it to use the value it resolves to.',
  property:
    '{{what}} is a Promise, and a Promise has no {{member}}: {{effect}}. Nothing else reports it: {{unchecked}}. Await the promise before using its value.',
  returnInTry:
    '{{what}} is returned from {{where}} without `await`: the function returns before the promise settles, so {{effect}}. Write `return await` to keep the work inside this block.',
  addAwait: 'Add `await`',
  // No placeholders in suggestion texts: the ESLint adapter does not pass suggestion data.
  makeAsync: 'Make the enclosing function async and add `await`',
  awaitAtAssignment: 'Await the promise where the variable is assigned',
};

/** The ids of the messages above: what `ctx.report` and the helpers that build reports may use. */
export type MessageId = keyof typeof messages;

const check: Check<Options, MessageId> = {
  meta: {
    id: 'no-missing-await',
    description: 'A promise is used as if it were its value: tested, compared, printed, spread or returned from `try` without `await`.',
    // In configs.recommended: on the field study, 3 judged findings, none false (docs page).
    recommended: 'error',
    messages,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        checksConditionals: { type: 'boolean', description: 'Report promises in boolean positions and array predicate results.' },
        checksSpreads: { type: 'boolean', description: 'Report `...promise` in arrays, calls and object literals.' },
        checksValues: {
          type: 'boolean',
          description: 'Report promises compared, computed with, put in template literals, destructured, iterated or given to a value sink.',
        },
        checksPropertyAccess: {
          type: 'boolean',
          description: 'Report property reads on a promise where TypeScript does not check types (JavaScript, `// @ts-nocheck`, `any`).',
        },
        checksReturnInTry: { type: 'boolean', description: 'Report `return promise` without `await` inside `try` or after `using`.' },
        valueSinks: { type: 'array', items: specifierSchema, description: 'More functions whose arguments are consumed as values.' },
      },
    },
    defaultOptions: {
      checksConditionals: true,
      checksSpreads: true,
      checksValues: true,
      checksPropertyAccess: true,
      checksReturnInTry: true,
      valueSinks: [],
    },
    fixable: 'code',
    hasSuggestions: true,
  },
  run(ctx) {
    const scan: Scan = {
      ctx,
      types: ctx.types,
      sf: ctx.sourceFile,
      typeChecked: ctx.types.reportsTypeErrors(ctx.sourceFile),
      reported: new Set(),
      conditionSeen: new Set(),
      handles: new Map(),
    };
    for (const node of fileIndex(ctx.sourceFile).nodes) {
      if (ctx.options.checksConditionals) checkConditionsAt(scan, node);
      checkValuesAt(scan, node);
      if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) checkPropertyAccess(scan, node);
      else if (ts.isReturnStatement(node)) checkReturn(scan, node);
    }
  },
};

export default check;
