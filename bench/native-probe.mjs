#!/usr/bin/env node
/**
 * What a TypeScript 7 backend would cost on one project, measured with the prototype in
 * analyzer/program/native/ (compiled, dist/), against today's TypeScript 6 run in the same
 * process, one after the other (docs/native-backend.md quotes its figures):
 *
 *   node bench/generate.mjs --files 2000 --out <folder>
 *   node bench/door-counts.mjs <folder> --json counts.json --asked asked.json   (optional)
 *   node bench/native-probe.mjs <folder> [--counts counts.json] [--asked asked.json] [--group 1] [--sample 3000] [--no-ts6]
 *
 * Native phases (wall seconds; the JavaScript thread waits on the compiler process, whose CPU
 * seconds are read from /proc and printed beside): parse the files with TypeScript 6 for our
 * rules' syntax (no program, no binder, no checker); start TypeScript 7 and open the snapshot;
 * fetch every file and index its node table; the batched prefetch of `typeAt`/`symbolAt`
 * (`--group` files per round trip); then one call at a time, on a sample, each follow-up
 * question the API has no batched form for, in µs per call. With `--asked` (the nodes the
 * rules asked on TypeScript 6), how many the prefetch covered. With `--counts` (distinct
 * objects asked per checker method on TypeScript 6), the projected native run: parse +
 * our rules' own work (today's checks minus the time inside the door, from the TypeScript 6
 * run below) + snapshot + fetch + prefetch + uncovered nodes as single calls + distinct
 * follow-ups x µs per call. Then (unless `--no-ts6`) today's path in this process: load,
 * bind, every rule on every file, with the time inside the door. `--peers` then times, as
 * child processes one after the other, our CLI with every rule, TypeScript 7's `tsc --noEmit`
 * and `oxlint --type-aware` (installed by bench/tools.mjs: `npm run bench` installs them on
 * first use), so the projection and the peers are measured in one session.
 *
 * Starts the compiler process and closes it; runs no analyzed code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { REPO, TOOLS } from './tools.mjs';
import { measure } from './measure.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    counts: { type: 'string' },
    asked: { type: 'string' },
    group: { type: 'string', default: '1' },
    sample: { type: 'string', default: '3000' },
    'no-ts6': { type: 'boolean', default: false },
    peers: { type: 'boolean', default: false },
  },
});
const dir = path.resolve(positionals[0] ?? '.');
const tsconfig = path.join(dir, 'tsconfig.json');
const dist = (rel) => import(path.join(REPO, 'dist/analyzer', rel));
const ts = (await dist('ts/typescript.cjs')).default;
const { openNativeSession } = await dist('program/native/session.js');
const { NativeAnswers } = await dist('program/native/answers.js');
const { collectQuestions } = await dist('program/native/prefetch.js');

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const rows = [];
/** Time a phase: wall seconds, our CPU seconds, the compiler's CPU seconds. */
function phase(name, run, session) {
  const w = performance.now();
  const c = cpu();
  const g = session?.childCpuSeconds() ?? 0;
  const result = run();
  const row = { name, wall: (performance.now() - w) / 1000, cpu: cpu() - c, child: session ? (session.childCpuSeconds() ?? 0) - g : undefined };
  rows.push(row);
  process.stderr.write(`  ${name}: ${row.wall.toFixed(2)} s wall\n`);
  return result;
}

// 1. Our rules' syntax: TypeScript 6 parse only.
const config = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const files = phase('TypeScript 6 parse only (our syntax)', () =>
  config.fileNames.map((f) => ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true)),
);

// 2-4. TypeScript 7: snapshot, files, prefetch.
const w0 = performance.now();
const session = await openNativeSession(tsconfig);
rows.push({ name: 'TypeScript 7: start + open snapshot', wall: (performance.now() - w0) / 1000, cpu: 0, child: session.childCpuSeconds() ?? 0 });
const answers = new NativeAnswers(session);
phase('fetch files + index node tables', () => files.forEach((sf) => answers.indexFor(sf)), session);
const questions = phase('collect questions (syntactic pass)', () => new Map(files.map((sf) => [sf, collectQuestions(sf)])));
const group = Math.max(1, Number(values.group));
phase(`batched prefetch (${group} file(s) per round trip)`, () => {
  for (let i = 0; i < files.length; i += group) answers.prefetch(files.slice(i, i + group), (sf) => questions.get(sf));
}, session);
const stats = { ...answers.stats };

