/**
 * Run the built CLI (bin/ over dist/) as a separate process, the way users start it: its
 * TypeScript is chosen from the project folder or CONCURRENCY_LINT_TYPESCRIPT, which an
 * in-process `main()` cannot show. Findings come back as `file:line rule` keys.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allChecks } from '../../analyzer/checks/index.js';
import { FIXTURE_OPTIONS, key } from './fixtures.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/concurrency-lint.js');

export interface BuiltRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** `file:line rule`, relative to `root`, sorted (JSON runs only). */
  keys: string[];
  /** The report's `tool.typescript` (JSON runs only). */
  typescript?: string;
}

/**
 * A config with every rule on, at the options the fixture markers are written for
 * (FIXTURE_OPTIONS: no-blocking-in-async per call site, where the CLI's default groups by cause).
 */
function everyRuleConfig(): string {
  const file = path.join(os.tmpdir(), `concurrency-lint-every-rule-${process.pid}.json`);
  const rules = Object.fromEntries(allChecks.map((c) => [c.meta.id, ['error', { ...FIXTURE_OPTIONS[c.meta.id] }]]));
  fs.writeFileSync(file, JSON.stringify({ rules }));
  return file;
}

/** Every rule on (a config file, see everyRuleConfig), JSON output, in `cwd`, with `env` added to this process's. */
export function runBuiltCli(args: string[], opts: { cwd: string; env?: Record<string, string>; root: string }): Promise<BuiltRun> {
  const child = spawn(process.execPath, [BIN, ...args, '--format', 'json', '--config', everyRuleConfig()], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      let keys: string[] = [];
      let typescript: string | undefined;
      try {
        const report = JSON.parse(stdout) as { tool: { typescript?: string }; findings: { file: string; line: number; ruleId: string }[] };
        keys = report.findings.map((f) => key(path.resolve(opts.cwd, f.file), f.line, f.ruleId, opts.root)).sort();
        typescript = report.tool.typescript;
      } catch {
        // Not JSON: the caller's expectations on code and stderr show why.
      }
      resolve({ code, stdout, stderr, keys, typescript });
    });
  });
}
