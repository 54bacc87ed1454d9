/**
 * no-missing-await beyond the markers: the text of its autofixes and suggestions (CLI and ESLint
 * give the same result), its traces, its options, and where `await` may not be inserted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers/fixtures.js';
import check from '../analyzer/promises/no-missing-await/no-missing-await.js';
import { loadProjects, type LoadedProject } from '../analyzer/project/project.js';
import { runCheck } from '../analyzer/check/run.js';
import { applyEdits } from '../analyzer/cli/fix.js';
import type { Finding, TextEdit } from '../analyzer/check/finding.js';
import plugin from '../rules/index.js';

const DIR = path.join(FIXTURES, 'no-missing-await');
const REPO = path.resolve(import.meta.dirname, '..');

function lint(projects: LoadedProject[], options: Record<string, unknown> = {}): Finding[] {
  return projects.flatMap((p) => p.files.flatMap((sf) => runCheck(check, { severity: 'error', options }, p.program, sf)));
}

const fixture = loadProjects({ paths: [DIR], cwd: DIR }).projects;
const findings = lint(fixture);
const rel = (file: string) => path.relative(DIR, file).replace(/\\/g, '/');
const at = (file: string, line: number) => findings.filter((f) => rel(f.file) === file && f.line === line);
const textOf = (file: string) => fs.readFileSync(path.join(DIR, file), 'utf8');

/** The text of one line of `file` after applying the given edits. */
function lineAfter(file: string, line: number, edits: TextEdit[]): string {
  const text = textOf(file);
  const lineStart = text.split('\n').slice(0, line - 1).join('\n').length + (line > 1 ? 1 : 0);
  const shift = edits.filter((e) => e.end <= lineStart).reduce((n, e) => n + e.text.length - (e.end - e.start), 0);
  return applyEdits(text, edits).slice(lineStart + shift).split('\n')[0]!.trim();
}

describe('no-missing-await autofixes', () => {
  const fixed = (file: string, line: number) => {
    const [f] = at(file, line);
    expect(f?.fix, `${file}:${line} has an autofix`).toBeDefined();
    return lineAfter(file, line, f!.fix!);
  };

  it('parenthesises `await` under `!` and leaves plain tests bare', () => {
    expect(fixed('conditions.ts', 29)).toBe("if (!(await isAdmin(user))) throw new Error('admins only'); // expect: no-missing-await");
    expect(fixed('conditions.ts', 40)).toBe('while (await nextJob()) { // expect: no-missing-await');
    expect(fixed('js/conditions.js', 13)).toBe('if (await isMember(user)) { // expect: no-missing-await');
    expect(fixed('js/conditions.js', 20)).toBe("return (await isMember(user)) ? 'gold' : 'none'; // expect: no-missing-await");
    expect(fixed('js/conditions.js', 31)).toBe('if (!user.disabled || (await isMember(user))) { // expect: no-missing-await');
  });

  it('fixes at the top level of an ES module', () => {
    expect(fixed('conditions.ts', 110)).toBe("if (!(await isAdmin(root))) console.warn('root is not an admin'); // expect: no-missing-await");
  });

  it('writes `return await` in try, for each returned branch', () => {
    expect(fixed('returns.ts', 28)).toBe('return await charge(amount); // expect: no-missing-await');
    const branches = at('returns.ts', 58);
    expect(branches).toHaveLength(2);
    expect(lineAfter('returns.ts', 58, branches.flatMap((f) => f.fix!))).toBe(
      'return retry ? await charge(amount * 2) : await charge(amount); // expect: no-missing-await, no-missing-await',
    );
  });

  it('awaits a variable at its use', () => {
    expect(fixed('variables.ts', 15)).toBe("if (!(await allowed)) throw new Error('admins only'); // expect: no-missing-await");
  });

  it('gives no autofix where the result is ambiguous, not exactly a Promise, void, or in a synchronous function', () => {
    for (const [file, line] of [
      ['conditions.ts', 67], // Boolean(promise): a value position
      ['conditions.ts', 78], // Promise<void> tested
      ['conditions.ts', 83], // a thenable
      ['conditions.ts', 88], // synchronous function
      ['js/conditions.js', 38], // `&&` operand outside a test: its value changes type
      ['returns.ts', 67], // Promise<number> | number
      ['values.ts', 30], // template literal
      ['predicates.ts', 9], // synchronous callback on purpose
    ] as const) {
      const [f] = at(file, line);
      expect(f, `${file}:${line}`).toBeDefined();
      expect(f!.fix, `${file}:${line}`).toBeUndefined();
    }
  });

  it('the ESLint path applies the same fixes as the CLI path', () => {
    const linter = new Linter({ cwd: DIR });
    const config = [
      {
        files: ['**/*.{ts,js}'],
        plugins: { concurrency: plugin },
        languageOptions: { parser: tsParser, parserOptions: { programs: [fixture[0]!.program] } },
        rules: { 'concurrency/no-missing-await': 'error' },
      },
    ];
    for (const file of ['conditions.ts', 'returns.ts', 'js/conditions.js', 'cross-file/use.ts']) {
      const fileName = path.join(DIR, file);
      const edits = findings.filter((f) => f.file === fileName && f.fix).flatMap((f) => f.fix!);
      // One pass (`verifyAndFix` would lint its own output again against the fixed, unchanged program).
      const messages = linter.verify(textOf(file), config as Linter.Config[], { filename: fileName });
      const eslintEdits = messages.flatMap((m): TextEdit[] => (m.fix ? [{ file: fileName, start: m.fix.range[0], end: m.fix.range[1], text: m.fix.text }] : []));
      expect(eslintEdits.length, file).toBeGreaterThan(0);
      expect(applyEdits(textOf(file), eslintEdits), file).toBe(applyEdits(textOf(file), edits));
    }
  });
});

