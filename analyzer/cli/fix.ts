/**
 * `--fix`: apply the safe `fix` edits of findings to the files on disk.
 *
 * A finding's edits are accepted or skipped together. Findings are taken in order; one whose
 * edits overlap (or touch) an edit already accepted, overlap each other, or fall outside the
 * file is skipped; the caller re-analyzes and tries again (see `main`), so skipped fixes get
 * their turn on the next pass. Accepted edits are applied from the end of each file backwards.
 */
import { compareFindings } from '../check/finding.js';
import type { Finding, TextEdit } from '../check/finding.js';

export interface FixResult {
  /** Findings whose fixes were applied. */
  fixesApplied: number;
  /** Absolute paths of the files whose text changed, sorted. */
  filesChanged: string[];
}

/**
 * Two edits conflict when their ranges overlap or touch. Touching is conservative (two
 * insertions at one point, or an insertion at a replacement's edge, have no defined order).
 */
function conflicts(a: TextEdit, b: TextEdit): boolean {
  return a.start <= b.end && b.start <= a.end;
}

function byPosition(a: TextEdit, b: TextEdit): number {
  return a.start - b.start || a.end - b.end;
}

/** The finding's own edits must be in range and must not conflict with each other. */
function editsAreValid(edits: readonly TextEdit[], textOf: (file: string) => string | undefined): boolean {
  const perFile = new Map<string, TextEdit[]>();
  for (const edit of edits) {
    const text = textOf(edit.file);
    if (text === undefined) return false;
    if (!(edit.start >= 0 && edit.start <= edit.end && edit.end <= text.length)) return false;
    const list = perFile.get(edit.file) ?? [];
    list.push(edit);
    perFile.set(edit.file, list);
  }
  for (const list of perFile.values()) {
    list.sort(byPosition);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const cur = list[i]!;
      if (cur.start < prev.end || (cur.start === prev.end && (cur.start === cur.end || prev.start === prev.end))) {
        return false;
      }
    }
  }
  return true;
}

/** Apply non-overlapping edits to one text (edits sorted from the end backwards). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => byPosition(b, a))) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
}

/**
 * Apply the fixes of `findings`. `readFile` gives a file's current text (the text the
 * findings' offsets refer to); `writeFile` is called once per changed file.
 */
export function applyFixes(
  findings: readonly Finding[],
  readFile: (file: string) => string,
  writeFile: (file: string, text: string) => void,
): FixResult {
  const texts = new Map<string, string | undefined>();
  const textOf = (file: string): string | undefined => {
    if (!texts.has(file)) {
      try {
        texts.set(file, readFile(file));
      } catch {
        texts.set(file, undefined);
      }
    }
    return texts.get(file);
  };
  const accepted = new Map<string, TextEdit[]>();
  let fixesApplied = 0;
  for (const finding of [...findings].sort(compareFindings)) {
    const edits = finding.fix;
    if (!edits || edits.length === 0 || !editsAreValid(edits, textOf)) continue;
    const clash = edits.some((e) => (accepted.get(e.file) ?? []).some((a) => conflicts(a, e)));
    if (clash) continue;
    for (const e of edits) {
      const list = accepted.get(e.file) ?? [];
      list.push(e);
      accepted.set(e.file, list);
    }
    fixesApplied++;
  }
  const filesChanged: string[] = [];
  for (const [file, edits] of [...accepted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const before = textOf(file)!;
    const after = applyEdits(before, edits);
    if (after !== before) {
      writeFile(file, after);
      filesChanged.push(file);
    }
  }
  return { fixesApplied, filesChanged };
}
