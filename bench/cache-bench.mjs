/**
 * Our CLI with `--cache <dir>` on a generated tree: a cold run (empty cache), a rerun with
 * nothing changed, and a rerun after editing one file (a service in the middle of the domain
 * chain). The first repetition also checks that the cached findings equal an uncached run's.
 * Every registered rule runs (`rules`), as in the benchmark's main row.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { measure } from './measure.mjs';
import { OURS_BIN, ruleArgs } from './tools.mjs';

function supportsCache() {
  const help = spawnSync(process.execPath, [OURS_BIN, '--help'], { encoding: 'utf8' });
  return /--cache\b/.test(help.stdout ?? '');
}

/** The file the benchmark edits: the service of the middle domain. */
function editTarget(dir) {
  const domains = fs.readdirSync(path.join(dir, 'src/domains')).sort();
  const name = domains[Math.floor(domains.length / 2)];
  return path.join(dir, 'src/domains', name, `${name}.service.ts`);
}

function findingsOf(file) {
  return JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8')).findings);
}

export function cacheBench(dir, root, runs, reference, rules, log) {
  if (!supportsCache()) return { missing: 'no --cache option' };
  const cacheDir = path.join(root, 'cache');
  const out = path.join(root, 'cache-out.json');
  const target = editTarget(dir);
  const original = fs.readFileSync(target, 'utf8');
  const edited = original.replace('Math.round(amountCents * 0.029) + 30', 'Math.round(amountCents * 0.029) + 31');
  const ours = (extra) => measure(process.execPath, [OURS_BIN, 'src', '--format', 'json', '--output', out, ...ruleArgs(rules), ...extra], { cwd: dir });
  const result = { cold: [], warm: [], edit: [], identical: undefined };
  const check = (label, expected, actual = findingsOf(out)) => {
    const same = actual === expected;
    if (!same) log(`  cache: ${label} findings differ from an uncached run`);
    result.identical = (result.identical ?? true) && same;
  };
  try {
    for (let r = 0; r < runs; r++) {
      fs.rmSync(cacheDir, { recursive: true, force: true });
      fs.writeFileSync(target, original);
      result.cold.push(ours(['--cache', cacheDir]));
      if (r === 0 && reference) check('cold', JSON.stringify(JSON.parse(reference).findings));
      result.warm.push(ours(['--cache', cacheDir]));
      if (r === 0 && reference) check('unchanged', JSON.stringify(JSON.parse(reference).findings));
      fs.writeFileSync(target, edited);
      result.edit.push(ours(['--cache', cacheDir]));
      if (r === 0) {
        const cached = findingsOf(out);
        ours([]);
        check('one file edited', findingsOf(out), cached);
      }
      const last = (list) => list[list.length - 1];
      log(`  run ${r + 1} cache  cold ${last(result.cold).wall.toFixed(2)} s, unchanged ${last(result.warm).wall.toFixed(2)} s, one file edited ${last(result.edit).wall.toFixed(2)} s`);
    }
  } finally {
    fs.writeFileSync(target, original);
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  result.edited = path.relative(dir, target).split(path.sep).join('/');
  return result;
}
