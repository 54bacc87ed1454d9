/**
 * `npm run fuzz -- [--runs N] [--seed S] [--no-minimize]`: run a campaign and exit 1 on any
 * failure, after printing a minimal reproducer for each (see fuzz/campaign.ts).
 */
import { parseArgs } from 'node:util';
import { runCampaign } from './campaign.js';

export const DEFAULT_RUNS = 300;
export const DEFAULT_SEED = 1;

export async function fuzzMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      'no-minimize': { type: 'boolean' },
      'max-reproducers': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('Usage: npm run fuzz -- [--runs N] [--seed S] [--no-minimize] [--max-reproducers K]\n');
    return 0;
  }
  const runs = Number(values.runs ?? DEFAULT_RUNS);
  const seed = Number(values.seed ?? DEFAULT_SEED);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
    process.stderr.write('fuzz: --runs must be a positive integer and --seed an integer\n');
    return 2;
  }
  const started = performance.now();
  const report = await runCampaign({
    runs,
    seed,
    minimize: !values['no-minimize'],
    maxReproducers: values['max-reproducers'] === undefined ? 3 : Number(values['max-reproducers']),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const { generated, eslump, mutations } = report.programs;
  process.stdout.write(
    `\nseed ${seed}: ${generated} generated programs, ${eslump} eslump programs, ${mutations} fixture mutations ` +
      `in ${report.batches} batches (${report.files} files) in ${seconds}s\n` +
      `findings: ${JSON.stringify(report.findings)}; autofixes applied: ${report.fixesApplied}\n` +
      `${report.failures.length === 0 ? 'no invariant failed' : `${report.failures.length} invariant failures`}\n`,
  );
  return report.failures.length === 0 ? 0 : 1;
}
