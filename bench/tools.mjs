/**
 * The tools the benchmark runs on a generated tree, each as a child process started from the
 * tree's folder: how to start it, whether it is installed, and how many findings it printed.
 */
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(REPO, 'package.json'));

/**
 * oxlint ships its native binary as per-platform optional packages, which this registry does not
 * all carry, so a lockfile that lists oxlint cannot be installed with `npm ci`. The benchmark
 * installs it on first use into a scratch folder outside the repository instead.
 */
export const PEER_TOOLS_DIR = path.join(os.tmpdir(), 'concurrency-lint-bench-tools');
const peerRequire = createRequire(path.join(PEER_TOOLS_DIR, 'package.json'));
const PEER_PACKAGES = ['oxlint@^1.94.0', 'oxlint-tsgolint@^7.0.2007'];

export function installPeerTools() {
  if (resolves('oxlint/package.json') && resolves('oxlint-tsgolint/package.json')) return;
  fs.mkdirSync(PEER_TOOLS_DIR, { recursive: true });
  if (!fs.existsSync(path.join(PEER_TOOLS_DIR, 'package.json'))) fs.writeFileSync(path.join(PEER_TOOLS_DIR, 'package.json'), '{"private":true}\n');
  process.stderr.write(`bench: installing ${PEER_PACKAGES.join(', ')} into ${PEER_TOOLS_DIR}\n`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', ...PEER_PACKAGES], { cwd: PEER_TOOLS_DIR, stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('bench: oxlint could not be installed; its rows will say so\n');
}

/** The tsgolint executable that oxlint-tsgolint installs (its `bin` entry, next to the package). */
function tsgolintBinary() {
  const pkg = resolves('oxlint-tsgolint/package.json');
  if (!pkg) return undefined;
  const bin = path.join(path.dirname(pkg), '..', '.bin', process.platform === 'win32' ? 'tsgolint.cmd' : 'tsgolint');
  return fs.existsSync(bin) ? bin : undefined;
}

function resolves(id) {
  for (const req of [require, peerRequire]) {
    try {
      return req.resolve(id);
    } catch {
      /* try the next place */
    }
  }
  return undefined;
}

/** Where a package's file is, or undefined when the package is not installed. */
function packageFile(pkg, rel) {
  const manifest = resolves(`${pkg}/package.json`);
  if (!manifest) return undefined;
  const file = path.join(path.dirname(manifest), rel);
  return fs.existsSync(file) ? file : undefined;
}

export const OURS_BIN = path.join(REPO, 'bin/concurrency-lint.js');

/**
 * A tool: `missing()` says why it cannot run (or undefined), `command(dir, out)` gives the
 * argv to run in the tree folder `dir` (writing machine-readable output to `out` where the tool
 * can), `findings(result, out)` counts what it reported.
 */
export const TOOLS = {
  ours: {
    label: 'concurrency-lint (every rule)',
    missing: () => (fs.existsSync(path.join(REPO, 'dist/analyzer/cli/main.js')) ? undefined : 'not built (npm run build)'),
    command: (dir, out, extra = []) => [process.execPath, OURS_BIN, 'src', '--format', 'json', '--output', out, ...extra],
    findings: (_result, out) => JSON.parse(fs.readFileSync(out, 'utf8')).findings.length,
  },
  tsc: {
    label: 'tsc --noEmit',
    missing: () => (packageFile('typescript', 'bin/tsc') ? undefined : 'not installed'),
    command: () => [process.execPath, packageFile('typescript', 'bin/tsc'), '-p', 'tsconfig.json', '--noEmit'],
    findings: (result) => (result.stdout.match(/error TS\d+/g) ?? []).length,
  },
  eslint: {
    label: 'ESLint + typescript-eslint (4 rules)',
    missing: () => (!packageFile('eslint', 'bin/eslint.js') ? 'eslint not installed' : !resolves('typescript-eslint') ? 'typescript-eslint not installed' : undefined),
    command: (_dir, out) => [process.execPath, packageFile('eslint', 'bin/eslint.js'), 'src', '--format', 'json', '--output-file', out],
    findings: (_result, out) => JSON.parse(fs.readFileSync(out, 'utf8')).reduce((n, file) => n + file.messages.length, 0),
  },
  oxlint: {
    label: 'oxlint --type-aware (4 rules)',
    missing: () => (!packageFile('oxlint', 'bin/oxlint') ? 'oxlint not installed' : !tsgolintBinary() ? 'oxlint-tsgolint not installed' : undefined),
    // oxlint looks for tsgolint in the linted project's node_modules; it is installed elsewhere.
    env: () => ({ OXLINT_TSGOLINT_PATH: tsgolintBinary() }),
    command: () => [
      process.execPath,
      packageFile('oxlint', 'bin/oxlint'),
      '--type-aware',
      '-A', 'all',
      '-D', 'typescript/no-floating-promises',
      '-D', 'typescript/no-misused-promises',
      '-D', 'typescript/await-thenable',
      '-D', 'typescript/return-await',
      '--format', 'json',
      'src',
    ],
    findings: (result) => JSON.parse(result.stdout).diagnostics.length,
  },
};

/** Planted bugs found (markers of registered rules matched by a finding) and findings on no marker. */
export function markerRecall(dir, findingsFile, knownRules) {
  const findings = JSON.parse(fs.readFileSync(findingsFile, 'utf8')).findings;
  const found = new Set(findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`));
  const markers = new Set();
  let expected = 0;
  let hit = 0;
  const stack = [path.join(dir, 'src')];
  while (stack.length > 0) {
    const current = stack.pop();
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        stack.push(full);
        continue;
      }
      const rel = path.relative(dir, full).split(path.sep).join('/');
      fs.readFileSync(full, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const m = /\/\/ expect: ([a-z-]+)\s*$/.exec(line);
          if (!m) return;
          markers.add(`${rel}:${i + 1} ${m[1]}`);
          if (!knownRules.has(m[1])) return;
          expected++;
          if (found.has(`${rel}:${i + 1} ${m[1]}`)) hit++;
        });
    }
  }
  const unmarked = findings.filter((f) => !markers.has(`${f.file}:${f.line} ${f.ruleId}`)).length;
  return { expected, hit, unmarked };
}
