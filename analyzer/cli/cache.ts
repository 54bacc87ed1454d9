/**
 * `--cache <dir>`: reuse findings across runs.
 *
 * Key: tool version and build, rule settings, the task (tsconfig, paths, shard). For each
 * program the cache keeps every file's signature (a content hash for the project's own files,
 * size and mtime for libraries), the tsconfig files, the import graph and each checked file's
 * findings.
 *
 * - Nothing changed: the findings are returned without building a program.
 * - Some own files changed: the program is built (types need it) and a file is checked again
 *   when it imports a changed file, directly or not (its types may have changed; a
 *   deleted file counts through the imports it had); the other files keep their findings.
 *   Rules found to read files their checked file does not import (whole-program rules,
 *   see program/dependencies.ts) run again on every file. The per-file facts behind the program-wide
 *   indexes (callback registrations, lock edges; analyzer/program/file-facts.ts) are reused for files
 *   whose imports did not change, so those indexes cost little; a file that other files'
 *   changed facts are about (a handler a route file now registers) is checked again, and so is
 *   a file whose check read the program-wide answer of a family whose facts changed (the promise
 *   rules' wording when an `unhandledRejection` handler is added or removed: `readFamily`).
 * - A library, tsconfig, script or global augmentation changed: every file is checked again.
 *
 * Results with and without the cache are the same (test/cache.test.ts checks this).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type ts from 'typescript';
import { checkProjects } from './analyze.js';
import { compareFindings, type Finding } from '../check/finding.js';
import { packageInfo } from '../project/package-info.js';
import type { LoadResult, LoadedProject } from '../project/project.js';
import type { AnalyzeResult, ProgressEvent, RuleSetting, RunDiagnostic } from '../check/run-types.js';
import { WHOLE_PROGRAM, setCheckListener, type Touched } from '../program/dependencies.js';
import { closureOracle, dependents, importGraph, isExternalFile } from '../program/import-graph.js';
import { factStats, familyOf, recordFacts, recordedFacts, type StoredFacts } from '../program/file-facts.js';
import { FACT_FAMILIES } from '../checks/fact-families.js';
import {
  CACHE_FORMAT,
  cacheFileFor,
  contentSignature,
  readCache,
  statSignature,
  writeCache,
  type CacheData,
  type CachedFile,
} from './cache-store.js';

export interface CachedTaskInput {
  cacheDir: string;
  /** Names the cache file: tsconfig (or default), paths and shard of this task. */
  identity: string;
  /** Part of the key beyond tool and rules (e.g. the shard). */
  keyExtra: string;
  /** The files to check (after sharding), absolute. */
  targets: string[];
  rules: [string, RuleSetting][];
  debug?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /** Build the program(s) of this task. */
  load(): LoadResult;
  /** Restrict a loaded project's files to the ones to check (sharding). */
  select(project: LoadedProject): LoadedProject;
  /** Told what the cache saved (tests, benchmarks). */
  onStats?: (stats: CacheStats) => void;
}

export interface CacheStats {
  /** True when nothing changed: no program was built. */
  fromCache: boolean;
  /** Files checked by at least one rule in this run. */
  checked: number;
  /** Files checked by the rules whose findings depend only on what the file imports. */
  localChecked: number;
  /** Files of the task. */
  files: number;
  /** Rules that run again on every file when anything changes. */
  wholeProgramRules: string[];
  /** Per-file facts and function summaries taken from the previous run instead of computed. */
  reusedFacts: number;
}

/**
 * The analyzer's own code, by content: a changed analyzer must not reuse an old cache, and a
 * rebuild that changes nothing (new mtimes, same bytes) must not throw a cache away.
 */
const buildStamp = (() => {
  // This module is in <root>/cli/: hash the whole analyzer (its parent folder).
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const hash = crypto.createHash('sha1');
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (/\.[cm]?[jt]s$/.test(entry.name) && !entry.name.endsWith('.d.ts')) hash.update(path.relative(root, full)).update(fs.readFileSync(full));
    }
  }
  return hash.digest('hex');
})();

