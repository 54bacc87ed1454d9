/** A validator for the official SARIF 2.1.0 schema (shipped in the devDependency @microsoft/jest-sarif). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

export function sarifValidator() {
  const require = createRequire(import.meta.url);
  const schemaPath = path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')), 'lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  // CommonJS packages: under NodeNext their default export is `.default`.
  // The official schema's `language` pattern has a stray `]`, legal only without the `u` flag.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  ajvFormats.default(ajv);
  return ajv.compile(schema);
}