// Coverage of what the rules asked on TypeScript 6.
let uncovered = 0;
const coverage = [];
if (values.asked) {
  const asked = JSON.parse(fs.readFileSync(values.asked, 'utf8'));
  const keyOf = (n) => `${n.getSourceFile().fileName}:${n.pos}:${n.end}:${ts.SyntaxKind[n.kind]}`;
  const typeKeys = new Set([...questions.values()].flatMap((q) => q.typeNodes.map(keyOf)));
  const symbolKeys = new Set([...questions.values()].flatMap((q) => q.symbolNodes.map(keyOf)));
  const byMethod = { typeAt: typeKeys, isPromiseLike: typeKeys, isPromiseArray: typeKeys, contextualType: typeKeys, symbolAt: symbolKeys, symbolAsWritten: symbolKeys };
  const missed = new Set();
  for (const [method, keys] of Object.entries(byMethod)) {
    const list = asked[method] ?? [];
    const miss = list.filter((k) => !keys.has(k));
    if (method !== 'contextualType') miss.forEach((k) => missed.add(`${method === 'symbolAt' || method === 'symbolAsWritten' ? 's' : 't'}:${k}`));
    coverage.push({ method, asked: list.length, covered: list.length - miss.length, examples: miss.slice(0, 3) });
  }
  uncovered = missed.size;
}

// 5. Follow-ups, one call at a time, on a sample.
const sample = Number(values.sample);
const checker = session.project.checker;
const prefetchedTypes = [];
const seenType = new Set();
for (const sf of files) {
  for (const n of questions.get(sf).typeNodes) {
    const t = answers.typeAt(n);
    if (t && !seenType.has(t.id)) {
      seenType.add(t.id);
      prefetchedTypes.push(t);
    }
  }
}
const calls = files.flatMap((sf) => questions.get(sf).typeNodes.filter((n) => n.kind === ts.SyntaxKind.CallExpression));
const symbols = [];
const seenSymbol = new Set();
for (const sf of files) {
  for (const n of questions.get(sf).symbolNodes) {
    const s = answers.symbolAt(n);
    if (s && !seenSymbol.has(s.id)) {
      seenSymbol.add(s.id);
      symbols.push([s, n]);
    }
  }
}
const pick = (list) => list.filter((_, i) => i % Math.max(1, Math.floor(list.length / sample)) === 0).slice(0, sample);
const perCall = {};
function perCallOf(name, list, ask) {
  const items = pick(list);
  const w = performance.now();
  const c = cpu();
  const g = session.childCpuSeconds() ?? 0;
  for (const item of items) {
    try {
      ask(item);
    } catch {
      /* an answer the compiler refuses still cost its round trip */
    }
  }
  const n = Math.max(1, items.length);
  perCall[name] = { n: items.length, us: ((performance.now() - w) * 1000) / n, cpuUs: ((cpu() - c) * 1e6) / n, childUs: (((session.childCpuSeconds() ?? 0) - g) * 1e6) / n };
}
const SignatureKind = session.modules.sync.SignatureKind;
const twinOf = (n) => answers.indexFor(n.getSourceFile())?.nodeFor(n);
perCallOf('getResolvedSignature', calls, (n) => checker.getResolvedSignature(twinOf(n)));
perCallOf('getSignaturesOfType', prefetchedTypes, (t) => checker.getSignaturesOfType(t, SignatureKind.Call));
perCallOf('getApparentType', prefetchedTypes, (t) => checker.getApparentType(t));
perCallOf('getNonNullableType', prefetchedTypes, (t) => checker.getNonNullableType(t));
perCallOf('isArrayType', prefetchedTypes, (t) => checker.isArrayType(t));
perCallOf('getPropertiesOfType', prefetchedTypes, (t) => checker.getPropertiesOfType(t));
perCallOf('getPropertyOfType', prefetchedTypes, (t) => checker.getPropertyOfType(t, 'then'));
perCallOf('typeToString', prefetchedTypes, (t) => checker.typeToString(t));
perCallOf('getTypeOfSymbolAtLocation', symbols, ([s, n]) => checker.getTypeOfSymbolAtLocation(s, twinOf(n)));
perCallOf('getAliasedSymbol', symbols.filter(([s]) => s.flags & session.modules.sync.SymbolFlags.Alias), ([s]) => checker.getAliasedSymbol(s));
perCallOf('getContextualType', calls, (n) => checker.getContextualType(twinOf(n)));
// The batched form, for comparison: types of every distinct symbol in one round trip.
const wBatch = performance.now();
const cBatch = cpu();
const gBatch = session.childCpuSeconds() ?? 0;
checker.getTypeOfSymbol(symbols.map(([s]) => s));
const nBatch = Math.max(1, symbols.length);
perCall['getTypeOfSymbol (one batch of all)'] = { n: symbols.length, us: ((performance.now() - wBatch) * 1000) / nBatch, cpuUs: ((cpu() - cBatch) * 1e6) / nBatch, childUs: (((session.childCpuSeconds() ?? 0) - gBatch) * 1e6) / nBatch };
const childTotal = session.childCpuSeconds();
session.close();

