/** Types for `field/publish.mjs` (used by test/precision-gate.test.ts). */
export interface RuleResult {
  findings: number;
  labelled: number;
  true: number;
  false: number;
  debatable: number;
  notes?: string[];
}

export interface FieldResults {
  date: string;
  projects: { name: string; repo: string; commit: string }[];
  rules: Record<string, RuleResult>;
}

export const RESULTS: string;
export const MIN_PRECISION: number;
export const MIN_JUDGED: number;
export function readResults(file?: string): FieldResults;
export function precisionOf(r: { true: number; false: number }): number | undefined;
export function gateVerdict(r: { true: number; false: number } | undefined): { ok: boolean; why: string };
export function ruleBlock(results: FieldResults, ruleId: string): string;
export function readmeBlock(results: FieldResults, ruleIds: string[]): string;
export function withBlock(text: string, block: string, heading: string, before?: string): string;
/** Every page (docs/rules/*.md and README.md) as it should read: file path to text. */
export function pages(results: FieldResults, ruleIds: string[]): Map<string, string>;
