/** Messages between the page and the analysis worker. Positions are the analyzer's own. */
import type { Finding } from '../../analyzer/check/finding.js';
import type { Marks } from './timeline.js';

export interface SourceFileInput {
  /** The tab's name, e.g. `main.ts` (the worker puts it under `/app/`). */
  name: string;
  text: string;
}

export type ToWorker =
  | { type: 'analyze'; seq: number; files: SourceFileInput[]; config: unknown }
  /** The core declarations (`libs/core.json`), fetched by the page while the worker starts; sent first. */
  | { type: 'core'; buffer?: ArrayBuffer; error?: string };

export interface TypeError {
  file: string;
  line: number;
  message: string;
}

export type FromWorker =
  | { type: 'ready'; ms: number; version: string; rules: RuleInfo[] }
  | { type: 'result'; seq: number; findings: Finding[]; diagnostics: string[]; typeErrors: TypeError[]; ms: number; phases: Record<string, number>; libraries: string[]; marks: Marks }
  | { type: 'error'; seq: number; message: string };

export interface RuleInfo {
  id: string;
  description: string;
  recommended: string;
}