// 6. Today's path, in this process.
let ts6;
if (!values['no-ts6']) {
  const { loadProjects } = await dist('project/project.js');
  const { runCheck } = await dist('check/run.js');
  const { allChecks } = await dist('checks/index.js');
  const { getTypeQueries } = await dist('program/type-queries.js');
  let inside = 0;
  let insideCpu = 0;
  let depth = 0;
  const w = performance.now();
  const c = cpu();
  const { projects } = loadProjects({ paths: [dir], cwd: dir });
  for (const p of projects) {
    const door = getTypeQueries(p.program);
    for (const name of Object.keys(door)) {
      const fn = door[name];
      if (typeof fn !== 'function') continue;
      door[name] = (...args) => {
        const outer = depth++ === 0;
        const t = outer ? performance.now() : 0;
        const tc = outer ? cpu() : 0;
        try {
          return fn(...args);
        } finally {
          if (--depth === 0) {
            inside += performance.now() - t;
            insideCpu += cpu() - tc;
          }
        }
      };
    }
  }
  const loadWall = (performance.now() - w) / 1000;
  const loadCpu = cpu() - c;
  const wc = performance.now();
  const cc = cpu();
  for (const p of projects) for (const sf of p.files) for (const check of allChecks) runCheck(check, { severity: 'error', options: {} }, p.program, sf);
  const checksWall = (performance.now() - wc) / 1000;
  ts6 = { loadWall, loadCpu, checksWall, checksCpu: cpu() - cc, doorWall: inside / 1000, doorCpu: insideCpu, totalWall: (performance.now() - w) / 1000, cpu: cpu() - c };
}

