/**
 * Arguments of the scripts people run by hand (`npm run bench`, `npm run field`,
 * `npm run field:speed`, `bench/profile.mjs`): `node:util`'s parseArgs, plus `--help`, which
 * prints the script's own leading doc comment (its usage, written once), and a short message
 * with that hint instead of a stack trace when an option is unknown or lacks its value.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The leading `/** ... *\/` comment of the script at `url`, without its comment markers. */
export function usageOf(url) {
  const text = fs.readFileSync(fileURLToPath(url), 'utf8');
  const m = /\/\*\*([\s\S]*?)\*\//.exec(text);
  if (!m) return '';
  return m[1]
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/** parseArgs(config) for the script at `url`; `--help`/`-h` prints its usage and exits 0, a bad option exits 2. */
export function scriptArgs(url, config) {
  const args = config.args ?? process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usageOf(url)}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ ...config, args });
  } catch (error) {
    if (!String(error?.code).startsWith('ERR_PARSE_ARGS')) throw error;
    process.stderr.write(`${error.message}\nRun with --help for the options.\n`);
    process.exit(2);
  }
}
