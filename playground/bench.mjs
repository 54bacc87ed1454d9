/**
 * `npm run bench:playground`: how long a 100-line snippet takes to show its findings in the
 * playground, from navigation to the findings list, in headless Chromium (the issue's target:
 * within 2 s). Also the re-analysis after one keystroke, and the longest main-thread gap while
 * the worker analyses (typing stays responsive when it is small). Builds playground/dist if it
 * is missing. Prints the figures; asserts nothing.
 *
 *   node playground/bench.mjs [runs] [dist...]   CHROMIUM_PATH=... to use another browser;
 *        dist: the build to measure (default playground/dist); several (e.g. one of an older
 *        commit, `node playground/build.mjs <dir>`) are measured alternately, run by run
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

const HERE = import.meta.dirname;
const RUNS = Number(process.argv[2] ?? 3);
const DISTS = (process.argv.length > 3 ? process.argv.slice(3) : [path.join(HERE, 'dist')]).map((d) => path.resolve(d));

/** About 100 lines: several of the examples' shapes in one file. */
function snippet() {
  const lines = [
    "import { readFileSync } from 'node:fs';",
    "import { Mutex } from 'async-mutex';",
    'interface User { id: string; name: string }',
    'declare function loadUser(id: string): Promise<User>;',
    'declare function notify(user: User): Promise<void>;',
    'declare function isAdmin(user: User): Promise<boolean>;',
    'declare function fetchBonus(): Promise<number>;',
  ];
  for (let i = 0; i < 9; i++) {
    lines.push(
      `export class Service${i} {`,
      '  balance = 0;',
      '  private readonly lock = new Mutex();',
      '  async topUp() { this.balance += await fetchBonus(); }',
      '  async signup(id: string) {',
      '    const user = await loadUser(id);',
      '    notify(user);',
      "    if (!isAdmin(user)) throw new Error('admins only');",
      "    return readFileSync('template.html', 'utf8');",
      '  }',
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The load's marks (ms since navigation started, from the page's `dataset.timeline`), each as
 * its median over the runs, in that order, with the median time since the mark before it.
 */
function printTimeline(timelines) {
  const names = [...new Set(timelines.flatMap((t) => Object.keys(t)))];
  const rows = names.map((name) => ({ name, at: timelines.map((t) => t[name]).filter((v) => v !== undefined) })).map((r) => ({ ...r, median: median(r.at) }));
  rows.sort((a, b) => a.median - b.median);
  console.log('  timeline (ms since navigation started; median over runs, +median step from the mark above):');
  rows.forEach((r, i) => {
    const before = rows[i - 1];
    const step = before ? median(timelines.filter((t) => r.name in t && before.name in t).map((t) => t[r.name] - t[before.name])) : r.median;
    console.log(`    ${String(r.median).padStart(6)}  +${String(step).padEnd(5)} ${r.name}${r.at.length < timelines.length ? ` (${r.at.length} runs)` : ''}  [${r.at.join(', ')}]`);
  });
}

/** One load of the page and one keystroke: the figures of one run. */
async function runOnce(browser, url, code) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${url}#code=${Buffer.from(code).toString('base64url')}`);
    await page.waitForFunction(() => document.body.dataset.idle === 'true', null, { timeout: 300_000 });
    const load = Date.now() - t0;
    // Older builds have no timeline.
    await page.waitForFunction(() => document.body.dataset.timeline !== undefined, null, { timeout: 5_000 }).catch(() => {});
    const timeline = JSON.parse((await page.evaluate(() => document.body.dataset.timeline)) ?? '{}');
    const count = await page.$$eval('#findings > li', (items) => items.length);
    // One keystroke, then watch the main thread while the worker re-analyses.
    await page.evaluate(() => {
      const w = window;
      w.__gap = 0;
      let last = performance.now();
      const tick = () => {
        const now = performance.now();
        w.__gap = Math.max(w.__gap, now - last);
        last = now;
        if (document.body.dataset.idle !== 'true' || now - w.__start < 400) requestAnimationFrame(tick);
      };
      w.__start = performance.now();
      requestAnimationFrame(tick);
    });
    await page.locator('.cm-line').first().click();
    const t1 = Date.now();
    await page.keyboard.type(' ');
    await page.waitForFunction(() => document.body.dataset.idle === 'false', null, { timeout: 10_000 });
    await page.waitForFunction(() => document.body.dataset.idle === 'true', null, { timeout: 300_000 });
    const again = Date.now() - t1;
    const gap = Math.round(await page.evaluate(() => window.__gap));
    return { load, timeline, count, again, gap };
  } finally {
    await context.close();
  }
}

function report(dist, runs, code) {
  const col = (k) => runs.map((r) => r[k]);
  console.log(`${DISTS.length > 1 ? `${path.relative(process.cwd(), dist) || '.'}: ` : ''}${code.split('\n').length - 1}-line snippet, ${runs[0].count} findings, ${runs.length} runs`);
  console.log(`  load -> findings shown: median ${median(col('load'))} ms (runs: ${col('load').join(', ')})`);
  if (runs.some((r) => Object.keys(r.timeline).length > 0)) printTimeline(col('timeline'));
  console.log(`  keystroke -> findings updated (250 ms debounce included): median ${median(col('again'))} ms (runs: ${col('again').join(', ')})`);
  console.log(`  longest main-thread frame gap while analysing: median ${median(col('gap'))} ms (runs: ${col('gap').join(', ')})`);
}

async function main() {
  if (!fs.existsSync(path.join(DISTS[0], 'index.html'))) execFileSync(process.execPath, [path.join(HERE, 'build.mjs'), DISTS[0]], { stdio: 'inherit' });
  const code = snippet();
  const executablePath = process.env.CHROMIUM_PATH ?? execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  const servers = await Promise.all(DISTS.map((d) => serve(d)));
  const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox'] });
  const results = DISTS.map(() => []);
  const loads = [];
  try {
    // Builds alternate run by run, so a change in the machine's load hits them alike.
    for (let run = 0; run < RUNS; run++) {
      for (let i = 0; i < DISTS.length; i++) {
        results[i].push(await runOnce(browser, servers[i].url, code));
        loads.push(os.loadavg()[0]);
      }
    }
  } finally {
    await browser.close();
    await Promise.all(servers.map((s) => s.close()));
  }
  console.log(`playground bench: load average ${median(loads).toFixed(1)} (median over the runs; ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}) on ${os.cpus().length} cores`);
  DISTS.forEach((d, i) => report(d, results[i], code));
}

await main();
