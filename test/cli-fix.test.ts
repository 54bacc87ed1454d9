import { describe, it, expect, vi } from 'vitest';
import nodeFs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Finding, TextEdit } from '../analyzer/check/finding.js';
import type { AnalyzeOptions, AnalyzeResult } from '../analyzer/check/run-types.js';
import { applyEdits, applyFixes } from '../analyzer/cli/fix.js';
import { createProgress } from '../analyzer/cli/progress.js';
import { main } from '../analyzer/cli/main.js';

// The engine is replaced by the toy rule below, so `--fix` can be tested end to end.
const engine = vi.hoisted(() => ({ runs: 0 }));
vi.mock('../analyzer/cli/analyze.js', () => ({
  analyze(opts: AnalyzeOptions): AnalyzeResult {
    engine.runs++;
    const sources = new Map<string, string>();
    const findings: Finding[] = [];
    for (const name of nodeFs.readdirSync(opts.cwd).filter((n) => n.endsWith('.ts')).sort()) {
      const file = path.join(opts.cwd, name);
      const text = nodeFs.readFileSync(file, 'utf8');
      sources.set(file, text);
      findings.push(...lintAwaits(file, text));
    }
    return { findings, files: [...sources.keys()], diagnostics: [], sources };
  },
}));

function finding(file: string, start: number, fix?: TextEdit[], ruleId = 'no-floating-promise'): Finding {
  return {
    file, start, end: start + 1, line: 1, column: start + 1, endLine: 1, endColumn: start + 2,
    ruleId, severity: 'error', messageId: 'm', message: 'm', data: {}, trace: [], suggestions: [], fix,
  };
}

const edit = (file: string, start: number, end: number, text: string): TextEdit => ({ file, start, end, text });

/** An in-memory file system. */
function memoryFs(files: Record<string, string>) {
  const writes: string[] = [];
  return {
    files,
    writes,
    read: (file: string): string => {
      if (!(file in files)) throw new Error(`ENOENT ${file}`);
      return files[file]!;
    },
    write: (file: string, text: string): void => {
      writes.push(file);
      files[file] = text;
    },
  };
}

/** A toy rule: every `f();` not preceded by `await ` gets an `await ` insertion. */
function lintAwaits(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  for (const m of text.matchAll(/f\(\);/g)) {
    if (text.slice(Math.max(0, m.index - 6), m.index) !== 'await ') out.push(finding(file, m.index, [edit(file, m.index, m.index, 'await ')]));
  }
  return out;
}

describe('applyFixes', () => {
  it('applies several edits per file from the end and writes each file once', () => {
    const fs = memoryFs({ '/a.ts': 'f();\nf();\nf();\n', '/b.ts': 'x = 1;\n' });
    const findings = [
      ...lintAwaits('/a.ts', fs.files['/a.ts']!),
      finding('/b.ts', 4, [edit('/b.ts', 4, 5, '2')]),
    ];
    const result = applyFixes(findings, fs.read, fs.write);
    expect(result).toEqual({ fixesApplied: 4, filesChanged: ['/a.ts', '/b.ts'] });
    expect(fs.files['/a.ts']).toBe('await f();\nawait f();\nawait f();\n');
    expect(fs.files['/b.ts']).toBe('x = 2;\n');
    expect(fs.writes).toEqual(['/a.ts', '/b.ts']);
  });

  it('applies a multi-edit fix atomically, including across files', () => {
    const fs = memoryFs({ '/a.ts': 'foo(bar);', '/b.ts': 'export {};' });
    const wrap = finding('/a.ts', 0, [edit('/a.ts', 0, 0, 'await Promise.all(['), edit('/a.ts', 8, 8, '])'), edit('/b.ts', 0, 0, '// x\n')]);
    expect(applyFixes([wrap], fs.read, fs.write).fixesApplied).toBe(1);
    expect(fs.files['/a.ts']).toBe('await Promise.all([foo(bar)]);');
    expect(fs.files['/b.ts']).toBe('// x\nexport {};');
  });

  it('skips a fix overlapping (or touching) an accepted one, whole', () => {
    const fs = memoryFs({ '/a.ts': 'abcdefghij' });
    const first = finding('/a.ts', 2, [edit('/a.ts', 2, 5, 'XYZ')]);
    const overlapping = finding('/a.ts', 4, [edit('/a.ts', 8, 9, '!'), edit('/a.ts', 4, 6, '--')]);
    const touching = finding('/a.ts', 5, [edit('/a.ts', 5, 5, '+')]);
    const sameInsertion = [finding('/a.ts', 0, [edit('/a.ts', 0, 0, '<')]), finding('/a.ts', 0, [edit('/a.ts', 0, 0, '>')], 'z-rule')];
    const result = applyFixes([touching, overlapping, first, ...sameInsertion], fs.read, fs.write);
    expect(result.fixesApplied).toBe(2);
    expect(fs.files['/a.ts']).toBe('<abXYZfghij');
  });

  it('skips fixes that are out of range, self-overlapping, or for unreadable files', () => {
    const fs = memoryFs({ '/a.ts': 'abc' });
    const findings = [
      finding('/a.ts', 0, [edit('/a.ts', 2, 9, 'x')]),
      finding('/a.ts', 0, [edit('/a.ts', 2, 1, 'x')]),
      finding('/a.ts', 0, [edit('/a.ts', 0, 2, 'x'), edit('/a.ts', 1, 3, 'y')]),
      finding('/missing.ts', 0, [edit('/missing.ts', 0, 0, 'x')]),
      finding('/a.ts', 0, []),
      finding('/a.ts', 0),
    ];
    expect(applyFixes(findings, fs.read, fs.write)).toEqual({ fixesApplied: 0, filesChanged: [] });
    expect(fs.writes).toEqual([]);
  });

  it('does not write a file whose text ends up unchanged', () => {
    const fs = memoryFs({ '/a.ts': 'abc' });
    const result = applyFixes([finding('/a.ts', 0, [edit('/a.ts', 0, 1, 'a')])], fs.read, fs.write);
    expect(result).toEqual({ fixesApplied: 1, filesChanged: [] });
    expect(fs.writes).toEqual([]);
  });

  it('is idempotent: a fix-and-relint loop settles, and re-running changes nothing', () => {
    const fs = memoryFs({ '/a.ts': 'f();f();\nf();' });
    let passes = 0;
    for (; passes < 10; passes++) {
      if (applyFixes(lintAwaits('/a.ts', fs.files['/a.ts']!), fs.read, fs.write).fixesApplied === 0) break;
    }
    expect(fs.files['/a.ts']).toBe('await f();await f();\nawait f();');
    expect(passes).toBe(1);
    const writes = fs.writes.length;
    expect(applyFixes(lintAwaits('/a.ts', fs.files['/a.ts']!), fs.read, fs.write).fixesApplied).toBe(0);
    expect(fs.writes.length).toBe(writes);
  });

  it('applyEdits handles adjacent replacements and insertions', () => {
    expect(applyEdits('0123456789', [edit('f', 0, 5, 'A'), edit('f', 5, 10, 'B'), edit('f', 10, 10, '!')])).toBe('AB!');
  });
});