// 7. Projection.
const out = [`${files.length} files; prefetch: ${stats.prefetchedTypes} types + ${stats.prefetchedSymbols} symbols in ${stats.batches} round trips, ${stats.unmapped} unmapped nodes; compiler CPU ${childTotal?.toFixed(2) ?? '?'} s in all`];
out.push('phase                                               wall s   our CPU s   compiler CPU s');
for (const r of rows) out.push(`${r.name.padEnd(50)} ${r.wall.toFixed(2).padStart(7)} ${r.cpu.toFixed(2).padStart(10)} ${(r.child ?? 0).toFixed(2).padStart(13)}`);
for (const c of coverage) out.push(`coverage ${c.method}: ${c.covered}/${c.asked} distinct nodes asked on TypeScript 6 were prefetched${c.examples.length ? ` (missed e.g. ${c.examples.map((k) => k.split('/').pop()).join(', ')})` : ''}`);
out.push('one call at a time (µs per call: wall, our CPU, compiler CPU):');
for (const [name, p] of Object.entries(perCall)) out.push(`  ${name.padEnd(36)} ${p.us.toFixed(0).padStart(6)} ${p.cpuUs.toFixed(0).padStart(6)} ${p.childUs.toFixed(0).padStart(6)}  (n=${p.n})`);
const byRow = (prefix) => rows.filter((r) => r.name.startsWith(prefix)).reduce((n, r) => n + r.wall, 0);
if (ts6) {
  out.push(`TypeScript 6 path (this process), wall: load+bind ${ts6.loadWall.toFixed(2)} s, checks ${ts6.checksWall.toFixed(2)} s (inside the door ${ts6.doorWall.toFixed(2)} s, our rules' own ${(ts6.checksWall - ts6.doorWall).toFixed(2)} s), total ${ts6.totalWall.toFixed(2)} s`);
  out.push(`TypeScript 6 path (this process), CPU: load+bind ${ts6.loadCpu.toFixed(2)} s, checks ${ts6.checksCpu.toFixed(2)} s (inside the door ${ts6.doorCpu.toFixed(2)} s, our rules' own ${(ts6.checksCpu - ts6.doorCpu).toFixed(2)} s), total ${ts6.cpu.toFixed(2)} s`);
}
if (values.counts) {
  const counts = JSON.parse(fs.readFileSync(values.counts, 'utf8'));
  const distinct = Object.fromEntries(counts.checker.map((r) => [r.name, r.distinct]));
  const us = (name) => perCall[name]?.us ?? perCall.getApparentType.us;
  const followUps = {
    getResolvedSignature: distinct.getResolvedSignature * us('getResolvedSignature'),
    getSignaturesOfType: distinct.getSignaturesOfType * us('getSignaturesOfType'),
    'getTypeOfSymbolAtLocation (by symbol)': distinct.getTypeOfSymbolAtLocation * us('getTypeOfSymbolAtLocation'),
    'isArrayType + isTupleType': ((distinct.isArrayType ?? 0) + (distinct.isTupleType ?? 0)) * us('isArrayType'),
    getApparentType: distinct.getApparentType * us('getApparentType'),
    getNonNullableType: distinct.getNonNullableType * us('getNonNullableType'),
    'getAliasedSymbol + immediate': ((distinct.getAliasedSymbol ?? 0) + (distinct.getImmediateAliasedSymbol ?? 0)) * us('getAliasedSymbol'),
    getPropertyOfType: (distinct.getPropertyOfType ?? 0) * us('getPropertyOfType'),
    getPropertiesOfType: (distinct.getPropertiesOfType ?? 0) * us('getPropertiesOfType'),
    getContextualType: (distinct.getContextualType ?? 0) * us('getContextualType'),
    'the rest (return types, base types, type arguments...)': ['getReturnTypeOfSignature', 'getBaseTypes', 'getTypeArguments', 'getShorthandAssignmentValueSymbol', 'getSignatureFromDeclaration', 'getTypeOfSymbol', 'getAwaitedType'].reduce((n, m) => n + (distinct[m] ?? 0), 0) * us('getApparentType'),
    'uncovered typeAt/symbolAt nodes (single calls)': uncovered * us('getApparentType'),
  };
  out.push('projected follow-ups (distinct objects asked on TypeScript 6 x µs per call):');
  let follow = 0;
  for (const [name, micro] of Object.entries(followUps)) {
    follow += micro / 1e6;
    out.push(`  ${name.padEnd(52)} ${(micro / 1e6).toFixed(2).padStart(6)} s`);
  }
  // The same in CPU seconds (ours + the compiler's): a loaded machine stretches IPC waits in wall time.
  const cpuUs = (name) => (perCall[name] ?? perCall.getApparentType).cpuUs + (perCall[name] ?? perCall.getApparentType).childUs;
  const scale = Object.fromEntries(Object.keys(perCall).map((k) => [k, cpuUs(k) / perCall[k].us]));
  let followCpu = 0;
  for (const [name, micro] of Object.entries(followUps)) followCpu += (micro / 1e6) * (scale[name] ?? scale.getApparentType);
  const cpuOf = (prefix) => rows.filter((r) => r.name.startsWith(prefix)).reduce((n, r) => n + r.cpu + (r.child ?? 0), 0);
  // Without the TypeScript 6 run: door-counts' CPU figures (checks minus the time inside the door).
  const oursCpu = ts6 ? ts6.checksCpu - ts6.doorCpu : (counts.phases.checksMs - counts.door.reduce((n, r) => n + r.ms, 0)) / 1000;
  const nativeCpu = cpuOf('TypeScript 6 parse') + cpuOf('TypeScript 7') + cpuOf('fetch') + cpuOf('collect') + cpuOf('batched') + followCpu + oursCpu;
  const ours = ts6 ? ts6.checksWall - ts6.doorWall : (counts.phases.checksMs - counts.door.reduce((n, r) => n + r.ms, 0)) / 1000;
  const native = byRow('TypeScript 6 parse') + byRow('TypeScript 7') + byRow('fetch') + byRow('collect') + byRow('batched') + follow + ours;
  out.push(`projected native run: parse ${byRow('TypeScript 6 parse').toFixed(2)} + snapshot ${byRow('TypeScript 7').toFixed(2)} + fetch ${byRow('fetch').toFixed(2)} + collect ${byRow('collect').toFixed(2)} + prefetch ${byRow('batched').toFixed(2)} + follow-ups ${follow.toFixed(2)} + our rules' own work ${ours.toFixed(2)} = ${native.toFixed(2)} s`);
  out.push(`projected native run in CPU seconds (ours + compiler): parse ${cpuOf('TypeScript 6 parse').toFixed(2)} + snapshot ${cpuOf('TypeScript 7').toFixed(2)} + fetch ${cpuOf('fetch').toFixed(2)} + collect ${cpuOf('collect').toFixed(2)} + prefetch ${cpuOf('batched').toFixed(2)} + follow-ups ${followCpu.toFixed(2)} + our rules' own ${oursCpu.toFixed(2)} = ${nativeCpu.toFixed(2)} s`);
  if (ts6) {
    out.push(`ratio TypeScript 6 path / projected native, wall: ${(ts6.totalWall / native).toFixed(2)}x (if our rules' own work, which no backend removes, cost nothing: ${(ts6.totalWall / (native - ours)).toFixed(2)}x)`);
    out.push(`ratio TypeScript 6 path / projected native, CPU: ${ts6.cpu.toFixed(2)} / ${nativeCpu.toFixed(2)} s = ${(ts6.cpu / nativeCpu).toFixed(2)}x (if our rules' own work cost nothing: ${(ts6.cpu / (nativeCpu - oursCpu)).toFixed(2)}x)`);
  }
}
if (values.peers) {
  const { allChecks } = await dist('checks/index.js');
  const rules = allChecks.map((c) => c.meta.id);
  const outFile = path.join(dir, '.native-probe-out.json');
  for (const id of ['ours', 'tsc7', 'oxlint']) {
    const tool = TOOLS[id];
    const missing = tool.missing();
    if (missing) {
      out.push(`peer ${id}: ${missing}`);
      continue;
    }
    const argv = tool.command(dir, outFile, { rules });
    const r = measure(argv[0], argv.slice(1), { cwd: dir, env: tool.env ? { ...process.env, ...tool.env() } : undefined });
    out.push(`peer ${tool.label}: ${r.wall.toFixed(2)} s wall, ${r.cpu?.toFixed(2) ?? '?'} s CPU, ${r.rssMb?.toFixed(0) ?? '?'} MB (exit ${r.status})`);
  }
  fs.rmSync(outFile, { force: true });
}
process.stdout.write(`${out.join('\n')}\n`);
