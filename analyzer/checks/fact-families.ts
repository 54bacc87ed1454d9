/**
 * Every family of per-file facts (analyzer/program/file-facts.ts), in one place: the analysis
 * cache asks each which files a changed fact can affect beyond its own. A module that adds a
 * family adds it here (test/architecture.test.ts lets this folder import every domain).
 */
import type { FactFamily } from '../program/file-facts.js';
import { entryFacts } from '../program/async-context.js';
import { rejectionHandlerFacts } from '../promises/process-handlers.js';
import { edgeFacts } from '../locks/graph-facts.js';
import { callerFacts } from '../blocking/where.js';

export const FACT_FAMILIES: readonly FactFamily[] = [entryFacts, edgeFacts, rejectionHandlerFacts, callerFacts];
