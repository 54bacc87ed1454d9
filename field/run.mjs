#!/usr/bin/env node
/**
 * The field study: how precise is each rule on real code? Lints checkouts of public projects
 * (kept outside this repository) with this repository's CLI, matches the findings against the
 * hand-written labels in field/labels/<name>.tsv, and prints per-rule counts and precision,
 * the findings that have no label yet (as TSV lines to fill in) and the labels that no
 * longer match a finding. See field/README.md.
 *
 *   npm run field -- <checkout>...          each checkout folder's name is a project name
 *   npm run field -- --root <dir>           every project with a json and a folder in <dir>
 *   options: --rule <id> (repeatable), --json <file>, --projects-dir <dir>, --labels-dir <dir>
 *
 * Exit code 0, unless a project could not be run (then 2, after the others are reported).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptArgs } from '../bench/script-args.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(HERE);
const CLI = path.join(REPO, 'bin', 'concurrency-lint.js');
const VERDICTS = ['true', 'false', 'debatable'];
export const LABEL_HEADER = ['project', 'commit', 'file', 'line', 'rule', 'verdict', 'reason'];

/** The rule ids the CLI knows (all of them run in a field study). */
async function allRuleIds() {
  const registry = path.join(REPO, 'dist', 'analyzer', 'checks', 'index.js');
  if (!fs.existsSync(registry)) throw new Error('dist/ is missing: run `npm run build` first');
  const { allChecks } = await import(new URL(`file://${registry}`).href);
  return allChecks.map((c) => c.meta.id);
}

function readProject(projectsDir, name) {
  const file = path.join(projectsDir, `${name}.json`);
  if (!fs.existsSync(file)) throw new Error(`no project file ${name}.json in ${projectsDir}`);
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const key of ['name', 'repo', 'commit', 'root', 'paths']) {
    if (spec[key] === undefined) throw new Error(`${name}.json: "${key}" is missing`);
  }
  return spec;
}

/** "sampled 30 of 212 no-floating-promise findings" in the notes -> Map(rule -> { labelled, of }). */
export function parseSamples(notes = '') {
  const out = new Map();
  for (const m of notes.matchAll(/sampled\s+(\d+)\s+of\s+(\d+)\s+([a-z][a-z-]*)/gi)) {
    out.set(m[3], { labelled: Number(m[1]), of: Number(m[2]) });
  }
  return out;
}

/** The labels file as rows; a missing file is no labels. Problems are thrown with their line. */
export function readLabels(file) {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  const header = (lines[0] ?? '').split('\t');
  if (header.join('\t') !== LABEL_HEADER.join('\t')) throw new Error(`${file}: line 1 must be the header ${LABEL_HEADER.join(' ')}`);
  const rows = [];
  lines.slice(1).forEach((text, i) => {
    if (text.trim() === '') return;
    const cols = text.split('\t');
    const [project, commit, file_, line, rule, verdict, ...reason] = cols;
    if (!VERDICTS.includes(verdict) || !/^\d+$/.test(line ?? '')) {
      throw new Error(`${file}:${i + 2}: expected a verdict in ${VERDICTS.join('/')} and a line number`);
    }
    rows.push({ project, commit, file: file_, line: Number(line), rule, verdict, reason: reason.join('\t') });
  });
  return rows;
}

