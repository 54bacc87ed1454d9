/**
 * `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
 *
 * One run. Artifact URIs are relative to `%SRCROOT%` (the working directory, given once
 * in `originalUriBaseIds`) and percent-encoded as URI references. Columns count UTF-16
 * code units (`columnKind`), 1-based, `endColumn` exclusive. No timestamps, so the same
 * input gives the same bytes.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Span, TextEdit } from '../../check/finding.js';
import type { CheckMeta } from '../../check/contract.js';
import { docsUrl } from '../../check/contract.js';
import type { Diagnostic, FormatInput } from './index.js';
import { isOutside, skippedCounts } from './display.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/concurrency-lint/concurrency-lint';
/** Key of our entry in `partialFingerprints`. */
export const FINGERPRINT_KEY = 'concurrencyLint/v1';
const SRCROOT = '%SRCROOT%';

type Json = Record<string, unknown>;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Percent-encode each segment of a relative path (spaces, `%`, `#`, `?`, `:`, non-ASCII…). */
export function encodeRelativeUri(relative: string): string {
  return relative
    .replace(LONE_SURROGATE, '\ufffd')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function toPosix(p: string): string {
  return path.sep === '\\' ? p.replace(/\\/g, '/') : p;
}

function artifactLocation(cwd: string, file: string): Json {
  if (!path.isAbsolute(file)) return { uri: encodeRelativeUri(toPosix(file)), uriBaseId: SRCROOT };
  if (isOutside(cwd, file)) return { uri: pathToFileURL(file).href };
  return { uri: encodeRelativeUri(toPosix(path.relative(cwd, file))), uriBaseId: SRCROOT };
}

function region(span: Span): Json {
  const startLine = Math.max(1, span.line);
  const startColumn = Math.max(1, span.column);
  return {
    startLine,
    startColumn,
    endLine: Math.max(startLine, span.endLine),
    endColumn: Math.max(1, span.endColumn),
  };
}

function physicalLocation(cwd: string, span: Span): Json {
  return { artifactLocation: artifactLocation(cwd, span.file), region: region(span) };
}

function level(severity: 'error' | 'warning' | 'off'): 'error' | 'warning' {
  return severity === 'error' ? 'error' : 'warning';
}

function ruleDescriptor(meta: CheckMeta<unknown>): Json {
  return {
    id: meta.id,
    shortDescription: { text: meta.description },
    helpUri: docsUrl(meta.id),
    defaultConfiguration: { level: level(meta.recommended) },
  };
}

function codeFlows(cwd: string, f: Finding): Json[] {
  const steps = [...f.trace, f];
  const locations = steps.map((s) => ({
    location: { physicalLocation: physicalLocation(cwd, s), message: { text: s.message } },
  }));
  return [{ threadFlows: [{ locations }] }];
}

/** Group edits by file (first appearance order), each group sorted by offset. */
function artifactChanges(cwd: string, edits: TextEdit[]): Json[] {
  const byFile = new Map<string, TextEdit[]>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  return [...byFile].map(([file, group]) => ({
    artifactLocation: artifactLocation(cwd, file),
    replacements: [...group]
      .sort((a, b) => a.start - b.start || a.end - b.end)
      .map((e) => ({
        deletedRegion: { charOffset: e.start, charLength: e.end - e.start },
        insertedContent: { text: e.text },
      })),
  }));
}

/** The source line of a finding, whitespace-collapsed, so fingerprints survive line moves. */
function lineText(sources: Map<string, string>, f: Finding): string {
  const text = sources.get(f.file);
  if (text === undefined) return '';
  const lineStart = text.lastIndexOf('\n', Math.max(0, f.start - 1)) + 1;
  const lineEnd = text.indexOf('\n', f.start);
  return text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).replace(/\s+/g, ' ').trim();
}

interface ResultCtx {
  input: FormatInput;
  ruleIndex: Map<string, number>;
  seen: Map<string, number>;
}

function fingerprint(ctx: ResultCtx, f: Finding, uri: string): string {
  const key = [f.ruleId, f.messageId, uri, lineText(ctx.input.sources, f)].join('\0');
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  const n = (ctx.seen.get(hash) ?? 0) + 1;
  ctx.seen.set(hash, n);
  return `${hash}:${n}`;
}

function result(ctx: ResultCtx, f: Finding): Json {
  const { cwd } = ctx.input;
  const primary = physicalLocation(cwd, f);
  const index = ctx.ruleIndex.get(f.ruleId);
  const out: Json = { ruleId: f.ruleId };
  if (index !== undefined) out.ruleIndex = index;
  out.level = f.severity;
  out.message = { text: f.message };
  out.locations = [{ physicalLocation: primary }];
  // The trace steps first (ids 1..n, also the code flow), then the other places of the same problem.
  const related = [...f.trace, ...(f.related ?? [])];
  if (related.length > 0) {
    out.relatedLocations = related.map((s, i) => ({
      id: i + 1,
      physicalLocation: physicalLocation(cwd, s),
      message: { text: s.message },
    }));
  }
  if (f.trace.length > 0) out.codeFlows = codeFlows(cwd, f);
  if (f.fix && f.fix.length > 0) {
    out.fixes = [{ description: { text: `Autofix for ${f.ruleId}` }, artifactChanges: artifactChanges(cwd, f.fix) }];
  }
  const uri = String((primary.artifactLocation as Json).uri);
  out.partialFingerprints = { [FINGERPRINT_KEY]: fingerprint(ctx, f, uri) };
  return out;
}

function notification(cwd: string, d: Diagnostic): Json {
  const out: Json = { level: d.severity, message: { text: d.message } };
  if (d.file !== undefined) out.locations = [{ physicalLocation: { artifactLocation: artifactLocation(cwd, d.file) } }];
  return out;
}

function invocation(input: FormatInput): Json {
  const diagnostics = input.diagnostics ?? [];
  const out: Json = { executionSuccessful: !diagnostics.some((d) => d.severity === 'error') };
  if (diagnostics.length > 0) out.toolExecutionNotifications = diagnostics.map((d) => notification(input.cwd, d));
  // Files the project leaves out (tsconfig `exclude`, not included): a property bag, not a notification.
  const skipped = skippedCounts(input.cwd, input.skipped);
  if (skipped.length > 0) out.properties = { skippedFiles: skipped };
  return out;
}

function srcRoot(cwd: string): string {
  const href = pathToFileURL(cwd).href;
  return href.endsWith('/') ? href : `${href}/`;
}

export function buildSarif(input: FormatInput): Json {
  const ruleIndex = new Map<string, number>();
  input.rules.forEach((r, i) => {
    if (!ruleIndex.has(r.id)) ruleIndex.set(r.id, i);
  });
  const ctx: ResultCtx = { input, ruleIndex, seen: new Map() };
  const driver = {
    name: 'concurrency-lint',
    version: input.toolVersion,
    informationUri: INFORMATION_URI,
    rules: input.rules.map(ruleDescriptor),
  };
  const run = {
    tool: { driver },
    invocations: [invocation(input)],
    originalUriBaseIds: { [SRCROOT]: { uri: srcRoot(input.cwd) } },
    columnKind: 'utf16CodeUnits',
    results: input.findings.map((f) => result(ctx, f)),
    ...(input.typescript ? { properties: { typescript: input.typescript } } : {}),
  };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

export function formatSarif(input: FormatInput): string {
  return `${JSON.stringify(buildSarif(input), null, 2)}\n`;
}
