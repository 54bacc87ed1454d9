/**
 * Shared by the fixture tests: read `// expect: rule-a, rule-b` markers, run a fixture folder
 * through the CLI path (`checkProjects`) and the ESLint path (typescript-eslint with the same
 * `ts.Program`), and render findings as comparable `file:line rule` keys and, in full (message,
 * trace, related places, fix and suggestions), as the text of the folder's snapshot.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Linter } from 'eslint';
import type ts from 'typescript';
import { configForProgram } from '../../rules/index.js';
import { allChecks } from '../../analyzer/checks/index.js';
import { checkProjects } from '../../analyzer/cli/analyze.js';
import { loadProjects, type LoadedProject } from '../../analyzer/project/project.js';
import type { RuleSetting } from '../../analyzer/check/run-types.js';
import { renderFindings } from './finding-snapshot.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const MARKER = /\/\/\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/;
const known = new Set(allChecks.map((c) => c.meta.id));

/**
 * Options the fixtures run with on both paths, so both report at the same places:
 * no-blocking-in-async per call site, the ESLint plugin's default (the CLI's default groups the
 * same findings by cause; test/no-blocking-in-async.test.ts checks on every fixture that the
 * grouping keeps every one of them).
 */
export const FIXTURE_OPTIONS: Record<string, Record<string, unknown>> = { 'no-blocking-in-async': { report: 'site' } };

/** Every rule at its default options (but FIXTURE_OPTIONS), error severity. */
export function allRules(): Map<string, RuleSetting> {
  return new Map(allChecks.map((c) => [c.meta.id, { severity: 'error' as const, options: { ...FIXTURE_OPTIONS[c.meta.id] } }]));
}

export function key(file: string, line: number, rule: string, root: string): string {
  return `${path.relative(root, file).replace(/\\/g, '/')}:${line} ${rule}`;
}

/** Expected `file:line rule` keys from markers; a marker naming no rule we have is an error (a typo would silently expect nothing). */
export function expectedKeys(files: string[], root: string): string[] {
  const out: string[] = [];
  for (const file of files) {
    fs.readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .forEach((text, i) => {
        const m = MARKER.exec(text);
        if (!m) return;
        for (const rule of m[1]!.split(',').map((r) => r.trim())) {
          if (!known.has(rule)) throw new Error(`${file}:${i + 1}: marker names an unknown rule '${rule}'`);
          out.push(key(file, i + 1, rule, root));
        }
      });
  }
  return out.sort();
}

export interface FixtureRun {
  projects: LoadedProject[];
  files: string[];
  cli: string[];
  /** The CLI path's findings in full, rendered as the folder's snapshot text (paths relative to the folder). */
  snapshot: string;
  eslint: string[];
  expected: string[];
  /** TypeScript's errors in the checked files (`file:line TScode message`): a fixture must compile, or say so with `@ts-expect-error`. */
  typeErrors: string[];
}

export function runFixtureFolder(dir: string): FixtureRun {
  const { projects, diagnostics } = loadProjects({ paths: [dir], cwd: dir });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join('\n'));
  const result = checkProjects(projects, { rules: allRules() });
  const internal = result.diagnostics.filter((d) => d.severity === 'error');
  if (internal.length > 0) throw new Error(internal.map((d) => d.message).join('\n'));
  const cli = result.findings.map((f) => key(f.file, f.line, f.ruleId, dir)).sort();
  const snapshot = renderFindings(result.findings, dir, result.sources);
  const eslint = projects.flatMap((p) => lintWithEslint(p.program, p.files, dir)).sort();
  const files = projects.flatMap((p) => p.files.map((f) => f.fileName));
  return { projects, files, cli, snapshot, eslint, expected: expectedKeys(files, dir), typeErrors: typeErrors(projects, dir) };
}

function typeErrors(projects: LoadedProject[], root: string): string[] {
  return projects.flatMap((p) =>
    p.files.flatMap((sf) =>
      [...p.program.getSyntacticDiagnostics(sf), ...p.program.getSemanticDiagnostics(sf)].map((d) => {
        const text = typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText;
        return `${key(sf.fileName, sf.getLineAndCharacterOfPosition(d.start ?? 0).line + 1, `TS${d.code}`, root)} ${text}`;
      }),
    ),
  );
}

/** The ESLint path: every rule on, over the given program (`configForProgram`). */
export function lintWithEslint(program: ts.Program, files: readonly ts.SourceFile[], cwd: string): string[] {
  const linter = new Linter({ cwd });
  const config = [configForProgram(program)];
  const out: string[] = [];
  for (const sf of files) {
    const messages = linter.verify(sf.text, config, { filename: sf.fileName });
    for (const m of messages) {
      if (!m.ruleId) throw new Error(`${sf.fileName}:${m.line}: ${m.message}`);
      out.push(key(sf.fileName, m.line, m.ruleId.replace(/^concurrency\//, ''), cwd));
    }
  }
  return out;
}