describe('no-missing-await suggestions', () => {
  const suggestion = (file: string, line: number, messageId: string) => at(file, line)[0]?.suggestions.find((s) => s.messageId === messageId);

  it('makes a void function async, rewriting its `: void` annotation', () => {
    const s = suggestion('conditions.ts', 88, 'makeAsync');
    expect(s?.desc).toBe('Make the enclosing function async and add `await`');
    expect(lineAfter('conditions.ts', 87, s!.edits)).toBe('export async function warnIfNotAdmin(user: User): Promise<void> {');
    expect(lineAfter('conditions.ts', 88, s!.edits)).toContain('if (!(await isAdmin(user)))');
  });

  it('does not offer to make async a function whose callers expect a value', () => {
    expect(at('conditions.ts', 93)[0]?.suggestions).toEqual([]);
    expect(at('js/properties.js', 40)[0]?.suggestions).toEqual([]);
  });

  it('offers `await` in value positions and at the assignment of a variable', () => {
    expect(lineAfter('values.ts', 35, suggestion('values.ts', 35, 'addAwait')!.edits)).toBe(
      "let text = 'Profile of ' + (await displayName(id)); // expect: no-missing-await",
    );
    expect(lineAfter('variables.ts', 20, suggestion('variables.ts', 21, 'awaitAtAssignment')!.edits)).toBe('const name = await loadName(userId);');
    expect(lineAfter('js/properties.js', 14, suggestion('js/properties.js', 14, 'addAwait')!.edits)).toBe(
      'return (await loadUser(id)).name; // expect: no-missing-await',
    );
  });
});

describe('no-missing-await traces', () => {
  it('names the async function declared in another file', () => {
    const [f] = at('cross-file/use.ts', 6);
    expect(f!.trace.map((s) => [rel(s.file), s.line, s.message])).toEqual([
      ['cross-file/accounts.ts', 11, '`isMember` is async: it returns a Promise (declared here)'],
    ]);
    const [m] = at('cross-file/use.ts', 10);
    expect(m!.trace[0]!.message).toBe('`AccountService.isSuspended` is async: it returns a Promise (declared here)');
  });

  it('goes from a variable to its assignment, then to the function in another file', () => {
    const [f] = at('cross-file/use-from-js.js', 7);
    expect(f!.trace.map((s) => [rel(s.file), s.line])).toEqual([
      ['cross-file/use-from-js.js', 6],
      ['cross-file/legacy.js', 3],
    ]);
    expect(f!.message).toContain('`order` (the promise from `findOrder(...)`)');
  });

  it('has no trace for a call in the same file', () => {
    expect(at('conditions.ts', 29)[0]!.trace).toEqual([]);
  });
});

// Small programs in a temporary folder (next to a link to node_modules).
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'no-missing-await-'));
fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(temp, 'node_modules'), 'dir');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
let counter = 0;

