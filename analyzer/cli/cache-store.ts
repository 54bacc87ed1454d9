/**
 * The analysis cache on disk: one JSON file per analysis task (one program) in the cache
 * folder, written atomically (temporary file + rename). Anything unreadable, from another
 * format version, or for another key is treated as an empty cache.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Finding } from '../check/finding.js';
import type { RunDiagnostic } from '../check/run-types.js';
import type { StoredFacts } from '../program/file-facts.js';

export const CACHE_FORMAT = 3;

export interface CachedFile {
  /** Findings of every enabled rule in this file, suppression comments applied. */
  findings: Finding[];
  /** Per rule, the fact families whose program-wide answer its check of this file read (program/dependencies.ts `readFamily`). */
  reads?: Record<string, string[]>;
}

export interface CacheData {
  format: number;
  /** Tool version, rule settings, task (config, shard): a different key is an empty cache. */
  key: string;
  /** Every file of the program: content hash for own files, size and mtime for libraries. */
  programFiles: Record<string, string>;
  /** The program files that are libraries (default libs, packages). */
  externalFiles: string[];
  /** False when the import graph was unavailable (every change then means checking everything). */
  graph: boolean;
  /** tsconfig.json and the files it extends, by content hash. */
  configFiles: Record<string, string>;
  /** The program's own files: what each imports (absolute paths). */
  imports: Record<string, string[]>;
  /** Own files visible without an import (scripts, augmentations). */
  globals: string[];
  /** Rules found to read files beyond the imports of the file they check. */
  globalRules: string[];
  /** The files the task was asked to check, sorted. */
  targetsList: string[];
  /** The files that were checked (program files among the targets), sorted, as the program names them. */
  checkedFiles: string[];
  /** Findings per checked file (absolute path). */
  files: Record<string, CachedFile>;
  /** Per-file facts of the whole-program indexes, by kind and file (analyzer/program/file-facts.ts). */
  facts: StoredFacts;
  /** Loading diagnostics of the run that wrote the cache. */
  diagnostics: RunDiagnostic[];
}

export function hashText(text: string | Buffer): string {
  return crypto.createHash('sha1').update(text).digest('hex');
}

/** What identifies a library file version without reading it. */
export function statSignature(file: string): string | undefined {
  try {
    const s = fs.statSync(file);
    return `m${s.size}:${Math.trunc(s.mtimeMs)}`;
  } catch {
    return undefined;
  }
}

export function contentSignature(file: string): string | undefined {
  try {
    return hashText(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

export function cacheFileFor(dir: string, identity: string): string {
  return path.join(dir, `task-${hashText(identity).slice(0, 16)}.json`);
}

export function readCache(file: string, key: string): CacheData | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheData;
    return data.format === CACHE_FORMAT && data.key === key ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Write the cache; a failure (read-only folder, full disk) only costs the next run its speed. */
export function writeCache(file: string, data: CacheData): string | undefined {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(data));
    fs.renameSync(tmp, file);
    return undefined;
  } catch (error) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* nothing was written */
    }
    return `cannot write the cache file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}
