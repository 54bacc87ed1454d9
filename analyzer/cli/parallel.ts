/**
 * Monorepos and CI matrices. The files to check are split into tasks, one per tsconfig
 * project (from `--project` entries, globs, project references, or the nearest tsconfig of
 * each file, as `loadProjects` assigns them) plus one for files no tsconfig claims. Each task
 * builds one program; with several tasks and `threads > 1` the tasks run in worker threads
 * (largest first), and the results are merged in a stable order (`compareFindings`), so they
 * are the same whatever the thread count. `--shard i/n` keeps the files whose path (relative
 * to the working folder) hashes to shard i: the programs stay whole, only the checked files
 * are split, so the shards together report exactly what one run reports.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { analyze, checkProjects } from './analyze.js';
import { compareFindings } from '../check/finding.js';
import { collectTargets, configLoader, loadProjects, selectFiles, type LoadedProject } from '../project/project.js';
import { analyzeCachedTask } from './cache.js';
import { globToRegExp } from './glob.js';
import type { AnalyzeResult, ProgressEvent, RuleSetting, RunDiagnostic, SkippedFiles } from '../check/run-types.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** One program's worth of work. Plain data: it is posted to worker threads. */
export interface Task {
  /** Stable name (config path or 'default'), for the cache and messages. */
  identity: string;
  /** The tsconfig given to `loadProjects` (the owner config; for unclaimed files, the first --project). */
  project?: string;
  files: string[];
}

/** What every task of a run shares. Plain data: it is posted to worker threads. */
export interface TaskOptions {
  cwd: string;
  /** The run's paths, resolved (part of the cache's identity). */
  paths: string[];
  rules: [string, RuleSetting][];
  shard?: Shard;
  cacheDir?: string;
  debug?: boolean;
}

export interface RunOptions {
  paths: string[];
  /** tsconfig files, folders holding one, or globs; empty: the nearest tsconfig of each file. */
  projects: string[];
  cwd: string;
  rules: Map<string, RuleSetting>;
  /** Worker threads for several projects (default: the available cores). 1 runs in this thread. */
  threads?: number;
  shard?: Shard;
  cacheDir?: string;
  debug?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /** The compiled worker to run threads with (default: `workerEntry()`); tests pass their own build. */
  workerEntry?: URL;
}

/** FNV-1a of the path relative to `cwd` (forward slashes), so shards match across machines. */
export function shardOf(file: string, cwd: string, count: number): number {
  const rel = path.relative(cwd, file).split(path.sep).join('/');
  let hash = 0x811c9dc5;
  for (let i = 0; i < rel.length; i++) {
    hash ^= rel.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % count) + 1;
}

export function inShard(file: string, cwd: string, shard: Shard | undefined): boolean {
  return !shard || shardOf(file, cwd, shard.count) === shard.index;
}

const GLOB = /[*?[\]{}]/;

/** `packages/*\/tsconfig.json` -> matching files (sorted); node_modules and dot-folders are skipped. */
export function expandGlob(pattern: string, cwd: string): string[] {
  const segments = path.resolve(cwd, pattern).split(path.sep).join('/').split('/');
  const firstGlob = Math.max(1, segments.findIndex((s) => GLOB.test(s)));
  const base = segments.slice(0, firstGlob).join('/') || '/';
  const re = globToRegExp(segments.slice(firstGlob).join('/'));
  const out: string[] = [];
  const stack: [string, number][] = [[base, 0]];
  while (stack.length > 0) {
    const [dir, depth] = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (re.test(path.relative(base, full).split(path.sep).join('/'))) out.push(full);
      if (e.isDirectory() && depth < 32) stack.push([full, depth + 1]);
    }
  }
  return out.sort();
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A `--project` entry that is a folder means its tsconfig.json. */
function configFile(entry: string): string {
  return isDirectory(entry) ? path.join(entry, 'tsconfig.json') : entry;
}

/** The existing tsconfig files named by `--project` entries (files, folders or globs). */
export function resolveProjects(entries: string[], cwd: string, diagnostics: RunDiagnostic[]): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const found = GLOB.test(entry) ? expandGlob(entry, cwd).filter((f) => !isDirectory(f) || fs.existsSync(path.join(f, 'tsconfig.json'))) : [path.resolve(cwd, entry)];
    if (found.length === 0) diagnostics.push({ severity: 'error', file: entry, message: `no tsconfig matches ${entry}` });
    for (const f of found.map(configFile)) {
      if (!fs.existsSync(f)) diagnostics.push({ severity: 'error', file: entry, message: `tsconfig not found: ${entry}` });
      else if (!out.includes(f)) out.push(f);
    }
  }
  return out;
}

