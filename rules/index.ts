/**
 * The ESLint plugin: `import concurrency from 'concurrency-lint'`.
 *
 *   export default [concurrency.configs.recommended];
 *
 * Rules are typed (they need parser services): the configs set typescript-eslint's parser
 * with `projectService: true`.
 */
// First: typescript-eslint's TypeScript becomes the analyzer's before the analyzer loads.
import { tsParser } from './typescript-eslint.js';
import type { ESLint, Linter } from 'eslint';
import type ts from 'typescript';
import { allChecks } from '../analyzer/checks/index.js';
import { ruleFromCheck, type AdaptedRule } from './from-check.js';
import { packageInfo as pkg } from '../analyzer/project/package-info.js';

/** The plugin name used in configs and rule ids: `concurrency/no-floating-promise`. */
export const PLUGIN_NAME = 'concurrency';

/** One ESLint rule per check, under the check's id: the rule list is analyzer/checks/index.ts alone. */
const rules: Record<string, AdaptedRule> = Object.fromEntries(allChecks.map((check) => [check.meta.id, ruleFromCheck(check)]));

type Config = Linter.Config;

/** Typed with ESLint's own types, so `eslint.config.ts` files accept the plugin and its configs. */
interface Plugin extends ESLint.Plugin {
  meta: { name: string; version: string };
  rules: Record<string, AdaptedRule>;
  configs: { recommended: Config; strict: Config };
}

const plugin: Plugin = {
  meta: { name: pkg.name, version: pkg.version },
  rules,
  configs: {} as Plugin['configs'],
};

function config(name: string, ruleEntries: Config['rules']): Config {
  return {
    name: `${PLUGIN_NAME}/${name}`,
    files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
    plugins: { [PLUGIN_NAME]: plugin },
    languageOptions: { parser: tsParser, parserOptions: { projectService: true } },
    rules: ruleEntries,
  };
}

plugin.configs.recommended = config(
  'recommended',
  Object.fromEntries(
    allChecks
      .filter((c) => c.meta.recommended !== 'off')
      .map((c) => [`${PLUGIN_NAME}/${c.meta.id}`, c.meta.recommended === 'warning' ? 'warn' : 'error']),
  ),
);

plugin.configs.strict = config(
  'strict',
  Object.fromEntries(
    allChecks.map((c) => [
      `${PLUGIN_NAME}/${c.meta.id}`,
      c.meta.strictOptions ? ['error', { ...c.meta.defaultOptions, ...c.meta.editorOptions, ...c.meta.strictOptions }] : 'error',
    ]),
  ),
);

/**
 * Every rule at its default options, over a `ts.Program` the caller already has (typescript-eslint's
 * `parserOptions.programs`): no second program is built, so summaries computed for the CLI path
 * are reused. Used by the fixture tests and the fuzzer to compare the two paths.
 */
export function configForProgram(program: ts.Program): Config {
  return {
    name: `${PLUGIN_NAME}/for-program`,
    files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
    plugins: { [PLUGIN_NAME]: plugin },
    languageOptions: { parser: tsParser, parserOptions: { programs: [program] } },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: Object.fromEntries(allChecks.map((c) => [`${PLUGIN_NAME}/${c.meta.id}`, 'error'])),
  };
}

export default plugin;
export { allChecks };
