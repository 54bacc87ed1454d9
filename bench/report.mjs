/** Render the benchmark's measurements as Markdown (printed, and written by `--record`). */
import { median } from './measure.mjs';
import { TOOLS } from './tools.mjs';
import { EDITOR_EDITS, slowest } from './editor-bench.mjs';

const fmt = (n, digits = 2) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits));
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
const mark = (value, limit) => (value === undefined ? 'n/a' : `${fmt(value)}x ${value <= limit ? '(met)' : '(not met)'}`);
const grouped = (n) => n.toLocaleString('en-US');

function stats(runs) {
  const ok = runs.filter((r) => !r.failed);
  if (ok.length === 0) return undefined;
  return {
    wall: median(ok.map((r) => r.wall)),
    cpu: median(ok.map((r) => r.cpu)),
    rssMb: median(ok.map((r) => r.rssMb)),
    findings: ok[0].findings,
  };
}

function toolTable(results, tools) {
  const lines = [
    '| files (lines) | tool | wall s | CPU s | peak RSS MB | findings | ours / tool: wall | CPU | RSS |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const res of results) {
    const ours = res.rows.ours && stats(res.rows.ours.runs);
    for (const id of tools) {
      const row = res.rows[id];
      const s = row && stats(row.runs);
      const name = TOOLS[id].label;
      const where = `${grouped(res.files)} (${grouped(res.lines)})`;
      if (!s) {
        lines.push(`| ${where} | ${name} | ${row?.missing ?? 'failed'} | | | | | | |`);
        continue;
      }
      const versus = id === 'ours' || !ours ? ['', '', ''] : [ratio(ours.wall, s.wall), ratio(ours.cpu, s.cpu), ratio(ours.rssMb, s.rssMb)].map((x) => `${fmt(x)}x`);
      lines.push(`| ${where} | ${name} | ${fmt(s.wall)} | ${fmt(s.cpu)} | ${fmt(s.rssMb, 0)} | ${s.findings ?? 'n/a'} | ${versus.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

function targets(results) {
  const big = results.filter((r) => r.size >= 1000);
  if (big.length === 0) return 'No size of 1,000 files or more was run.';
  const head = `| target | ${big.map((r) => `${grouped(r.files)} files`).join(' | ')} |`;
  const sep = `| --- | ${big.map(() => '---').join(' | ')} |`;
  const row = (label, fn) => `| ${label} | ${big.map(fn).join(' | ')} |`;
  const s = (r, id) => r.rows[id] && stats(r.rows[id].runs);
  const lines = [
    head,
    sep,
    row('wall: ours / typescript-eslint <= 0.5', (r) => mark(ratio(s(r, 'ours')?.wall, s(r, 'eslint')?.wall), 0.5)),
    row('CPU: ours / typescript-eslint (for reference)', (r) => `${fmt(ratio(s(r, 'ours')?.cpu, s(r, 'eslint')?.cpu))}x`),
    row('wall: ours / tsc --noEmit (TypeScript 6) <= 1.2', (r) => mark(ratio(s(r, 'ours')?.wall, s(r, 'tsc')?.wall), 1.2)),
    row('CPU: ours / tsc --noEmit (TypeScript 6) (for reference)', (r) => `${fmt(ratio(s(r, 'ours')?.cpu, s(r, 'tsc')?.cpu))}x`),
    row('peak RSS: ours / tsc --noEmit (TypeScript 6) <= 1.3', (r) => mark(ratio(s(r, 'ours')?.rssMb, s(r, 'tsc')?.rssMb), 1.3)),
    row('wall: ours / tsc --noEmit (TypeScript 7) (for reference)', (r) => `${fmt(ratio(s(r, 'ours')?.wall, s(r, 'tsc7')?.wall))}x`),
    row('wall: ours / oxlint (for reference)', (r) => `${fmt(ratio(s(r, 'ours')?.wall, s(r, 'oxlint')?.wall))}x`),
    row('editor re-lint, a new export: ours / typescript-eslint <= 1.5', (r) => mark(ratio(editorMedian(r, 'ours@export'), editorMedian(r, 'typescript-eslint@export')), 1.5)),
    row('editor re-lint, a method body: ours / typescript-eslint <= 1.5', (r) => mark(ratio(editorMedian(r, 'ours@body'), editorMedian(r, 'typescript-eslint@body')), 1.5)),
    row('editor re-lint, a call in a method body: ours / typescript-eslint <= 1.5', (r) => mark(ratio(editorMedian(r, 'ours@call'), editorMedian(r, 'typescript-eslint@call')), 1.5)),
  ];
  return lines.join('\n');
}

function growth(results) {
  const ours = results.map((r) => ({ files: r.files, s: r.rows.ours && stats(r.rows.ours.runs) })).filter((r) => r.s);
  if (ours.length < 2) return 'Growth needs two sizes or more.';
  const lines = [];
  for (let i = 1; i < ours.length; i++) {
    const a = ours[i - 1];
    const b = ours[i];
    const files = b.files / a.files;
    const time = b.s.wall / a.s.wall;
    const limit = files * 1.1;
    lines.push(`- ${grouped(a.files)} -> ${grouped(b.files)} files (${fmt(files, 1)}x the files): ${fmt(time)}x the wall time, ${fmt(b.s.cpu / a.s.cpu)}x the CPU time (target <= ${fmt(limit, 1)}x: ${time <= limit ? 'met' : 'not met'})`);
  }
  const first = ours[0];
  const last = ours[ours.length - 1];
  lines.push(`- smallest -> largest (${grouped(first.files)} -> ${grouped(last.files)} files, ${fmt(last.files / first.files, 1)}x): ${fmt(last.s.wall / first.s.wall)}x the wall time`);
  return lines.join('\n');
}

function cacheTable(results) {
  const rows = results.filter((r) => r.cache);
  if (rows.length === 0) return 'Not measured.';
  const lines = ['| files | cold s | unchanged s (of cold) | one file edited s (of cold) | findings identical to an uncached run |', '| --- | ---: | ---: | ---: | --- |'];
  for (const r of rows) {
    if (r.cache.missing) {
      lines.push(`| ${grouped(r.files)} | ${r.cache.missing} | | | |`);
      continue;
    }
    const cold = median(r.cache.cold.map((x) => x.wall));
    const warm = median(r.cache.warm.map((x) => x.wall));
    const edit = median(r.cache.edit.map((x) => x.wall));
    const pct = (x) => `${fmt(x)} (${fmt((100 * x) / cold, 0)}%)`;
    lines.push(`| ${grouped(r.files)} | ${fmt(cold)} | ${pct(warm)} | ${pct(edit)} | ${r.cache.identical === undefined ? 'not compared' : r.cache.identical ? 'yes' : 'NO'} |`);
  }
  lines.push('', `Targets: unchanged <= 10% of cold, one file edited <= 40% of cold. The edited file is the service of the middle domain (at ${grouped(rows[0].files)} files, \`${rows.find((r) => r.cache.edited)?.cache.edited ?? ''}\`), one constant in a function body.`);
  return lines.join('\n');
}

/** The median over an editor variant's processes of each process's median re-lint. */
function editorMedian(result, variant) {
  const runs = result.editor?.variants[variant]?.runs ?? [];
  return median(runs.map((r) => r.median));
}

/** How many processes each editor figure is the median of, as text. */
function editorRuns(rows) {
  const counts = [...new Set(rows.flatMap((r) => Object.values(r.editor.variants).map((v) => v.runs.length)))];
  return counts.length === 1 ? `${counts[0]} process${counts[0] === 1 ? '' : 'es'}` : `${counts.join(' to ')} processes`;
}

function editorTable(results) {
  const rows = results.filter((r) => r.editor);
  if (rows.length === 0) return 'Not measured.';
  const lines = [
    '| files | edit | ESLint with | first lint s | re-lint after an edit, median s | of which parsing s | slowest rules per re-lint (median s) | CPU s (process) | peak RSS MB | messages (first, last) | ours / typescript-eslint: re-lint |',
    '| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    for (const [id, v] of Object.entries(r.editor.variants)) {
      const ok = v.runs;
      const ratioText = fmt(ratio(editorMedian(r, id), editorMedian(r, `typescript-eslint@${v.edit}`)));
      if (ok.length === 0) {
        lines.push(`| ${grouped(r.files)} | ${v.edit} | ${v.label} | failed | | | | | | | |`);
        continue;
      }
      const first = median(ok.map((x) => x.first));
      const parse = median(ok.map((x) => x.parseMedian));
      lines.push(
        `| ${grouped(r.files)} | ${v.edit} | ${v.label} | ${fmt(first)} | ${fmt(editorMedian(r, id), 3)} | ${fmt(parse, 3)} | ${slowest(ok[0].ruleMedians, 3)} | ${fmt(median(ok.map((x) => x.cpu)))} | ${fmt(median(ok.map((x) => x.rssMb)), 0)} | ${ok[0].firstMessages}, ${ok[0].lastMessages} | ${id.startsWith('ours@') ? `${ratioText}x` : ''} |`,
      );
    }
  }
  const r0 = rows[0].editor;
  lines.push(
    '',
    `One process per variant and run keeps one \`new ESLint(...)\` (typescript-eslint's parser, \`projectService: true\`), lints \`${r0.file}\` (at ${grouped(rows[0].files)} files; the domain service nearest the middle with a planted bug), then ${r0.edits} times edits its text and re-lints it with \`lintText\` (as editor integrations pass the buffer). Each kind of edit in its own processes (${Object.keys(EDITOR_EDITS).length}): ${Object.entries(EDITOR_EDITS).map(([kind, what]) => `\`${kind}\` ${what}`).join('; ')}. The re-lint figure is the median of those ${r0.edits}, then the median over ${editorRuns(rows)}; parsing (where typescript-eslint updates the program after the edit) and the rules' times are ESLint's own (\`stats: true\`), the rules' from the first run; CPU and memory are the whole process's, first lint included.`,
  );
  return lines.join('\n');
}

function folderTable(folders) {
  const lines = ['| folder | files | wall s | CPU s | peak RSS MB | findings |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const f of folders) {
    const s = stats(f.runs);
    lines.push(`| ${f.label} | ${f.runs[0]?.files ?? 'n/a'} | ${fmt(s?.wall)} | ${fmt(s?.cpu)} | ${fmt(s?.rssMb, 0)} | ${s?.findings ?? 'n/a'} |`);
  }
  return lines.join('\n');
}

function planted(results) {
  return results
    .map((r) => {
      const total = Object.values(r.planted).reduce((a, b) => a + b, 0);
      const recall = r.rows.ours?.recall;
      const found = recall ? `; concurrency-lint reported ${recall.hit} of the ${recall.expected} planted bugs of its registered rules (at the marker or as a related location), and ${recall.unmarked} findings elsewhere` : '';
      return `- ${grouped(r.files)} files: ${total} planted (${Object.entries(r.planted).map(([k, v]) => `${k} ${v}`).join(', ')})${found}`;
    })
    .join('\n');
}

export function renderReport(data) {
  const m = data.machine;
  return `# Benchmark results

Recorded by \`npm run bench\` on ${m.date}. Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB memory, ${m.os}, Node ${m.node}.
Runs per size (median shown): ${Object.entries(data.runs).map(([s, n]) => `${grouped(Number(s))} files: ${n}`).join(', ')}. Whole benchmark: ${fmt(data.minutes, 1)} minutes.
Load average (1 min) at the start and the end: ${fmt(m.loadBefore, 1)} and ${fmt(m.load, 1)}${m.loadBefore > m.cores || m.load > m.cores ? ': other work shared the cores, so wall times are inflated; the CPU columns are steadier' : ''}.
${data.gnuTime ? 'CPU (user + system, children included) and peak RSS (the largest process) from GNU time.' : 'GNU time is not installed (apt-get install time): CPU and memory are not measured.'}
concurrency-lint ran every registered rule, one \`--rule\` each (${data.rules.length}): ${data.rules.join(', ') || 'unknown (not built)'}. The sample app and given folders run from their own folder, with the configuration found there (the sample app's turns nine rules on), else the default rules.
Peer tools (installed at these versions outside the repository): ${data.peers}.
Load average (1 min) after each size: ${data.results.map((r) => `${grouped(r.files)} files ${fmt(r.load, 1)}`).join(', ')}.

## Tools on the same generated project

${toolTable(data.results, data.tools)}

Planted bugs (each line ends with \`// expect: <rule>\`):
${planted(data.results)}

## Targets (ratios from this run)

${targets(data.results)}

Growth of our wall time:
${growth(data.results)}

## --cache

${cacheTable(data.results)}

## Editor: one long-lived ESLint, one file edited and re-linted

${editorTable(data.results)}

## Sample app and given folders

${folderTable(data.folders)}
`;
}
