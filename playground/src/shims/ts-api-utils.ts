/** analyzer/ts/ts-api-utils.cts is `export = require('ts-api-utils')`; in the bundle, the package's namespace. */
import * as tsutils from 'ts-api-utils';
export default tsutils;
