import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it, expect } from 'vitest';
import { sarifValidator } from './helpers/sarif-schema.js';
import type { Finding, Span, TextEdit } from '../analyzer/check/finding.js';
import { docsUrl, type CheckMeta } from '../analyzer/check/contract.js';
import { formatResults, type FormatInput } from '../analyzer/cli/format/index.js';

const ESC = '\u001b';
const cwd = path.resolve('/proj');
const abs = (rel: string) => path.join(cwd, rel);

const FILE_A = abs('src/a b%#?.ts');
const FILE_LOCK = abs('src/lock.ts');
const FILE_WEIRD = abs('weird\n::error::x.ts');
const FILE_U = abs('src/ü.ts');

const SOURCE_A = [
  'import { lock } from "./lock";',
  `const banner = "${ESC}[31mred${ESC}[0m";`,
  'export async function run() {',
  '  lock();',
  '}',
  '',
].join('\n');
const SOURCE_LOCK = ['// lock', 'let held = false;', 'export function lock() { held = true; }', ''].join('\n');

function meta(id: string, recommended: 'error' | 'warning' | 'off'): CheckMeta<unknown> {
  return { id, description: `Describes ${id}.`, recommended, messages: { m: 'x' }, schema: { type: 'object' }, defaultOptions: {} };
}
const rules = [meta('no-floating-lock', 'error'), meta('no-shared-race', 'warning'), meta('strict-only', 'off')];

function span(file: string, line: number, column: number, endLine: number, endColumn: number, start: number, end: number): Span {
  return { file, line, column, endLine, endColumn, start, end };
}

const HOSTILE_MESSAGE = `Lock 100% leaked:\n::error::pwned ${ESC}[31mred${ESC}[0m`;
const lockStart = SOURCE_A.indexOf('lock();');
const fixEdit: TextEdit = { file: FILE_A, start: lockStart, end: lockStart, text: 'await ' };

const findingA: Finding = {
  ...span(FILE_A, 4, 3, 4, 9, lockStart, lockStart + 6),
  ruleId: 'no-floating-lock',
  severity: 'error',
  messageId: 'floating',
  message: HOSTILE_MESSAGE,
  data: {},
  trace: [
    { ...span(FILE_LOCK, 3, 1, 3, 40, 0, 0), message: 'lock() is declared here' },
    { ...span(FILE_LOCK, 2, 5, 2, 9, 0, 0), message: `sets held ${ESC}]0;title${ESC}\\` },
  ],
  fix: [fixEdit],
  suggestions: [{ desc: 'Add `await`', messageId: 'addAwait', edits: [fixEdit] }],
};
const findingWeird: Finding = {
  ...span(FILE_WEIRD, 1, 1, 1, 5, 0, 4),
  ruleId: 'no-shared-race',
  severity: 'warning',
  messageId: 'race',
  message: 'a, b: c',
  data: {},
  trace: [],
  suggestions: [],
};
const findingU: Finding = { ...findingWeird, ...span(FILE_U, 2, 2, 2, 3, 5, 6), severity: 'error', message: 'plain' };

function input(overrides: Partial<FormatInput> = {}): FormatInput {
  return {
    findings: [findingA, findingWeird, findingU],
    rules,
    cwd,
    sources: new Map([
      [FILE_A, SOURCE_A],
      [FILE_LOCK, SOURCE_LOCK],
    ]),
    filesChecked: 7,
    elapsedMs: 1234,
    color: false,
    toolVersion: '0.1.0',
    ...overrides,
  };
}

