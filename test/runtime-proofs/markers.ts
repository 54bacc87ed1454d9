/**
 * Ties runtime proofs to the `// expect:` markers they prove.
 *
 * A proof names its marker by fixture file and an anchor (a piece of the marked line's text,
 * unique among that file's marked lines), never by line number: `markerAt` reads the fixture and
 * returns `file:line`, so proofs survive edits above them and their test titles name the line.
 *
 * Which markers must be proven: every marker of a PROVABLE rule (the bug shows at run time as a
 * hang, a lost update or an extra query per row). Each such marker has a proof, or an entry in
 * `not-provable.json` with its reason. See `test/runtime-proofs.test.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const MARKER = /\/\/\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/;

/** Rules whose findings show at run time, and how (the kind of proof). */
export const PROVABLE: Record<string, string> = {
  'no-lock-order-inversion': 'the scenario hangs (test/locks-runtime.test.ts)',
  'require-lock-release': 'the scenario hangs: a later acquirer never gets the lock (test/locks-runtime.test.ts)',
  'no-await-race': 'two concurrent calls lose an update or initialise twice (test/no-await-race-runtime.test.ts)',
  'no-query-in-loop': 'the query count grows with the rows (test/orm-db.test.ts)',
  'no-lazy-relation-access': 'the relation reads undefined, or the query count grows with the rows (test/orm-db.test.ts)',
  'no-query-outside-transaction':
    'on PostgreSQL, a pool of one connection hangs and with more the outer write survives the rollback (test/postgres-transactions.test.ts)',
};

/** The fixtures test/postgres-transactions.test.ts runs on a real server; it checks itself that each marked line there has its test. */
export const POSTGRES_PROOFS = 'fixtures/no-query-outside-transaction/postgres/';

export interface Marker {
  rule: string;
  /** Relative to the repository, forward slashes: `fixtures/no-await-race/closures.ts`. */
  file: string;
  line: number;
  text: string;
}

export const where = (m: Marker): string => `${m.file}:${m.line}`;

const rel = (file: string): string => path.relative(ROOT, path.resolve(ROOT, file)).replace(/\\/g, '/');

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|js|mts|mjs|cts|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

/** The markers of `rule` in one file (repository-relative or absolute path). */
export function markersIn(file: string, rule: string): Marker[] {
  const out: Marker[] = [];
  fs.readFileSync(path.resolve(ROOT, file), 'utf8')
    .split(/\r?\n/)
    .forEach((text, i) => {
      const m = MARKER.exec(text);
      if (m && m[1]!.split(',').some((r) => r.trim() === rule)) out.push({ rule, file: rel(file), line: i + 1, text: text.trim() });
    });
  return out;
}

/** Every marker of `rule` under `fixtures/` (its own folder and any other, e.g. sample-app). */
export function markersOf(rule: string): Marker[] {
  return sourceFiles(path.join(ROOT, 'fixtures')).flatMap((f) => markersIn(f, rule));
}

/**
 * The marked line of `rule` in `file` whose text contains `anchor` (and, with `after`, the first
 * such line below the first line containing `after`, for marked lines that read the same).
 * Throws (naming the file and its marked lines) when none or several match: fix the anchor.
 */
export function markerAt(file: string, rule: string, anchor: string, after?: string): Marker {
  const all = markersIn(file, rule);
  let hits = all.filter((m) => m.text.includes(anchor));
  if (after !== undefined) {
    const start = fs.readFileSync(path.resolve(ROOT, file), 'utf8').split(/\r?\n/).findIndex((t) => t.includes(after)) + 1;
    hits = start > 0 ? hits.filter((m) => m.line > start).slice(0, 1) : [];
  }
  if (hits.length === 1) return hits[0]!;
  const list = all.map((m) => `  ${where(m)}  ${m.text}`).join('\n');
  const what = `${JSON.stringify(anchor)}${after === undefined ? '' : ` below ${JSON.stringify(after)}`}`;
  throw new Error(`${rel(file)}: ${hits.length === 0 ? 'no' : 'more than one'} '${rule}' marked line contains ${what}; its marked lines:\n${list}`);
}

/** An entry of not-provable.json: a folder, a file, or one marked line (`anchor`) with the reason. */
export interface Exemption {
  rule: string;
  /** A file, or a folder ending in `/`, relative to the repository. */
  path: string;
  /** One marked line, or several (each an anchor as in markerAt); none: every marker under `path`. */
  anchor?: string;
  anchors?: string[];
  /** `not-provable`: the bug cannot be shown by running this code here; `not-yet`: it could be, no proof is written yet. */
  status: 'not-provable' | 'not-yet';
  reason: string;
}

interface ListFile {
  /** Rules not in PROVABLE, each with the reason its markers are not proven at run time. */
  rules: Record<string, { status: Exemption['status']; reason: string }>;
  entries: Exemption[];
}

const readList = (): ListFile => JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'not-provable.json'), 'utf8')) as ListFile;

export function loadExemptions(): Exemption[] {
  return readList().entries;
}

export function loadRuleDecisions(): ListFile['rules'] {
  return readList().rules;
}

export function exempts(e: Exemption, m: Marker): boolean {
  if (e.rule !== m.rule) return false;
  const inPath = e.path.endsWith('/') ? m.file.startsWith(e.path) : m.file === e.path;
  return inPath && (anchorsOf(e).length === 0 || anchorsOf(e).some((a) => m.text.includes(a)));
}

export function anchorsOf(e: Exemption): string[] {
  return [...(e.anchor === undefined ? [] : [e.anchor]), ...(e.anchors ?? [])];
}
