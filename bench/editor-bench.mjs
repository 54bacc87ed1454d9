/**
 * The editor scenario on a generated tree: for each variant (our plugin with every rule,
 * typescript-eslint's four promise rules) one process keeps one ESLint alive
 * (bench/editor-child.mjs), lints one file, then edits it and re-lints it, N times, for each kind
 * of edit (EDITOR_EDITS). Reports the first lint and the median re-lint per variant and edit, and
 * the child's CPU and peak memory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure, median } from './measure.mjs';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'editor-child.mjs');

export const EDITOR_VARIANTS = {
  ours: 'concurrency-lint plugin (every rule)',
  'typescript-eslint': 'typescript-eslint (4 promise rules)',
};

/** The kinds of edit, as bench/editor-child.mjs makes them (`--edit`). */
export const EDITOR_EDITS = {
  export: 'appends `export const benchEditN = N;` (a new export no other file imports)',
  body: 'adds `void N;` at the start of the first method body of the service class (code its importers call)',
  call: "adds `this.cache.get(N + 'x'.length);` at the start of the first method body of the service class (a call and property accesses in code its importers call)",
};

/**
 * The file the editor edits: among the domains' services, the one nearest the middle (in name
 * order) that holds a planted bug, so each variant has something to report; else the middle one.
 */
export function editorTarget(dir) {
  const domains = fs.readdirSync(path.join(dir, 'src/domains')).sort();
  const mid = Math.floor(domains.length / 2);
  const order = domains.map((name, i) => ({ name, d: Math.abs(i - mid) })).sort((a, b) => a.d - b.d);
  const rel = (name) => `src/domains/${name}/${name}.service.ts`;
  const planted = order.find(({ name }) => fs.readFileSync(path.join(dir, rel(name)), 'utf8').includes('// expect: '));
  return rel((planted ?? order[0]).name);
}

/** Each rule's median seconds per re-lint. */
function ruleMedians(rules) {
  return Object.fromEntries(Object.entries(rules).map(([id, times]) => [id, median(times)]));
}

/** The `count` slowest rules of a `{ rule: seconds }` map, as text. */
export function slowest(medians, count) {
  return Object.entries(medians)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([id, t]) => `${id.replace(/^[^/]+\//, '')} ${t.toFixed(3)} s`)
    .join(', ');
}

export function editorBench(dir, { edits, runs, log, kinds = Object.keys(EDITOR_EDITS) }) {
  const file = editorTarget(dir);
  const variants = {};
  for (const edit of kinds) {
    for (const [tool, label] of Object.entries(EDITOR_VARIANTS)) {
      const variant = `${tool}@${edit}`;
      const runsOf = [];
      for (let r = 0; r < runs; r++) {
        const run = editorRun(dir, file, tool, edit, edits, log);
        if (run) runsOf.push(run);
      }
      variants[variant] = { label, edit, runs: runsOf };
    }
  }
  return { file, edits, variants };
}

/** One editor process: its first lint, each re-lint after an edit, its CPU and peak memory. */
function editorRun(dir, file, tool, edit, edits, log) {
  const m = measure(process.execPath, [CHILD, '--dir', dir, '--file', file, '--variant', tool, '--edits', String(edits), '--edit', edit], { cwd: dir });
  const name = `${tool} (${edit} edit)`;
  let out;
  try {
    out = JSON.parse(m.stdout.trim().split('\n').pop());
  } catch {
    log(`  editor ${name}: exit ${m.status}: ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return undefined;
  }
  if (out.fatal.length > 0) log(`  editor ${name}: parse or config errors: ${out.fatal.slice(0, 2).join(' | ')}`);
  const run = { ...out, load: os.loadavg()[0], cpu: m.cpu, rssMb: m.rssMb, median: median(out.edits), parseMedian: median(out.parse), ruleMedians: ruleMedians(out.rules) };
  log(`  editor ${name}: first lint ${out.first.toFixed(2)} s, re-lint after an edit: median ${run.median.toFixed(3)} s of ${out.edits.length} (${out.edits.map((s) => s.toFixed(2)).join(' ')}; parsing ${run.parseMedian?.toFixed(3) ?? '?'} s; ${slowest(run.ruleMedians, 3)}), ${out.firstMessages} -> ${out.lastMessages} messages, ${m.rssMb?.toFixed(0) ?? '?'} MB`);
  return run;
}

const USAGE = `usage: node bench/editor-bench.mjs --dir <generated tree> [--edits 10] [--runs 1] [--edit export,body,call]

The editor scenario alone, on a tree made by bench/generate.mjs: for each kind of edit, our plugin
then typescript-eslint's four promise rules, back to back (one process each, --runs times),
then a table of the median re-lint per kind, the ratio and the load average (1 minute) when each
process ended. Kinds of edit:
${Object.entries(EDITOR_EDITS).map(([k, v]) => `  ${k}: ${v}`).join('\n')}
`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, edits: { type: 'string', default: '10' }, runs: { type: 'string', default: '1' }, edit: { type: 'string', default: Object.keys(EDITOR_EDITS).join(',') }, help: { type: 'boolean' } },
  });
  if (values.help || !values.dir) {
    process.stdout.write(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const kinds = values.edit.split(',').filter(Boolean);
  for (const kind of kinds) if (!(kind in EDITOR_EDITS)) throw new Error(`--edit: unknown kind '${kind}'`);
  const dir = path.resolve(values.dir);
  const log = (line) => process.stderr.write(`${line}\n`);
  const result = editorBench(dir, { edits: Number(values.edits), runs: Number(values.runs), log, kinds });
  const rows = ['| edit | ours (median s) | typescript-eslint (median s) | ratio | load (ours, tseslint) |', '| --- | ---: | ---: | ---: | --- |'];
  for (const kind of kinds) {
    const ours = result.variants[`ours@${kind}`]?.runs ?? [];
    const theirs = result.variants[`typescript-eslint@${kind}`]?.runs ?? [];
    const a = median(ours.map((r) => r.median));
    const b = median(theirs.map((r) => r.median));
    const loads = `${ours.map((r) => r.load.toFixed(2)).join('/')}, ${theirs.map((r) => r.load.toFixed(2)).join('/')}`;
    rows.push(`| ${kind} | ${a?.toFixed(3)} | ${b?.toFixed(3)} | ${a && b ? (a / b).toFixed(2) : '?'}x | ${loads} |`);
  }
  process.stdout.write(`${result.file}\n${rows.join('\n')}\n`);
}