/** Run the CLI on one project: JSON findings with files relative to the checkout root. */
function lint(checkout, spec, rules) {
  const root = path.join(checkout, spec.root ?? '.');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'field-'));
  const output = path.join(tmp, 'report.json');
  const config = path.join(tmp, 'config.json');
  fs.writeFileSync(config, '{ "rules": {} }\n');
  const args = [CLI, ...spec.paths.map((p) => path.join(root, p)), '--format', 'json', '--output', output, '--config', config];
  if (spec.project) args.push('--project', path.join(root, spec.project));
  for (const rule of rules) args.push('--rule', rule);
  const started = Date.now();
  const run = spawnSync(process.execPath, args, { cwd: checkout, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (Date.now() - started) / 1000;
  let report;
  try {
    report = JSON.parse(fs.readFileSync(output, 'utf8'));
  } catch {
    report = undefined;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const errors = (report?.diagnostics ?? []).filter((d) => d.severity === 'error');
  let failure;
  if (!report) failure = `the CLI wrote no report (exit ${run.status ?? run.signal}): ${(run.stderr || run.error?.message || '').trim().split('\n')[0]}`;
  else if (run.status === 2) failure = `the CLI exited 2: ${errors.map((d) => `${d.file ?? ''} ${d.message}`.trim()).join('; ') || run.stderr.trim().split('\n')[0]}`;
  const findings = (report?.findings ?? []).map((f) => ({ ...f, file: f.file.split(path.sep).join('/') }));
  const skipped = (report?.summary?.skipped ?? []).map((k) => `${k.files} ${k.reason}`).join(', ');
  return { findings, failure, seconds, files: report?.summary?.files ?? 0, skipped };
}

function emptyCounts() {
  return { findings: 0, labelled: 0, true: 0, false: 0, debatable: 0 };
}

export function precision(c) {
  return c.true + c.false === 0 ? null : c.true / (c.true + c.false);
}

/**
 * Match findings to labels by (file, line, rule), one label per finding (two findings on one
 * line need two labels). Returns counts per rule, the unlabelled findings and the stale labels.
 */
export function match(name, findings, labels, rules) {
  const pool = new Map();
  for (const label of labels.filter((l) => rules.includes(l.rule))) {
    const key = `${label.file}\0${label.line}\0${label.rule}`;
    pool.set(key, [...(pool.get(key) ?? []), label]);
  }
  const counts = new Map();
  const unlabelled = [];
  for (const f of findings) {
    const c = counts.get(f.ruleId) ?? emptyCounts();
    counts.set(f.ruleId, c);
    c.findings++;
    const label = pool.get(`${f.file}\0${f.line}\0${f.ruleId}`)?.shift();
    if (!label) {
      unlabelled.push({ project: name, file: f.file, line: f.line, rule: f.ruleId, message: f.message });
      continue;
    }
    c.labelled++;
    c[label.verdict]++;
  }
  const stale = [...pool.values()].flat();
  return { counts, unlabelled, stale };
}

/** The message's first sentence, on one line, without tabs (the reason column of a new label). */
export function firstSentence(message) {
  const flat = message.replace(/\s+/g, ' ').trim();
  const cut = flat.search(/[.!?](\s|$)/);
  return cut >= 0 ? flat.slice(0, cut + 1) : flat;
}

function pct(value) {
  return value === null ? '-' : `${(value * 100).toFixed(1)}%`;
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const left = (i) => i < 2 || i === header.length - 1;
  const line = (cells) => cells.map((c, i) => (left(i) ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const COLUMNS = ['findings', 'labelled', 'true', 'false', 'debatable'];

function row(first, second, c, note) {
  return [first, second, ...COLUMNS.map((k) => c[k]), pct(precision(c)), note ?? ''];
}

function sampleNote(sample, c) {
  if (!sample) return '';
  return `sample: ${sample.labelled} of ${sample.of} labelled${sample.of !== c.findings ? ` (now ${c.findings} findings)` : ''}`;
}

/** The per-project x rule rows and the per-rule totals. */
export function summarize(results) {
  const perProject = [];
  const totals = new Map();
  for (const r of results) {
    for (const [rule, c] of [...r.counts].sort(([a], [b]) => a.localeCompare(b))) {
      const sample = r.samples.get(rule);
      perProject.push({ project: r.name, rule, ...c, precision: precision(c), ...(sample ? { sample } : {}) });
      const t = totals.get(rule) ?? { ...emptyCounts(), sampledIn: [] };
      for (const k of COLUMNS) t[k] += c[k];
      if (sample) t.sampledIn.push(r.name);
      totals.set(rule, t);
    }
  }
  const perRule = [...totals]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, t]) => ({ rule, ...t, precision: precision(t) }));
  return { perProject, perRule };
}

function printTables(summary, out) {
  out.push('Per project and rule (precision = true / (true + false); debatable counted apart)', '');
  out.push(table(['project', 'rule', ...COLUMNS, 'precision', 'note'], summary.perProject.map((p) => row(p.project, p.rule, p, sampleNote(p.sample, p)))));
  out.push('', 'Per rule, all projects', '');
  const totalRows = summary.perRule.map((t) => row(t.rule, '', t, t.sampledIn.length > 0 ? `labels are a sample in ${t.sampledIn.join(', ')}` : ''));
  out.push(table(['rule', '', ...COLUMNS, 'precision', 'note'], totalRows).replace(/^(\S+)\s{2}/gm, '$1'));
}

function printListings(results, out) {
  const unlabelled = results.flatMap((r) => r.unlabelled.map((u) => ({ ...u, commit: r.commit, sampled: r.samples.has(u.rule) })));
  const toLabel = unlabelled.filter((u) => !u.sampled);
  const outsideSample = unlabelled.length - toLabel.length;
  out.push('', `Findings without a label: ${toLabel.length}${outsideSample ? ` (and ${outsideSample} outside the labelled sample of a sampled rule)` : ''}`);
  if (toLabel.length > 0) {
    out.push('(TSV lines to paste into field/labels/<project>.tsv; replace ? with true/false/debatable and write the reason)');
    for (const u of toLabel) out.push([u.project, u.commit, u.file, u.line, u.rule, '?', firstSentence(u.message)].join('\t'));
  }
  const stale = results.flatMap((r) => r.stale);
  out.push('', `Labels that match no finding (stale): ${stale.length}`);
  for (const s of stale) out.push([s.project, s.commit, s.file, s.line, s.rule, s.verdict, s.reason].join('\t'));
}

/** Which checkouts to run: the given folders, or every project with a json and a folder under --root. */
function checkouts(values, positionals) {
  const list = positionals.map((p) => path.resolve(p));
  if (values.root) {
    const root = path.resolve(values.root);
    const names = fs.readdirSync(values['projects-dir']).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
    for (const name of names.sort()) if (fs.existsSync(path.join(root, name))) list.push(path.join(root, name));
  }
  return list;
}

function runProject(checkout, values, rules) {
  const name = path.basename(checkout);
  const spec = readProject(values['projects-dir'], name);
  const labels = readLabels(path.join(values['labels-dir'], `${name}.tsv`));
  const { findings, failure, seconds, files, skipped } = lint(checkout, spec, rules);
  const matched = match(name, findings, labels, rules);
  const otherCommit = labels.filter((l) => l.commit !== spec.commit).length;
  if (otherCommit > 0) process.stderr.write(`field: ${name}: ${otherCommit} labels name another commit than ${name}.json (${spec.commit})\n`);
  return { name, commit: spec.commit, samples: parseSamples(spec.notes), failure, seconds, files, skipped, ...matched };
}

export async function main(argv) {
  const { values, positionals } = scriptArgs(import.meta.url, {
    args: argv,
    allowPositionals: true,
    options: {
      root: { type: 'string' },
      rule: { type: 'string', multiple: true },
      json: { type: 'string' },
      'projects-dir': { type: 'string', default: path.join(HERE, 'projects') },
      'labels-dir': { type: 'string', default: path.join(HERE, 'labels') },
    },
  });
  const known = await allRuleIds();
  const unknown = (values.rule ?? []).filter((r) => !known.includes(r));
  if (unknown.length > 0) throw new Error(`unknown rule ${unknown.join(', ')}`);
  const rules = values.rule?.length ? values.rule : known;
  const list = checkouts(values, positionals);
  if (list.length === 0) throw new Error('no checkout given (usage: npm run field -- <checkout>... | --root <dir>)');
  const results = [];
  const out = [];
  for (const checkout of list) {
    process.stderr.write(`field: linting ${path.basename(checkout)}...\n`);
    try {
      const r = runProject(checkout, values, rules);
      const total = [...r.counts.values()].reduce((n, c) => n + c.findings, 0);
      const skipped = r.skipped ? ` (skipped: ${r.skipped})` : '';
      process.stderr.write(`field: ${r.name}: ${r.files} files${skipped}, ${total} findings, ${r.seconds.toFixed(1)} s\n`);
      results.push(r);
    } catch (error) {
      results.push({ name: path.basename(checkout), failure: error.message, counts: new Map(), unlabelled: [], stale: [], samples: new Map() });
    }
  }
  const summary = summarize(results);
  printTables(summary, out);
  printListings(results, out);
  const failures = results.filter((r) => r.failure);
  for (const f of failures) out.push('', `FAILED ${f.name}: ${f.failure}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (values.json) {
    const unlabelled = results.flatMap((r) => r.unlabelled);
    const stale = results.flatMap((r) => r.stale);
    const json = { rules, ...summary, unlabelled, stale, failures: failures.map((f) => ({ project: f.name, reason: f.failure })) };
    fs.writeFileSync(values.json, `${JSON.stringify(json, null, 2)}\n`);
  }
  return failures.length > 0 ? 2 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`field: ${error.message}\n`);
      process.exitCode = 2;
    },
  );
}
