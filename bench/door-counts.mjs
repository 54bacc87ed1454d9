#!/usr/bin/env node
/**
 * The cost model of a TypeScript 6 run: how many questions every rule asks the checker door
 * (analyzer/program/type-queries.ts) and the checker behind it, on one project.
 *
 *   node bench/door-counts.mjs <folder> [--json out.json] [--asked asked.json] [--rule id]...
 *
 * Loads the project as the CLI does (compiled analyzer in dist/), wraps, in this process only,
 * the door's methods and the checker object's methods with counters, then runs every rule (or
 * the `--rule` ones) on every file. Prints, per door method: calls, distinct first arguments
 * (nodes, types or symbols), the CPU time spent inside it, and for node questions the
 * node kinds asked (what a native backend's syntactic prefetch must collect); per checker
 * method: calls from outside the checker (a `ts.Type`'s own methods such as
 * `getCallSignatures()` call the checker object too, so they are counted here). Nothing in the
 * shipped analyzer is changed: the wrapping is done on the objects of this run. `--asked`
 * writes, per node question (typeAt, symbolAt, signatureOf...), the distinct nodes asked as
 * `file:pos:end:Kind` keys: bench/native-probe.mjs measures how many of them its syntactic
 * prefetch covers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO } from './tools.mjs';

/** CPU milliseconds of this process (the machine is shared: wall time would count the others' work). */
const now = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { json: { type: 'string' }, asked: { type: 'string' }, rule: { type: 'string', multiple: true } },
});
const dir = path.resolve(positionals[0] ?? '.');
const dist = (rel) => import(path.join(REPO, 'dist/analyzer', rel));
const { loadProjects } = await dist('project/project.js');
const { runCheck } = await dist('check/run.js');
const { allChecks } = await dist('checks/index.js');
const { getTypeQueries } = await dist('program/type-queries.js');
const ts = (await dist('ts/typescript.cjs')).default;

const checks = values.rule ? allChecks.filter((c) => values.rule.includes(c.meta.id)) : allChecks;

/** Per method: calls, distinct first arguments, node kinds, milliseconds inside. */
function counter() {
  const stats = new Map();
  return {
    stats,
    record(name, arg, ms) {
      let s = stats.get(name);
      if (!s) stats.set(name, (s = { calls: 0, distinct: new Set(), kinds: new Map(), ms: 0 }));
      s.calls++;
      s.ms += ms;
      if (arg !== null && typeof arg === 'object') {
        s.distinct.add(arg);
        if (typeof arg.kind === 'number' && typeof arg.pos === 'number') {
          const kind = ts.SyntaxKind[arg.kind];
          s.kinds.set(kind, (s.kinds.get(kind) ?? 0) + 1);
          if (values.asked && !s.keys?.has(arg)) (s.keys ??= new Map()).set(arg, `${arg.getSourceFile().fileName}:${arg.pos}:${arg.end}:${kind}`);
        }
      }
    },
  };
}

const door = counter();
const checker = counter();
let depth = 0;

/** Replace each function property of `obj` with a counting wrapper; only outermost door calls are timed. */
function wrap(obj, c, timed) {
  for (const name of Object.keys(obj)) {
    const fn = obj[name];
    if (typeof fn !== 'function' || name === 'constructor') continue;
    obj[name] = function (...args) {
      if (!timed) {
        c.record(name, args[0], 0);
        return fn.apply(this, args);
      }
      const outer = depth++ === 0;
      const t = outer ? now() : 0;
      try {
        return fn.apply(this, args);
      } finally {
        depth--;
        c.record(name, args[0], outer ? now() - t : 0);
      }
    };
  }
}

const started = now();
const { projects } = loadProjects({ paths: [dir], cwd: dir });
const phases = {};
let t = now();
for (const p of projects) {
  wrap(p.program.getTypeChecker(), checker, false);
  wrap(getTypeQueries(p.program), door, true);
}
phases.loadBindMs = t - started;
phases.checkerMs = now() - t;
t = now();
let files = 0;
const perRule = new Map();
for (const p of projects) {
  for (const sf of p.files) {
    files++;
    for (const check of checks) {
      const s = now();
      runCheck(check, { severity: 'error', options: {} }, p.program, sf);
      perRule.set(check.meta.id, (perRule.get(check.meta.id) ?? 0) + now() - s);
    }
  }
}
phases.checksMs = now() - t;

const table = (c) =>
  [...c.stats]
    .sort((a, b) => b[1].calls - a[1].calls)
    .map(([name, s]) => ({
      name,
      calls: s.calls,
      distinct: s.distinct.size,
      ms: Math.round(s.ms),
      kinds: Object.fromEntries([...s.kinds].sort((a, b) => b[1] - a[1])),
    }));
const result = {
  project: dir,
  files,
  rules: checks.map((c) => c.meta.id),
  phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])),
  perRuleMs: Object.fromEntries([...perRule].map(([k, v]) => [k, Math.round(v)])),
  door: table(door),
  checker: table(checker),
};
if (values.asked) {
  const asked = Object.fromEntries([...door.stats].filter(([, st]) => st.keys).map(([name, st]) => [name, [...st.keys.values()]]));
  fs.writeFileSync(values.asked, JSON.stringify(asked));
}
if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);

const out = [`${files} files, ${checks.length} rules; load+bind ${result.phases.loadBindMs} ms, checks ${result.phases.checksMs} ms`];
const doorMs = result.door.reduce((n, r) => n + r.ms, 0);
out.push(`door: ${result.door.reduce((n, r) => n + r.calls, 0)} calls, ${doorMs} ms inside (outermost calls)`);
out.push('method                  calls  distinct     ms  node kinds');
for (const r of result.door) {
  const kinds = Object.entries(r.kinds).slice(0, 8).map(([k, n]) => `${k} ${n}`).join(', ');
  out.push(`${r.name.padEnd(22)}${String(r.calls).padStart(7)}${String(r.distinct).padStart(10)}${String(r.ms).padStart(7)}  ${kinds}`);
}
out.push(`checker (calls from outside it): ${result.checker.reduce((n, r) => n + r.calls, 0)}`);
for (const r of result.checker) out.push(`  ${r.name.padEnd(34)}${String(r.calls).padStart(8)}${String(r.distinct).padStart(9)}`);
process.stdout.write(`${out.join('\n')}\n`);
