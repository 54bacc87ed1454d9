/**
 * ts-api-utils, loaded with `require` (its CommonJS build): its ES build imports TypeScript
 * with an ES `import`, which costs what analyzer/typescript.cts avoids. Import it from here
 * (`import tsutils from './ts-api-utils.cjs'`).
 */
import tsutils = require('ts-api-utils');
export = tsutils;
