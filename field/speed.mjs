#!/usr/bin/env node
/**
 * The speed table on the field projects: our CLI with every rule against ESLint with
 * typescript-eslint's four type-aware promise rules (the benchmark's peer: no-floating-promises,
 * no-misused-promises, await-thenable, return-await), on the same files with the same
 * tsconfigs and the same TypeScript, run back to back in pairs (the order alternates), N runs
 * each, medians of wall time, CPU time and peak RSS (GNU time, as in bench/measure.mjs). The ratios are the
 * median of the per-pair ratios, which a shared, noisy machine disturbs less than the absolute
 * figures.
 *
 *   node field/speed.mjs --root <field> [--runs 3] [--json out.json] [--cli bin/concurrency-lint.js]
 *   node field/speed.mjs <field>/ghostfolio <field>/outline
 *
 * Same files: the files our CLI checks (`planTasks`: each task's tsconfig and files). ESLint gets
 * one `parserOptions.project` entry per task: the task's tsconfig, or, when the task also checks
 * files the tsconfig does not list (a library the app imports through `paths`, files named on
 * the command line), a scratch tsconfig next to it that extends it and lists those files too
 * (typescript-eslint lints only a program's root files); files no tsconfig claims get a scratch
 * tsconfig with the CLI's embedded default options. The scratch files and ESLint's config are
 * written into the checkout for the run (ESLint resolves `files` patterns from its config's
 * folder) and removed after it. ESLint and typescript-eslint are installed at pinned versions in
 * a scratch folder outside the repository (like bench/tools.mjs); its `typescript` is pointed at
 * the copy our CLI runs on for the project, so both tools run the same compiler.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { scriptArgs } from '../bench/script-args.mjs';
import { measure, median, hasGnuTime } from '../bench/measure.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ESLINT_DIR = path.join(os.tmpdir(), 'concurrency-lint-field-eslint');
const ESLINT_VERSIONS = { eslint: '10.15.0', 'typescript-eslint': '8.73.0' };
const PEER_RULES = ['no-floating-promises', 'no-misused-promises', 'await-thenable', 'return-await'];
const SCRATCH = 'cl-speed';

function installEslint() {
  const have = (name) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ESLINT_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return undefined;
    }
  };
  const wanted = Object.keys(ESLINT_VERSIONS).filter((name) => have(name) !== ESLINT_VERSIONS[name]);
  if (wanted.length === 0) return;
  fs.mkdirSync(ESLINT_DIR, { recursive: true });
  fs.writeFileSync(path.join(ESLINT_DIR, 'package.json'), '{"private":true}\n');
  const specs = Object.entries(ESLINT_VERSIONS).map(([name, v]) => `${name}@${v}`);
  process.stderr.write(`speed: installing ${specs.join(', ')} into ${ESLINT_DIR}\n`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', ...specs], { cwd: ESLINT_DIR, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('speed: ESLint could not be installed');
}

/** The `typescript` package folder our CLI runs on for the project in `dir` (its own 5.x/6.x, else the bundled one). */
function typescriptFor(dir) {
  const manifest = (from, request) => {
    try {
      return createRequire(path.join(from, 'noop.js')).resolve(`${request}/package.json`);
    } catch {
      return undefined;
    }
  };
  const own = manifest(dir, 'typescript');
  const major = own ? Number(JSON.parse(fs.readFileSync(own, 'utf8')).version.split('.')[0]) : 0;
  if (own && major >= 5 && major <= 6) return path.dirname(own);
  const bundled = manifest(REPO, '@typescript/typescript6');
  return path.dirname(manifest(path.dirname(bundled), '@typescript/old') ?? bundled);
}

/** Point the scratch folder's `typescript` at `folder`; returns its version. */
function useTypeScript(folder) {
  const link = path.join(ESLINT_DIR, 'node_modules', 'typescript');
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(folder, link, 'dir');
  return JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')).version;
}

/** The CLI's embedded default options, as tsconfig JSON (analyzer/project/project.ts). */
async function defaultOptions() {
  const { DEFAULT_COMPILER_OPTIONS } = await import(pathToFileURL(path.join(REPO, 'dist/analyzer/project/project.js')).href);
  const ts = createRequire(path.join(REPO, 'noop.js'))('typescript');
  const names = { target: ts.ScriptTarget, module: ts.ModuleKind, moduleResolution: ts.ModuleResolutionKind, jsx: ts.JsxEmit };
  const out = {};
  for (const [key, value] of Object.entries(DEFAULT_COMPILER_OPTIONS)) out[key] = names[key] ? names[key][value] : value;
  return out;
}

/**
 * The tsconfigs ESLint gets, one per task of our CLI (see the header); `cleanup()` removes the
 * scratch files.
 */
