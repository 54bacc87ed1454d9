/**
 * TypeScript, loaded with `require`. An ES `import` of typescript.js makes Node scan the
 * whole 9 MB CommonJS file for its export names (and for module syntax) before running it:
 * about 0.2 s more per process and per worker thread than `require`. Import TypeScript's
 * values from here (`import ts from './typescript.cjs'`); it is the same module object that
 * typescript-eslint loads.
 */
import ts = require('typescript');
export = ts;
