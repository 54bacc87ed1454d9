/**
 * no-query-outside-transaction beyond the markers: messages that say what runs outside, why it
 * matters and the fix; traces from the transaction through helpers to the query; suggestions
 * that, applied, leave the files type-correct and quiet; the summary computed once per function.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers/fixtures.js';
import check from '../analyzer/orm/transactions/no-query-outside-transaction.js';
import { loadProjects, type LoadedProject } from '../analyzer/project/project.js';
import { runCheck } from '../analyzer/check/run.js';
import { applyEdits } from '../analyzer/cli/fix.js';
import type { Finding } from '../analyzer/check/finding.js';
import { summaryStats } from '../analyzer/summaries/engine.js';
import { txEscapeKind } from '../analyzer/orm/transactions/summary.js';

const REPO = path.resolve(import.meta.dirname, '..');
const DIR = path.join(FIXTURES, 'no-query-outside-transaction');

function lint(projects: LoadedProject[]): Finding[] {
  return projects.flatMap((p) => p.files.flatMap((sf) => runCheck(check, { severity: 'error', options: {} }, p.program, sf)));
}

const rel = (file: string) => path.relative(DIR, file).replace(/\\/g, '/');

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('no-query-outside-transaction', () => {
  const projects = loadProjects({ paths: [DIR], cwd: DIR }).projects;
  const findings = lint(projects);
  const at = (file: string, line: number) => findings.find((f) => rel(f.file) === file && f.line === line)!;

  it('says what runs outside, why it matters, and the fix for the ORM', () => {
    const f = at('typeorm/transfer.service.ts', 20);
    expect(f.message).toContain('`this.accounts.increment(...)` runs outside the TypeORM transaction opened by `this.dataSource.transaction(...)`');
    expect(f.message).toContain('not rolled back');
    expect(f.message).toContain('hold-and-wait deadlock');
    expect(f.message).toContain('`manager.withRepository(repository)`');
    const seq = at('sequelize/invalid.ts', 9);
    expect(seq.message).toContain('it passes no `transaction` option');
    expect(seq.message).toContain('`{ transaction: t }`');
  });

  it('traces from the transaction through every helper to the query, across files', () => {
    const f = at('typeorm/transfer.service.ts', 43);
    expect(f.message).toContain('through `AuditService.record`');
    expect(f.trace.map((s) => `${path.basename(s.file)}:${s.line} ${s.message}`)).toEqual([
      'transfer.service.ts:41 opens the TypeORM transaction (its handle is `manager`)',
      'transfer.service.ts:43 calls `AuditService.record`',
      'audit.service.ts:12 runs a query on `this.auditLogs`, on another connection',
    ]);
    const prisma = at('prisma/invalid.ts', 26);
    expect(prisma.trace.at(-1)!.message).toBe('runs a query on `db.payment`, on another connection');
  });

  it('computes each function\'s summary once', () => {
    for (const p of projects) {
      const stats = summaryStats(p.program, txEscapeKind);
      expect(stats.computeCalls).toBeLessThanOrEqual(stats.components + stats.recursiveComponents * 100);
    }
  });

  it('offers suggestions that, applied, leave the files type-correct and quiet', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tx-fix-'));
    tmpDirs.push(dir);
    const to = path.join(dir, 'fixture');
    for (const part of ['package.json', 'prisma', 'knex', 'drizzle']) fs.cpSync(path.join(DIR, part), path.join(to, part), { recursive: true });
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'junction');
    const before = lint(loadProjects({ paths: [to], cwd: to }).projects);
    const withSuggestion = before.filter((f) => f.suggestions.length > 0);
    expect(withSuggestion.length).toBeGreaterThanOrEqual(12);
    const byFile = new Map<string, Finding[]>();
    for (const f of withSuggestion) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    for (const [file, list] of byFile) {
      fs.writeFileSync(file, applyEdits(fs.readFileSync(file, 'utf8'), list.flatMap((f) => f.suggestions[0]!.edits)));
    }
    const projects2 = loadProjects({ paths: [to], cwd: to }).projects;
    const after = lint(projects2);
    // Only the findings without a suggestion remain (helpers, batch transactions).
    expect(after.map((f) => `${rel2(to, f.file)}:${f.line}`).sort()).toEqual(
      before.filter((f) => f.suggestions.length === 0).map((f) => `${rel2(to, f.file)}:${f.line}`).sort(),
    );
    const program = projects2[0]!.program;
    const errors = [...byFile.keys()].flatMap((file) => program.getSemanticDiagnostics(program.getSourceFile(file)).map((d) => `${rel2(to, file)}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`));
    expect(errors).toEqual([]);
    expect(fs.readFileSync(path.join(to, 'prisma/invalid.ts'), 'utf8')).toContain('await tx.payment.create({ data: { userId, amount } });');
  });
});

const rel2 = (root: string, file: string) => path.relative(root, file).replace(/\\/g, '/');