async function peerProjects(root, spec) {
  const { configLoader } = await import(pathToFileURL(path.join(REPO, 'dist/analyzer/project/project.js')).href);
  const { planTasks } = await import(pathToFileURL(path.join(REPO, 'dist/analyzer/cli/parallel.js')).href);
  const paths = spec.paths.map((p) => path.join(root, p));
  const { tasks } = planTasks(paths, spec.project ? [path.join(root, spec.project)] : [], root);
  const load = configLoader([]);
  const written = [];
  const configs = [];
  const files = [];
  tasks.forEach((task, i) => {
    files.push(...task.files);
    const config = task.identity !== 'default' ? load(task.identity) : undefined;
    const extra = task.files.filter((f) => !config?.fileSet.has(f));
    if (config && extra.length === 0) return configs.push(task.identity);
    const dir = config ? path.dirname(task.identity) : commonFolder(task.files);
    const scratch = path.join(dir, `tsconfig.${SCRATCH}-${i}.json`);
    const body = config ? { extends: `./${path.basename(task.identity)}`, files: extra, ...includeOf(task.identity) } : { compilerOptions: DEFAULTS, files: extra };
    fs.writeFileSync(scratch, JSON.stringify(body, null, 2));
    written.push(scratch);
    configs.push(scratch);
  });
  return { configs, files, tasks: tasks.length, cleanup: () => written.forEach((f) => fs.rmSync(f, { force: true })) };
}

/**
 * The scratch config inherits the base's `include` (and `exclude`), but when the base relies on
 * the default `include` (it names neither `files` nor `include`), a config with `files` would
 * include only those: the default is written out (the scratch config sits next to the base).
 */
function includeOf(configPath) {
  const ts = createRequire(path.join(REPO, 'noop.js'))('typescript');
  const raw = ts.readConfigFile(configPath, ts.sys.readFile).config ?? {};
  const specs = ts.parseJsonConfigFileContent(raw, ts.sys, path.dirname(configPath), undefined, configPath).configFileSpecs;
  return specs && !specs.filesSpecs && !specs.includeSpecs ? { include: ['**/*'] } : {};
}

function commonFolder(files) {
  let common = path.dirname(files[0]);
  for (const f of files) while (!f.startsWith(common + path.sep)) common = path.dirname(common);
  return common;
}

let DEFAULTS;

function eslintConfig(configs) {
  const tseslint = pathToFileURL(path.join(ESLINT_DIR, 'node_modules/typescript-eslint/dist/index.js')).href;
  return `// typescript-eslint's type-aware promise rules, for field/speed.mjs (removed after the run).
import tseslint from ${JSON.stringify(tseslint)};
export default [
  {
    files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
    languageOptions: { parser: tseslint.parser, parserOptions: { project: ${JSON.stringify(configs)} } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { ${PEER_RULES.map((r) => `'@typescript-eslint/${r}': 'error'`).join(', ')} },
  },
];
`;
}

function oursCommand(cli, root, spec, rules, out, config) {
  const args = [cli, ...spec.paths.map((p) => path.join(root, p)), '--format', 'json', '--output', out, '--config', config];
  if (spec.project) args.push('--project', path.join(root, spec.project));
  for (const rule of rules) args.push('--rule', rule);
  return args;
}

function run(argv, cwd, out, count) {
  fs.rmSync(out, { force: true });
  const r = measure(process.execPath, argv, { cwd, env: process.env });
  let findings;
  try {
    findings = count(JSON.parse(fs.readFileSync(out, 'utf8')));
  } catch {
    findings = undefined;
  }
  return { wall: r.wall, cpu: r.cpu, rssMb: r.rssMb, status: r.status, findings, error: findings === undefined ? (r.stderr || '').trim().split('\n').slice(-3).join(' | ') : undefined };
}

