/**
 * TypeScript, loaded with `require`. An ES `import` of typescript.js makes Node scan the
 * whole 9 MB CommonJS file for its export names (and for module syntax) before running it:
 * about 0.2 s more per process and per worker thread than `require`. Import TypeScript's
 * values from here (`import ts from './typescript.cjs'`).
 *
 * Which TypeScript this is was chosen before this module loaded (./typescript-choice.cts):
 * the project's own (CLI), the one typescript-eslint loaded (ESLint), or the bundled
 * TypeScript 6 API. The `require` below is answered with that file.
 */
import choice = require('./typescript-choice.cjs');
choice.loadChosenTypeScript();
import ts = require('typescript');
export = ts;
