/**
 * The editor scenario on a generated tree: for each variant (our plugin with every rule,
 * typescript-eslint's four promise rules) one process keeps one ESLint alive
 * (bench/editor-child.mjs), lints one file, then edits it and re-lints it, N times, for each kind
 * of edit (EDITOR_EDITS). Reports the first lint and the median re-lint per variant and edit, and
 * the child's CPU and peak memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

export function editorBench(dir, { edits, runs, log }) {
  const file = editorTarget(dir);
  const variants = {};
  for (const edit of Object.keys(EDITOR_EDITS)) {
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
  const run = { ...out, cpu: m.cpu, rssMb: m.rssMb, median: median(out.edits), parseMedian: median(out.parse), ruleMedians: ruleMedians(out.rules) };
  log(`  editor ${name}: first lint ${out.first.toFixed(2)} s, re-lint after an edit: median ${run.median.toFixed(3)} s of ${out.edits.length} (${out.edits.map((s) => s.toFixed(2)).join(' ')}; parsing ${run.parseMedian?.toFixed(3) ?? '?'} s; ${slowest(run.ruleMedians, 3)}), ${out.firstMessages} -> ${out.lastMessages} messages, ${m.rssMb?.toFixed(0) ?? '?'} MB`);
  return run;
}
