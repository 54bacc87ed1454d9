/**
 * Helpers shared by the output formats: display paths and neutralising untrusted text.
 */
import path from 'node:path';
import type { Finding } from '../../check/finding.js';
import type { SkippedFiles } from '../../check/run-types.js';

/** Skipped files as counts with a reason: `excluded by tsconfig.json`, `not included by any tsconfig`. */
export function skippedCounts(cwd: string, skipped: readonly SkippedFiles[] | undefined): { files: number; reason: string }[] {
  return (skipped ?? []).map((s) => ({
    files: s.files.length,
    reason: s.reason === 'excluded' && s.config ? `excluded by ${displayPath(cwd, s.config)}` : 'not included by any tsconfig',
  }));
}

/**
 * `file` relative to `cwd`, with forward slashes. A file that has no relative path from
 * `cwd` (another drive on Windows) stays absolute, still with forward slashes.
 */
export function displayPath(cwd: string, file: string): string {
  const rel = path.isAbsolute(file) ? path.relative(cwd, file) : file;
  const shown = rel === '' ? path.basename(file) : rel;
  return path.sep === '\\' ? shown.replace(/\\/g, '/') : shown;
}

/** `1 file`, `3 files`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** True when `displayPath` could not make the path relative. */
export function isOutside(cwd: string, file: string): boolean {
  return path.isAbsolute(file) && path.isAbsolute(path.relative(cwd, file));
}

/**
 * C0 controls except tab/LF/CR, DEL, C1 controls (0x9b is a one-byte CSI on some
 * terminals) and the bidi embedding/override/isolate controls ("Trojan Source").
 */
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Replace every unsafe character with one visible stand-in (a Control Pictures symbol for
 * C0 and DEL, U+FFFD otherwise). One character for one keeps columns aligned in frames,
 * and an ESC that is not there cannot start a terminal escape sequence.
 */
function picture(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return '\ufffd';
}

/**
 * Neutralise controls but keep tab, LF and CR (for code frames, whose line breaks must stay,
 * and for formats that escape line breaks themselves).
 */
export function neutraliseControls(text: string): string {
  return text.replace(UNSAFE, picture);
}

/**
 * Text for a message or a path. Tab and LF are kept when `keepNewlines`, CRLF becomes LF
 * and a lone CR is neutralised; without `keepNewlines` LF and CR are neutralised too.
 */
export function neutraliseText(text: string, keepNewlines: boolean): string {
  const safe = text.replace(UNSAFE, picture);
  if (keepNewlines) return safe.replace(/\r\n/g, '\n').replace(/\r/g, picture);
  return safe.replace(/[\r\n]/g, picture);
}

/** How many related locations the pretty and GitHub outputs show before "and N more". */
export const RELATED_SHOWN = 5;

/** The related locations to show, and how many are left out. */
export function shownRelated(f: Finding): { shown: NonNullable<Finding['related']>; more: number } {
  const all = f.related ?? [];
  return { shown: all.slice(0, RELATED_SHOWN), more: Math.max(0, all.length - RELATED_SHOWN) };
}

export interface Counts {
  errors: number;
  warnings: number;
}

export function countSeverities(findings: readonly Finding[]): Counts {
  let errors = 0;
  for (const f of findings) if (f.severity === 'error') errors++;
  return { errors, warnings: findings.length - errors };
}
