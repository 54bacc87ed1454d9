/**
 * Docs examples are tests: every Incorrect/Correct `ts` block of every rule page compiles (with
 * the page's hidden preamble) and gives exactly the documented findings under
 * `configs.recommended` (see test/helpers/docs-examples.ts for the conventions). One program
 * per page: each block is a module of its own in a temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProjects } from '../analyzer/cli/analyze.js';
import { loadProjects } from '../analyzer/project/project.js';
import { resolveRuleSettings } from '../analyzer/cli/config.js';
import { allChecks } from '../analyzer/checks/index.js';
import { docsPages, examplesOf, type DocExample } from './helpers/docs-examples.js';

const REPO = path.resolve(import.meta.dirname, '..');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-examples-'));
fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(temp, 'node_modules'), 'dir');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    lib: ['es2022', 'esnext.disposable', 'dom'],
    types: ['node'],
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    noEmit: true,
  },
  include: ['*.ts'],
};

interface Outcome {
  example: DocExample;
  /** `line rule` of every finding, lines counted in the visible block. */
  findings: string[];
  typeErrors: string[];
}

function runPage(rule: string, examples: DocExample[]): Outcome[] {
  const dir = path.join(temp, rule);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  const files = examples.map((e, i) => {
    const file = path.join(dir, `example-${i + 1}-${e.kind}.ts`);
    fs.writeFileSync(file, `${e.preamble}\n${e.code}\nexport {};\n`);
    return file;
  });
  const { projects, diagnostics } = loadProjects({ paths: [dir], cwd: dir });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join('\n'));
  const rules = resolveRuleSettings({ rules: {} }, [], []);
  if (!rules.has(rule)) rules.set(rule, { severity: 'error', options: {} });
  const result = checkProjects(projects, { rules });
  return examples.map((example, i) => {
    const offset = example.preamble.split('\n').length;
    const file = fs.realpathSync(files[i]!);
    const findings = result.findings.filter((f) => fs.realpathSync(f.file) === file).map((f) => `${f.line - offset} ${f.ruleId}`);
    const typeErrors = projects.flatMap(({ program }) => {
      const sf = program.getSourceFiles().find((s) => fs.realpathSync(s.fileName) === file);
      if (!sf) return [`${file} is not in the program`];
      return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => {
        const text = typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText;
        return `${sf.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 - offset}: TS${d.code} ${text}`;
      });
    });
    return { example, findings, typeErrors };
  });
}

const pages = docsPages()
  .map((p) => ({ rule: p.rule, examples: examplesOf(p.rule, p.text) }))
  .filter((p) => allChecks.some((c) => c.meta.id === p.rule));

describe.each(pages.map((p) => [p.rule, p.examples] as const))('docs/rules/%s.md', (rule, examples) => {
  it('has incorrect and correct examples', () => {
    expect(examples.some((e) => e.kind === 'incorrect')).toBe(true);
    expect(examples.some((e) => e.kind === 'correct')).toBe(true);
  });

  const outcomes = runPage(rule, examples);
  it.each(outcomes.map((o) => [`${o.example.kind} block at line ${o.example.line}`, o] as const))('%s', (_name, outcome) => {
    const { example } = outcome;
    expect(outcome.typeErrors, 'the example must compile (declare what it uses in the docs-test preamble)').toEqual([]);
    if (example.kind === 'correct') {
      expect(outcome.findings).toEqual([]);
      return;
    }
    expect(example.findings, 'an incorrect block says how many findings it gives: <!-- docs-test findings: N -->').toBeGreaterThan(0);
    expect(outcome.findings.filter((f) => !f.endsWith(` ${rule}`)), 'findings of other rules').toEqual([]);
    expect(outcome.findings.length, `findings: ${outcome.findings.join(', ')}`).toBe(example.findings);
  });
});
