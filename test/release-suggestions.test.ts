/**
 * Every suggestion `require-lock-release` makes on its fixtures, applied: the fixed file still
 * type-checks, the rule no longer reports that acquisition, and the lock is released once per
 * path: the moved code keeps no release of its own besides the one in `finally` (or the one
 * `runExclusive` does), so no path releases twice or releases before a callback that still
 * releases.
 */
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers/fixtures.js';
import { loadProjects } from '../analyzer/project/project.js';
import { runCheck } from '../analyzer/check/run.js';
import { applyEdits } from '../analyzer/cli/fix.js';
import releaseCheck from '../analyzer/locks/require-lock-release.js';
import type { Finding, Suggestion } from '../analyzer/check/finding.js';

const DIR = path.join(FIXTURES, 'require-lock-release');
const SETTING = { severity: 'error' as const, options: {} };

const { projects } = loadProjects({ paths: [DIR], cwd: DIR });
const program = projects[0]!.program;
const findings = projects[0]!.files.flatMap((sf) => runCheck(releaseCheck, SETTING, program, sf));
const cases = findings.flatMap((f) => f.suggestions.map((s) => [`${path.relative(DIR, f.file)}:${f.line} ${s.messageId}`, f, s] as const));

/** The program with one file's text replaced (the rest reused from `program`). */
function withText(file: string, text: string): ts.Program {
  const options = program.getCompilerOptions();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (f, lang, ...rest) =>
    path.resolve(f) === file ? ts.createSourceFile(f, text, lang, true) : (program.getSourceFile(f) ?? getSourceFile.call(host, f, lang, ...rest));
  return ts.createProgram({ rootNames: program.getRootFileNames(), options, host, oldProgram: program });
}

/** The code the suggestion puts under the lock: the `try` block, or the `runExclusive` callback. */
function guardedCode(s: Suggestion): string {
  const text = s.edits.map((e) => e.text).join('\n');
  return s.messageId === 'wrapTryFinally' ? text.split('} finally {')[0]! : text;
}

describe('require-lock-release suggestions on the fixtures, applied', () => {
  it('exist (the fixtures offer both kinds)', () => {
    expect(new Set(cases.map(([, , s]) => s.messageId))).toEqual(new Set(['wrapTryFinally', 'useRunExclusive']));
  });

  it.each(cases)('%s: type-checks, silences the rule, releases once per path', (_, finding: Finding, suggestion: Suggestion) => {
    const original = program.getSourceFile(finding.file)!.text;
    const fixed = applyEdits(original, suggestion.edits);
    // The release as the `finally` writes it (the runExclusive rewrite is offered with a try/finally one).
    const wrap = finding.suggestions.find((s) => s.messageId === 'wrapTryFinally')!;
    const release = /`try \{ \.\.\. \} finally \{ (.+)\(\); \}`/.exec(wrap.desc)![1]!;
    // Neither called nor handed on (`.then(release)`) in the guarded code; `void release;` may stay.
    expect(guardedCode(suggestion)).not.toMatch(new RegExp(`(?<![\\w$.])(?<!void )${release.replace(/[.$]/g, '\\$&')}(?![\\w$])`));
    const next = withText(finding.file, fixed);
    const sf = next.getSourceFile(finding.file)!;
    expect([...next.getSyntacticDiagnostics(sf), ...next.getSemanticDiagnostics(sf)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '))).toEqual([]);
    const after = runCheck(releaseCheck, SETTING, next, sf);
    expect(after.filter((f) => f.line === finding.line).map((f) => f.messageId)).toEqual([]);
  });
});
