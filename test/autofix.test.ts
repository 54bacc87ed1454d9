/**
 * Every autofix of every rule, applied to the fixtures: the code must still type-check exactly as
 * before (no new TypeScript diagnostics), the fixed findings must be gone, no new finding may
 * appear, and a second run must find nothing more to fix.
 *
 * Generic over `allChecks`: each fixture folder where some finding carries a `fix` is copied to a
 * temporary folder (next to a link to this repository's node_modules, so imports and @types
 * resolve), all fixes are applied in one pass with `applyFixes` (the `--fix` code), and the
 * program is rebuilt.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, allRules } from './helpers/fixtures.js';
import { loadProjects, type LoadedProject } from '../analyzer/project/project.js';
import { checkProjects } from '../analyzer/cli/analyze.js';
import { applyFixes } from '../analyzer/cli/fix.js';
import type { Finding } from '../analyzer/check/finding.js';

const REPO = path.resolve(import.meta.dirname, '..');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'concurrency-lint-autofix-'));
fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(temp, 'node_modules'), 'dir');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function analyze(dir: string): { projects: LoadedProject[]; findings: Finding[] } {
  const { projects } = loadProjects({ paths: [dir], cwd: dir });
  const result = checkProjects(projects, { rules: allRules() });
  const internal = result.diagnostics.filter((d) => d.severity === 'error');
  if (internal.length > 0) throw new Error(internal.map((d) => d.message).join('\n'));
  return { projects, findings: result.findings };
}

/** TypeScript's diagnostics for the checked files, without positions (fixes shift text). */
function typeDiagnostics(projects: LoadedProject[], root: string): string[] {
  const out: string[] = [];
  for (const { program, files } of projects) {
    for (const sf of files) {
      for (const d of ts.getPreEmitDiagnostics(program, sf)) {
        const file = d.file ? path.relative(root, d.file.fileName).replace(/\\/g, '/') : '<global>';
        out.push(`${file}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
      }
    }
  }
  return out.sort();
}

function describeFix(f: Finding, root: string): string {
  return `${path.relative(root, f.file).replace(/\\/g, '/')}:${f.line} ${f.ruleId}`;
}

const folders = fs
  .readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()
  .filter((name) => analyze(path.join(FIXTURES, name)).findings.some((f) => f.fix));

describe('autofixes on the fixtures', () => {
  it('some fixture folder has autofixes', () => {
    expect(folders.length).toBeGreaterThan(0);
  });

  it.each(folders)('fixtures/%s: fixes keep the code type-checking, and a second run has nothing to fix', (folder) => {
    const dir = path.join(temp, folder);
    fs.cpSync(path.join(FIXTURES, folder), dir, { recursive: true });
    const before = analyze(dir);
    const diagnosticsBefore = typeDiagnostics(before.projects, dir);
    const fixable = before.findings.filter((f) => f.fix);
    const applied = applyFixes(fixable, (file) => fs.readFileSync(file, 'utf8'), (file, text) => fs.writeFileSync(file, text));
    expect(applied.fixesApplied).toBe(fixable.length);

    const after = analyze(dir);
    expect(typeDiagnostics(after.projects, dir)).toEqual(diagnosticsBefore);
    expect(after.findings.filter((f) => f.fix).map((f) => describeFix(f, dir))).toEqual([]);
    // The fixed findings are gone and nothing new appeared: every finding left is one that had
    // no fix. (A fix may also settle another finding: an `await` added in a callee's `try` makes
    // a dropped call of that callee safe.)
    const unfixed = new Set(before.findings.filter((f) => !f.fix).map((f) => describeFix(f, dir)));
    expect(after.findings.map((f) => describeFix(f, dir)).filter((k) => !unfixed.has(k))).toEqual([]);
  });
});
