import type ts from 'typescript';
import type { JSONSchema4 } from '@typescript-eslint/utils/json-schema';
import type { Finding, Severity, TextEdit } from './finding.js';
import type { TypeQueries } from '../program/type-queries.js';

/** Where the rule docs live; the SARIF `helpUri` and ESLint `docs.url` of every rule. */
export const DOCS_BASE = 'https://github.com/concurrency-lint/concurrency-lint/blob/main/docs/rules/';

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}

/**
 * The message templates of a rule, by id. A rule writes its ids once, as the keys of its
 * `messages` object, and takes its `MessageId` type from them:
 *
 *   const messages = { floating: 'The promise from {{what}} is dropped...', fixAwait: 'Add `await`' };
 *   export type MessageId = keyof typeof messages;
 *   const check: Check<Options, MessageId> = { meta: { ..., messages }, run(ctx) { ... } };
 *
 * Then `ctx.report({ messageId })` and every suggestion's `messageId` must be one of them, and
 * helper modules that build reports take `ReportInput<MessageId>` (a type-only import).
 */
export type Messages<MessageId extends string> = Record<MessageId, string>;

export interface CheckMeta<Options, MessageId extends string = string> {
  id: string;
  /** One line, used for SARIF `shortDescription`, ESLint `docs.description` and the README table. */
  description: string;
  /** Severity in `configs.recommended`; 'off' leaves the rule to `configs.strict`. */
  recommended: Severity | 'off';
  /** Options used by `configs.strict`, when stricter than the defaults. */
  strictOptions?: Partial<Options>;
  /**
   * Options the ESLint plugin's rule uses over `defaultOptions` (its configs too): where an editor,
   * which shows one open file and caches messages per file, needs other defaults than the CLI.
   */
  editorOptions?: Partial<Options>;
  messages: Messages<MessageId>;
  /** JSON schema of the single options object (ESLint's `schema: [this]`). */
  schema: JSONSchema4;
  defaultOptions: Options;
  fixable?: 'code';
  hasSuggestions?: boolean;
}

/** A location for a trace step or a report, given as a node (with its file) or as a span. */
export interface NodeRef {
  node: ts.Node;
  /** Defaults to `node.getSourceFile()`. */
  sourceFile?: ts.SourceFile;
}

export interface TraceInput extends NodeRef {
  message: string;
}

export interface SuggestionInput<MessageId extends string> {
  messageId: MessageId;
  data?: Record<string, string>;
  edits: TextEdit[];
}

export interface ReportInput<MessageId extends string> {
  node: ts.Node;
  /** Report a sub-range [start, end) of the file instead of the node's range. */
  range?: [number, number];
  messageId: MessageId;
  data?: Record<string, string>;
  trace?: TraceInput[];
  /** Other places of the same problem (entry points reaching one cause, ...): Finding `related`. */
  related?: TraceInput[];
  fix?: TextEdit[];
  suggestions?: SuggestionInput<MessageId>[];
}

export interface CheckContext<Options, MessageId extends string> {
  program: ts.Program;
  /** The type queries: the narrow door to the type checker. */
  types: TypeQueries;
  sourceFile: ts.SourceFile;
  options: Options;
  report(input: ReportInput<MessageId>): void;
}

/**
 * A rule: `meta` and a pure `run`. `MessageId` is the union of the keys of `meta.messages`, so a
 * report or suggestion with an id the rule does not define, or an option the rule does not
 * have, is a compile error (as with typescript-eslint's `createRule`).
 */
export interface Check<Options = Record<string, unknown>, MessageId extends string = string> {
  meta: CheckMeta<Options, MessageId>;
  /** Find the rule's problems in one file. Pure: reads the program, returns via `report`. */
  run(ctx: CheckContext<Options, MessageId>): void;
  /** Why the check may stay quiet on this program (an ORM version whose types it does not know): shown with `--debug`. */
  notes?(program: ts.Program): string[];
}

/** Any rule, whatever its options and message ids: what the registry and the runners hold. */
export type AnyCheck = Check<any, string>;

export type { Finding };
