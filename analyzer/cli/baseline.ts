/**
 * Baselines: record today's findings so that only new ones are reported.
 *
 * A fingerprint must survive unrelated edits and line shifts, so it hashes no positions:
 * sha256(ruleId, file relative to the baseline's folder, messageId, whitespace-normalised
 * text of the finding's range), first 16 hex digits. Identical fingerprints in one file are
 * told apart by their occurrence count: the file stores `count`, and matching consumes at
 * most `count` current findings per fingerprint (a new copy of a known problem is reported).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Finding } from '../check/finding.js';
import { ConfigError } from './config.js';

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  ruleId: string;
  fingerprint: string;
  count: number;
}

export interface BaselineFile {
  version: typeof BASELINE_VERSION;
  /** Keyed by file path relative to the baseline file's folder, with forward slashes. */
  findings: Record<string, BaselineEntry[]>;
}

export interface FingerprintedFinding {
  finding: Finding;
  /** Path relative to the baseline's folder, forward slashes. */
  file: string;
  fingerprint: string;
}

/** Collapse runs of whitespace so re-indentation and reflowing do not change fingerprints. */
export function normalizeWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function relativeFile(baseDir: string, file: string): string {
  return path.relative(baseDir, file).split(path.sep).join('/');
}

function sourceText(finding: Finding, sources: ReadonlyMap<string, string>): string {
  let text = sources.get(finding.file);
  if (text === undefined) {
    try {
      text = fs.readFileSync(finding.file, 'utf8');
    } catch {
      text = '';
    }
  }
  return text.slice(finding.start, finding.end);
}

export function fingerprint(ruleId: string, relFile: string, messageId: string, text: string): string {
  const hash = createHash('sha256');
  for (const part of [ruleId, relFile, messageId, normalizeWhitespace(text)]) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}

export function fingerprintFindings(
  findings: readonly Finding[],
  sources: ReadonlyMap<string, string>,
  baseDir: string,
): FingerprintedFinding[] {
  return findings.map((finding) => {
    const file = relativeFile(baseDir, finding.file);
    const text = sourceText(finding, sources);
    return { finding, file, fingerprint: fingerprint(finding.ruleId, file, finding.messageId, text) };
  });
}

function entryKey(ruleId: string, fp: string): string {
  return `${ruleId}\0${fp}`;
}

/** The baseline recording every given finding, sorted for stable diffs. */
export function createBaseline(
  findings: readonly Finding[],
  sources: ReadonlyMap<string, string>,
  baseDir: string,
): BaselineFile {
  const perFile = new Map<string, Map<string, BaselineEntry>>();
  for (const { finding, file, fingerprint: fp } of fingerprintFindings(findings, sources, baseDir)) {
    let entries = perFile.get(file);
    if (!entries) perFile.set(file, (entries = new Map()));
    const key = entryKey(finding.ruleId, fp);
    const entry = entries.get(key);
    if (entry) entry.count++;
    else entries.set(key, { ruleId: finding.ruleId, fingerprint: fp, count: 1 });
  }
  const out: Record<string, BaselineEntry[]> = {};
  for (const file of [...perFile.keys()].sort()) {
    out[file] = [...perFile.get(file)!.values()].sort((a, b) =>
      a.ruleId !== b.ruleId ? (a.ruleId < b.ruleId ? -1 : 1) : a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0,
    );
  }
  return { version: BASELINE_VERSION, findings: out };
}

/** Deterministic text: fixed key order, two-space indent, trailing newline. */
export function serializeBaseline(baseline: BaselineFile): string {
  const findings: Record<string, BaselineEntry[]> = {};
  for (const file of Object.keys(baseline.findings).sort()) {
    findings[file] = baseline.findings[file]!.map((e) => ({ ruleId: e.ruleId, fingerprint: e.fingerprint, count: e.count }));
  }
  return `${JSON.stringify({ version: baseline.version, findings }, null, 2)}\n`;
}

function isEntry(value: unknown): value is BaselineEntry {
  const e = value as BaselineEntry;
  return (
    typeof e === 'object' && e !== null && typeof e.ruleId === 'string' &&
    typeof e.fingerprint === 'string' && Number.isInteger(e.count) && e.count > 0
  );
}

/** Parse baseline text; throws `ConfigError` naming `label` when malformed. */
export function parseBaseline(text: string, label: string): BaselineFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ConfigError(`${label}: invalid JSON in baseline file (${(err as Error).message})`);
  }
  const b = raw as Partial<BaselineFile>;
  if (typeof b !== 'object' || b === null || b.version !== BASELINE_VERSION) {
    throw new ConfigError(`${label}: not a version ${BASELINE_VERSION} baseline file`);
  }
  if (typeof b.findings !== 'object' || b.findings === null || Array.isArray(b.findings)) {
    throw new ConfigError(`${label}: findings: must be an object`);
  }
  for (const [file, entries] of Object.entries(b.findings)) {
    if (!Array.isArray(entries) || !entries.every(isEntry)) {
      throw new ConfigError(`${label}: findings.${file}: must be a list of { ruleId, fingerprint, count }`);
    }
  }
  return { version: BASELINE_VERSION, findings: b.findings };
}

export function readBaseline(file: string, label = file): BaselineFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`baseline file not found: ${label} (create it with --update-baseline)`);
    throw new ConfigError(`${label}: cannot read baseline file (${code ?? String(err)})`);
  }
  return parseBaseline(text, label);
}

export function writeBaseline(file: string, baseline: BaselineFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, serializeBaseline(baseline));
}

export interface BaselineFilterResult {
  /** Findings not covered by the baseline, in their original order. */
  findings: Finding[];
  /** How many findings the baseline covered. */
  baselined: number;
}

/** Drop findings the baseline records, at most `count` per fingerprint and file. */
export function filterBaselined(
  findings: readonly Finding[],
  baseline: BaselineFile,
  sources: ReadonlyMap<string, string>,
  baseDir: string,
): BaselineFilterResult {
  const remaining = new Map<string, number>();
  for (const [file, entries] of Object.entries(baseline.findings)) {
    for (const e of entries) {
      const key = `${file}\0${entryKey(e.ruleId, e.fingerprint)}`;
      remaining.set(key, (remaining.get(key) ?? 0) + e.count);
    }
  }
  const kept: Finding[] = [];
  let baselined = 0;
  for (const { finding, file, fingerprint: fp } of fingerprintFindings(findings, sources, baseDir)) {
    const key = `${file}\0${entryKey(finding.ruleId, fp)}`;
    const left = remaining.get(key) ?? 0;
    if (left > 0) {
      remaining.set(key, left - 1);
      baselined++;
    } else {
      kept.push(finding);
    }
  }
  return { findings: kept, baselined };
}
