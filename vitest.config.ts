import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // analyzer/typescript.cts and ts-api-utils.cts only re-export `require(...)` (see those
    // files), and vite does not compile .cts: under vitest the packages are loaded directly.
    alias: [
      { find: /^(\.\.?\/)+(analyzer\/)?typescript\.cjs$/, replacement: 'typescript' },
      { find: /^(\.\.?\/)+(analyzer\/)?ts-api-utils\.cjs$/, replacement: fileURLToPath(new URL('./test/helpers/ts-api-utils-default.ts', import.meta.url)) },
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
