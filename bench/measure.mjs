/**
 * Run one command as a child process and measure it: wall seconds (our clock around the
 * child), CPU seconds (user + system, children included) and peak resident memory, both from
 * GNU time (`/usr/bin/time -v`). Without GNU time only the wall time is known.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const GNU_TIME = '/usr/bin/time';

export const hasGnuTime = (() => {
  if (!fs.existsSync(GNU_TIME)) return false;
  const probe = spawnSync(GNU_TIME, ['-v', 'true'], { encoding: 'utf8' });
  return probe.status === 0 && /Maximum resident set size/.test(probe.stderr);
})();

function field(text, label) {
  const m = new RegExp(`${label}[^:]*:\\s*([0-9.]+)`).exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * @returns {{ wall: number, cpu?: number, rssMb?: number, status: number | null, stdout: string, stderr: string }}
 */
export function measure(command, args, { cwd, env, timeoutMs = 30 * 60_000 } = {}) {
  const started = performance.now();
  const child = hasGnuTime
    ? spawnSync(GNU_TIME, ['-v', command, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs })
    : spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs });
  const wall = (performance.now() - started) / 1000;
  let stderr = child.stderr ?? '';
  let cpu;
  let rssMb;
  if (hasGnuTime) {
    const at = stderr.lastIndexOf('\tCommand being timed:');
    const report = at >= 0 ? stderr.slice(at) : '';
    stderr = at >= 0 ? stderr.slice(0, at) : stderr;
    const user = field(report, 'User time');
    const system = field(report, 'System time');
    const rssKb = field(report, 'Maximum resident set size');
    if (user !== undefined && system !== undefined) cpu = user + system;
    if (rssKb !== undefined) rssMb = rssKb / 1024;
    const exit = field(report, 'Exit status');
    return { wall, cpu, rssMb, status: exit ?? child.status, stdout: child.stdout ?? '', stderr, error: child.error };
  }
  return { wall, cpu, rssMb, status: child.status, stdout: child.stdout ?? '', stderr, error: child.error };
}

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
