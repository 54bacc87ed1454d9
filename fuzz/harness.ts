/**
 * The two ways concurrency-lint runs, driven on a folder of files: the CLI engine
 * (`loadProjects` + `checkProjects`, as `concurrency-lint` runs it) and the ESLint plugin
 * (ESLint's Linter with typescript-eslint over the same `ts.Program`). Workspaces are temp
 * folders with a link to this package's node_modules, so imports of installed packages
 * (async-mutex, typeorm...) resolve as they do for the fixtures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Linter } from 'eslint';
import type ts from 'typescript';
import { configForProgram } from '../rules/index.js';
import { formatTraceSuffix } from '../rules/from-check.js';
import { allChecks } from '../analyzer/checks/index.js';
import { checkProjects } from '../analyzer/cli/analyze.js';
import { loadProjects, type LoadedProject } from '../analyzer/project/project.js';
import type { AnalyzeResult, RuleSetting } from '../analyzer/check/run-types.js';
import type { Finding } from '../analyzer/check/finding.js';
import type { Files } from './generate.js';

const NODE_MODULES = path.dirname(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')));
/** This package's root (the folder holding node_modules/ and fixtures/). */
export const REPO_ROOT = path.dirname(NODE_MODULES);

export interface Workspace {
  dir: string;
  /** Replace the workspace's source files with `files` (paths relative to `dir`). */
  write(files: Files): void;
  abs(rel: string): string;
  rel(abs: string): string;
  remove(): void;
}

export function createWorkspace(prefix = 'cl-fuzz-'): Workspace {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  fs.symlinkSync(NODE_MODULES, path.join(dir, 'node_modules'), 'dir');
  let written: string[] = [];
  return {
    dir,
    write(files) {
      for (const rel of written) fs.rmSync(path.join(dir, rel), { force: true });
      written = Object.keys(files);
      for (const [rel, text] of Object.entries(files)) {
        const file = path.join(dir, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
      }
    },
    abs: (rel) => path.join(dir, rel),
    rel: (abs) => path.relative(dir, abs).split(path.sep).join('/'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Options the paths are compared with: the ESLint plugin's defaults where they differ from the
 * CLI's (`meta.editorOptions`: no-blocking-in-async reports per call site in the editor, once per
 * cause in the CLI; see the rule's docs), so parity is checked with the editor's.
 */
export const PARITY_OPTIONS: Record<string, Record<string, unknown>> = Object.fromEntries(
  allChecks.filter((c) => c.meta.editorOptions).map((c) => [c.meta.id, { ...c.meta.editorOptions }]),
);

/** Every rule on (the strict set, not only the recommended one), at its default options but PARITY_OPTIONS. */
export function allRules(order: (ids: string[]) => string[] = (ids) => ids): Map<string, RuleSetting> {
  const ids = order(allChecks.map((c) => c.meta.id));
  return new Map(ids.map((id) => [id, { severity: 'error' as const, options: { ...PARITY_OPTIONS[id] } }]));
}

export interface CliRun {
  projects: LoadedProject[];
  result: AnalyzeResult;
  loadDiagnostics: string[];
}

export function runCli(ws: Workspace, rules = allRules()): CliRun {
  const { projects, diagnostics } = loadProjects({ paths: [ws.dir], cwd: ws.dir });
  const result = checkProjects(projects, { rules, debug: true });
  return { projects, result, loadDiagnostics: diagnostics.map((d) => `${d.severity} ${d.file ? ws.rel(d.file) : ''}: ${d.message}`) };
}

/** A finding as both paths can show it: position, rule, full message with the trace. */
export function findingKey(ws: Workspace, f: Finding): string {
  return `${ws.rel(f.file)}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.ruleId} ${f.message}${formatTraceSuffix(f.trace, ws.dir)}`;
}

export interface EslintMessage {
  key: string;
  file: string;
  /** The file's text after applying this message's fix, if it has one. */
  fixed?: string;
}

export interface EslintRun {
  messages: EslintMessage[];
  /** Exceptions out of `verify` and messages without a rule id (parse errors), per file. */
  problems: { file: string; detail: string; fatal: boolean }[];
}

export function runEslint(ws: Workspace, program: ts.Program, files: readonly ts.SourceFile[]): EslintRun {
  const linter = new Linter({ cwd: ws.dir });
  const config = [configForProgram(program)];
  const out: EslintRun = { messages: [], problems: [] };
  for (const sf of files) {
    const rel = ws.rel(sf.fileName);
    let messages: Linter.LintMessage[];
    try {
      messages = linter.verify(sf.text, config, { filename: sf.fileName });
    } catch (error) {
      out.problems.push({ file: rel, detail: error instanceof Error ? (error.stack ?? error.message) : String(error), fatal: false });
      continue;
    }
    for (const m of messages) {
      if (!m.ruleId) {
        out.problems.push({ file: rel, detail: m.message, fatal: m.fatal === true });
        continue;
      }
      const rule = m.ruleId.replace(/^concurrency\//, '');
      const key = `${rel}:${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${rule} ${m.message}`;
      const fixed = m.fix ? sf.text.slice(0, m.fix.range[0]) + m.fix.text + sf.text.slice(m.fix.range[1]) : undefined;
      out.messages.push({ key, file: rel, fixed });
    }
  }
  return out;
}
