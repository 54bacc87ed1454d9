import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import type { AnyCheck } from '../analyzer/check/contract.js';
import {
  ConfigError,
  createIgnoreMatcher,
  findConfig,
  loadConfig,
  mergeOptions,
  resolveRuleSettings,
  validateConfig,
} from '../analyzer/cli/config.js';
import { parseCliArgs, UsageError, HELP_TEXT } from '../analyzer/cli/args.js';
import { main } from '../analyzer/cli/main.js';

function fakeCheck(id: string, recommended: 'error' | 'warning' | 'off', defaultOptions: Record<string, unknown> = {}): AnyCheck {
  return {
    meta: {
      id,
      description: id,
      recommended,
      messages: {},
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ignoreVoid: { type: 'boolean' },
          mode: { type: 'string', enum: ['fast', 'slow'] },
          nested: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
          list: { type: 'array', items: { type: 'string' } },
        },
      },
      defaultOptions,
    },
    run() {},
  };
}

const CHECKS = [
  fakeCheck('no-floating-promise', 'error', { ignoreVoid: true, nested: { a: 1, b: 2 }, list: ['x'] }),
  fakeCheck('no-race', 'warning'),
  fakeCheck('strict-only', 'off'),
];

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    if (name.endsWith('/')) {
      fs.mkdirSync(file, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
  return dir;
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

function loadError(cwd: string, explicit?: string): string {
  try {
    loadConfig(cwd, explicit, CHECKS);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: finding the file', () => {
  it('finds .concurrency-lint.json in an ancestor folder', () => {
    const root = tempTree({ '.git/': '', '.concurrency-lint.json': json({ rules: { 'no-race': 'error' } }), 'pkg/src/': '' });
    const config = loadConfig(path.join(root, 'pkg/src'), undefined, CHECKS);
    expect(config.rules['no-race']).toEqual({ severity: 'error' });
    expect(config.baseDir).toBe(root);
    expect(config.file).toBe(path.join(root, '.concurrency-lint.json'));
  });

  it('stops at the folder containing .git', () => {
    const root = tempTree({ '.concurrency-lint.json': json({ rules: { 'no-race': 'error' } }), 'repo/.git/': '', 'repo/src/': '' });
    expect(findConfig(path.join(root, 'repo/src'))).toBeUndefined();
    const config = loadConfig(path.join(root, 'repo/src'), undefined, CHECKS);
    expect(config.rules).toEqual({});
    expect(config.ignore).toEqual([]);
  });

  it('uses the "concurrency-lint" key of the nearest package.json', () => {
    const root = tempTree({
      '.git/': '',
      'package.json': json({ name: 'root', 'concurrency-lint': { rules: { 'no-race': 'off' } } }),
      'a/package.json': json({ name: 'a' }),
      'a/b/': '',
    });
    const config = loadConfig(path.join(root, 'a/b'), undefined, CHECKS);
    expect(config.rules['no-race']).toEqual({ severity: 'off' });
    expect(config.file).toBe(path.join(root, 'package.json'));
  });

  it('prefers .concurrency-lint.json over package.json in the same folder', () => {
    const root = tempTree({
      '.git/': '',
      'package.json': json({ 'concurrency-lint': { rules: { 'no-race': 'off' } } }),
      '.concurrency-lint.json': json({ rules: { 'no-race': 'error' } }),
    });
    expect(loadConfig(root, undefined, CHECKS).rules['no-race']!.severity).toBe('error');
  });

  it('loads an explicit --config path and reports a missing one', () => {
    const root = tempTree({ '.git/': '', 'conf/lint.json': json({ ignore: ['dist'] }) });
    expect(loadConfig(root, 'conf/lint.json', CHECKS).ignore).toEqual(['dist']);
    expect(loadError(root, 'conf/missing.json')).toBe('config file not found: conf/missing.json');
  });
});

describe('loadConfig: validation errors name the key', () => {
  const cases: [string, unknown, string][] = [
    ['unknown top-level key', { rulez: {} }, '.concurrency-lint.json: unknown key "rulez" (expected "rules" or "ignore")'],
    ['unknown rule id', { rules: { 'no-such-rule': 'error' } }, '.concurrency-lint.json: rules.no-such-rule: unknown rule "no-such-rule"'],
    ['bad severity', { rules: { 'no-race': 'warning' } }, '.concurrency-lint.json: rules.no-race: must be "off", "warn" or "error", got "warning"'],
    ['bad severity in array', { rules: { 'no-race': [2] } }, '.concurrency-lint.json: rules.no-race[0]: must be "off", "warn" or "error", got 2'],
    ['options of the wrong type', { rules: { 'no-floating-promise': ['warn', { ignoreVoid: 'yes' }] } }, '.concurrency-lint.json: rules.no-floating-promise[1].ignoreVoid: must be boolean'],
    ['unknown option', { rules: { 'no-floating-promise': ['warn', { ignoreVod: true }] } }, '.concurrency-lint.json: rules.no-floating-promise[1].ignoreVod: unknown option'],
    ['enum option', { rules: { 'no-race': ['warn', { mode: 'medium' }] } }, '.concurrency-lint.json: rules.no-race[1].mode: must be one of "fast", "slow"'],
    ['nested array item', { rules: { 'no-race': ['warn', { list: ['a', 3] }] } }, '.concurrency-lint.json: rules.no-race[1].list[1]: must be string'],
    ['options not an object', { rules: { 'no-race': ['warn', true] } }, '.concurrency-lint.json: rules.no-race[1]: must be an object'],
    ['too many entries', { rules: { 'no-race': ['warn', {}, {}] } }, '.concurrency-lint.json: rules.no-race: must be a severity or [severity, { options }]'],
    ['ignore not an array', { ignore: 'dist' }, '.concurrency-lint.json: ignore: must be an array of strings'],
    ['ignore entry not a string', { ignore: ['dist', 4] }, '.concurrency-lint.json: ignore[1]: must be a non-empty string'],
    ['not an object', [1, 2], '.concurrency-lint.json: the configuration must be a JSON object'],
  ];
  for (const [name, value, message] of cases) {
    it(name, () => {
      const root = tempTree({ '.git/': '', '.concurrency-lint.json': json(value) });
      expect(loadError(root)).toBe(message);
    });
  }

  it('invalid JSON names the file, line, column and position', () => {
    const root = tempTree({ '.git/': '', '.concurrency-lint.json': '{\n  "rules": {,}\n}\n' });
    expect(loadError(root)).toMatch(/^\.concurrency-lint\.json: invalid JSON at line 2, column 13 \(position 14\): /);
  });

  it('errors in package.json name the key', () => {
    const root = tempTree({ '.git/': '', 'package.json': json({ 'concurrency-lint': { rules: { nope: 'off' } } }) });
    expect(loadError(root)).toBe('package.json: "concurrency-lint": rules.nope: unknown rule "nope"');
  });

  it('messages are one line', () => {
    const root = tempTree({ '.git/': '', '.concurrency-lint.json': '{"rules": ' });
    expect(loadError(root)).not.toContain('\n');
  });
});

describe('resolveRuleSettings', () => {
  const empty = validateConfig({}, 'x', '/', CHECKS);

  it('defaults to the recommended rules at their recommended severity', () => {
    const settings = resolveRuleSettings(empty, [], [], CHECKS);
    expect([...settings.keys()]).toEqual(['no-floating-promise', 'no-race']);
    expect(settings.get('no-floating-promise')).toEqual({
      severity: 'error',
      options: { ignoreVoid: true, nested: { a: 1, b: 2 }, list: ['x'] },
    });
    expect(settings.get('no-race')!.severity).toBe('warning');
  });

  it('applies config severities and deep-merges options over the defaults', () => {
    const config = validateConfig(
      { rules: { 'no-floating-promise': ['warn', { nested: { b: 3 }, list: [] }], 'no-race': 'off', 'strict-only': 'error' } },
      'x', '/', CHECKS,
    );
    const settings = resolveRuleSettings(config, [], [], CHECKS);
    expect([...settings.keys()]).toEqual(['no-floating-promise', 'strict-only']);
    expect(settings.get('no-floating-promise')).toEqual({
      severity: 'warning',
      options: { ignoreVoid: true, nested: { a: 1, b: 3 }, list: [] },
    });
  });

  it('--rule runs only the named rules, falling back to recommended then error', () => {
    const config = validateConfig({ rules: { 'no-race': 'off', 'no-floating-promise': 'warn' } }, 'x', '/', CHECKS);
    const settings = resolveRuleSettings(config, ['no-race', 'strict-only', 'no-floating-promise'], [], CHECKS);
    expect(settings.get('no-race')!.severity).toBe('warning');
    expect(settings.get('strict-only')!.severity).toBe('error');
    expect(settings.get('no-floating-promise')!.severity).toBe('warning');
    expect(resolveRuleSettings(config, ['strict-only'], [], CHECKS).size).toBe(1);
  });

  it('--disable wins', () => {
    expect([...resolveRuleSettings(empty, [], ['no-race'], CHECKS).keys()]).toEqual(['no-floating-promise']);
    expect(resolveRuleSettings(empty, ['no-race'], ['no-race'], CHECKS).size).toBe(0);
  });

  it('mergeOptions replaces arrays and ignores non-object overrides', () => {
    expect(mergeOptions({ a: [1], b: { c: 1 } }, { a: [2] })).toEqual({ a: [2], b: { c: 1 } });
    expect(mergeOptions({ a: 1 }, undefined)).toEqual({ a: 1 });
  });
});

describe('ignore patterns', () => {
  const base = path.join(os.tmpdir(), 'proj');
  const ignored = createIgnoreMatcher(['dist', 'src/gen/**', '*.generated.ts', 'lib/*/fixtures'], base);
  const at = (rel: string): string => path.join(base, rel);

  it('matches folder prefixes, globs and bare names at any depth', () => {
    expect(ignored(at('dist/a.ts'))).toBe(true);
    expect(ignored(at('src/dist/a.ts'))).toBe(true);
    expect(ignored(at('src/gen/deep/x.ts'))).toBe(true);
    expect(ignored(at('src/a.generated.ts'))).toBe(true);
    expect(ignored(at('lib/core/fixtures/f.ts'))).toBe(true);
    expect(ignored(at('src/a.ts'))).toBe(false);
    expect(ignored(at('distant/a.ts'))).toBe(false);
    expect(ignored(at('lib/core/src/f.ts'))).toBe(false);
    expect(ignored(path.join(os.tmpdir(), 'other/dist/a.ts'))).toBe(false);
  });

  it('no patterns ignore nothing', () => {
    expect(createIgnoreMatcher([], base)(at('dist/a.ts'))).toBe(false);
  });
});

describe('command-line arguments', () => {
  it('parses every option', () => {
    const args = parseCliArgs([
      'src', 'lib', '-p', 'tsconfig.json', '-f', 'sarif', '-o', 'out.sarif', '--rule', 'a', '--rule', 'b',
      '--disable', 'c', '--fix', '--max-warnings', '3', '--baseline', 'b.json', '--update-baseline',
      '--config', 'c.json', '--quiet', '--debug',
    ]);
    expect(args).toMatchObject({
      paths: ['src', 'lib'], project: 'tsconfig.json', format: 'sarif', output: 'out.sarif', rules: ['a', 'b'],
      disable: ['c'], fix: true, maxWarnings: 3, baseline: 'b.json', updateBaseline: true, config: 'c.json',
      quiet: true, debug: true, version: false, help: false,
    });
    expect(parseCliArgs([])).toMatchObject({ paths: ['.'], format: 'pretty', rules: [], fix: false });
  });

  it('throws UsageError with one-line messages', () => {
    for (const argv of [['--nope'], ['-f', 'xml'], ['--max-warnings', '1.5'], ['--max-warnings', '-1'], ['--format']]) {
      expect(() => parseCliArgs(argv)).toThrow(UsageError);
      try {
        parseCliArgs(argv);
      } catch (err) {
        expect((err as Error).message).not.toContain('\n');
      }
    }
  });

  it('help lists every option and the exit codes', () => {
    for (const option of ['--project', '--format', '--output', '--rule', '--disable', '--fix', '--max-warnings', '--baseline',
      '--update-baseline', '--config', '--quiet', '--debug', '--version', '--help', 'Exit codes']) {
      expect(HELP_TEXT).toContain(option);
    }
  });
});

describe('main: usage errors exit 2 with one line on stderr', () => {
  function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io = { cwd: os.tmpdir(), env: {}, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    return main(argv, io).then((code) => ({ code, out, err }));
  }

  const cases: [string[], RegExp][] = [
    [['--bogus'], /^concurrency-lint: unknown option '--bogus'\n$/],
    [['--format', 'xml'], /^concurrency-lint: unknown format 'xml' \(expected one of: pretty, json, sarif, github\)\n$/],
    [['--max-warnings', 'lots'], /^concurrency-lint: --max-warnings must be a non-negative integer, got 'lots'\n$/],
    [['--rule', 'no-such-rule'], /^concurrency-lint: unknown rule 'no-such-rule' in --rule \(known rules: [^\n]*\)\n$/],
    [['--disable', 'no-such-rule'], /^concurrency-lint: unknown rule 'no-such-rule' in --disable [^\n]*\n$/],
    [['--config', 'no-such-config.json'], /^concurrency-lint: config file not found: no-such-config\.json\n$/],
  ];
  for (const [argv, pattern] of cases) {
    it(argv.join(' '), async () => {
      const { code, out, err } = await run(argv);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toMatch(pattern);
    });
  }

  it('--debug adds the stack', async () => {
    const { code, err } = await run(['--debug', '--rule', 'no-such-rule']);
    expect(code).toBe(2);
    expect(err.split('\n').length).toBeGreaterThan(3);
  });

  it('--help and --version exit 0 on stdout', async () => {
    const help = await run(['-h']);
    expect(help.code).toBe(0);
    expect(help.out).toBe(HELP_TEXT);
    const version = await run(['--version']);
    const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    // The tool's version, then the compiler it analyses with (this repository's TypeScript 6.0).
    expect(version).toEqual({ code: 0, out: `${pkg.version}\nTypeScript ${ts.version}\n`, err: '' });
  });
});
