import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../analyzer/cli/main.js';
import { capture, tempProjects } from './helpers/cli.js';

const projects = tempProjects('cl-exit-');
afterAll(() => projects.remove());
const tempProject = (files: Record<string, string>): string => projects.make(files);

const FLOATING = 'async function f() {}\nf();\n';
/** no-floating-promise is in configs.strict, so the projects that plant one turn it on. */
const FLOATING_ON = JSON.stringify({ rules: { 'no-floating-promise': 'error' } });
const CLEAN = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';

describe('exit codes on real files', () => {
  it('exits 1 on a floating promise', async () => {
    const dir = tempProject({ 'a.ts': FLOATING, '.concurrency-lint.json': FLOATING_ON });
    const io = capture(dir);
    expect(await main(['.'], io)).toBe(1);
    expect(io.out()).toContain('no-floating-promise');
  });

  it('exits 0 on a clean file', async () => {
    const dir = tempProject({ 'a.ts': CLEAN });
    const io = capture(dir);
    expect(await main([], io)).toBe(0);
  });

  it('exits 2 on a missing path', async () => {
    const dir = tempProject({ 'a.ts': CLEAN });
    const io = capture(dir);
    expect(await main(['does-not-exist'], io)).toBe(2);
  });

  it('exits 2 on a bad --format with one line on stderr', async () => {
    const dir = tempProject({ 'a.ts': CLEAN });
    const io = capture(dir);
    expect(await main(['--format', 'xml', '.'], io)).toBe(2);
    expect(io.err()).toMatch(/^concurrency-lint: unknown format 'xml'[^\n]*\n$/);
    expect(io.out()).toBe('');
  });

  it('writes json to --output and keeps stdout empty', async () => {
    const dir = tempProject({ 'a.ts': FLOATING, '.concurrency-lint.json': FLOATING_ON });
    const io = capture(dir);
    expect(await main(['-f', 'json', '-o', 'out/report.json'], io)).toBe(1);
    expect(io.out()).toBe('');
    expect(() => JSON.parse(fs.readFileSync(path.join(dir, 'out/report.json'), 'utf8'))).not.toThrow();
  });

  it('--update-baseline records findings, then --baseline hides them (exit 0)', async () => {
    const dir = tempProject({ 'a.ts': FLOATING, '.concurrency-lint.json': FLOATING_ON });
    expect(await main(['--update-baseline', '--baseline', 'baseline.json'], capture(dir))).toBe(0);
    const baseline = JSON.parse(fs.readFileSync(path.join(dir, 'baseline.json'), 'utf8'));
    expect(baseline.version).toBe(1);
    expect(Object.keys(baseline.findings)).toEqual(['a.ts']);
    // Lines inserted above the finding do not change its fingerprint.
    fs.writeFileSync(path.join(dir, 'a.ts'), `// a comment\n\n${FLOATING}`);
    const io = capture(dir);
    expect(await main(['--baseline', 'baseline.json'], io)).toBe(0);
    expect(io.err()).toContain('1 finding matched the baseline');
    // A second copy of the problem is new.
    fs.writeFileSync(path.join(dir, 'a.ts'), `${FLOATING}f();\n`);
    expect(await main(['--baseline', 'baseline.json'], capture(dir))).toBe(1);
  });

  it('config can turn the rule off, and --rule turns it back on', async () => {
    const dir = tempProject({
      'a.ts': FLOATING,
      '.concurrency-lint.json': JSON.stringify({ rules: { 'no-floating-promise': 'off' } }),
    });
    expect(await main([], capture(dir))).toBe(0);
    expect(await main(['--rule', 'no-floating-promise'], capture(dir))).toBe(1);
    expect(await main(['--rule', 'no-floating-promise', '--disable', 'no-floating-promise'], capture(dir))).toBe(0);
  });

  it('a warning exits 0, or 1 above --max-warnings; --quiet drops it', async () => {
    const dir = tempProject({
      'a.ts': FLOATING,
      '.concurrency-lint.json': JSON.stringify({ rules: { 'no-floating-promise': 'warn' } }),
    });
    expect(await main([], capture(dir))).toBe(0);
    const io = capture(dir);
    expect(await main(['--max-warnings', '0'], io)).toBe(1);
    expect(io.err()).toContain('too many warnings (1)');
    expect(await main(['--max-warnings', '0', '--quiet'], capture(dir))).toBe(0);
  });

  it('ignore patterns in the config drop findings', async () => {
    const dir = tempProject({
      'gen/a.ts': FLOATING,
      '.concurrency-lint.json': JSON.stringify({ ignore: ['gen'] }),
    });
    expect(await main([], capture(dir))).toBe(0);
  });

  it('an invalid config exits 2 naming the key', async () => {
    const dir = tempProject({
      'a.ts': CLEAN,
      '.concurrency-lint.json': JSON.stringify({ rules: { 'no-floating-promise': ['error', { ignoreVoid: 1 }] } }),
    });
    const io = capture(dir);
    expect(await main([], io)).toBe(2);
    expect(io.err()).toBe('concurrency-lint: .concurrency-lint.json: rules.no-floating-promise[1].ignoreVoid: must be boolean\n');
  });
});
