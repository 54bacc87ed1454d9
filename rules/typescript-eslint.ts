/**
 * typescript-eslint's parser, loaded before any analyzer module: its `typescript` becomes the
 * analyzer's (analyzer/ts/typescript-choice.cts), so the rules read the program typescript-eslint
 * built with the very module that built it, never a second copy. rules/index.ts imports this
 * first. The parser is an optional peer (CLI-only users do not need it): a clear error here
 * when the ESLint plugin is used without it.
 */
import { createRequire } from 'node:module';
import type { Linter } from 'eslint';
import choice from '../analyzer/ts/typescript-choice.cjs';

const require = createRequire(import.meta.url);

function parserPath(): string {
  try {
    return require.resolve('@typescript-eslint/parser');
  } catch {
    throw new Error('concurrency-lint: the ESLint plugin needs typescript-eslint\'s parser: npm i -D typescript-eslint');
  }
}

const where = parserPath();
choice.chooseForEslint(where);

/** typescript-eslint's parser module (what `languageOptions.parser` takes). */
export const tsParser = require(where) as Linter.Parser;
