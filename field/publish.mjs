#!/usr/bin/env node
/**
 * Publish the field study: write each rule's measured real-code precision into its docs page
 * and the README, from the committed `field/results.json` (the per-rule totals of the last
 * `npm run field` over every labelled project).
 *
 *   node field/run.mjs --root <checkouts> --json <run.json>
 *   node field/publish.mjs --from <run.json>...   record the runs' totals in field/results.json
 *   node field/publish.mjs                     rewrite the blocks between <!-- field:start/end -->
 *   node field/publish.mjs --check             exit 1 when a page is out of step (what the test asks)
 *
 * The gate itself (which rules may be in `configs.recommended`) is `gateVerdict` below, used by
 * test/precision-gate.test.ts: a rule earns `recommended` with at least 90% true findings among
 * its judged ones (true + false; debatable ones are counted apart and listed), on at least
 * MIN_JUDGED judged findings; with fewer, it may stay only while no false finding was seen.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS = path.join(ROOT, 'field', 'results.json');
export const MIN_PRECISION = 0.9;
export const MIN_JUDGED = 5;
const START = '<!-- field:start -->';
const END = '<!-- field:end -->';

/** @param {string} file */
export function readResults(file = RESULTS) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** @param {{ true: number, false: number }} r */
export function precisionOf(r) {
  const judged = r.true + r.false;
  return judged === 0 ? undefined : r.true / judged;
}

/**
 * May this rule be in `configs.recommended`?
 * @param {{ true: number, false: number } | undefined} r
 * @returns {{ ok: boolean, why: string }}
 */
export function gateVerdict(r) {
  if (!r) return { ok: false, why: 'not measured' };
  const judged = r.true + r.false;
  if (judged < MIN_JUDGED) {
    return r.false === 0
      ? { ok: true, why: `${judged} judged findings, none false (too few to give a percentage)` }
      : { ok: false, why: `${r.false} false of ${judged} judged findings` };
  }
  const p = precisionOf(r);
  return p >= MIN_PRECISION
    ? { ok: true, why: `${pct(p)} true of ${judged} judged findings` }
    : { ok: false, why: `${pct(p)} true of ${judged} judged findings (below ${pct(MIN_PRECISION)})` };
}

/** @param {number | undefined} p */
function pct(p) {
  return p === undefined ? 'n/a' : `${(p * 100).toFixed(p === 1 ? 0 : 1)}%`;
}

function corpusLine(results) {
  const names = results.projects.map((p) => `${p.name} (\`${p.repo}\` at \`${p.commit.slice(0, 7)}\`)`);
  return `${results.projects.length} public projects: ${names.join(', ')}`;
}

/** The block for one rule's docs page. */
export function ruleBlock(results, ruleId) {
  const r = results.rules[ruleId];
  const lines = [START, ''];
  if (!r || r.findings === 0) {
    lines.push(`No findings on the field-study corpus (${corpusLine(results)}), so no precision to give.`);
  } else {
    const sampled = r.labelled < r.findings ? ` (${r.labelled} labelled: a seeded random sample per project where a project has many)` : '';
    lines.push(
      `Field study (\`npm run field\`, labels in \`field/labels/\`), on ${corpusLine(results)}:`,
      '',
      '| findings | true | false | debatable | precision (true / (true + false)) |',
      '|---|---|---|---|---|',
      `| ${r.findings}${sampled} | ${r.true} | ${r.false} | ${r.debatable} | ${pct(precisionOf(r))} |`,
    );
    if (r.notes?.length) lines.push('', ...r.notes.map((n) => `- ${n}`));
  }
  const gate = gateVerdict(r);
  lines.push('', gate.ok ? `Meets the bar for \`configs.recommended\`: ${gate.why}.` : `Below the bar for \`configs.recommended\` (${gate.why}), so it is in \`configs.strict\` only.`, '', END);
  return lines.join('\n');
}

