/**
 * `--cache` after a seeded series of random edits on a generated service: each cached run
 * (which re-checks only what the edit can affect and reuses stored facts and summaries) must
 * report exactly what an uncached run reports. Deterministic: the tree and the edits come
 * from fixed seeds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, random } from '../bench/generate.mjs';
import { analyze } from '../analyzer/cli/analyze.js';
import type { CacheStats } from '../analyzer/cli/cache.js';
import { cachedRun } from './helpers/cache.js';
import type { RuleSetting } from '../analyzer/check/run-types.js';
import { allRules } from './helpers/fixtures.js';

type Edit = (text: string, next: () => number) => string;

/** Edits that change what the rules see: awaits, blocking calls, registrations, lock order, lines. */
const EDITS: [string, Edit][] = [
  ['drop an await', (t) => t.replace(/await (\w+)\(/, '$1(')],
  [
    'add a blocking read to an async function',
    (t) => (/export async function \w+\(/.test(t) ? `import * as fsx from 'node:fs';\n${t.replace(/(export async function \w+\([^)]*\)[^{]*\{)/, '$1\n  fsx.readFileSync("/etc/hosts");')}` : t),
  ],
  [
    'make an exported helper block',
    (t) => (/export function \w+\(/.test(t) ? `import * as fsy from 'node:fs';\n${t.replace(/(export function \w+\([^)]*\)[^{]*\{)/, '$1\n  fsy.statSync("/etc/hosts");')}` : t),
  ],
  ['remove a route registration', (t) => t.replace(/router\.(get|post|put|delete)\([^;]*;\n/, '')],
  [
    'swap two locks',
    (t) => {
      const names = [...new Set([...t.matchAll(/(\w+)\.runExclusive/g)].map((m) => m[1]!))];
      if (names.length < 2) return t;
      const [a, b] = names as [string, string];
      return t.replaceAll(`${a}.runExclusive`, '\0').replaceAll(`${b}.runExclusive`, `${a}.runExclusive`).replaceAll('\0', `${b}.runExclusive`);
    },
  ],
  [
    'comment out a statement',
    (t, next) => {
      const lines = t.split('\n');
      const candidates = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s+[\w.]+.*;\s*$/.test(l) && !/^\s*(return|import|export)/.test(l));
      if (candidates.length === 0) return t;
      const [, i] = candidates[Math.floor(next() * candidates.length)]!;
      lines[i] = `// ${lines[i]}`;
      return lines.join('\n');
    },
  ],
  ['change a constant', (t) => t.replace('0.029', '0.031')],
];

let root: string;
let dir: string;
let cacheDir: string;
let rules: Map<string, RuleSetting>;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-cache-edits-'));
  dir = path.join(root, 'app');
  cacheDir = path.join(root, 'cache');
  generate({ files: 80, seed: 23, out: dir });
  rules = allRules();
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function cached(): { findings: string; stats: CacheStats } {
  const { result, stats } = cachedRun(dir, cacheDir, rules);
  return { findings: JSON.stringify(result.findings), stats };
}

function sourceFiles(): string[] {
  const out: string[] = [];
  const stack = [path.join(dir, 'src')];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (full.endsWith('.ts')) out.push(full);
    }
  }
  return out.sort();
}

describe('the analysis cache after random edits', () => {
  it('gives the findings of an uncached run after every edit, re-checking a part of the files', () => {
    const next = random(97);
    const files = sourceFiles();
    cached();
    const applied: string[] = [];
    let partial = 0;
    // First the deepest helper of each chain: callers in files that did not change must not
    // keep their stored "does not block" summaries.
    const chainEnds = files.filter((f) => /util-\d+-0\.ts$/.test(f));
    expect(chainEnds.length).toBeGreaterThan(0);
    const helperBlocks = EDITS.find(([name]) => name === 'make an exported helper block')!;
    for (let attempts = 0; applied.length < 8 + chainEnds.length && attempts < 200; attempts++) {
      const file = attempts < chainEnds.length ? chainEnds[attempts]! : files[Math.floor(next() * files.length)]!;
      const [name, edit] = attempts < chainEnds.length ? helperBlocks : EDITS[Math.floor(next() * EDITS.length)]!;
      const before = fs.readFileSync(file, 'utf8');
      const after = edit(before, next);
      if (after === before) continue;
      fs.writeFileSync(file, after);
      const label = `${name} in ${path.relative(dir, file)}`;
      applied.push(label);
      const { findings, stats } = cached();
      expect(findings, label).toBe(JSON.stringify(analyze({ paths: ['src'], cwd: dir, rules }).findings));
      if (stats.localChecked < stats.files) partial++;
    }
    expect(applied).toHaveLength(8 + chainEnds.length);
    expect(partial).toBeGreaterThan(4);
  });
});
