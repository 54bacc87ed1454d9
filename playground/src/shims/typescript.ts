/**
 * TypeScript for the bundle's ES modules (build.mjs resolves their `typescript` and
 * `./typescript.cjs` imports here): the package's own module object, taken with one `require`,
 * which esbuild bundles as is. An ES import of the CommonJS package makes esbuild copy its
 * thousands of exports into a new object for each importing module (about a hundred analyzer
 * modules), a large part of the worker's start-up.
 */
import type * as TS from 'typescript';

declare const require: (id: 'typescript') => typeof TS;

const ts = require('typescript');
export default ts;