function keyOf(input: CachedTaskInput): string {
  const rules = [...input.rules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([CACHE_FORMAT, packageInfo.version, buildStamp, rules, input.keyExtra]);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function signaturesMatch(recorded: Record<string, string>, external: (file: string) => boolean): boolean {
  for (const [file, signature] of Object.entries(recorded)) {
    const now = external(file) ? statSignature(file) : contentSignature(file);
    if (now !== signature) return false;
  }
  return true;
}

/** Read a checked file as the program reads it (UTF-8, BOM dropped); undefined for UTF-16. */
function readSource(file: string): string | undefined {
  const bytes = fs.readFileSync(file);
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) return undefined;
  return new TextDecoder('utf-8').decode(bytes);
}

/** Nothing changed since the cache was written: its result, without building a program. */
function fromCacheOnly(data: CacheData, targets: string[]): AnalyzeResult | undefined {
  if (!sameList(data.targetsList, targets)) return undefined;
  if (data.checkedFiles.some((f) => !data.files[path.resolve(f)])) return undefined;
  if (!signaturesMatch(data.configFiles, () => false)) return undefined;
  const external = new Set(data.externalFiles);
  if (!signaturesMatch(data.programFiles, (f) => external.has(f))) return undefined;
  const sources = new Map<string, string>();
  const findings: Finding[] = [];
  for (const file of data.checkedFiles) {
    const text = readSource(file);
    if (text === undefined) return undefined;
    sources.set(file, text);
  }
  for (const f of data.checkedFiles) findings.push(...data.files[path.resolve(f)]!.findings);
  findings.sort(compareFindings);
  return { findings, files: [...data.checkedFiles], diagnostics: [...data.diagnostics], sources };
}

interface ProgramState {
  programFiles: Record<string, string>;
  externalFiles: string[];
  configFiles: Record<string, string>;
  imports: Record<string, string[]>;
  globals: string[];
  /** False when the import graph is unavailable: then every change means checking everything. */
  graph: boolean;
}

function programState(projects: LoadedProject[]): ProgramState {
  const state: ProgramState = { programFiles: {}, externalFiles: [], configFiles: {}, imports: {}, globals: [], graph: true };
  for (const { program, configPath } of projects) {
    for (const sf of program.getSourceFiles()) {
      const file = path.resolve(sf.fileName);
      const external = isExternalFile(program, sf);
      if (external) state.externalFiles.push(file);
      state.programFiles[file] = (external ? statSignature(file) : contentSignature(file)) ?? 'missing';
    }
    const configFile = program.getCompilerOptions().configFile as (ts.TsConfigSourceFile & { extendedSourceFiles?: string[] }) | undefined;
    for (const file of [configPath, ...(configFile?.extendedSourceFiles ?? [])]) {
      if (file) state.configFiles[path.resolve(file)] = contentSignature(file) ?? 'missing';
    }
    const graph = importGraph(program);
    if (!graph) state.graph = false;
    for (const [file, targets] of graph?.imports ?? []) state.imports[file] = [...targets];
    state.globals.push(...(graph?.globals ?? []));
  }
  return state;
}

interface Plan {
  /** Files to check with the rules not known to be whole-program. */
  local: Set<string>;
  /** Files to check with the whole-program rules. */
  global: Set<string>;
  /** Program files whose imports (directly or not) changed; undefined: all of them. */
  affected?: Set<string>;
}

/** Which files must be checked again, given the previous run's cache. */
function planRecheck(old: CacheData | undefined, now: ProgramState, targets: string[]): Plan {
  const all = new Set(targets);
  if (!old || !now.graph || !old.graph) return { local: all, global: all };
  const changed = new Set<string>();
  for (const [file, signature] of Object.entries(now.programFiles)) if (old.programFiles[file] !== signature) changed.add(file);
  for (const file of Object.keys(old.programFiles)) if (!(file in now.programFiles)) changed.add(file);
  const global = new Set([...now.externalFiles, ...old.externalFiles, ...now.globals, ...old.globals]);
  const everything = JSON.stringify(old.configFiles) !== JSON.stringify(now.configFiles) || [...changed].some((f) => global.has(f));
  if (everything) return { local: all, global: all };
  const affected = dependents(new Map(Object.entries(now.imports)), changed);
  for (const f of dependents(new Map(Object.entries(old.imports)), changed)) affected.add(f);
  const local = new Set(targets.filter((t) => affected.has(t) || !old.files[t]));
  return { local, global: changed.size > 0 ? all : local, affected };
}

function restrict(projects: LoadedProject[], files: ReadonlySet<string>): LoadedProject[] {
  return projects.map((p) => ({ ...p, files: p.files.filter((sf) => files.has(path.resolve(sf.fileName))) }));
}

/** Run checks, recording for each (rule, file) whether the rule read beyond the file's imports. */
function checkRecording(
  projects: LoadedProject[],
  files: ReadonlySet<string>,
  rules: [string, RuleSetting][],
  input: CachedTaskInput,
  isBeyond: (file: string, touched: Touched) => boolean,
  wholeProgram: Set<string>,
  reads: Reads,
): AnalyzeResult {
  setCheckListener((ruleId, sf, touched, families) => {
    const file = path.resolve(sf.fileName);
    if (!wholeProgram.has(ruleId) && isBeyond(file, touched)) wholeProgram.add(ruleId);
    const byRule = reads.get(file) ?? new Map<string, string[]>();
    if (families.size > 0) byRule.set(ruleId, [...families].sort());
    else byRule.delete(ruleId);
    reads.set(file, byRule);
  });
  try {
    return checkProjects(restrict(projects, files), { rules: new Map(rules), onProgress: input.onProgress, debug: input.debug });
  } finally {
    setCheckListener(undefined);
  }
}

function beyondImports(state: ProgramState, external: ReadonlySet<string>) {
  const reaches = closureOracle(new Map(Object.entries(state.imports)));
  return (file: string, touched: Touched): boolean => {
    for (const t of touched) {
      if (t === WHOLE_PROGRAM) return true;
      const target = path.resolve(t.fileName);
      if (target === file || external.has(target)) continue;
      if (reaches(file, target) !== true) return true;
    }
    return false;
  };
}

/** Per checked file (absolute path), per rule: the fact families its check read (`readFamily`). */
type Reads = Map<string, Map<string, string[]>>;

function readsOf(old: CacheData | undefined): Reads {
  const reads: Reads = new Map();
  for (const [file, entry] of Object.entries(old?.files ?? {})) {
    if (entry.reads) reads.set(file, new Map(Object.entries(entry.reads)));
  }
  return reads;
}

/**
 * The files whose findings facts changed since the previous run could change (analyzer/program/file-facts.ts):
 * the family's targets of the old and new fact, and the files whose checks read the family's program-wide answer.
 */
function factTargetsChanged(previous: StoredFacts, projects: LoadedProject[], reads: Reads): Set<string> {
  const out = new Set<string>();
  const changedFamilies = new Set<string>();
  for (const { program } of projects) {
    for (const family of FACT_FAMILIES) family.complete?.(program);
    const recorded = recordedFacts(program);
    if (!recorded) continue;
    for (const kind of new Set([...Object.keys(previous), ...Object.keys(recorded)])) {
      const family = familyOf(FACT_FAMILIES, kind);
      if (!family) continue;
      const before = previous[kind] ?? {};
      const now = recorded[kind] ?? {};
      for (const file of new Set([...Object.keys(before), ...Object.keys(now)])) {
        const a = before[file];
        const b = now[file];
        if (a === b || JSON.stringify(a) === JSON.stringify(b)) continue;
        changedFamilies.add(family.name);
        for (const data of [a, b]) if (data !== undefined) for (const t of family.targets(data)) out.add(t);
      }
    }
  }
  for (const [file, byRule] of reads) {
    if ([...byRule.values()].some((families) => families.some((f) => changedFamilies.has(f)))) out.add(file);
  }
  return out;
}

/** Facts to keep: what this run computed or reused, per kind and file. */
function factsToStore(projects: LoadedProject[]): StoredFacts {
  const out: StoredFacts = {};
  for (const { program } of projects) {
    for (const [kind, byFile] of Object.entries(recordedFacts(program) ?? {})) Object.assign((out[kind] ??= {}), byFile);
  }
  return out;
}

/** One task (program) with the cache: see the module comment. */
export function analyzeCachedTask(input: CachedTaskInput): AnalyzeResult {
  const key = keyOf(input);
  const cacheFile = cacheFileFor(input.cacheDir, input.identity);
  const old = readCache(cacheFile, key);
  const targets = [...input.targets].sort();
  const hit = old && fromCacheOnly(old, targets);
  if (hit) {
    input.onStats?.({ fromCache: true, checked: 0, localChecked: 0, files: hit.files.length, wholeProgramRules: [...old.globalRules], reusedFacts: 0 });
    return hit;
  }

  const { projects: loaded, diagnostics: loadDiagnostics } = input.load();
  const projects = loaded.map(input.select);
  const state = programState(projects);
  const checked = projects.flatMap((p) => p.files.map((sf) => path.resolve(sf.fileName)));
  const plan = planRecheck(old, state, checked);
  const wholeProgram = new Set(old?.globalRules ?? []);
  const isBeyond = beyondImports(state, new Set(state.externalFiles));
  const localRules = input.rules.filter(([id]) => !wholeProgram.has(id));
  const globalRules = input.rules.filter(([id]) => wholeProgram.has(id));
  const reusable = (file: string) => plan.affected !== undefined && !plan.affected.has(file);
  for (const { program } of projects) recordFacts(program, old?.facts ?? {}, reusable);
  const reads = readsOf(old);
  const runs: { rules: [string, RuleSetting][]; files: Set<string>; result: AnalyzeResult }[] = [];
  const run = (rules: [string, RuleSetting][], files: Set<string>) => {
    if (rules.length > 0 && files.size > 0) runs.push({ rules, files, result: checkRecording(projects, files, rules, input, isBeyond, wholeProgram, reads) });
  };
  run(localRules, plan.local);
  run(globalRules, plan.global);
  // Rules that turned out to be whole-program in this run: check the rest of the files too.
  const late = localRules.filter(([id]) => wholeProgram.has(id));
  run(late, new Set(checked.filter((f) => !plan.local.has(f))));
  // Files that other files' facts are about, where those facts changed (a route file now
  // registers another handler): check them again with the local rules, until none is left.
  const locallyChecked = new Set(plan.local);
  const checkedSet = new Set(checked);
  for (let round = 0; round < 8; round++) {
    const stillLocal = input.rules.filter(([id]) => !wholeProgram.has(id));
    const extra = new Set([...factTargetsChanged(old?.facts ?? {}, projects, reads)].filter((f) => checkedSet.has(f) && !locallyChecked.has(f)));
    if (stillLocal.length === 0 || extra.size === 0) break;
    for (const f of extra) locallyChecked.add(f);
    run(stillLocal, extra);
  }
  const touched = new Set(runs.flatMap((r) => [...r.files]));
  input.onStats?.({
    fromCache: false,
    checked: touched.size,
    localChecked: localRules.some(([id]) => !wholeProgram.has(id)) ? locallyChecked.size : 0,
    files: checked.length,
    wholeProgramRules: [...wholeProgram].sort(),
    reusedFacts: projects.reduce((n, p) => n + (factStats(p.program)?.reused ?? 0), 0),
  });

  return finish(input, { old, state, key, cacheFile, projects, checked, runs, loadDiagnostics, wholeProgram, reads });
}

interface Outcome {
  old: CacheData | undefined;
  state: ProgramState;
  key: string;
  cacheFile: string;
  projects: LoadedProject[];
  checked: string[];
  runs: { rules: [string, RuleSetting][]; files: Set<string>; result: AnalyzeResult }[];
  loadDiagnostics: RunDiagnostic[];
  wholeProgram: Set<string>;
  reads: Reads;
}

/** Merge fresh and reused findings per file, and write the cache. */
function finish(input: CachedTaskInput, o: Outcome): AnalyzeResult {
  const perFile = new Map<string, Finding[]>(o.checked.map((f) => [f, []]));
  const fresh = new Map<string, Set<string>>(); // file -> rules checked now
  const diagnostics = [...o.loadDiagnostics];
  for (const r of o.runs) {
    for (const f of r.files) {
      const rules = fresh.get(f) ?? new Set<string>();
      for (const [id] of r.rules) rules.add(id);
      fresh.set(f, rules);
    }
    for (const finding of r.result.findings) perFile.get(path.resolve(finding.file))?.push(finding);
    diagnostics.push(...r.result.diagnostics);
  }
  for (const [file, list] of perFile) {
    const now = fresh.get(file) ?? new Set<string>();
    const reused = o.old?.files[file]?.findings.filter((f) => !now.has(f.ruleId)) ?? [];
    list.push(...reused);
  }
  const findings = [...perFile.values()].flat().sort(compareFindings);
  const sources = new Map<string, string>();
  for (const p of o.projects) for (const sf of p.files) sources.set(sf.fileName, sf.text);
  const files = o.projects.flatMap((p) => p.files.map((sf) => sf.fileName)).sort();
  if (!diagnostics.some((d) => d.severity === 'error')) {
    const entries: Record<string, CachedFile> = {};
    for (const [file, list] of perFile) {
      const byRule = o.reads.get(file);
      entries[file] = byRule && byRule.size > 0 ? { findings: list, reads: Object.fromEntries(byRule) } : { findings: list };
    }
    const warning = writeCache(o.cacheFile, {
      format: CACHE_FORMAT,
      key: o.key,
      ...o.state,
      globalRules: [...o.wholeProgram].sort(),
      targetsList: [...input.targets].sort(),
      checkedFiles: files,
      files: entries,
      facts: factsToStore(o.projects),
      diagnostics: o.loadDiagnostics,
    });
    if (warning) diagnostics.push({ severity: 'warning', message: warning });
  }
  return { findings, files, diagnostics, sources };
}
