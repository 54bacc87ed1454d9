import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '../analyzer/check/finding.js';
import {
  createBaseline,
  filterBaselined,
  fingerprintFindings,
  parseBaseline,
  readBaseline,
  serializeBaseline,
  writeBaseline,
} from '../analyzer/cli/baseline.js';
import { ConfigError } from '../analyzer/cli/config.js';

const base = path.join(os.tmpdir(), 'cl-baseline-project');
const fileA = path.join(base, 'src', 'a.ts');
const fileB = path.join(base, 'b.ts');

/** A finding on the first occurrence (from `from`) of `needle` in `text`. */
function findingAt(file: string, text: string, needle: string, from = 0, over: Partial<Finding> = {}): Finding {
  const start = text.indexOf(needle, from);
  if (start < 0) throw new Error(`no ${needle}`);
  const line = text.slice(0, start).split('\n').length;
  return {
    file, start, end: start + needle.length, line, column: 1, endLine: line, endColumn: 1 + needle.length,
    ruleId: 'no-floating-promise', severity: 'error', messageId: 'floating', message: 'm', data: {},
    trace: [], suggestions: [], ...over,
  };
}

const ORIGINAL = 'async function f() {}\nf();\n';

describe('fingerprints', () => {
  it('survive inserted lines above and re-indentation', () => {
    const before = fingerprintFindings([findingAt(fileA, ORIGINAL, 'f();')], new Map([[fileA, ORIGINAL]]), base);
    const movedText = '// header\nimport x from "y";\n\nasync function f() {}\n    f();\n';
    const after = fingerprintFindings([findingAt(fileA, movedText, 'f();')], new Map([[fileA, movedText]]), base);
    expect(after[0]!.fingerprint).toBe(before[0]!.fingerprint);
    expect(before[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(before[0]!.file).toBe('src/a.ts');
    // Whitespace inside the range is normalised too.
    const spaced = 'async function f() {}\nawait   Promise.all([\n  f(),\n]);\n';
    const compact = 'async function f() {}\nawait Promise.all([ f(), ]);\n';
    const fp = (text: string, needle: string) =>
      fingerprintFindings([findingAt(fileA, text, needle)], new Map([[fileA, text]]), base)[0]!.fingerprint;
    expect(fp(spaced, 'Promise.all([\n  f(),\n])')).toBe(fp(compact, 'Promise.all([ f(), ])'));
  });

  it('change with the text, the rule, the message id and the file', () => {
    const sources = new Map([[fileA, ORIGINAL], [fileB, ORIGINAL]]);
    const fp = (f: Finding, s = sources) => fingerprintFindings([f], s, base)[0]!.fingerprint;
    const reference = fp(findingAt(fileA, ORIGINAL, 'f();'));
    const changed = 'async function g() {}\ng();\n';
    expect(fp(findingAt(fileA, changed, 'g();'), new Map([[fileA, changed]]))).not.toBe(reference);
    expect(fp(findingAt(fileA, ORIGINAL, 'f();', 0, { ruleId: 'other-rule' }))).not.toBe(reference);
    expect(fp(findingAt(fileA, ORIGINAL, 'f();', 0, { messageId: 'floatingThen' }))).not.toBe(reference);
    expect(fp(findingAt(fileB, ORIGINAL, 'f();'))).not.toBe(reference);
    // The message text and position do not matter.
    expect(fp(findingAt(fileA, ORIGINAL, 'f();', 0, { message: 'reworded', line: 99 }))).toBe(reference);
  });
});

describe('baseline files', () => {
  const text = 'f();\nf();\ng();\n';
  const sources = new Map([[fileA, text], [fileB, text]]);
  const findings = [
    findingAt(fileB, text, 'g();'),
    findingAt(fileA, text, 'f();'),
    findingAt(fileA, text, 'f();', 1),
    findingAt(fileA, text, 'g();', 0, { ruleId: 'a-rule' }),
  ];

  it('count identical findings and sort files and entries', () => {
    const baseline = createBaseline(findings, sources, base);
    expect(Object.keys(baseline.findings)).toEqual(['b.ts', 'src/a.ts']);
    const entries = baseline.findings['src/a.ts']!;
    expect(entries.map((e) => [e.ruleId, e.count])).toEqual([['a-rule', 1], ['no-floating-promise', 2]]);
  });

  it('serialise deterministically regardless of finding order', () => {
    const one = serializeBaseline(createBaseline(findings, sources, base));
    const two = serializeBaseline(createBaseline([...findings].reverse(), sources, base));
    expect(two).toBe(one);
    expect(one.endsWith('\n')).toBe(true);
    expect(Object.keys(JSON.parse(one))).toEqual(['version', 'findings']);
    expect(parseBaseline(one, 'b.json')).toEqual(createBaseline(findings, sources, base));
  });

  it('round-trip through a file and reject malformed ones', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-baseline-'));
    try {
      const file = path.join(dir, 'nested', 'baseline.json');
      writeBaseline(file, createBaseline(findings, sources, base));
      expect(readBaseline(file)).toEqual(createBaseline(findings, sources, base));
      expect(() => readBaseline(path.join(dir, 'missing.json'), 'missing.json')).toThrow(
        'baseline file not found: missing.json (create it with --update-baseline)',
      );
      expect(() => parseBaseline('{', 'x.json')).toThrow(ConfigError);
      expect(() => parseBaseline('{"version":2,"findings":{}}', 'x.json')).toThrow('x.json: not a version 1 baseline file');
      expect(() => parseBaseline('{"version":1,"findings":{"a.ts":[{"ruleId":"r"}]}}', 'x.json')).toThrow('findings.a.ts');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('filterBaselined', () => {
  it('drops matching findings, counting multiplicities', () => {
    const text = 'f();\nf();\n';
    const sources = new Map([[fileA, text]]);
    const two = [findingAt(fileA, text, 'f();'), findingAt(fileA, text, 'f();', 1)];
    const baselineOfOne = createBaseline(two.slice(0, 1), sources, base);
    const result = filterBaselined(two, baselineOfOne, sources, base);
    expect(result.baselined).toBe(1);
    expect(result.findings).toEqual([two[1]]);

    const baselineOfTwo = createBaseline(two, sources, base);
    expect(filterBaselined(two, baselineOfTwo, sources, base)).toEqual({ findings: [], baselined: 2 });
    // Fewer current findings than recorded: nothing left over is reported.
    expect(filterBaselined(two.slice(1), baselineOfTwo, sources, base)).toEqual({ findings: [], baselined: 1 });
  });

  it('still matches after the code moves, but not after it changes', () => {
    const baseline = createBaseline([findingAt(fileA, ORIGINAL, 'f();')], new Map([[fileA, ORIGINAL]]), base);
    const moved = `// new line\n\n${ORIGINAL}`;
    const movedFinding = findingAt(fileA, moved, 'f();');
    expect(filterBaselined([movedFinding], baseline, new Map([[fileA, moved]]), base).baselined).toBe(1);
    const changed = 'async function f(x?: number) {}\nf(1);\n';
    const changedFinding = findingAt(fileA, changed, 'f(1);');
    expect(filterBaselined([changedFinding], baseline, new Map([[fileA, changed]]), base)).toEqual({
      findings: [changedFinding],
      baselined: 0,
    });
  });

  it('keys files relative to the baseline folder', () => {
    const sources = new Map([[fileA, ORIGINAL]]);
    const finding = findingAt(fileA, ORIGINAL, 'f();');
    const fromRoot = createBaseline([finding], sources, base);
    expect(filterBaselined([finding], fromRoot, sources, path.join(base, 'src')).baselined).toBe(0);
    expect(filterBaselined([finding], fromRoot, sources, base).baselined).toBe(1);
  });
});
