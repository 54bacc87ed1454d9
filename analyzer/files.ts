/** Which files to analyze: source files under the given paths, without following loops. */
import fs from 'node:fs';
import path from 'node:path';
import type { RunDiagnostic } from './engine-types.js';

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export function isSourceFileName(fileName: string): boolean {
  return SOURCE_EXTENSIONS.some((ext) => fileName.endsWith(ext)) && !/\.d\.[cm]?ts$/.test(fileName);
}

/**
 * Every source file under the given paths (skipping node_modules and dot-folders). A file or
 * folder reached twice through symbolic links is taken once; symlink loops and broken links
 * are skipped with a warning.
 */
export function collectFiles(paths: string[], diagnostics: RunDiagnostic[]): string[] {
  const out: string[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const stack: string[] = [];
  for (const p of [...paths].reverse()) {
    if (!fs.existsSync(p) && !isSymlink(p)) {
      diagnostics.push({ severity: 'error', file: p, message: 'path does not exist' });
      continue;
    }
    stack.push(path.resolve(p));
  }
  while (stack.length > 0) {
    const current = stack.pop()!;
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
        out.push(current);
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
      stack.push(path.join(current, entry));
    }
  }
  return out.sort();
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Is `inner` the folder `outer` or inside it? */
function isInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
