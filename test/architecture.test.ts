/**
 * The layout of the analyzer (docs/architecture.md): folders import each other without cycles,
 * and each folder imports only the folders its layer may use. The import graph is
 * dependency-cruiser's, so a new file or folder is checked without touching this test.
 */
import path from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

const CORE = ['analyzer/ts', 'analyzer/program', 'analyzer/summaries', 'analyzer/check'];
const DOMAINS = ['analyzer/promises', 'analyzer/blocking', 'analyzer/locks', 'analyzer/orm', 'analyzer/race'];

/** What each folder may import (besides itself and its own parent folders). A folder missing here fails the test. */
const MAY_IMPORT: Record<string, string[]> = {
  'analyzer/ts': [],
  'analyzer/program': ['analyzer/ts'],
  'analyzer/summaries': ['analyzer/ts', 'analyzer/program'],
  'analyzer/check': ['analyzer/ts', 'analyzer/program'],
  'analyzer/project': ['analyzer/ts', 'analyzer/program', 'analyzer/check'],
  'analyzer/promises': CORE,
  'analyzer/promises/no-missing-await': CORE,
  'analyzer/promises/no-misused-async-function': CORE,
  'analyzer/blocking': CORE,
  'analyzer/locks': CORE,
  'analyzer/race': [...CORE, 'analyzer/locks'],
  'analyzer/orm': [...CORE, 'analyzer/locks'],
  'analyzer/orm/transactions': [...CORE, 'analyzer/locks'],
  'analyzer/checks': [...CORE, ...DOMAINS, 'analyzer/orm/transactions', 'analyzer/promises/no-missing-await', 'analyzer/promises/no-misused-async-function'],
  'analyzer/cli': [...CORE, 'analyzer/project', 'analyzer/checks'],
  'analyzer/cli/format': [...CORE, 'analyzer/checks'],
  analyzer: ['*'],
  // The ESLint plugin: the rule contract, the rule list and the program's core; never the CLI's orchestration.
  rules: [...CORE, 'analyzer/project', 'analyzer/checks'],
};

let result: ICruiseResult;

beforeAll(async () => {
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    const out = await cruise(
      ['analyzer', 'rules'],
      {
        ruleSet: { forbidden: [{ name: 'no-folder-cycle', severity: 'error', scope: 'folder', from: {}, to: { circular: true } }] },
        validate: true,
        tsPreCompilationDeps: true,
        doNotFollow: { path: 'node_modules' },
        exclude: { path: 'node_modules' },
      },
      // Sources import `./x.js` and `./typescript.cjs` for `x.ts` and `typescript.cts`.
      { extensions: ['.ts', '.cts', '.mts', '.js'], extensionAlias: { '.js': ['.ts', '.js'], '.cjs': ['.cts', '.cjs'], '.mjs': ['.mts', '.mjs'] } },
    );
    result = out.output as ICruiseResult;
  } finally {
    process.chdir(previous);
  }
}, 60_000);

const folderOf = (file: string) => path.posix.dirname(file);
const localEdges = () =>
  result.modules.flatMap((m) =>
    m.dependencies.filter((d) => !d.coreModule && !d.couldNotResolve && !d.resolved.includes('node_modules')).map((d) => [m.source, d.resolved] as const),
  );

describe('the analyzer folders', () => {
  it('resolve every relative import (the graph below is complete)', () => {
    const unresolved = result.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve && d.module.startsWith('.')).map((d) => `${m.source} -> ${d.module}`));
    expect(unresolved).toEqual([]);
    expect(localEdges().length).toBeGreaterThan(500);
  });

  it('have no import cycle between folders', () => {
    const cycles = result.summary.violations.filter((v) => v.rule.name === 'no-folder-cycle').map((v) => [v.from, ...(v.cycle ?? []).map((c) => c.name)].join(' -> '));
    expect(cycles).toEqual([]);
  });

  it('import only what their layer may use (docs/architecture.md)', () => {
    const wrong = new Set<string>();
    for (const [from, to] of localEdges()) {
      const a = folderOf(from);
      const b = folderOf(to);
      if (a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`)) continue;
      const allowed = MAY_IMPORT[a];
      if (!allowed) wrong.add(`${a}: a folder with no entry in MAY_IMPORT (${from})`);
      else if (!allowed.includes('*') && !allowed.includes(b)) wrong.add(`${a} -> ${b} (${from} imports ${to})`);
    }
    expect([...wrong].sort()).toEqual([]);
  });

  it('catch a cycle and a layer break when there is one', () => {
    // The check above must be able to fail: a core folder importing a domain is a break.
    const allowed = MAY_IMPORT['analyzer/program']!;
    expect(allowed.includes('analyzer/locks')).toBe(false);
    const edges = localEdges().map(([from, to]) => [folderOf(from), folderOf(to)]);
    expect(edges.some(([a, b]) => a === 'analyzer/locks' && b === 'analyzer/program')).toBe(true);
  });
});