function program(files: Record<string, string>): LoadedProject[] {
  const dir = path.join(temp, `case-${counter++}`);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return loadProjects({ paths: [dir], cwd: dir }).projects;
}

const API = `export async function isAdmin(id: string): Promise<boolean> { return id === 'root'; }
export async function load(id: string): Promise<{ id: string }> { return { id }; }
`;

describe('no-missing-await presence tests of a property (strictNullChecks off)', () => {
  it('a property declared or assigned empty is a presence test; an always-set one, a call and a variable are reported', () => {
    const p = program({
      'tsconfig.json': '{"compilerOptions":{"strict":false,"strictNullChecks":false,"target":"ES2022","module":"ESNext","moduleResolution":"bundler"},"include":["*.ts"]}',
      'a.ts': `declare function fetchName(): Promise<string>;
export class Loader {
  private pending: Promise<string> | null = null;
  private current: Promise<string>;
  private always: Promise<string> = fetchName();
  start(): void {
    if (this.pending) console.log('busy');
    if (this.current) console.log('busy');
    if (this.always) console.log('never false');
    if (fetchName()) console.log('always');
    const name = fetchName();
    if (name) console.log('always');
  }
  reset(): void {
    this.current = null;
  }
}
`,
    });
    expect(lint(p).map((f) => `${f.line} ${f.messageId}`)).toEqual(['9 condition', '10 condition', '12 condition']);
  });

  it('a comparison of such a property with null or undefined is a presence test too; of an always-set one it is reported', () => {
    const p = program({
      'tsconfig.json': '{"compilerOptions":{"strict":false,"strictNullChecks":false,"target":"ES2022","module":"ESNext","moduleResolution":"bundler"},"include":["*.ts"]}',
      'a.ts': `declare function fetchName(): Promise<string>;
export class Loader {
  private pending: Promise<string> | null = null;
  private always: Promise<string> = fetchName();
  busy(): boolean {
    return this.pending !== null || undefined != this.pending;
  }
  never(): boolean {
    return this.always === null;
  }
}
`,
    });
    expect(lint(p).map((f) => `${f.line} ${f.messageId}`)).toEqual(['9 value']);
  });
});

describe('no-missing-await options and module formats', () => {
  it('checksConditionals, checksValues, checksSpreads and checksReturnInTry turn their parts off', () => {
    const p = program({
      'package.json': '{"type":"module"}',
      'a.ts': `${API}export async function f(id: string) {
  if (!isAdmin(id)) return \`\${load(id)}\`;
  const copy = { ...load(id) };
  try { return load(id); } catch { return copy; }
}
`,
    });
    expect(lint(p).map((f) => f.messageId).sort()).toEqual(['condition', 'returnInTry', 'value', 'value']);
    expect(lint(p, { checksConditionals: false }).map((f) => f.messageId).sort()).toEqual(['returnInTry', 'value', 'value']);
    expect(lint(p, { checksValues: false, checksSpreads: false }).map((f) => f.messageId).sort()).toEqual(['condition', 'returnInTry']);
    expect(lint(p, { checksReturnInTry: false }).map((f) => f.messageId).sort()).toEqual(['condition', 'value', 'value']);
  });

  it('valueSinks adds functions whose arguments are consumed as values', () => {
    const p = program({
      'a.ts': `${API}export const logger = { info(value: unknown): void { void value; } };
export async function f(id: string) {
  logger.info(load(id));
}
`,
    });
    expect(lint(p)).toEqual([]);
    const [f] = lint(p, { valueSinks: ['info'] });
    expect(f?.message).toContain('the argument of `logger.info`');
  });

  it('does not insert top-level `await` in a file that compiles to CommonJS', () => {
    const p = program({
      'package.json': '{"type":"commonjs"}',
      'a.ts': `${API}if (!isAdmin('x')) console.log('no');\n`,
    });
    const [f] = lint(p);
    expect(f?.messageId).toBe('condition');
    expect(f?.fix).toBeUndefined();
    expect(f?.suggestions).toEqual([]);
  });

  it('is in configs.recommended (it met the field study\'s bar: no false finding among its judged ones) and in configs.strict', () => {
    expect(plugin.configs.recommended.rules?.['concurrency/no-missing-await']).toBe('error');
    expect(plugin.configs.strict.rules?.['concurrency/no-missing-await']).toBeDefined();
    expect(check.meta.recommended).toBe('error');
  });
});
