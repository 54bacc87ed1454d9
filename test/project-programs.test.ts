// How many programs a run builds. An Nx-style app: `--project apps/api/tsconfig.app.json`
// (extending a solution-style tsconfig that extends a base with `paths`) and two folders, the
// app's sources and a shared library the tsconfig does not include but the app imports through
// `paths`. A library file the app's program already holds is checked in that program, with the
// app's options (its `paths` resolve); the library files it does not import join it as root
// files; only files no program can take go to a second program with the embedded default config.
import { describe, it, expect, afterAll } from 'vitest';
import path from 'node:path';
import { loadProjects } from '../analyzer/project/project.js';
import { analyze } from '../analyzer/cli/analyze.js';
import { analyzeRun, planTasks } from '../analyzer/cli/parallel.js';
import { resolveRuleSettings } from '../analyzer/cli/config.js';
import { tempProjects } from './helpers/cli.js';

const projects = tempProjects('cl-programs-');
afterAll(() => projects.remove());

const BASE = JSON.stringify({
  compilerOptions: {
    strict: true,
    module: 'esnext',
    moduleResolution: 'bundler',
    target: 'es2022',
    types: [],
    paths: { '@acme/common/*': ['./libs/common/src/lib/*'] },
  },
});
const SOLUTION = JSON.stringify({ extends: '../../tsconfig.base.json', files: [], include: [], references: [{ path: './tsconfig.app.json' }] });
const APP = JSON.stringify({ extends: './tsconfig.json', compilerOptions: { module: 'preserve' }, include: ['**/*.ts'], exclude: ['**/*.spec.ts'] });

const FILES: Record<string, string> = {
  'tsconfig.base.json': BASE,
  'apps/api/tsconfig.json': SOLUTION,
  'apps/api/tsconfig.app.json': APP,
  'apps/api/src/main.ts': "import { kick } from '@acme/common/kick';\nexport function start(): void {\n  kick();\n}\n",
  'apps/api/src/main.spec.ts': "import { start } from './main';\nstart();\n",
  // Floats a promise of a function it imports through `paths`: seen only when `paths` resolve.
  'libs/common/src/lib/kick.ts': "import { later } from '@acme/common/later';\nexport function kick(): void {\n  later();\n}\n",
  'libs/common/src/lib/later.ts': 'export async function later(): Promise<void> {}\n',
};
// Nothing imports it: no app program holds it.
const LOOSE = 'export async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n';

const PATHS = ['apps/api/src', 'libs/common/src'];
const PROJECT = 'apps/api/tsconfig.app.json';
const RULES = resolveRuleSettings({ rules: {} }, ['no-floating-promise'], []);

const rel = (dir: string, file: string) => path.relative(dir, file).split(path.sep).join('/');

function programs(dir: string): { config: string; checked: string[] }[] {
  const { projects: loaded } = loadProjects({ paths: PATHS, project: PROJECT, cwd: dir });
  return loaded.map((p) => ({ config: p.configPath ? rel(dir, p.configPath) : 'default', checked: p.files.map((sf) => rel(dir, sf.fileName)).sort() }));
}

function reported(result: { findings: { file: string; line: number }[] }, dir: string): string[] {
  return result.findings.map((f) => `${rel(dir, f.file)}:${f.line}`).sort();
}

describe('an app tsconfig with paths and a library folder it does not include', () => {
  it('checks the library files the app program holds in that program: one program, paths resolved', () => {
    const dir = projects.make(FILES);
    expect(programs(dir)).toEqual([
      { config: 'apps/api/tsconfig.app.json', checked: ['apps/api/src/main.ts', 'libs/common/src/lib/kick.ts', 'libs/common/src/lib/later.ts'] },
    ]);
    const result = analyze({ paths: PATHS, project: PROJECT, cwd: dir, rules: RULES });
    expect(reported(result, dir)).toEqual(['libs/common/src/lib/kick.ts:3']);
    expect(result.skipped).toEqual([{ reason: 'excluded', config: path.join(dir, PROJECT), files: [path.join(dir, 'apps/api/src/main.spec.ts')] }]);
  });

  it('adds the library files the app does not import to the app program, with its options', () => {
    const dir = projects.make({ ...FILES, 'libs/common/src/lib/loose.ts': LOOSE });
    expect(programs(dir)).toEqual([
      {
        config: 'apps/api/tsconfig.app.json',
        checked: ['apps/api/src/main.ts', 'libs/common/src/lib/kick.ts', 'libs/common/src/lib/later.ts', 'libs/common/src/lib/loose.ts'],
      },
    ]);
    expect(reported(analyze({ paths: PATHS, project: PROJECT, cwd: dir, rules: RULES }), dir)).toEqual(['libs/common/src/lib/kick.ts:3', 'libs/common/src/lib/loose.ts:3']);
  });

  it('builds a default program only for the files the app program cannot take (JavaScript without allowJs)', () => {
    const dir = projects.make({ ...FILES, 'libs/common/src/lib/loose.js': 'export async function f() {}\nexport function g() {\n  f();\n}\n' });
    expect(programs(dir)).toEqual([
      { config: 'default', checked: ['libs/common/src/lib/loose.js'] },
      { config: 'apps/api/tsconfig.app.json', checked: ['apps/api/src/main.ts', 'libs/common/src/lib/kick.ts', 'libs/common/src/lib/later.ts'] },
    ]);
    expect(reported(analyze({ paths: PATHS, project: PROJECT, cwd: dir, rules: RULES }), dir)).toEqual(['libs/common/src/lib/kick.ts:3', 'libs/common/src/lib/loose.js:3']);
  });

  it('without --project, checks a library file in the program of the nearest tsconfig that holds it', () => {
    // The app folder's tsconfig.json is the nearest one of its sources; the library has none.
    const dir = projects.make({ ...FILES, 'apps/api/tsconfig.json': APP.replace('./tsconfig.json', '../../tsconfig.base.json'), 'libs/common/src/lib/loose.ts': LOOSE });
    const { projects: loaded } = loadProjects({ paths: PATHS, cwd: dir });
    expect(loaded.map((p) => [p.configPath ? rel(dir, p.configPath) : 'default', p.files.map((sf) => rel(dir, sf.fileName)).sort()])).toEqual([
      ['default', ['libs/common/src/lib/loose.ts']],
      ['apps/api/tsconfig.json', ['apps/api/src/main.ts', 'libs/common/src/lib/kick.ts', 'libs/common/src/lib/later.ts']],
    ]);
  });

  it('plans one task for the app and the files it does not claim, and reports the same on worker threads', async () => {
    const dir = projects.make({ ...FILES, 'libs/common/src/lib/loose.ts': LOOSE });
    const { tasks } = planTasks(PATHS, [PROJECT], dir);
    expect(tasks.map((t) => [rel(dir, t.identity), t.files.length])).toEqual([['apps/api/tsconfig.app.json', 4]]);
    const single = analyze({ paths: PATHS, project: PROJECT, cwd: dir, rules: RULES });
    for (const threads of [1, 2]) {
      const run = await analyzeRun({ paths: PATHS, projects: [PROJECT], cwd: dir, rules: RULES, threads });
      expect(reported(run, dir)).toEqual(reported(single, dir));
    }
  });
});
