#!/usr/bin/env node
/**
 * `npm run bench [-- options] [folders...]`: generate synthetic projects of several sizes and
 * time, on the same tree, one after another: our CLI with every registered rule (`--rule` for
 * each), the place for our second backend (TypeScript 7; not run until the CLI has
 * `--backend`), `tsc --noEmit` with TypeScript 6 (the repository's) and TypeScript 7 (native),
 * ESLint with typescript-eslint's four type-aware promise rules, and oxlint's type-aware mode;
 * then our `--cache` (cold, unchanged, one file edited); then the editor scenario (one
 * long-lived ESLint re-linting one edited file, our plugin and typescript-eslint); then our CLI
 * on the sample app and on any folder given. Prints Markdown tables; `--record` also writes
 * them to bench/RESULTS.md. oxlint, oxlint-tsgolint and TypeScript 7 are installed, at pinned
 * versions, into a scratch folder outside the repository on first use.
 *
 * Options:
 *   --sizes 1000,5000       file counts to generate
 *   --runs 3                repetitions per tool (median reported) below 5,000 files
 *   --large-runs 1          repetitions at 5,000 files and more
 *   --tools ours,ours-ts7,tsc,tsc7,eslint,oxlint
 *   --seed 1                generator seed
 *   --no-cache-bench        skip the --cache measurements
 *   --no-editor             skip the editor scenario
 *   --edits 10              edits (re-lints) per editor process
 *   --editor-runs 3         editor processes per variant and kind of edit, at every size (a
 *                           re-lint takes a tenth of a second: one process moves by +-0.25x)
 *   --no-build              do not rebuild dist/ first
 *   --keep                  keep the generated trees (printed) instead of deleting them
 *   --record                write the tables to bench/RESULTS.md
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scriptArgs } from './script-args.mjs';
import { generate } from './generate.mjs';
import { hasGnuTime, measure } from './measure.mjs';
import { REPO, TOOLS, OURS_BIN, PEER_VERSIONS, markerRecall, installPeerTools, peerVersion } from './tools.mjs';
import { cacheBench } from './cache-bench.mjs';
import { editorBench } from './editor-bench.mjs';
import { renderReport } from './report.mjs';

const { values: opts, positionals } = scriptArgs(import.meta.url, {
  allowPositionals: true,
  options: {
    sizes: { type: 'string', default: '1000,5000' },
    runs: { type: 'string', default: '3' },
    'large-runs': { type: 'string', default: '1' },
    tools: { type: 'string', default: 'ours,ours-ts7,tsc,tsc7,eslint,oxlint' },
    seed: { type: 'string', default: '1' },
    'no-cache-bench': { type: 'boolean', default: false },
    'no-editor': { type: 'boolean', default: false },
    edits: { type: 'string', default: '10' },
    'editor-runs': { type: 'string', default: '3' },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
  },
});

const log = (s) => process.stderr.write(`${s}\n`);
const NOTES_MARKER = '<!-- notes: kept by npm run bench -- --record -->';
const sizes = opts.sizes.split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const toolIds = opts.tools.split(',').map((s) => s.trim()).filter((id) => TOOLS[id]);
const runsFor = (size) => Number(size >= 5000 ? opts['large-runs'] : opts.runs);

function build() {
  if (opts['no-build']) return;
  log('building dist/ (tsc -p tsconfig.json)…');
  const tsc = path.join(REPO, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) log(`warning: the build reported errors; benchmarking what it emitted\n${r.stdout.split('\n').slice(0, 5).join('\n')}`);
}

/** Every registered rule, in the built analyzer's order (empty when dist/ is missing). */
async function knownRules() {
  try {
    const { allChecks } = await import(path.join(REPO, 'dist/analyzer/checks/index.js'));
    return allChecks.map((c) => c.meta.id);
  } catch {
    return [];
  }
}

