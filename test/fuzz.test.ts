/**
 * The CI fuzz batch: a fixed seed, a few hundred programs (generated async programs, eslump
 * JavaScript and mutated fixtures), every invariant of fuzz/invariants.ts checked on the CLI
 * and ESLint paths. A failure prints its shrunk reproducer. More by hand:
 * `npm run fuzz -- --runs 2000 --seed 7`.
 */
import { describe, expect, it } from 'vitest';
import { formatReproducer, runCampaign } from '../fuzz/campaign.js';
import { Rng } from '../fuzz/random.js';
import { generateProgram } from '../fuzz/generate.js';
import { mutateFiles } from '../fuzz/mutate.js';
import { minimize } from '../fuzz/minimize.js';

export const CI_SEED = 20_241;
export const CI_RUNS = 250;

describe('fuzzing', () => {
  it('generates the same programs from the same seed', () => {
    const a = generateProgram(new Rng(5), 'p');
    const b = generateProgram(new Rng(5), 'p');
    expect(a).toEqual(b);
    expect(generateProgram(new Rng(6), 'p')).not.toEqual(a);
    const files = { 'x.ts': 'export async function f() {\n  await g();\n  h();\n}\nasync function g() {}\nfunction h() {}\n' };
    const mutated = { ...files };
    expect(mutateFiles(mutated, 3, new Rng(1)).length).toBeGreaterThan(0);
    expect(mutated['x.ts']).not.toBe(files['x.ts']);
  });

  it('shrinks a failing program to the lines that matter', async () => {
    const text = ['a', 'b', 'BAD', 'c', 'd', 'e', 'f'].map((l) => `const ${l.toLowerCase()}_ = 1; // ${l}`).join('\n');
    const { files } = await minimize({ 'x.ts': text, 'y.ts': 'export {};' }, { invariant: 'crash', file: 'x.ts', detail: '' }, async (f) => (f['x.ts'] ?? '').includes('BAD'));
    expect(files).toEqual({ 'x.ts': 'const bad_ = 1; // BAD' });
  });

  it(`keeps every invariant on ${CI_RUNS} programs (seed ${CI_SEED})`, { timeout: 600_000 }, async () => {
    const log: string[] = [];
    const report = await runCampaign({ seed: CI_SEED, runs: CI_RUNS, maxReproducers: 2, log: (line) => log.push(line) });
    const total = report.programs.generated + report.programs.eslump + report.programs.mutations;
    expect(total).toBeGreaterThanOrEqual(CI_RUNS * 0.9);
    expect(report.reproducers.map(formatReproducer).join('\n\n'), log.join('\n')).toBe('');
    expect(report.failures).toEqual([]);
    // The batch exercised the rules and their autofixes.
    expect(Object.keys(report.findings).length).toBeGreaterThanOrEqual(5);
    expect(report.fixesApplied).toBeGreaterThan(0);
  });
});
