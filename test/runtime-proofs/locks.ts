/**
 * The lock fixtures' runtime scenarios: a fixture file that exports `scenario()` proves every
 * lock-rule marker in it (the scenario runs one task per marked site, so each site's hang shows).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, markersIn, type Marker } from './markers.js';

export const LOCK_RULES = ['no-lock-order-inversion', 'require-lock-release'];
const SCENARIO = /export\s+(async\s+)?function\s+scenario\b|export\s+const\s+scenario\b/;

export interface ScenarioFile {
  rule: string;
  /** Relative to the repository. */
  file: string;
  markers: Marker[];
  hasScenario: boolean;
  /** Uses `navigator.locks`: runs against the Web Locks model (web-locks-model.ts). */
  webLocks: boolean;
  /** Wraps its locks in a timeout (`withTimeout`, `timeout:`): its tasks end by the lock's own timeout. */
  timeout: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|js|mts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

export function scenarioFiles(): ScenarioFile[] {
  return LOCK_RULES.flatMap((rule) =>
    sourceFiles(path.join(ROOT, 'fixtures', rule)).map((full) => {
      const text = fs.readFileSync(full, 'utf8');
      const file = path.relative(ROOT, full).replace(/\\/g, '/');
      return {
        rule,
        file,
        markers: LOCK_RULES.flatMap((r) => markersIn(file, r)),
        hasScenario: SCENARIO.test(text),
        webLocks: /navigator\.locks/.test(text),
        timeout: /withTimeout\(|\btimeout\s*:/.test(text),
      };
    }),
  );
}
