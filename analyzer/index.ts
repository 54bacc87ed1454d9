/** The analyzer's public API (no ESLint in here). */
export { analyze, checkProjects } from './cli/analyze.js';
export { runCheck } from './check/run.js';
export { loadProjects, DEFAULT_COMPILER_OPTIONS, type LoadedProject } from './project/project.js';
export { allChecks, getCheck } from './checks/index.js';
export { getCallGraph, functionName, type FunctionLike, type CallGraph } from './program/callgraph.js';
export { getSummary, summaryStats, type SummaryKind } from './summaries/engine.js';
export { reachKind, type Reach, type ReachStep } from './summaries/reach.js';
export type { Finding, TraceStep, TextEdit, Suggestion, Severity } from './check/finding.js';
export type { AnalyzeOptions, AnalyzeResult, RuleSetting, RunDiagnostic } from './check/run-types.js';
export type { Check, CheckMeta, AnyCheck } from './check/contract.js';