/** The same assignment of files to tsconfig projects as `loadProjects`, one task per project. */
export function planTasks(paths: string[], projects: string[], cwd: string): { tasks: Task[]; diagnostics: RunDiagnostic[]; skipped: SkippedFiles[] } {
  const diagnostics: RunDiagnostic[] = [];
  const targets = collectTargets((paths.length > 0 ? paths : ['.']).map((p) => path.resolve(cwd, p)), diagnostics);
  // The workers report tsconfig problems; the planner only needs the assignment.
  const load = configLoader([]);
  const given = resolveProjects(projects, cwd, diagnostics);
  if (projects.length > 0 && given.length === 0) return { tasks: [], diagnostics, skipped: [] };
  const { groups, skipped } = selectFiles(targets, given, load);
  const tasks: Task[] = [...groups]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([owner, files]) =>
      owner ? { identity: owner, project: owner, files } : { identity: 'default', ...(given[0] ? { project: given[0] } : {}), files },
    );
  return { tasks: unclaimedWithProject(tasks, given), diagnostics, skipped };
}

/**
 * With `--project`, the files no tsconfig claims join the task of the first given tsconfig (or
 * else the largest task): its program often holds them already (an app imports a shared
 * library through `paths`), and `loadProjects` then checks them there instead of building a
 * second, default program; it builds one only for the files no program holds.
 */
function unclaimedWithProject(tasks: Task[], given: string[]): Task[] {
  const rest = tasks.find((t) => t.identity === 'default');
  const configs = tasks.filter((t) => t !== rest);
  if (!rest || given.length === 0 || configs.length === 0) return tasks;
  const host = configs.find((t) => t.identity === given[0]) ?? configs.reduce((a, b) => (b.files.length > a.files.length ? b : a));
  return configs.map((t) => (t === host ? { ...t, files: [...t.files, ...rest.files] } : t));
}

function selectShard(project: LoadedProject, options: TaskOptions): LoadedProject {
  if (!options.shard) return project;
  return { ...project, files: project.files.filter((sf) => inShard(sf.fileName, options.cwd, options.shard)) };
}

/** Run one task in this thread (also what a worker runs). */
export function runTask(task: Task, options: TaskOptions, onProgress?: (event: ProgressEvent) => void): AnalyzeResult {
  const load = () => loadProjects({ paths: task.files, project: task.project, cwd: options.cwd });
  if (options.cacheDir) {
    return analyzeCachedTask({
      cacheDir: path.resolve(options.cwd, options.cacheDir),
      identity: JSON.stringify([task.identity, task.project ?? '', options.paths, options.shard ?? null]),
      keyExtra: JSON.stringify([task.project ?? '', options.shard ?? null]),
      targets: task.files.filter((f) => inShard(f, options.cwd, options.shard)),
      rules: options.rules,
      debug: options.debug,
      onProgress,
      load,
      select: (p) => selectShard(p, options),
    });
  }
  const { projects, diagnostics } = load();
  const result = checkProjects(
    projects.map((p) => selectShard(p, options)),
    { rules: new Map(options.rules), onProgress, debug: options.debug },
  );
  result.diagnostics.unshift(...diagnostics);
  return result;
}

/** Merge task results: findings in `compareFindings` order, files sorted, diagnostics once each. */
export function mergeResults(parts: AnalyzeResult[], planned: RunDiagnostic[]): AnalyzeResult {
  const seen = new Set<string>();
  const diagnostics: RunDiagnostic[] = [];
  for (const d of [...planned, ...parts.flatMap((p) => p.diagnostics)]) {
    const key = JSON.stringify([d.severity, d.file ?? '', d.message]);
    if (!seen.has(key)) {
      seen.add(key);
      diagnostics.push(d);
    }
  }
  const sources = new Map<string, string>();
  for (const p of parts) for (const [file, text] of p.sources) sources.set(file, text);
  return {
    findings: parts.flatMap((p) => p.findings).sort(compareFindings),
    files: parts.flatMap((p) => p.files).sort(),
    diagnostics,
    sources,
  };
}

