import type ts from 'typescript';
import type { JSONSchema4 } from '@typescript-eslint/utils/json-schema';
import type { Finding, Severity, TextEdit } from './finding.js';
import type { TypeQueries } from '../program/type-queries.js';

/** Where the rule docs live; the SARIF `helpUri` and ESLint `docs.url` of every rule. */
export const DOCS_BASE = 'https://github.com/concurrency-lint/concurrency-lint/blob/main/docs/rules/';

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}

export interface CheckMeta<Options> {
  id: string;
  /** One line, used for SARIF `shortDescription`, ESLint `docs.description` and the README table. */
  description: string;
  /** Severity in `configs.recommended`; 'off' leaves the rule to `configs.strict`. */
  recommended: Severity | 'off';
  /** Options used by `configs.strict`, when stricter than the defaults. */
  strictOptions?: Partial<Options>;
  messages: Record<string, string>;
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

export interface SuggestionInput {
  messageId: string;
  data?: Record<string, string>;
  edits: TextEdit[];
}

export interface ReportInput {
  node: ts.Node;
  /** Report a sub-range [start, end) of the file instead of the node's range. */
  range?: [number, number];
  messageId: string;
  data?: Record<string, string>;
  trace?: TraceInput[];
  /** Other places of the same problem (entry points reaching one cause, ...): Finding `related`. */
  related?: TraceInput[];
  fix?: TextEdit[];
  suggestions?: SuggestionInput[];
}

export interface CheckContext<Options> {
  program: ts.Program;
  /** The type queries: the narrow door to the type checker. */
  types: TypeQueries;
  sourceFile: ts.SourceFile;
  options: Options;
  report(input: ReportInput): void;
}

export interface Check<Options = Record<string, unknown>> {
  meta: CheckMeta<Options>;
  /** Find the rule's problems in one file. Pure: reads the program, returns via `report`. */
  run(ctx: CheckContext<Options>): void;
  /** Why the check may stay quiet on this program (an ORM version whose types it does not know): shown with `--debug`. */
  notes?(program: ts.Program): string[];
}

export type AnyCheck = Check<any>;

export type { Finding };
