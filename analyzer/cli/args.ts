/**
 * Command-line parsing for `concurrency-lint`, on top of `node:util` parseArgs.
 * Problems become a `UsageError` whose message is one line, printed as
 * `concurrency-lint: <problem>` with exit code 2.
 */
import { parseArgs } from 'node:util';
import { FORMAT_NAMES, isFormatName, type FormatName } from './format/names.js';

/** Used by `--update-baseline` when no `--baseline <file>` is given. */
export const DEFAULT_BASELINE_FILE = '.concurrency-lint-baseline.json';

export interface CliArgs {
  paths: string[];
  /** The first `--project` (kept for callers that take one). */
  project?: string;
  /** Every `--project`: tsconfig files, folders, or globs. */
  projects: string[];
  /** `--cache <dir>`: reuse findings of unchanged files across runs. */
  cache?: string;
  /** `--threads <n>`: worker threads for several projects (default: the cores). */
  threads?: number;
  /** `--shard i/n`: check only the i-th of n stable parts of the files. */
  shard?: { index: number; count: number };
  format: FormatName;
  output?: string;
  /** `--rule`: run only these rules. */
  rules: string[];
  /** `--disable`: never run these rules. */
  disable: string[];
  fix: boolean;
  maxWarnings?: number;
  baseline?: string;
  updateBaseline: boolean;
  config?: string;
  quiet: boolean;
  debug: boolean;
  version: boolean;
  help: boolean;
}

/** A problem with the command line or the configuration: exit code 2, one-line message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const OPTIONS = {
  project: { type: 'string', short: 'p', multiple: true },
  cache: { type: 'string' },
  threads: { type: 'string' },
  shard: { type: 'string' },
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  rule: { type: 'string', multiple: true },
  disable: { type: 'string', multiple: true },
  fix: { type: 'boolean' },
  'max-warnings': { type: 'string' },
  baseline: { type: 'string' },
  'update-baseline': { type: 'boolean' },
  config: { type: 'string' },
  quiet: { type: 'boolean' },
  debug: { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const HELP_TEXT = `Usage: concurrency-lint [options] [paths...]

Finds concurrency bugs (floating promises, races, unsafe shared state) across a
whole TypeScript/JavaScript program. Paths are files or folders (default: .).

Options:
  -p, --project <tsconfig>  Use this tsconfig.json (default: found from the paths);
                            repeatable, a folder or a glob ('packages/*/tsconfig.json');
                            several projects are analyzed in parallel worker threads
      --cache <dir>         Keep results in <dir>; later runs re-check only the files
                            that changed and the files that depend on them
      --threads <n>         Worker threads for several projects (default: the cores)
      --shard <i>/<n>       Check only part i of n (stable by file path), for CI matrices
  -f, --format <name>       Output format: pretty (default), json, sarif, github
  -o, --output <file>       Write the report to a file instead of stdout
      --rule <id>           Run only this rule (repeatable)
      --disable <id>        Do not run this rule (repeatable)
      --fix                 Apply safe automatic fixes, then report what remains
      --max-warnings <n>    Exit 1 when there are more than n warnings
      --baseline <file>     Hide findings recorded in this baseline file
      --update-baseline     Record all current findings in the baseline file
                            (--baseline <file>, default ${DEFAULT_BASELINE_FILE})
      --config <file>       Use this config file instead of searching for
                            .concurrency-lint.json / package.json "concurrency-lint"
      --quiet               Report errors only (drop warnings)
      --debug               Show stack traces for internal errors, and why a rule
                            stays quiet (an ORM version it does not recognise)
  -v, --version             Print the version
  -h, --help                Print this help

Exit codes:
  0  no findings (or all baselined, or warnings within --max-warnings)
  1  findings: any error, or more warnings than --max-warnings
  2  usage or configuration error, unreadable path or tsconfig, internal error
`;

/** The first sentence of a parseArgs error, which later Node versions extend with advice. */
function firstSentence(message: string): string {
  const line = message.split('\n')[0] ?? message;
  const cut = line.search(/\.\s/);
  return cut >= 0 ? line.slice(0, cut) : line.replace(/\.$/, '');
}

function parseMaxWarnings(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(`--max-warnings must be a non-negative integer, got '${value}'`);
  }
  return Number(value.trim());
}

function parseFormat(value: string | undefined): FormatName {
  if (value === undefined) return 'pretty';
  if (!isFormatName(value)) {
    throw new UsageError(`unknown format '${value}' (expected one of: ${FORMAT_NAMES.join(', ')})`);
  }
  return value;
}

function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} needs a non-empty value`);
  return value;
}

function parseThreads(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UsageError(`--threads must be a positive integer, got '${value}'`);
  return Number(value.trim());
}

function parseShard(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard must be i/n with 1 <= i <= n, got '${value}'`);
  return { index, count };
}

/** Parse `argv` (without the node and script entries). Throws `UsageError`. */
export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const sentence = firstSentence(message);
    throw new UsageError(sentence.charAt(0).toLowerCase() + sentence.slice(1));
  }
  const v = parsed.values;
  return {
    paths: parsed.positionals.length > 0 ? parsed.positionals : ['.'],
    project: nonEmpty('project', v.project?.[0]),
    projects: (v.project ?? []).map((p) => nonEmpty('project', p)!),
    cache: nonEmpty('cache', v.cache),
    threads: parseThreads(v.threads),
    shard: parseShard(v.shard),
    format: parseFormat(v.format),
    output: nonEmpty('output', v.output),
    rules: v.rule ?? [],
    disable: v.disable ?? [],
    fix: v.fix ?? false,
    maxWarnings: parseMaxWarnings(v['max-warnings']),
    baseline: nonEmpty('baseline', v.baseline),
    updateBaseline: v['update-baseline'] ?? false,
    config: nonEmpty('config', v.config),
    quiet: v.quiet ?? false,
    debug: v.debug ?? false,
    version: v.version ?? false,
    help: v.help ?? false,
  };
}
