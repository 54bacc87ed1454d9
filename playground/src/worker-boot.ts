/**
 * The worker's first module (worker.ts imports it before TypeScript): it notes when the worker's
 * code started to run, before the TypeScript bundle is evaluated.
 */
import { stamp, type Marks } from './timeline.js';

export const bootMarks: Marks = { 'worker start': stamp() };