/** The compiled worker: next to this module, or (when running from the TypeScript sources) in dist/. */
export function workerEntry(): URL | undefined {
  for (const rel of ['./parallel-worker.js', '../../dist/analyzer/cli/parallel-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (fs.existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

type WorkerMessage =
  | { type: 'progress'; index: number; event: ProgressEvent }
  | { type: 'done'; index: number; result: AnalyzeResult }
  | { type: 'failed'; index: number; message: string };

/** Run tasks on `threads` worker threads, largest first; a failed task becomes an error diagnostic. */
async function runInWorkers(tasks: Task[], options: TaskOptions, threads: number, entry: URL, onProgress?: (event: ProgressEvent) => void) {
  const results: AnalyzeResult[] = [];
  const order = tasks.map((_, i) => i).sort((a, b) => tasks[b]!.files.length - tasks[a]!.files.length || a - b);
  const progress = new Map<number, { done: number; total: number }>();
  const failed = (index: number, message: string) => {
    results[index] = { findings: [], files: [], sources: new Map(), diagnostics: [{ severity: 'error', message: `analysis of ${tasks[index]!.identity} failed in a worker thread: ${message}` }] };
  };
  let next = 0;
  const lane = () =>
    new Promise<void>((resolve) => {
      const worker = new Worker(entry, { workerData: options });
      let current = -1;
      const feed = () => {
        if (next >= order.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        current = order[next++]!;
        onProgress?.({ phase: 'loading', project: tasks[current]!.identity });
        worker.postMessage({ index: current, task: tasks[current] });
      };
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') {
          if (m.event.phase === 'checking') progress.set(m.index, { done: m.event.done, total: m.event.total });
          const sum = [...progress.values()].reduce((s, p) => ({ done: s.done + p.done, total: s.total + p.total }), { done: 0, total: 0 });
          onProgress?.({ phase: 'checking', ...sum });
          return;
        }
        if (m.type === 'done') results[m.index] = m.result;
        else failed(m.index, m.message);
        current = -1;
        feed();
      });
      const stop = (message: string) => {
        if (current >= 0) failed(current, message);
        current = -1;
        resolve();
      };
      worker.on('error', (error) => stop(error.message));
      // A worker that exits on its own (out of memory, process.exit) leaves its task failed.
      worker.on('exit', (code) => stop(`the worker exited with code ${code}`));
      feed();
    });
  await Promise.all(Array.from({ length: Math.min(threads, tasks.length) }, lane));
  // A lane whose worker died leaves its remaining tasks to this thread.
  for (let i = 0; i < tasks.length; i++) if (!results[i]) results[i] = runTask(tasks[i]!, options, onProgress);
  return results;
}

/** The CLI's analysis: plan tasks, run them (in workers when several), merge. */
export async function analyzeRun(opts: RunOptions): Promise<AnalyzeResult> {
  const threads = Math.max(1, opts.threads ?? os.availableParallelism());
  const { tasks, diagnostics, skipped } = planTasks(opts.paths, opts.projects, opts.cwd);
  const simple = !opts.cacheDir && !opts.shard && opts.projects.length <= 1 && !opts.projects.some((p) => GLOB.test(p));
  if (simple && (tasks.length <= 1 || threads <= 1)) {
    const first = opts.projects[0];
    const project = first !== undefined && isDirectory(path.resolve(opts.cwd, first)) ? path.join(first, 'tsconfig.json') : first;
    return analyze({ paths: opts.paths, project, cwd: opts.cwd, rules: opts.rules, onProgress: opts.onProgress, debug: opts.debug });
  }
  const options: TaskOptions = {
    cwd: opts.cwd,
    paths: opts.paths.map((p) => path.resolve(opts.cwd, p)).sort(),
    rules: [...opts.rules],
    ...(opts.shard ? { shard: opts.shard } : {}),
    ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
    ...(opts.debug ? { debug: true } : {}),
  };
  const entry = threads > 1 && tasks.length > 1 ? (opts.workerEntry ?? workerEntry()) : undefined;
  const parts = entry
    ? await runInWorkers(tasks, options, threads, entry, opts.onProgress)
    : tasks.map((task) => {
        opts.onProgress?.({ phase: 'loading', project: task.identity });
        return runTask(task, options, opts.onProgress);
      });
  const merged = mergeResults(parts, diagnostics);
  return skipped.length > 0 ? { ...merged, skipped } : merged;
}
