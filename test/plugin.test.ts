import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../rules/index.js';
import { allChecks } from '../analyzer/checks/index.js';
import { docsUrl } from '../analyzer/check/contract.js';
import { main } from '../analyzer/cli/main.js';
import { FIXTURES, expectedKeys, key } from './helpers/fixtures.js';
import { sarifValidator } from './helpers/sarif-schema.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SAMPLE = path.join(FIXTURES, 'sample-app');

function memoryStream() {
  let text = '';
  return { stream: { write: (s: string) => ((text += s), true), isTTY: false } as unknown as NodeJS.WriteStream, text: () => text };
}

describe('the plugin', () => {
  it('has one rule per check, under the same id', () => {
    expect(Object.keys(plugin.rules).sort()).toEqual(allChecks.map((c) => c.meta.id).sort());
  });

  it('links every rule to its docs page, which exists', () => {
    for (const check of allChecks) {
      const rule = plugin.rules[check.meta.id as keyof typeof plugin.rules];
      expect(rule.meta?.docs?.url).toBe(docsUrl(check.meta.id));
      expect(fs.existsSync(path.join(ROOT, 'docs/rules', `${check.meta.id}.md`)), check.meta.id).toBe(true);
    }
  });

  it('recommended enables the recommended rules; strict enables every rule', () => {
    const recommended = Object.keys(plugin.configs.recommended.rules ?? {}).sort();
    expect(recommended).toEqual(allChecks.filter((c) => c.meta.recommended !== 'off').map((c) => `concurrency/${c.meta.id}`).sort());
    expect(Object.keys(plugin.configs.strict.rules ?? {}).sort()).toEqual(allChecks.map((c) => `concurrency/${c.meta.id}`).sort());
  });

  it('keeps the README rule table in step with the rules', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- rules:start -->'), readme.indexOf('<!-- rules:end -->'));
    const rows = table.split('\n').filter((l) => l.startsWith('| [`'));
    const expected = [...allChecks]
      .sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1))
      .map((c) => `| [\`${c.meta.id}\`](docs/rules/${c.meta.id}.md) | ${c.meta.description} | ${c.meta.recommended === 'warning' ? 'warn' : c.meta.recommended} |`);
    expect(rows).toEqual(expected);
  });

  it('works as users configure it: configs.recommended with the project service, on the sample app', async () => {
    const eslint = new ESLint({
      cwd: SAMPLE,
      overrideConfigFile: true,
      overrideConfig: [plugin.configs.recommended, { languageOptions: { parserOptions: { tsconfigRootDir: SAMPLE } } }],
    });
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const keys = results
      .flatMap((r) => r.messages.map((m) => (m.ruleId ? key(r.filePath, m.line, m.ruleId.replace('concurrency/', ''), SAMPLE) : `${r.filePath}: ${m.message}`)))
      .sort();
    const files = results.map((r) => r.filePath);
    const recommended = new Set(allChecks.filter((c) => c.meta.recommended !== 'off').map((c) => c.meta.id));
    expect(keys).toEqual(expectedKeys(files, SAMPLE).filter((k) => recommended.has(k.split(' ')[1]!)));
  });
});

describe('the CLI on the sample app', () => {
  it('prints schema-valid SARIF with the findings and exits 1', async () => {
    const out = memoryStream();
    const err = memoryStream();
    const code = await main([SAMPLE, '--format', 'sarif', '--config', path.join(SAMPLE, '.concurrency-lint.json')], { stdout: out.stream, stderr: err.stream, cwd: ROOT });
    expect(code).toBe(1);
    const log = JSON.parse(out.text());
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    type Place = { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } }; message?: { text: string } };
    const results = log.runs[0].results as { ruleId: string; locations: Place[]; relatedLocations?: Place[] }[];
    const at = (p: Place, ruleId: string) => `${p.physicalLocation.artifactLocation.uri}:${p.physicalLocation.region.startLine} ${ruleId}`;
    // The markers are per call site; a no-blocking-in-async result grouped by cause (the CLI
    // default) stands for the entry points it lists as related locations.
    const got = results
      .flatMap((r) => {
        const entries = (r.relatedLocations ?? []).filter((p) => p.message?.text.startsWith('reached from'));
        return entries.length > 0 ? entries.map((p) => at(p, r.ruleId)) : [at(r.locations[0]!, r.ruleId)];
      })
      .sort();
    const files = fs.readdirSync(SAMPLE, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(SAMPLE, f));
    expect(got).toEqual(expectedKeys(files, ROOT));
    expect(got.filter((k) => k.endsWith('no-floating-promise')).length).toBeGreaterThan(0);
  });
});
