/**
 * A fuzzing campaign: `runs` programs from a seed, in batches (one workspace and one
 * `ts.Program` per batch, so hundreds of programs cost a handful of program builds):
 *   - generated: random async TypeScript programs (fuzz/generate.ts), some then mutated
 *   - eslump: random JavaScript of every syntax (fuzz/eslump.ts)
 *   - fixtures: a copy of one of our fixture folders with random mutations (fuzz/mutate.ts)
 * Every batch is checked against every invariant (fuzz/invariants.ts). A failure is shrunk
 * to a small reproducer (fuzz/minimize.ts), printed, and saved for turning into a fixture.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateProgram, type Files } from './generate.js';
import { randomJs } from './eslump.js';
import { mutateFiles } from './mutate.js';
import { createWorkspace, REPO_ROOT, type Workspace } from './harness.js';
import { checkInvariants, type Failure } from './invariants.js';
import { minimize } from './minimize.js';
import { Rng } from './random.js';

export interface CampaignOptions {
  seed: number;
  /** How many programs (generated + eslump + mutated fixture files). */
  runs: number;
  log?: (line: string) => void;
  /** Shrink failures (default true); at most this many failures are shrunk. */
  minimize?: boolean;
  maxReproducers?: number;
  /** Where reproducers are saved (default: a folder in the OS temp dir). */
  saveDir?: string;
}

export interface Reproducer {
  failure: Failure;
  batch: string;
  files: Files;
  savedTo?: string;
}

export interface CampaignReport {
  seed: number;
  programs: { generated: number; eslump: number; mutations: number };
  batches: number;
  files: number;
  findings: Record<string, number>;
  fixesApplied: number;
  failures: Failure[];
  reproducers: Reproducer[];
}

interface Batch {
  name: string;
  files: Files;
  programs: number;
  kind: 'generated' | 'eslump' | 'mutations';
}

const ESM = { 'package.json': '{ "type": "module" }\n' };
const GENERATED_PER_BATCH = 25;
const ESLUMP_PER_BATCH = 20;
const MUTATIONS_PER_FOLDER = 12;

function fixtureFolders(): string[] {
  const root = path.join(REPO_ROOT, 'fixtures');
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(root, d.name))
    .sort();
}

function readFolder(dir: string): Files {
  const out: Files = {};
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      // A subfolder with its own tsconfig.json is its own project (the CLI gives it its own
      // program, the in-process engine one program for all): mutated apart from the folder, never.
      if (entry.isDirectory()) {
        if (!fs.existsSync(path.join(dir, child, 'tsconfig.json'))) stack.push(child);
      }
      else if (entry.isFile() && !entry.name.endsWith('.md')) out[child] = fs.readFileSync(path.join(dir, child), 'utf8');
    }
  }
  return out;
}

function planBatches(rng: Rng, runs: number): Batch[] {
  const generated = Math.round(runs * 0.6);
  const eslump = Math.round(runs * 0.15);
  const mutations = Math.max(0, runs - generated - eslump);
  const batches: Batch[] = [];
  for (let done = 0, b = 0; done < generated; b++) {
    const n = Math.min(GENERATED_PER_BATCH, generated - done);
    const files: Files = { ...ESM };
    for (let k = 0; k < n; k++) {
      const program = generateProgram(rng, `g${b}_${k}`);
      if (rng.chance(0.4)) mutateFiles(program, rng.int(1, 2), rng);
      Object.assign(files, program);
    }
    batches.push({ name: `generated-${b}`, files, programs: n, kind: 'generated' });
    done += n;
  }
  for (let done = 0, b = 0; done < eslump; b++) {
    const n = Math.min(ESLUMP_PER_BATCH, eslump - done);
    const files: Files = { ...ESM };
    for (let k = 0; k < n; k++) files[`js/e${b}_${k}.js`] = randomJs(rng);
    batches.push({ name: `eslump-${b}`, files, programs: n, kind: 'eslump' });
    done += n;
  }
  const folders = rng.shuffle(fixtureFolders());
  for (let done = 0, b = 0; done < mutations && folders.length > 0; b++) {
    const n = Math.min(MUTATIONS_PER_FOLDER, mutations - done);
    const folder = folders[b % folders.length]!;
    const files = readFolder(folder);
    const applied = mutateFiles(files, n, rng);
    batches.push({ name: `fixtures/${path.basename(folder)}`, files, programs: applied.length, kind: 'mutations' });
    done += n;
  }
  return batches;
}

