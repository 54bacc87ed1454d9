#!/usr/bin/env node
/**
 * Where a CLI run's CPU goes, from a V8 CPU profile: self time in TypeScript's checker, in
 * its parser and scanner, binder, module resolution and program building, the rest of
 * TypeScript, our analyzer (by folder), Node's own and the rest.
 *
 *   node --cpu-prof --cpu-prof-dir=<dir> bin/concurrency-lint.js <project> --rule ... --format json -o out.json
 *   node bench/cpu-split.mjs <dir>/<file>.cpuprofile
 *
 * TypeScript's typescript.js is one bundle: its `// src/compiler/<file>.ts` comments say which
 * source file each line range came from, and a function's self time is charged to the source
 * file of the line it starts on. "Ours outside the checker" (our analyzer, the parser, the
 * binder, program building, Node) is the floor a faster checker cannot remove: if it is more
 * than a third of the run, a 3x faster whole run needs that part cut too.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/cpu-split.mjs <file.cpuprofile>\n');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));

/** Per bundled typescript.js: sorted [line, source file] section starts. */
const sectionsOf = new Map();
function sections(url) {
  let found = sectionsOf.get(url);
  if (!found) {
    found = [];
    try {
      const lines = fs.readFileSync(url.startsWith('file:') ? fileURLToPath(url) : url, 'utf8').split('\n');
      lines.forEach((l, i) => {
        const m = /^\/\/ (src\/[\w/.-]+\.ts)$/.exec(l);
        if (m) found.push([i, m[1]]);
      });
    } catch {
      /* unreadable: one bucket */
    }
    sectionsOf.set(url, found);
  }
  return found;
}

function tsSection(url, line) {
  const s = sections(url);
  let lo = 0;
  let hi = s.length - 1;
  let best = 'src/?';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid][0] <= line) {
      best = s[mid][1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

const TS_GROUPS = [
  [/checker\.ts$/, 'TypeScript checker'],
  [/(parser|scanner)\.ts$/, 'TypeScript parser + scanner'],
  [/binder\.ts$/, 'TypeScript binder'],
  [/(program|moduleNameResolver|commandLineParser|sys|watch\w*|resolutionCache)\.ts$/, 'TypeScript program, config, module resolution, file system'],
];

function bucket(frame) {
  const { url, functionName, lineNumber } = frame;
  if (!url) return functionName === '(garbage collector)' ? 'garbage collector' : functionName === '(program)' || functionName === '(idle)' ? 'V8/Node (program, idle)' : 'V8/Node (native)';
  if (/typescript(\.js|\/lib\/typescript\.js)$/.test(url) || /\/lib\/typescript\.js$/.test(url)) {
    const src = tsSection(url, lineNumber);
    for (const [re, name] of TS_GROUPS) if (re.test(src)) return name;
    return 'TypeScript other (utilities, factory, services)';
  }
  const ours = /\/dist\/(analyzer|rules)\/([\w-]+)/.exec(url);
  if (ours) return `ours: ${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return 'V8/Node (node: modules)';
  return 'other JavaScript (dependencies)';
}

const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const n = byNode.get(profile.samples[i]);
  self.set(n, (self.get(n) ?? 0) + (dt[i] ?? 0));
}

/**
 * Charged to a phase: a frame's time goes to the nearest enclosing frame that is a TypeScript
 * phase (checker, binder, parser, program) or ours; `forEachChild` and TypeScript's
 * utilities are no phase of their own, so what our walks call is ours and what the checker
 * calls is the checker's.
 */
const PHASES = new Set(['TypeScript checker', 'TypeScript binder', 'TypeScript parser + scanner', 'TypeScript program, config, module resolution, file system']);
const isWalker = (frame) => /^(forEachChild|visitNode|visitNodes|forEachChildInCallOrNewExpression)/.test(frame.functionName);
function phaseOf(node, own) {
  if (own.startsWith('ours: ')) return own;
  if (PHASES.has(own) && !isWalker(node.callFrame)) return own;
  return undefined;
}
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
const charged = new Map();
for (const [n, us] of self) {
  const own = bucket(n.callFrame);
  let owner = own.startsWith('ours: ') || own.startsWith('TypeScript') ? undefined : own;
  for (let a = n; !owner && a; a = parentOf.get(a.id)) owner = phaseOf(a, bucket(a.callFrame));
  owner ??= own;
  charged.set(owner, (charged.get(owner) ?? 0) + us);
}

function table(title, totals) {
  let all = 0;
  for (const us of totals.values()) all += us;
  const out = [`${title}: ${(all / 1e6).toFixed(2)} s sampled`];
  for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1])) out.push(`  ${name.padEnd(62)} ${(us / 1e6).toFixed(2).padStart(7)} s ${((100 * us) / all).toFixed(1).padStart(5)}%`);
  const idle = totals.get('V8/Node (program, idle)') ?? 0;
  const checker = totals.get('TypeScript checker') ?? 0;
  const floor = all - checker - idle;
  out.push(`  outside the checker (all but the checker and idle): ${(floor / 1e6).toFixed(2)} s = ${((100 * floor) / (all - idle)).toFixed(1)}% of the busy time`);
  return out.join('\n');
}
const selfTotals = new Map();
for (const [n, us] of self) {
  const b = bucket(n.callFrame);
  selfTotals.set(b, (selfTotals.get(b) ?? 0) + us);
}
process.stdout.write(`${table('self time by source', selfTotals)}\n${table('charged to the enclosing phase (what the checker calls is the checker\'s)', charged)}\n`);
