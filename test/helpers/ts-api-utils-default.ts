// Under vitest, analyzer/ts/ts-api-utils.cts is replaced by this module (see vitest.config.ts).
import * as tsutils from 'ts-api-utils';
export default tsutils;