function save(dir: string, repro: Reproducer, index: number): string {
  const target = path.join(dir, `${index}-${repro.failure.invariant}`);
  for (const [rel, text] of Object.entries(repro.files)) {
    fs.mkdirSync(path.dirname(path.join(target, rel)), { recursive: true });
    fs.writeFileSync(path.join(target, rel), text);
  }
  fs.writeFileSync(path.join(target, 'FAILURE.txt'), `${repro.failure.invariant} in ${repro.failure.file} (batch ${repro.batch})\n${repro.failure.detail}\n`);
  return target;
}

/** Print a reproducer: the failure, then every source file of the shrunk program. */
export function formatReproducer(repro: Reproducer): string {
  const lines = [`FAIL ${repro.failure.invariant} in ${repro.failure.file || '(run)'} (batch ${repro.batch})`, `  ${repro.failure.detail.split('\n').join('\n  ')}`];
  for (const [rel, text] of Object.entries(repro.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`----- ${rel} -----`, text.trimEnd());
  }
  if (repro.savedTo) lines.push(`(saved to ${repro.savedTo}; make it a fixture)`);
  return lines.join('\n');
}

async function shrink(batch: Batch, failure: Failure, seed: number): Promise<Files> {
  // Generated programs are independent folders: keep the failing one only.
  const top = failure.file.split('/')[0] ?? '';
  let files = batch.files;
  if (batch.kind === 'generated' && top.startsWith('g')) {
    files = Object.fromEntries(Object.entries(batch.files).filter(([rel]) => rel.startsWith(`${top}/`) || !rel.includes('/')));
  }
  const ws = createWorkspace('cl-fuzz-min-');
  try {
    const result = await minimize(files, failure, async (candidate) => {
      const { failures } = await checkInvariants(ws, candidate, { rng: new Rng(seed) });
      return failures.some((f) => f.invariant === failure.invariant && f.file === failure.file);
    });
    return result.files;
  } finally {
    ws.remove();
  }
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const log = options.log ?? (() => {});
  const rng = new Rng(options.seed);
  const batches = planBatches(rng.fork(1), options.runs);
  const report: CampaignReport = {
    seed: options.seed,
    programs: { generated: 0, eslump: 0, mutations: 0 },
    batches: batches.length,
    files: 0,
    findings: {},
    fixesApplied: 0,
    failures: [],
    reproducers: [],
  };
  const saveDir = options.saveDir ?? path.join(os.tmpdir(), `concurrency-lint-fuzz-${options.seed}`);
  fs.rmSync(saveDir, { recursive: true, force: true });
  const ws: Workspace = createWorkspace();
  try {
    for (const [i, batch] of batches.entries()) {
      const started = performance.now();
      const orderSeed = options.seed * 1000 + i;
      const { failures, stats } = await checkInvariants(ws, batch.files, { rng: new Rng(orderSeed), cli: i % 4 === 0 });
      report.programs[batch.kind] += batch.programs;
      report.files += stats.files;
      report.fixesApplied += stats.fixesApplied;
      for (const [rule, n] of stats.findings) report.findings[rule] = (report.findings[rule] ?? 0) + n;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      log(`batch ${i + 1}/${batches.length} ${batch.name}: ${batch.programs} programs, ${stats.files} files, ${[...stats.findings.values()].reduce((a, b) => a + b, 0)} findings, ${failures.length} failures, ${seconds}s`);
      const seen = new Set<string>();
      for (const failure of failures) {
        report.failures.push(failure);
        const key = `${failure.invariant}\0${failure.file}`;
        if (seen.has(key) || report.reproducers.length >= (options.maxReproducers ?? 3)) continue;
        seen.add(key);
        log(`  ${failure.invariant} in ${failure.file}: ${failure.detail.split('\n')[0]}`);
        const files = options.minimize === false ? batch.files : await shrink(batch, failure, orderSeed);
        const repro: Reproducer = { failure, batch: batch.name, files };
        repro.savedTo = save(saveDir, repro, report.reproducers.length + 1);
        report.reproducers.push(repro);
        log(formatReproducer(repro));
      }
    }
  } finally {
    ws.remove();
  }
  return report;
}
