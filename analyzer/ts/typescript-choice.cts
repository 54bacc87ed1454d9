/**
 * Which TypeScript the analyzer runs on: chosen once per thread, before the first analyzer
 * module loads TypeScript (analyzer/ts/typescript.cts asks here), so every module of the
 * analyzer and the program it checks share one compiler. Three ways in:
 *  - the CLI (bin/): the project's own `typescript`, resolved from the project's folder, when
 *    it has the classic compiler API (5.x, 6.0); otherwise (7.x has only
 *    `typescript/unstable/*`, or none is installed) the TypeScript 6 API that this package
 *    depends on, `@typescript/typescript6`;
 *  - the ESLint plugin (rules/): the module typescript-eslint's parser loaded, never a copy;
 *  - a library caller: the `typescript` this package resolves, else the bundled one.
 * Worker threads inherit the choice through CONCURRENCY_LINT_TYPESCRIPT (a module path),
 * which also lets a test run the CLI on another TypeScript.
 */
import fs = require('node:fs');
import path = require('node:path');
import Module = require('node:module');

export const TYPESCRIPT_ENV = 'CONCURRENCY_LINT_TYPESCRIPT';
const BUNDLED = '@typescript/typescript6';

export type TypeScriptSource = 'project' | 'bundled' | 'eslint' | 'environment' | 'package';

export interface TypeScriptChoice {
  /** The file `require` loads. */
  path: string;
  /** Its version (from its package.json; the module is not loaded to find it). */
  version: string;
  source: TypeScriptSource;
  /** The project's own TypeScript when it could not serve (7.x, or older than 5.0). */
  projectVersion?: string;
}

let chosen: TypeScriptChoice | undefined;
let loaded = false;

/** `typescript` resolved from `dir` (as the project's own code would), with its version. */
function resolveFrom(dir: string, request: string): { path: string; version: string } | undefined {
  try {
    const req = Module.createRequire(path.join(dir, 'noop.js'));
    const manifest = req.resolve(`${request}/package.json`);
    const version = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: string }).version ?? '0.0.0';
    return { path: req.resolve(request), version };
  } catch {
    return undefined;
  }
}

/** 5.0 up to 6.x: the classic compiler API the analyzer is written for. */
export function hasClassicApi(version: string): boolean {
  const major = Number(version.split('.')[0]);
  return major >= 5 && major <= 6;
}

/**
 * The TypeScript 6 API this package depends on. Its main file only re-exports the compiler of
 * its own dependency (`@typescript/old`, TypeScript 6.0.x); that file is loaded directly.
 */
function bundled(): { path: string; version: string } {
  const own = resolveFrom(__dirname, BUNDLED);
  if (!own) throw new Error(`${BUNDLED} is missing: reinstall concurrency-lint`);
  return resolveFrom(path.dirname(own.path), '@typescript/old') ?? own;
}

function fromEnvironment(): TypeScriptChoice | undefined {
  const given = process.env[TYPESCRIPT_ENV];
  if (!given) return undefined;
  if (fs.existsSync(given) && fs.statSync(given).isDirectory()) {
    const found = resolveFrom(given, '.');
    if (found) return { ...found, source: 'environment' };
  }
  const file = require.resolve(given);
  return { path: file, version: versionAbove(file), source: 'environment' };
}

/** The version in the nearest package.json above `file`. */
function versionAbove(file: string): string {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: string }).version ?? '0.0.0';
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}

/** Set the choice (once). A different choice after TypeScript has loaded is an error. */
export function useTypeScript(choice: TypeScriptChoice): TypeScriptChoice {
  if (chosen && loaded && chosen.path !== choice.path) {
    throw new Error(
      `concurrency-lint already runs on TypeScript ${chosen.version} (${chosen.path}) and cannot switch to ` +
        `${choice.version} (${choice.path}) in the same process`,
    );
  }
  if (!loaded) chosen = choice;
  return chosen!;
}

/** The CLI's choice for the project in `dir` (unless CONCURRENCY_LINT_TYPESCRIPT names one). */
export function chooseForProject(dir: string): TypeScriptChoice {
  const choice = fromEnvironment() ?? projectOrBundled(dir);
  process.env[TYPESCRIPT_ENV] = choice.path; // worker threads make the same choice
  return useTypeScript(choice);
}

function projectOrBundled(dir: string): TypeScriptChoice {
  const own = resolveFrom(dir, 'typescript');
  if (own && hasClassicApi(own.version)) return { ...own, source: 'project' };
  return { ...bundled(), source: 'bundled', ...(own ? { projectVersion: own.version } : {}) };
}

/** The ESLint plugin's choice: the `typescript` typescript-eslint's parser (at `parserPath`) loads. */
export function chooseForEslint(parserPath: string): TypeScriptChoice {
  const estree = Module.createRequire(parserPath).resolve('@typescript-eslint/typescript-estree');
  const theirs = resolveFrom(path.dirname(estree), 'typescript');
  if (!theirs) throw new Error('typescript-eslint found no `typescript` to load');
  return useTypeScript({ ...theirs, source: 'eslint' });
}

/** The choice in force (making the library default if nobody chose). */
export function typescriptChoice(): TypeScriptChoice {
  if (!chosen) {
    const env = fromEnvironment();
    const own = resolveFrom(__dirname, 'typescript');
    chosen = env ?? (own && hasClassicApi(own.version) ? { ...own, source: 'package' } : { ...bundled(), source: 'bundled' });
  }
  return chosen;
}

/** "TypeScript 5.9.3 (the project's)", "TypeScript 6.0.3 API (bundled; the project has TypeScript 7.0.2)". */
export function describeTypeScript(choice: TypeScriptChoice = typescriptChoice()): string {
  switch (choice.source) {
    case 'project':
      return `TypeScript ${choice.version} (the project's)`;
    case 'eslint':
      return `TypeScript ${choice.version} (typescript-eslint's)`;
    case 'environment':
      return `TypeScript ${choice.version} (from ${TYPESCRIPT_ENV})`;
    case 'package':
      return `TypeScript ${choice.version}`;
    case 'bundled': {
      const project = choice.projectVersion ? `the project has TypeScript ${choice.projectVersion}` : 'the project has no TypeScript';
      return `TypeScript ${choice.version} API (bundled; ${project})`;
    }
  }
}

/**
 * Called by analyzer/ts/typescript.cts: from now on the choice is fixed. Its `require('typescript')`
 * is answered with the chosen file (a resolve hook for that one module and that one request).
 */
export function loadChosenTypeScript(): void {
  const choice = typescriptChoice();
  loaded = true;
  const target = path.join(__dirname, 'typescript.cjs');
  type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
  const mod = Module as unknown as { _resolveFilename: Resolve };
  const original = mod._resolveFilename;
  mod._resolveFilename = function (this: unknown, request, parent, ...rest) {
    if (request === 'typescript' && parent?.filename === target) return choice.path;
    return original.call(this, request, parent, ...rest);
  };
}