async function speedOf(checkout, opts, rules) {
  const spec = JSON.parse(fs.readFileSync(path.join(opts.projectsDir, `${path.basename(checkout)}.json`), 'utf8'));
  const root = path.join(checkout, spec.root ?? '.');
  const tsVersion = useTypeScript(typescriptFor(root));
  const peer = await peerProjects(root, spec);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'field-speed-'));
  const eslintFile = path.join(root, `eslint.${SCRATCH}.config.mjs`);
  try {
    fs.writeFileSync(eslintFile, eslintConfig(peer.configs));
    const config = path.join(tmp, 'config.json');
    fs.writeFileSync(config, '{ "rules": {} }\n');
    const oursOut = path.join(tmp, 'ours.json');
    const eslintOut = path.join(tmp, 'eslint.json');
    const ours = () => run(oursCommand(opts.cli, root, spec, rules, oursOut, config), root, oursOut, (r) => r.findings.length);
    const eslintArgs = [path.join(ESLINT_DIR, 'node_modules/eslint/bin/eslint.js'), '--config', eslintFile, '--no-inline-config', '--format', 'json', '--output-file', eslintOut, ...peer.files.map((f) => path.relative(root, f))];
    const eslint = () => run(eslintArgs, root, eslintOut, (r) => r.reduce((n, f) => n + f.messages.filter((m) => m.ruleId).length, 0));
    const pairs = [];
    for (let i = 0; i < opts.runs; i++) {
      const pair = i % 2 === 0 ? { ours: ours(), eslint: eslint() } : (({ eslint: e, ours: o }) => ({ ours: o, eslint: e }))({ eslint: eslint(), ours: ours() });
      pairs.push(pair);
      process.stderr.write(`speed: ${spec.name} run ${i + 1}/${opts.runs}: ours ${pair.ours.wall.toFixed(1)} s, ESLint ${pair.eslint.wall.toFixed(1)} s\n`);
    }
    const side = (key) => ({
      wall: median(pairs.map((p) => p[key].wall)),
      cpu: median(pairs.map((p) => p[key].cpu)),
      rssMb: median(pairs.map((p) => p[key].rssMb)),
      findings: pairs.at(-1)[key].findings,
      error: pairs.find((p) => p[key].error)?.[key].error,
    });
    return {
      name: spec.name,
      files: peer.files.length,
      tasks: peer.tasks,
      typescript: tsVersion,
      ours: side('ours'),
      eslint: side('eslint'),
      wallRatio: median(pairs.map((p) => p.ours.wall / p.eslint.wall)),
      cpuRatio: median(pairs.map((p) => (p.ours.cpu && p.eslint.cpu ? p.ours.cpu / p.eslint.cpu : undefined))),
      rssRatio: median(pairs.map((p) => (p.ours.rssMb && p.eslint.rssMb ? p.ours.rssMb / p.eslint.rssMb : undefined))),
      pairs: pairs.map((p) => ({ ours: p.ours.wall, eslint: p.eslint.wall, oursCpu: p.ours.cpu, eslintCpu: p.eslint.cpu, oursRss: p.ours.rssMb, eslintRss: p.eslint.rssMb })),
    };
  } finally {
    fs.rmSync(eslintFile, { force: true });
    peer.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const fmt = (v, digits = 1) => (typeof v === 'number' ? v.toFixed(digits) : '?');

export function table(rows, runs) {
  const lines = [
    `| project | files | TypeScript | ours: wall s | ours: CPU s | ours: peak RSS MB | ours: findings | ESLint: wall s | ESLint: CPU s | ESLint: peak RSS MB | ESLint: findings | wall ratio (ours / ESLint) | CPU ratio | RSS ratio |`,
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    if (r.failure) {
      lines.push(`| ${r.name} | | | ${r.failure} | | | | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${r.name} | ${r.files} | ${r.typescript} | ${fmt(r.ours.wall)} | ${fmt(r.ours.cpu)} | ${fmt(r.ours.rssMb, 0)} | ${r.ours.findings ?? r.ours.error ?? '?'} | ${fmt(r.eslint.wall)} | ${fmt(r.eslint.cpu)} | ${fmt(r.eslint.rssMb, 0)} | ${r.eslint.findings ?? r.eslint.error ?? '?'} | ${fmt(r.wallRatio, 2)} | ${fmt(r.cpuRatio, 2)} | ${fmt(r.rssRatio, 2)} |`,
    );
  }
  lines.push('', `Medians of ${runs} runs per tool, run back to back in pairs (order alternating); ratios are medians of the per-pair ratios.${hasGnuTime ? '' : ' No GNU time: no RSS.'}`);
  return lines.join('\n');
}

async function main() {
  const { values, positionals } = scriptArgs(import.meta.url, {
    allowPositionals: true,
    options: {
      root: { type: 'string' },
      runs: { type: 'string', default: '3' },
      json: { type: 'string' },
      cli: { type: 'string', default: path.join(REPO, 'bin/concurrency-lint.js') },
      'projects-dir': { type: 'string', default: path.join(REPO, 'field/projects') },
    },
  });
  const opts = { runs: Math.max(1, Number(values.runs)), cli: path.resolve(values.cli), projectsDir: path.resolve(values['projects-dir']) };
  let checkouts = positionals.map((p) => path.resolve(p));
  if (values.root) {
    const names = fs.readdirSync(opts.projectsDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
    checkouts.push(...names.map((n) => path.join(path.resolve(values.root), n)).filter((d) => fs.existsSync(d)));
  }
  checkouts = [...new Set(checkouts)];
  installEslint();
  DEFAULTS = await defaultOptions();
  const { allChecks } = await import(pathToFileURL(path.join(REPO, 'dist/analyzer/checks/index.js')).href);
  const rules = allChecks.map((c) => c.meta.id);
  const rows = [];
  for (const checkout of checkouts) {
    try {
      rows.push(await speedOf(checkout, opts, rules));
    } catch (error) {
      rows.push({ name: path.basename(checkout), failure: String(error?.message ?? error).split('\n')[0] });
    }
  }
  const text = table(rows, opts.runs);
  process.stdout.write(`${text}\n`);
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ cli: opts.cli, runs: opts.runs, load: os.loadavg(), rows }, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
