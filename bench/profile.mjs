#!/usr/bin/env node
/**
 * Where our CLI's time goes on one project, by phase and by rule, in CPU seconds (one
 * process, `process.cpuUsage()`; uses the compiled analyzer in dist/):
 *
 *   node bench/profile.mjs <folder>               load + bind, then every rule on every file
 *   node bench/profile.mjs <folder> --full-first  a full type check first (what tsc does), so
 *                                                 the rules' time is what they add beyond it
 *   node bench/profile.mjs <path>... --project <tsconfig> [--cwd <folder>] [--no-type-check]
 *                                                 a field project: its paths and tsconfig; the
 *                                                 programs built, with the files each checks
 *                                                 and holds; no final type check
 *
 * For a flame graph: `node --cpu-prof bin/concurrency-lint.js <folder>` and open the
 * .cpuprofile in Chrome DevTools; `tsc -p <folder> --extendedDiagnostics` gives tsc's phases.
 */
import path from 'node:path';
import { scriptArgs } from './script-args.mjs';
import { REPO } from './tools.mjs';

const { values, positionals } = scriptArgs(import.meta.url, {
  allowPositionals: true,
  options: {
    'full-first': { type: 'boolean', default: false },
    project: { type: 'string' },
    cwd: { type: 'string' },
    'no-type-check': { type: 'boolean', default: false },
  },
});
const dir = path.resolve(values.cwd ?? positionals[0] ?? '.');
const paths = positionals.length > 0 ? positionals.map((p) => path.resolve(p)) : [dir];
const dist = (rel) => import(path.join(REPO, 'dist/analyzer', rel));
const { loadProjects } = await dist('project/project.js');
const { runCheck } = await dist('check/run.js');
const { allChecks } = await dist('checks/index.js');
const { bindTypeChecker } = await dist('program/type-queries.js');

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const started = cpu();
let t = cpu();
const { projects } = loadProjects({ paths, project: values.project, cwd: dir });
for (const p of projects) bindTypeChecker(p.program);
const lines = [`start-up (modules) ${started.toFixed(2)} s`, `program: parse, resolve, bind ${(cpu() - t).toFixed(2)} s`];
for (const p of projects) {
  const held = p.program.getSourceFiles();
  const config = p.configPath ? path.relative(dir, p.configPath) : 'the embedded default config';
  lines.push(`  program of ${config}: checks ${p.files.length} files, holds ${held.length} (${held.filter((sf) => !sf.isDeclarationFile).length} not .d.ts)`);
}
if (values['full-first']) {
  t = cpu();
  for (const p of projects) p.program.getSemanticDiagnostics();
  lines.push(`full type check first ${(cpu() - t).toFixed(2)} s`);
}
const perRule = new Map();
t = cpu();
for (const p of projects) {
  for (const sf of p.files) {
    for (const check of allChecks) {
      const s = cpu();
      runCheck(check, { severity: 'error', options: {} }, p.program, sf);
      perRule.set(check.meta.id, (perRule.get(check.meta.id) ?? 0) + cpu() - s);
    }
  }
}
lines.push(`checks ${(cpu() - t).toFixed(2)} s (${projects.reduce((n, p) => n + p.files.length, 0)} files)`);
for (const [id, s] of [...perRule].sort((a, b) => b[1] - a[1])) lines.push(`  ${id.padEnd(28)} ${s.toFixed(2)} s`);
if (!values['full-first'] && !values['no-type-check']) {
  t = cpu();
  for (const p of projects) p.program.getSemanticDiagnostics();
  lines.push(`full type check after the checks (what they left unchecked) ${(cpu() - t).toFixed(2)} s`);
}
process.stdout.write(`${lines.join('\n')}\n`);
