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
 * installs it on first use into a scratch folder outside the repository instead, with
 * TypeScript 7 (the native compiler, for the second `tsc --noEmit` row) under the alias
 * `typescript-7`, so it never shadows the repository's TypeScript 6. Versions are exact: the
 * rows of two recorded runs compare the same tools.
 */
export const PEER_TOOLS_DIR = path.join(os.tmpdir(), 'concurrency-lint-bench-tools');
const peerRequire = createRequire(path.join(PEER_TOOLS_DIR, 'package.json'));
export const PEER_VERSIONS = { oxlint: '1.95.0', 'oxlint-tsgolint': '7.0.2009', 'typescript-7': '7.0.2' };
const PEER_PACKAGES = ['oxlint', 'oxlint-tsgolint', 'typescript-7'];
const spec = (name) => (name === 'typescript-7' ? `typescript-7@npm:typescript@${PEER_VERSIONS[name]}` : `${name}@${PEER_VERSIONS[name]}`);

/** The installed version of a scratch-folder package, or undefined. */
export function peerVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(PEER_TOOLS_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

export function installPeerTools() {
  const wanted = PEER_PACKAGES.filter((name) => peerVersion(name) !== PEER_VERSIONS[name]);
  if (wanted.length === 0) return;
  fs.mkdirSync(PEER_TOOLS_DIR, { recursive: true });
  if (!fs.existsSync(path.join(PEER_TOOLS_DIR, 'package.json'))) fs.writeFileSync(path.join(PEER_TOOLS_DIR, 'package.json'), '{"private":true}\n');
  const specs = PEER_PACKAGES.map(spec);
  process.stderr.write(`bench: installing ${specs.join(', ')} into ${PEER_TOOLS_DIR}\n`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', ...specs], { cwd: PEER_TOOLS_DIR, stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('bench: the peer tools could not be installed; their rows will say so\n');
}

/**
 * The tsgolint executable: the native binary of oxlint-tsgolint's platform package, else the
 * package's `bin` script. oxlint looks for it in the linted project's node_modules only, so the
 * benchmark passes it in `OXLINT_TSGOLINT_PATH`.
 */
function tsgolintBinary() {
  const exe = `tsgolint${process.platform === 'win32' ? '.exe' : ''}`;
  const native = path.join(PEER_TOOLS_DIR, 'node_modules', '@oxlint-tsgolint', `${process.platform}-${process.arch}`, exe);
  if (fs.existsSync(native)) return native;
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

/** `--rule <id>` for each id: the CLI then runs exactly these rules, the ones off by default included. */
export const ruleArgs = (rules) => rules.flatMap((id) => ['--rule', id]);

const version = (pkg) => {
  const manifest = resolves(`${pkg}/package.json`);
  return manifest ? JSON.parse(fs.readFileSync(manifest, 'utf8')).version : '?';
};

let cliHelp;
const oursHelp = () => (cliHelp ??= spawnSync(process.execPath, [OURS_BIN, '--help'], { encoding: 'utf8' }).stdout ?? '');
const oursMissing = () => (fs.existsSync(path.join(REPO, 'dist/analyzer/cli/main.js')) ? undefined : 'not built (npm run build)');
const oursCommand = (out, ctx) => [process.execPath, OURS_BIN, 'src', '--format', 'json', '--output', out, ...ruleArgs(ctx.rules)];
const oursFindings = (_result, out) => JSON.parse(fs.readFileSync(out, 'utf8')).findings.length;

/**
 * The value of `--backend` for our second (TypeScript 7) backend. The CLI has no `--backend`
 * option yet: until its help lists one, the row says so and nothing runs.
 */
const SECOND_BACKEND = 'tsgo';

/**
 * A tool: `missing()` says why it cannot run (or undefined), `command(dir, out, ctx)` gives the
 * argv to run in the tree folder `dir` (writing machine-readable output to `out` where the tool
 * can; `ctx.rules` is every registered rule of ours), `findings(result, out)` counts what it
 * reported, `env()` adds environment variables.
 */
export const TOOLS = {
  ours: {
    label: 'concurrency-lint, TypeScript 6 path (every rule)',
    missing: oursMissing,
    command: (_dir, out, ctx) => oursCommand(out, ctx),
    findings: oursFindings,
  },
  'ours-ts7': {
    label: `concurrency-lint, TypeScript 7 backend (\`--backend ${SECOND_BACKEND}\`, every rule)`,
    missing: () => oursMissing() ?? (/--backend\b/.test(oursHelp()) ? undefined : 'not run: the CLI has no --backend option yet'),
    command: (_dir, out, ctx) => [...oursCommand(out, ctx), '--backend', SECOND_BACKEND],
    findings: oursFindings,
  },
  tsc: {
    get label() {
      return `tsc --noEmit, TypeScript ${version('typescript')}`;
    },
    missing: () => (packageFile('typescript', 'bin/tsc') ? undefined : 'not installed'),
    command: () => [process.execPath, packageFile('typescript', 'bin/tsc'), '-p', 'tsconfig.json', '--noEmit'],
    findings: (result) => (result.stdout.match(/error TS\d+/g) ?? []).length,
  },
  tsc7: {
    get label() {
      return `tsc --noEmit, TypeScript ${peerVersion('typescript-7') ?? PEER_VERSIONS['typescript-7']} (native)`;
    },
    missing: () => (packageFile('typescript-7', 'bin/tsc') ? undefined : 'not installed'),
    command: () => [process.execPath, packageFile('typescript-7', 'bin/tsc'), '-p', 'tsconfig.json', '--noEmit'],
    findings: (result) => (result.stdout.match(/error TS\d+/g) ?? []).length,
  },
  eslint: {
    get label() {
      return `ESLint ${version('eslint')} + typescript-eslint ${version('typescript-eslint')} (4 promise rules)`;
    },
    missing: () => (!packageFile('eslint', 'bin/eslint.js') ? 'eslint not installed' : !resolves('typescript-eslint') ? 'typescript-eslint not installed' : undefined),
    command: (_dir, out) => [process.execPath, packageFile('eslint', 'bin/eslint.js'), 'src', '--format', 'json', '--output-file', out],
    findings: (_result, out) => JSON.parse(fs.readFileSync(out, 'utf8')).reduce((n, file) => n + file.messages.length, 0),
  },
  oxlint: {
    get label() {
      return `oxlint ${peerVersion('oxlint') ?? '?'} --type-aware, tsgolint ${peerVersion('oxlint-tsgolint') ?? '?'} (4 rules)`;
    },
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

/**
 * Planted bugs found and findings on no marker. A marker of a registered rule is found when a
 * finding of that rule is at its line or lists it as a related location (no-blocking-in-async
 * reports once at the blocking helper by default, with the async entries that reach it, where
 * the markers are, as related locations).
 */
export function markerRecall(dir, findingsFile, knownRules) {
  const findings = JSON.parse(fs.readFileSync(findingsFile, 'utf8')).findings;
  const places = (f) => [f, ...(f.related ?? [])].map((at) => `${at.file}:${at.line} ${f.ruleId}`);
  const found = new Set(findings.flatMap(places));
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
  const unmarked = findings.filter((f) => !places(f).some((p) => markers.has(p))).length;
  return { expected, hit, unmarked };
}
