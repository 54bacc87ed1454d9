/**
 * The "cannot reject" summary (analyzer/promises/rejections.ts) as no-floating-promise uses it,
 * and the lost-rejection wording that depends on a process-level `unhandledRejection` handler.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProjects } from '../analyzer/project/project.js';
import { runCheck } from '../analyzer/check/run.js';
import type { Finding } from '../analyzer/check/finding.js';
import check from '../analyzer/promises/no-floating-promise.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'promise-rejections-'));
fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(temp, 'node_modules'), 'dir');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
let counter = 0;

function lint(files: Record<string, string>): Finding[] {
  const dir = path.join(temp, `case-${counter++}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const { projects } = loadProjects({ paths: [dir], cwd: dir });
  return projects.flatMap((p) => p.files.flatMap((sf) => runCheck(check, { severity: 'error', options: {} }, p.program, sf)));
}

const JOBS = [
  'declare function send(id: string): Promise<void>;',
  'declare const log: { warn(message: string, error?: unknown): void };',
  '// Retries itself inside the catch: recursion through a self-handling function.',
  'export async function deliver(id: string, tries = 3): Promise<void> {',
  '  try {',
  '    await send(id);',
  '  } catch (error) {',
  '    log.warn(`retrying ${id}`, error);',
  '    if (tries > 0) await deliver(id, tries - 1);',
  '  }',
  '}',
  'export async function deliverAll(ids: string[]): Promise<void> {',
  '  for (const id of ids) await deliver(id);',
  '}',
  'export async function sendNow(id: string): Promise<void> {',
  '  await send(id);',
  '}',
  '',
].join('\n');

const USE = "import { deliver, deliverAll, sendNow } from './jobs.js';\nexport function start(ids: string[]): void {\n  deliver('a');\n  deliverAll(ids);\n  sendNow('b');\n}\n";

describe('no-floating-promise and callees that cannot reject', () => {
  it('is quiet for dropped calls of self-handling functions (recursive, and through a loop of them)', () => {
    expect(lint({ 'jobs.ts': JOBS, 'use.ts': USE }).map((f) => f.line)).toEqual([5]);
  });

  it('words the lost rejection by whether the program installs an unhandledRejection handler', () => {
    const [without] = lint({ 'jobs.ts': JOBS, 'use.ts': USE });
    expect(without!.message).toContain('Node 15+ exits');
    const handler = "process.once('unhandledRejection', (reason) => { console.error(reason); });\nexport {};\n";
    const [withHandler] = lint({ 'jobs.ts': JOBS, 'use.ts': USE, 'main.ts': handler });
    expect(withHandler!.message).not.toContain('exits');
    expect(withHandler!.message).toContain('process-wide `unhandledRejection` handler');
    expect(withHandler!.trace.some((step) => step.file.endsWith('main.ts'))).toBe(true);
  });

  it('gives an async function that awaits nothing its own wording', () => {
    const findings = lint({ 'a.ts': 'async function publish(bus: { emit(t: string): void }): Promise<void> { bus.emit("x"); }\nexport function f(bus: { emit(t: string): void }): void {\n  publish(bus);\n}\n' });
    expect(findings.map((f) => f.messageId)).toEqual(['floatingSettled']);
  });
});
