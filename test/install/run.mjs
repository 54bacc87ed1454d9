#!/usr/bin/env node
/**
 * Scratch-install test (issue "every TypeScript a project has"): packs this package, installs
 * the tarball WITHOUT flags into scratch projects on TypeScript 7 (npm `latest`), 5.9, 6.0 and
 * none (a JavaScript project with `checkJs`), and checks that the install succeeds with no
 * warning about us and that the CLI finds the planted floating promise; in the 5.9 project
 * also the ESLint path, with the project's own typescript-eslint and eslint and the plugin's
 * `configs.strict`. Needs the npm registry. Scratch projects live in the OS temp folder
 * (`concurrency-lint-install-test/`), outside this repository, so that nothing resolves to this
 * repository's node_modules; their other dependencies stay installed between runs.
 *
 *   node test/install/run.mjs            all projects
 *   node test/install/run.mjs ts7 none   some of them
 *
 * Prints one PASS/FAIL line per check and exits 1 if any failed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WORK = path.join(os.tmpdir(), 'concurrency-lint-install-test');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const PLANTED_TS = 'async function save(): Promise<void> {}\nexport function run(): void {\n  save();\n}\n';
const PLANTED_JS = '/** @returns {Promise<void>} */\nasync function save() {}\nexport function run() {\n  save();\n}\n';
const TSCONFIG = { compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', noEmit: true }, include: ['src'] };

/** The scratch projects: their dependencies (besides us), source file, and what to check. */
const PROJECTS = {
  ts7: { deps: { typescript: '7' }, file: 'src/a.ts', line: 3, text: PLANTED_TS, typescript: /^TypeScript 6\.0\.\d+ API \(bundled; the project has TypeScript 7\.\d+\.\d+\)$/ },
  'ts5.9': {
    deps: { typescript: '5.9', 'typescript-eslint': '^8.73.0', eslint: '^10.0.0' },
    file: 'src/a.ts',
    line: 3,
    text: PLANTED_TS,
    typescript: /^TypeScript 5\.9\.\d+ \(the project's\)$/,
    eslint: true,
  },
  'ts6.0': { deps: { typescript: '6.0' }, file: 'src/a.ts', line: 3, text: PLANTED_TS, typescript: /^TypeScript 6\.0\.\d+ \(the project's\)$/ },
  none: {
    deps: {},
    file: 'src/a.js',
    line: 4,
    text: PLANTED_JS,
    tsconfig: { compilerOptions: { allowJs: true, checkJs: true, target: 'ES2022', module: 'NodeNext', noEmit: true }, include: ['src'] },
    typescript: /^TypeScript 6\.0\.\d+ API \(bundled; the project has no TypeScript\)$/,
    noTypescript: true,
  },
};

const results = [];
function check(name, ok, detail = '') {
  results.push({ name, ok });
  process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `  (${detail})` : ''}\n`);
  return ok;
}

function sh(cmd, args, cwd) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, CONCURRENCY_LINT_TYPESCRIPT: '', NO_COLOR: '1' }, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? ''), seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

function tail(text, lines = 8) {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Pack this package into .install-test/pack (prepack builds dist/). */
function pack() {
  const dest = path.join(WORK, 'pack');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const r = sh(NPM, ['pack', '--pack-destination', dest], ROOT);
  const tgz = fs.readdirSync(dest).find((f) => f.endsWith('.tgz'));
  if (!check('npm pack', r.status === 0 && tgz !== undefined, `${r.seconds} s`)) {
    process.stdout.write(`${tail(r.stderr)}\n`);
    return undefined;
  }
  return path.join(dest, tgz);
}

function setUp(name, spec) {
  const dir = path.join(WORK, name);
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  // Our own entry is dropped each run, so the tarball is installed fresh; the others stay cached.
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: `scratch-${name.replace('.', '-')}`, private: true, type: 'module', devDependencies: spec.deps }, null, 2)}\n`);
  fs.rmSync(path.join(dir, 'package-lock.json'), { force: true });
  fs.rmSync(path.join(dir, 'node_modules', 'concurrency-lint'), { recursive: true, force: true });
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(spec.tsconfig ?? TSCONFIG));
  fs.writeFileSync(path.join(dir, spec.file), spec.text);
  if (spec.eslint) fs.writeFileSync(path.join(dir, 'eslint.config.mjs'), "import concurrency from 'concurrency-lint';\n\nexport default [concurrency.configs.strict];\n");
  return dir;
}

/** npm's warnings that concern us (peer conflicts, our package, install scripts). */
function warningsAboutUs(stderr) {
  return stderr.split('\n').filter((l) => /^npm (warn|WARN|error|ERR)/.test(l) && /concurrency-lint|ERESOLVE|peer/i.test(l));
}

function runProject(name, spec, tgz) {
  const dir = setUp(name, spec);
  if (Object.keys(spec.deps).length > 0) {
    const deps = sh(NPM, ['install'], dir);
    if (!check(`${name}: npm install (its own dependencies)`, deps.status === 0, `${deps.seconds} s`)) return process.stdout.write(`${tail(deps.stderr)}\n`);
  }
  const install = sh(NPM, ['install', '-D', tgz], dir);
  const warnings = warningsAboutUs(install.stderr);
  check(`${name}: npm install -D <tarball>, no flags`, install.status === 0, `${install.seconds} s`) || process.stdout.write(`${tail(install.stderr)}\n`);
  if (install.status !== 0) return;
  check(`${name}: no npm warning about us`, warnings.length === 0, warnings.join(' | '));
  if (spec.noTypescript) check(`${name}: no TypeScript installed with us`, !fs.existsSync(path.join(dir, 'node_modules', 'typescript')));
  const bin = path.join(dir, 'node_modules', 'concurrency-lint', 'bin', 'concurrency-lint.js');
  // no-floating-promise is in configs.strict (below the field study's bar for recommended), so it is named.
  const cli = sh(process.execPath, [bin, '.', '--rule', 'no-floating-promise', '--format', 'json'], dir);
  let report;
  try {
    report = JSON.parse(cli.stdout);
  } catch {
    report = undefined;
  }
  const found = report?.findings?.map((f) => `${f.file}:${f.line} ${f.ruleId}`) ?? [];
  const ok = cli.status === 1 && found.length === 1 && found[0] === `${spec.file}:${spec.line} no-floating-promise`;
  check(`${name}: CLI finds the planted floating promise`, ok, `${cli.seconds} s${ok ? '' : `; exit ${cli.status}; ${found.join(', ')} ${tail(cli.stderr, 3)}`}`);
  check(`${name}: CLI names its compiler`, spec.typescript.test(report?.tool?.typescript ?? ''), report?.tool?.typescript ?? 'none');
  if (spec.eslint) {
    const eslint = sh(process.execPath, [path.join(dir, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--format', 'json', 'src'], dir);
    let messages = [];
    try {
      messages = JSON.parse(eslint.stdout).flatMap((r) => r.messages.map((m) => `${m.line} ${m.ruleId}`));
    } catch {
      messages = [];
    }
    const eslintOk = eslint.status === 1 && messages.length === 1 && messages[0] === `${spec.line} concurrency/no-floating-promise`;
    check(`${name}: ESLint (its own typescript-eslint, configs.strict) finds it`, eslintOk, `${eslint.seconds} s${eslintOk ? '' : `; exit ${eslint.status}; ${messages.join(', ')} ${tail(eslint.stderr, 3)}`}`);
  }
}

const wanted = process.argv.slice(2);
const started = Date.now();
fs.mkdirSync(WORK, { recursive: true });
const tgz = pack();
if (tgz) {
  for (const [name, spec] of Object.entries(PROJECTS)) if (wanted.length === 0 || wanted.includes(name)) runProject(name, spec, tgz);
}
const failed = results.filter((r) => !r.ok).length;
process.stdout.write(`\ninstall test: ${failed === 0 ? 'PASS' : 'FAIL'}: ${results.length - failed} of ${results.length} checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
process.exitCode = failed === 0 && tgz ? 0 : 1;
