/** Which files to analyze: source files under the given paths, without following loops. */
import fs from 'node:fs';
import path from 'node:path';
import type { RunDiagnostic } from '../check/run-types.js';

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export function isSourceFileName(fileName: string): boolean {
  return SOURCE_EXTENSIONS.some((ext) => fileName.endsWith(ext)) && !/\.d\.[cm]?ts$/.test(fileName);
}

/** A file to analyze and how it was asked for. */
export interface Target {
  file: string;
  /** The given path (resolved) it was found under: the file itself, or a folder above it. */
  from: string;
  /** Named on the command line itself, not found in a given folder. */
  explicit: boolean;
}

/**
 * Every source file under the given paths (skipping node_modules and dot-folders). A file or
 * folder reached twice through symbolic links is taken once; symlink loops and broken links
 * are skipped with a warning.
 */
export function collectFiles(paths: string[], diagnostics: RunDiagnostic[]): string[] {
  return collectTargets(paths, diagnostics).map((t) => t.file);
}

/** `collectFiles`, saying for each file which given path it came from (sorted by file). */
export function collectTargets(paths: string[], diagnostics: RunDiagnostic[]): Target[] {
  const out: Target[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const stack: [string, string][] = [];
  // A file named on the command line stays named even when a given folder also holds it.
  const named = new Set<string>();
  for (const p of [...paths].reverse()) {
    if (!fs.existsSync(p) && !isSymlink(p)) {
      diagnostics.push({ severity: 'error', file: p, message: 'path does not exist' });
      continue;
    }
    stack.push([path.resolve(p), path.resolve(p)]);
    try {
      if (fs.statSync(p).isFile()) named.add(fs.realpathSync(p));
    } catch {
      // Reported when the walk reaches it.
    }
  }
  while (stack.length > 0) {
    const [current, from] = stack.pop()!;
    let stat: fs.Stats;
    let real: string;
    try {
      stat = fs.statSync(current);
      real = fs.realpathSync(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const what = code === 'ELOOP' ? 'symbolic link loop' : code === 'ENOENT' ? 'broken symbolic link' : `cannot read (${code ?? String(error)})`;
      diagnostics.push({ severity: 'warning', file: current, message: `${what}; skipped` });
      continue;
    }
    if (stat.isFile()) {
      if (isSourceFileName(current) && !seenFiles.has(real)) {
        seenFiles.add(real);
        out.push({ file: current, from, explicit: named.has(real) });
      }
      continue;
    }
    if (!stat.isDirectory()) continue;
    if (seenDirs.has(real)) {
      if (isSymlink(current) && isInside(fs.realpathSync(path.dirname(current)), real)) {
        diagnostics.push({ severity: 'warning', file: current, message: 'symbolic link loop (links to a folder that contains it); skipped' });
      }
      continue;
    }
    seenDirs.add(real);
    let entries: string[];
    try {
      entries = fs.readdirSync(current);
    } catch {
      diagnostics.push({ severity: 'warning', file: current, message: 'cannot read folder; skipped' });
      continue;
    }
    for (const entry of entries.sort().reverse()) {
      if (entry === 'node_modules' || entry.startsWith('.')) continue;
      stack.push([path.join(current, entry), from]);
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Is `inner` the folder `outer` or inside it? */
export function isInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