describe('progress', () => {
  function stream(isTTY: boolean) {
    let text = '';
    return { isTTY, columns: 80, write: (s: string) => (text += s), text: () => text };
  }

  it('stays silent when stderr is not a TTY or CI is set', () => {
    for (const [s, env] of [[stream(false), {}], [stream(true), { CI: 'true' }]] as const) {
      let t = 0;
      const p = createProgress(s, { env, now: () => t });
      t = 5000;
      p.update({ phase: 'checking', done: 1, total: 2 });
      p.stop();
      expect(s.text()).toBe('');
    }
  });

  it('appears only after the delay, shows the latest step, and clears', () => {
    const s = stream(true);
    let t = 0;
    const p = createProgress(s, { env: {}, now: () => t, delayMs: 2000 });
    p.update({ phase: 'loading', project: 'x' });
    p.update({ phase: 'checking', done: 1, total: 3 });
    expect(s.text()).toBe('');
    t = 2500;
    p.update({ phase: 'checking', done: 2, total: 3 });
    expect(s.text()).toBe('\r\x1b[KChecking files 2/3');
    p.stop();
    expect(s.text().endsWith('\r\x1b[K')).toBe(true);
    t = 9000;
    p.update({ phase: 'checking', done: 3, total: 3 });
    expect(s.text().endsWith('\r\x1b[K')).toBe(true);
  });
});

describe('main --fix', () => {
  it('applies fixes, re-analyzes, and reports what remains', async () => {
    const dir = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'cl-fix-'));
    try {
      nodeFs.mkdirSync(path.join(dir, '.git'));
      nodeFs.writeFileSync(path.join(dir, 'a.ts'), '\uFEFFf();\nf();\n');
      nodeFs.writeFileSync(path.join(dir, 'b.ts'), 'f();\n');
      let err = '';
      const io = { cwd: dir, env: {}, stdout: { write: () => true }, stderr: { write: (t: string) => (err += t) } };
      expect(await main(['.'], io)).toBe(1);
      engine.runs = 0;
      expect(await main(['--fix', '.'], io)).toBe(0);
      expect(engine.runs).toBe(2);
      expect(err).toContain('Fixed 3 problems in 2 files.');
      expect(nodeFs.readFileSync(path.join(dir, 'a.ts'), 'utf8')).toBe('\uFEFFawait f();\nawait f();\n');
      expect(nodeFs.readFileSync(path.join(dir, 'b.ts'), 'utf8')).toBe('await f();\n');
    } finally {
      nodeFs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
