// Lint every source file of a folder (which has its own tsconfig.json) with the built plugin,
// every rule on, through typescript-eslint's project service on the given backend ('classic'
// or 'tsgo'); print the findings as a JSON array of `file:line rule` keys (or the error).
// Used by test/tsgo-backend.test.ts, in a child process so that NODE_PATH can lend
// typescript-eslint the `@typescript/native` build the tsgo backend loads.
import path from 'node:path';
import { ESLint } from 'eslint';

const [dir, backend, dist] = process.argv.slice(2);
const { default: plugin, allChecks } = await import(path.join(dist, 'rules/index.js'));
const eslint = new ESLint({
  cwd: dir,
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
      plugins: { concurrency: plugin },
      languageOptions: {
        parser: plugin.configs.recommended.languageOptions.parser,
        parserOptions: { projectService: backend === 'tsgo' ? { EXPERIMENTAL_backend: 'tsgo' } : true, tsconfigRootDir: dir },
      },
      linterOptions: { reportUnusedDisableDirectives: 'off' },
      rules: Object.fromEntries(allChecks.map((c) => [`concurrency/${c.meta.id}`, 'error'])),
    },
  ],
});
const results = await eslint.lintFiles(['.']);
const keys = [];
for (const r of results) {
  for (const m of r.messages) {
    const rel = path.relative(dir, r.filePath).replace(/\\/g, '/');
    keys.push(m.ruleId ? `${rel}:${m.line} ${m.ruleId.replace(/^concurrency\//, '')}` : `${rel}:${m.line} ERROR ${m.message.split('\n')[0]}`);
  }
}
process.stdout.write(`${JSON.stringify(keys.sort())}\n`);
