// Under vitest, analyzer/ts/typescript-choice.cts is replaced by this module (see vitest.config.ts):
// in-process tests run the analyzer on this repository's `typescript`, which the alias for
// analyzer/ts/typescript.cjs loads. The real choice is tested through the built CLI and plugin
// (test/typescript-versions.test.ts, test/one-typescript.test.ts).
import { createRequire } from 'node:module';
import ts from 'typescript';

const require = createRequire(import.meta.url);
const here = { path: require.resolve('typescript'), version: ts.version, source: 'package' as const };

export default {
  TYPESCRIPT_ENV: 'CONCURRENCY_LINT_TYPESCRIPT',
  hasClassicApi: (version: string) => /^[56]\./.test(version),
  useTypeScript: () => here,
  chooseForProject: () => here,
  chooseForEslint: () => here,
  typescriptChoice: () => here,
  describeTypeScript: () => `TypeScript ${ts.version}`,
  loadChosenTypeScript: () => undefined,
};