/** Every C0/C1 control except tab and LF. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('sarif', () => {
  const validate = sarifValidator();

  const withDiagnostics = input({ diagnostics: [{ severity: 'warning', file: FILE_A, message: 'slow file' }] });
  const text = formatResults('sarif', withDiagnostics);
  const log = JSON.parse(text);
  const run = log.runs[0];

  it('validates against the SARIF 2.1.0 schema', () => {
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validate(JSON.parse(formatResults('sarif', input({ findings: [] }))))).toBe(true);
  });

  it('is deterministic', () => {
    expect(formatResults('sarif', withDiagnostics)).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('describes the tool and every rule', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver.name).toBe('concurrency-lint');
    expect(run.tool.driver.version).toBe('0.1.0');
    expect(run.tool.driver.rules).toEqual([
      { id: 'no-floating-lock', shortDescription: { text: 'Describes no-floating-lock.' }, helpUri: docsUrl('no-floating-lock'), defaultConfiguration: { level: 'error' } },
      { id: 'no-shared-race', shortDescription: { text: 'Describes no-shared-race.' }, helpUri: docsUrl('no-shared-race'), defaultConfiguration: { level: 'warning' } },
      { id: 'strict-only', shortDescription: { text: 'Describes strict-only.' }, helpUri: docsUrl('strict-only'), defaultConfiguration: { level: 'warning' } },
    ]);
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe(`${pathToFileURL(cwd).href}/`);
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toBe('slow file');
  });

  it('reports a finding with region, related locations, code flow and fix', () => {
    const r = run.results[0];
    expect(r.ruleId).toBe('no-floating-lock');
    expect(r.ruleIndex).toBe(0);
    expect(r.level).toBe('error');
    expect(r.message.text).toBe(HOSTILE_MESSAGE);
    const primary = { artifactLocation: { uri: 'src/a%20b%25%23%3F.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 4, startColumn: 3, endLine: 4, endColumn: 9 } };
    expect(r.locations).toEqual([{ physicalLocation: primary }]);
    const lockLoc = (line: number, col: number, endCol: number) => ({
      artifactLocation: { uri: 'src/lock.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: line, startColumn: col, endLine: line, endColumn: endCol },
    });
    expect(r.relatedLocations).toEqual([
      { id: 1, physicalLocation: lockLoc(3, 1, 40), message: { text: 'lock() is declared here' } },
      { id: 2, physicalLocation: lockLoc(2, 5, 9), message: { text: `sets held ${ESC}]0;title${ESC}\\` } },
    ]);
    const flow = r.codeFlows[0].threadFlows[0].locations.map((l: { location: unknown }) => l.location);
    expect(flow).toEqual([
      { physicalLocation: lockLoc(3, 1, 40), message: { text: 'lock() is declared here' } },
      { physicalLocation: lockLoc(2, 5, 9), message: { text: `sets held ${ESC}]0;title${ESC}\\` } },
      { physicalLocation: primary, message: { text: HOSTILE_MESSAGE } },
    ]);
    expect(r.fixes).toHaveLength(1);
    expect(r.fixes[0].artifactChanges).toEqual([
      {
        artifactLocation: { uri: 'src/a%20b%25%23%3F.ts', uriBaseId: '%SRCROOT%' },
        replacements: [{ deletedRegion: { charOffset: lockStart, charLength: 0 }, insertedContent: { text: 'await ' } }],
      },
    ]);
    expect(Object.keys(r.partialFingerprints)).toEqual(['concurrencyLint/v1']);
  });

  it('encodes hostile and non-ASCII paths and leaves out empty trace/fix', () => {
    const [, weird, u] = run.results;
    expect(weird.locations[0].physicalLocation.artifactLocation.uri).toBe('weird%0A%3A%3Aerror%3A%3Ax.ts');
    expect(weird.ruleIndex).toBe(1);
    expect(weird.level).toBe('warning');
    expect(weird).not.toHaveProperty('relatedLocations');
    expect(weird).not.toHaveProperty('codeFlows');
    expect(weird).not.toHaveProperty('fixes');
    expect(u.locations[0].physicalLocation.artifactLocation.uri).toBe('src/%C3%BC.ts');
  });

  it('omits ruleIndex for a rule it does not know', () => {
    const unknown = { ...findingU, ruleId: 'not-a-rule' };
    const r = JSON.parse(formatResults('sarif', input({ findings: [unknown] }))).runs[0].results[0];
    expect(r.ruleId).toBe('not-a-rule');
    expect(r).not.toHaveProperty('ruleIndex');
  });
});

describe('json', () => {
  const text = formatResults('json', input({ diagnostics: [{ severity: 'error', message: 'bad config' }] }));
  const report = JSON.parse(text);

  it('has the documented shape', () => {
    expect(Object.keys(report)).toEqual(['version', 'tool', 'summary', 'findings', 'diagnostics']);
    expect(report.version).toBe(1);
    expect(report.tool).toEqual({ name: 'concurrency-lint', version: '0.1.0' });
    expect(report.summary).toEqual({ files: 7, errors: 2, warnings: 1 });
    expect(report.diagnostics).toEqual([{ severity: 'error', message: 'bad config' }]);
    const [a, weird] = report.findings;
    expect(Object.keys(a)).toEqual([
      'ruleId', 'severity', 'file', 'line', 'column', 'endLine', 'endColumn',
      'message', 'messageId', 'trace', 'related', 'fix', 'suggestions',
    ]);
    expect(a.file).toBe('src/a b%#?.ts');
    expect(a.message).toBe(HOSTILE_MESSAGE);
    expect(a.trace[0]).toEqual({ file: 'src/lock.ts', line: 3, column: 1, endLine: 3, endColumn: 40, message: 'lock() is declared here' });
    expect(a.fix).toEqual([{ file: 'src/a b%#?.ts', start: lockStart, end: lockStart, text: 'await ' }]);
    expect(a.suggestions).toEqual([{ desc: 'Add `await`', messageId: 'addAwait', edits: a.fix }]);
    expect(weird.file).toBe('weird\n::error::x.ts');
    expect(weird.fix).toBeNull();
  });

  it('is deterministic, indented and free of timing', () => {
    expect(formatResults('json', input({ elapsedMs: 99999, diagnostics: [{ severity: 'error', message: 'bad config' }] }))).toBe(text);
    expect(text.startsWith('{\n  "version": 1,')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).not.toMatch(/elapsed/i);
    expect(text).not.toContain(cwd);
  });
});

describe('github', () => {
  const text = formatResults('github', input());
  const lines = text.split('\n');

  it('writes exactly one command line per finding', () => {
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.startsWith('::'))).toBe(true);
    expect(text).not.toMatch(/\r/);
  });

  it('escapes data and properties', () => {
    expect(lines[0]).toBe(
      '::error file=src/a b%25#?.ts,line=4,col=3,endLine=4,endColumn=9,title=no-floating-lock::' +
        'Lock 100%25 leaked:%0A::error::pwned \u241b[31mred\u241b[0m' +
        '%0A  at src/lock.ts:3 lock() is declared here' +
        '%0A  at src/lock.ts:2 sets held \u241b]0;title\u241b\\',
    );
    expect(lines[1]).toBe(
      '::warning file=weird%0A%3A%3Aerror%3A%3Ax.ts,line=1,col=1,endLine=1,endColumn=5,title=no-shared-race::a, b: c',
    );
  });

  it('escapes CR and emits diagnostics as commands', () => {
    const crlf = { ...findingWeird, message: 'x\r\ny', file: abs('a,b:c.ts') };
    const out = formatResults('github', input({ findings: [crlf], diagnostics: [{ severity: 'warning', message: 'w' }] }));
    expect(out).toBe('::warning::w\n::warning file=a%2Cb%3Ac.ts,line=1,col=1,endLine=1,endColumn=5,title=no-shared-race::x%0D%0Ay\n');
    expect(formatResults('github', input({ findings: [] }))).toBe('');
  });
});

describe('pretty', () => {
  const plain = formatResults('pretty', input({ diagnostics: [{ severity: 'warning', file: FILE_LOCK, message: 'skipped' }] }));
  const colored = formatResults('pretty', input({ color: true }));

  it('starts with diagnostics and prints header, frame and notes', () => {
    const lines = plain.split('\n');
    expect(lines[0]).toBe('src/lock.ts: warning: skipped');
    expect(lines[1]).toBe('');
    expect(lines[2]).toBe('src/a b%#?.ts:4:3  error  Lock 100% leaked:');
    expect(lines[3]).toBe('    ::error::pwned \u241b[31mred\u241b[0m  no-floating-lock');
    expect(plain).toContain('  > 4 |   lock();\n      |   ^^^^^^');
    expect(plain).toContain('  note: src/lock.ts:3:1 lock() is declared here\n    > 3 | export function lock() { held = true; }');
    expect(plain).toContain('  note: src/lock.ts:2:5 sets held \u241b]0;title\u241b\\');
    expect(plain).toContain('weird\u240a::error::x.ts:1:1  warning  a, b: c  no-shared-race');
  });

  it('neutralises escape sequences from source and messages', () => {
    expect(plain).not.toContain(ESC);
    expect(plain).not.toMatch(CONTROL);
    expect(plain).toContain('2 | const banner = "\u241b[31mred\u241b[0m";');
    expect(colored).not.toContain(`${ESC}[31mred`);
    expect(colored).not.toContain(`${ESC}]0;`);
  });

  it('uses colours only when asked', () => {
    expect(plain).not.toContain('\u001b[');
    expect(colored).toContain('\u001b[31merror\u001b[39m');
  });

  it('ends with a summary', () => {
    expect(plain.endsWith('\n✖ 3 problems (2 errors, 1 warning) in 7 files · 1.23s\n')).toBe(true);
    const clean = formatResults('pretty', input({ findings: [], filesChecked: 1, elapsedMs: 420 }));
    expect(clean).toBe('✔ No problems in 1 file · 0.42s\n');
    expect(formatResults('pretty', input())).toBe(formatResults('pretty', input()));
  });
});

describe('related locations', () => {
  const validate = sarifValidator();
  // Seven places of one problem (entry points reaching one blocking helper, say).
  const related = Array.from({ length: 7 }, (_, i) => ({ ...span(FILE_LOCK, i + 1, 1, i + 1, 5, 0, 4), message: `reached from entry ${i + 1}` }));
  const grouped: Finding = { ...findingWeird, ...span(FILE_A, 4, 3, 4, 9, lockStart, lockStart + 6), related };
  const one = (format: 'json' | 'sarif' | 'github' | 'pretty') => formatResults(format, input({ findings: [grouped] }));

  it('are carried into SARIF relatedLocations (after the trace) and stay valid', () => {
    const sarif = JSON.parse(one('sarif'));
    expect(validate(sarif)).toBe(true);
    const result = sarif.runs[0].results[0];
    expect(result.relatedLocations.map((r: { id: number; message: { text: string } }) => [r.id, r.message.text])).toEqual(
      related.map((r, i) => [i + 1, r.message]),
    );
    expect(result).not.toHaveProperty('codeFlows'); // no trace: no flow
  });

  it('are listed in JSON in full', () => {
    expect(JSON.parse(one('json')).findings[0].related).toHaveLength(7);
  });

  it('are notes in the pretty output and lines of the GitHub message, capped with "and N more"', () => {
    const pretty = one('pretty');
    expect(pretty).toContain('src/lock.ts:5:1 reached from entry 5');
    expect(pretty).not.toContain('reached from entry 6');
    expect(pretty).toContain('note: and 2 more');
    const github = one('github');
    expect(github.split('\n').filter(Boolean)).toHaveLength(1);
    expect(github).toContain('%0A  see src/lock.ts:5 reached from entry 5%0A  and 2 more');
  });
});
