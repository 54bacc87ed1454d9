#!/usr/bin/env node
/**
 * One long-lived ESLint, as an editor runs it: typescript-eslint's parser with
 * `projectService: true`. Lints one file of a generated tree, then N times appends a line to
 * that file's text and re-lints just that file (`lintText` with the file's path, as editor
 * integrations pass the unsaved buffer). Prints JSON: the first lint's seconds, each re-lint's
 * seconds, ESLint's own split of each re-lint (\`stats: true\`: parsing, which is where
 * typescript-eslint updates the program, and each rule), and the message counts. Started by
 * bench/editor-bench.mjs, one process per variant and kind of edit.
 *
 * Three kinds of edit (`--edit`): `export` appends `export const benchEditN = N;` (a new export no
 * other file imports: its importers cannot see it); `body` adds `void N;` at the start of the
 * first method body of the file (a change to code its importers call, as typing in an editor is);
 * `call` adds `this.cache.get(N + 'x'.length);` there instead (a statement with calls and property
 * accesses the checker and the summaries look at).
 *
 *   node bench/editor-child.mjs --dir <tree> --file src/... --variant ours|typescript-eslint --edits 10 [--edit export|body|call]
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(REPO, 'package.json'));
const load = async (id) => import(pathToFileURL(require.resolve(id)).href);

const { values: opts } = parseArgs({
  options: {
    dir: { type: 'string' },
    file: { type: 'string' },
    variant: { type: 'string' },
    edits: { type: 'string', default: '10' },
    edit: { type: 'string', default: 'export' },
  },
});

/** Our plugin as its README configures it (the recommended config's parser), every rule on. */
async function oursConfig(dir) {
  const plugin = (await import(pathToFileURL(path.join(REPO, 'dist/rules/index.js')).href)).default;
  const recommended = plugin.configs.recommended;
  return [
    {
      ...recommended,
      files: ['src/**/*.ts'],
      languageOptions: { ...recommended.languageOptions, parserOptions: { projectService: true, tsconfigRootDir: dir } },
      rules: Object.fromEntries(Object.keys(plugin.rules).map((id) => [`concurrency/${id}`, 'error'])),
    },
  ];
}

/** typescript-eslint's four type-aware promise rules, the same as the CLI benchmark's ESLint row. */
async function typescriptEslintConfig(dir) {
  const tseslint = (await load('typescript-eslint')).default;
  return [
    {
      files: ['src/**/*.ts'],
      languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: dir } },
      plugins: { '@typescript-eslint': tseslint.plugin },
      rules: {
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/no-misused-promises': 'error',
        '@typescript-eslint/await-thenable': 'error',
        '@typescript-eslint/return-await': 'error',
      },
    },
  ];
}

/** How the `i`th edit changes the text (see the file comment). */
function editOf(kind, original) {
  if (kind === 'export') return (text, i) => `${text}export const benchEdit${i} = ${i};\n`;
  if (kind !== 'body' && kind !== 'call') throw new Error(`--edit: 'export', 'body' or 'call', not '${kind}'`);
  const method = /\n[ \t]+(?:(?:public|private|protected|static|async)\s+)*[A-Za-z_$][\w$]*\s*\([^)]*\)\s*(?::[^{;]+)?\{[ \t]*\n/.exec(original);
  if (!method) throw new Error('--edit body: no method body found in the file');
  const at = method.index + method[0].length;
  // Each edit adds one more statement at the same place: the method's body keeps growing.
  if (kind === 'body') return (text, i) => `${text.slice(0, at)}    void ${i};\n${text.slice(at)}`;
  // A call through a property of the service (the generated services keep a `cache` Map).
  if (!/\bthis\.cache\b/.test(original)) throw new Error('--edit call: the service has no `this.cache`');
  return (text, i) => `${text.slice(0, at)}    this.cache.get(${i} + 'x'.length);\n${text.slice(at)}`;
}

async function main() {
  const dir = path.resolve(opts.dir);
  const filePath = path.join(dir, opts.file);
  const config = opts.variant === 'ours' ? await oursConfig(dir) : await typescriptEslintConfig(dir);
  const { ESLint } = await load('eslint');
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: config, cache: false, stats: true });
  let text = fs.readFileSync(filePath, 'utf8');
  const lint = async () => {
    const started = performance.now();
    const [result] = await eslint.lintText(text, { filePath });
    const seconds = (performance.now() - started) / 1000;
    const fatal = result.messages.filter((m) => m.fatal || !m.ruleId).map((m) => m.message);
    const pass = result.stats?.times?.passes?.[0] ?? {};
    const rules = Object.fromEntries(Object.entries(pass.rules ?? {}).map(([id, t]) => [id, t.total / 1000]));
    return { seconds, messages: result.messages.length, fatal, parse: (pass.parse?.total ?? NaN) / 1000, rules };
  };
  const first = await lint();
  const edits = [];
  const parse = [];
  const rules = {};
  let last = first;
  const edit = editOf(opts.edit, text);
  for (let i = 1; i <= Number(opts.edits); i++) {
    text = edit(text, i);
    last = await lint();
    edits.push(last.seconds);
    parse.push(last.parse);
    for (const [id, t] of Object.entries(last.rules)) (rules[id] ??= []).push(t);
  }
  const fatal = [...new Set([...first.fatal, ...last.fatal])];
  const out = { first: first.seconds, firstParse: first.parse, firstRules: first.rules, edits, parse, rules, firstMessages: first.messages, lastMessages: last.messages, fatal };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
