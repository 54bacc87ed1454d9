import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // vite does not compile .cts: under vitest, analyzer/ts/typescript.cts loads this repository's
    // `typescript`, ts-api-utils.cts the ts-api-utils package, typescript-choice.cts a stand-in.
    alias: [
      { find: /^(\.\.?\/)+(analyzer\/)?(ts\/)?typescript\.cjs$/, replacement: 'typescript' },
      { find: /^(\.\.?\/)+(analyzer\/)?(ts\/)?typescript-choice\.cjs$/, replacement: fileURLToPath(new URL('./test/helpers/typescript-choice-default.ts', import.meta.url)) },
      { find: /^(\.\.?\/)+(analyzer\/)?(ts\/)?ts-api-utils\.cjs$/, replacement: fileURLToPath(new URL('./test/helpers/ts-api-utils-default.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