function runTool(id, dir, out, rules) {
  const argv = TOOLS[id].command(dir, out, { rules });
  if (fs.existsSync(out)) fs.rmSync(out);
  const env = TOOLS[id].env ? { ...process.env, ...TOOLS[id].env() } : undefined;
  const r = measure(argv[0], argv.slice(1), { cwd: dir, env });
  let findings;
  try {
    findings = TOOLS[id].findings(r, out);
  } catch {
    findings = undefined;
  }
  const failed = r.error || (r.status !== 0 && r.status !== 1) || findings === undefined;
  if (failed) log(`  ${id}: exit ${r.status}${r.error ? ` (${r.error.message})` : ''}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { ...r, findings, failed };
}

function benchSize(size, root, rules) {
  const dir = path.join(root, `files-${size}`);
  const manifest = generate({ files: size, seed: Number(opts.seed), out: dir });
  log(`\n${manifest.files} files, ${manifest.lines} lines (${dir}); load average ${os.loadavg()[0].toFixed(1)}`);
  const rows = Object.fromEntries(toolIds.map((id) => [id, { runs: [], missing: TOOLS[id].missing() }]));
  const out = path.join(root, 'out.json');
  for (let r = 0; r < runsFor(size); r++) {
    for (const id of toolIds) {
      if (rows[id].missing) continue;
      const result = runTool(id, dir, out, rules);
      rows[id].runs.push(result);
      log(`  run ${r + 1} ${id.padEnd(6)} ${result.wall.toFixed(2)} s wall, ${result.cpu?.toFixed(2) ?? '?'} s CPU, ${result.rssMb?.toFixed(0) ?? '?'} MB, ${result.findings ?? '?'} findings`);
      if (id === 'ours' && r === 0 && !result.failed) {
        rows.ours.recall = markerRecall(dir, out, new Set(rules));
        rows.ours.reference = fs.readFileSync(out, 'utf8');
      }
    }
  }
  const cache = rows.ours && !rows.ours.missing && !opts['no-cache-bench'] ? cacheBench(dir, root, runsFor(size), rows.ours.reference, rules, log) : undefined;
  const editor = opts['no-editor'] || !TOOLS.ours || TOOLS.ours.missing() ? undefined : editorBench(dir, { edits: Number(opts.edits), runs: Number(opts['editor-runs']), log });
  if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  return { size, files: manifest.files, lines: manifest.lines, planted: manifest.planted, rows, cache, editor, load: os.loadavg()[0] };
}

function benchFolder(label, cwd, target) {
  const out = path.join(os.tmpdir(), `concurrency-lint-bench-${process.pid}-folder.json`);
  const runs = [];
  for (let r = 0; r < Number(opts.runs); r++) {
    const m = measure(process.execPath, [OURS_BIN, target, '--format', 'json', '--output', out], { cwd });
    let findings;
    let files;
    try {
      const json = JSON.parse(fs.readFileSync(out, 'utf8'));
      findings = json.findings.length;
      files = json.summary.files;
    } catch {
      log(`  ${label}: exit ${m.status}: ${m.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    }
    runs.push({ ...m, findings, files });
    log(`  ${label}: ${m.wall.toFixed(2)} s wall, ${m.cpu?.toFixed(2) ?? '?'} s CPU, ${m.rssMb?.toFixed(0) ?? '?'} MB, ${findings ?? '?'} findings`);
  }
  fs.rmSync(out, { force: true });
  return { label, runs };
}

function machine() {
  const cpus = os.cpus();
  return {
    load: os.loadavg()[0],
    date: new Date().toISOString().slice(0, 10),
    cores: cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

async function main() {
  if (toolIds.includes('oxlint') || toolIds.includes('tsc7')) installPeerTools();
  build();
  const rules = await knownRules();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'concurrency-lint-bench-'));
  const started = performance.now();
  const loadBefore = os.loadavg()[0];
  const results = [];
  try {
    for (const size of sizes) results.push(benchSize(size, root, rules));
    log('\nsample app and given folders');
    // From its own folder, so its .concurrency-lint.json applies (as in `npm start`).
    const folders = [benchFolder('fixtures/sample-app', path.join(REPO, 'fixtures/sample-app'), '.')];
    for (const p of positionals) folders.push(benchFolder(p, path.resolve(p), '.'));
    const report = renderReport({
      machine: { ...machine(), loadBefore },
      gnuTime: hasGnuTime,
      rules,
      peers: Object.entries(PEER_VERSIONS).map(([name, v]) => `${name === 'typescript-7' ? 'typescript' : name} ${peerVersion(name) ?? `${v} (not installed)`}`).join(', '),
      results,
      folders,
      tools: toolIds,
      runs: Object.fromEntries(sizes.map((s) => [s, runsFor(s)])),
      minutes: (performance.now() - started) / 60_000,
    });
    process.stdout.write(`\n${report}`);
    if (opts.record) {
      // Hand-written notes below the marker (the profile) survive a new recording.
      const file = path.join(REPO, 'bench/RESULTS.md');
      const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const at = previous.indexOf(NOTES_MARKER);
      fs.writeFileSync(file, at >= 0 ? `${report}\n${previous.slice(at)}` : report);
      log('wrote bench/RESULTS.md');
    }
  } finally {
    if (opts.keep) log(`trees kept in ${root}`);
    else fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