/** The README's table of every rule. */
export function readmeBlock(results, ruleIds) {
  const lines = [
    START,
    '',
    `Measured by the field study on ${corpusLine(results)}.`,
    '',
    '| Rule | findings | true | false | debatable | precision |',
    '|---|---|---|---|---|---|',
  ];
  for (const id of [...ruleIds].sort()) {
    const r = results.rules[id] ?? { findings: 0, true: 0, false: 0, debatable: 0 };
    lines.push(`| \`${id}\` | ${r.findings} | ${r.true} | ${r.false} | ${r.debatable} | ${pct(precisionOf(r))} |`);
  }
  lines.push('', END);
  return lines.join('\n');
}

/** Replace the block in `text`, or insert it under `heading` (added before `before`, or at the end). */
export function withBlock(text, block, heading, before) {
  const s = text.indexOf(START);
  const e = text.indexOf(END);
  if (s >= 0 && e > s) return text.slice(0, s) + block + text.slice(e + END.length);
  const h = text.indexOf(`\n${heading}\n`);
  if (h >= 0) {
    const at = h + heading.length + 2;
    return `${text.slice(0, at)}\n${block}\n${text.slice(at)}`;
  }
  const b = before ? text.indexOf(`\n${before}`) : -1;
  const section = `${heading}\n\n${block}\n`;
  return b >= 0 ? `${text.slice(0, b + 1)}${section}\n${text.slice(b + 1)}` : `${text.trimEnd()}\n\n${section}`;
}

export function pages(results, ruleIds) {
  const out = new Map();
  for (const id of ruleIds) {
    const file = path.join(ROOT, 'docs', 'rules', `${id}.md`);
    out.set(file, withBlock(fs.readFileSync(file, 'utf8'), ruleBlock(results, id), '## Measured on real code', '## Differences'));
  }
  const readme = path.join(ROOT, 'README.md');
  out.set(readme, withBlock(fs.readFileSync(readme, 'utf8'), readmeBlock(results, ruleIds), '## Precision on real code', '## In your editor'));
  return out;
}

/**
 * field/results.json from the JSON of `field/run.mjs` runs (one over every labelled project, or
 * several over parts of them, e.g. run side by side): the per-project rows are added up per rule.
 */
export function resultsFromRuns(runs, projectsDir = path.join(ROOT, 'field', 'projects')) {
  const rows = runs.flatMap((run) => run.perProject);
  const names = [...new Set(rows.map((r) => r.project))].sort();
  const projects = names.map((name) => {
    const spec = JSON.parse(fs.readFileSync(path.join(projectsDir, `${name}.json`), 'utf8'));
    return { name, repo: spec.repo, commit: spec.commit };
  });
  const sampledIn = new Map();
  for (const r of runs.flatMap((run) => run.perRule)) for (const p of r.sampledIn) sampledIn.set(r.rule, [...(sampledIn.get(r.rule) ?? []), p]);
  const rules = {};
  for (const row of rows) {
    const t = (rules[row.rule] ??= { findings: 0, labelled: 0, true: 0, false: 0, debatable: 0 });
    for (const k of ['findings', 'labelled', 'true', 'false', 'debatable']) t[k] += row[k];
  }
  for (const [rule, list] of sampledIn) if (rules[rule]) rules[rule].notes = [`Labels are a seeded random sample of the findings in ${[...new Set(list)].sort().join(', ')}.`];
  return { date: new Date().toISOString().slice(0, 10), projects, rules: Object.fromEntries(Object.entries(rules).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const from = process.argv.indexOf('--from');
  if (from > 0) {
    const runs = process.argv.slice(from + 1).filter((a) => !a.startsWith('--')).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
    const failures = runs.flatMap((run) => run.failures ?? []);
    if (failures.length) throw new Error(`the runs have failures: ${JSON.stringify(failures)}`);
    fs.writeFileSync(RESULTS, `${JSON.stringify(resultsFromRuns(runs), null, 2)}\n`);
  }
  const results = readResults();
  const ruleIds = fs.readdirSync(path.join(ROOT, 'docs', 'rules')).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3));
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, text] of pages(results, ruleIds)) {
    if (fs.readFileSync(file, 'utf8') === text) continue;
    stale++;
    if (check) console.error(`out of step with field/results.json: ${path.relative(ROOT, file)}`);
    else fs.writeFileSync(file, text);
  }
  if (check && stale > 0) process.exit(1);
  console.log(check ? 'docs in step with field/results.json' : `${stale} page(s) written`);
}
