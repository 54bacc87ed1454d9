import { createRequire } from 'node:module';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('one TypeScript', () => {
  it('typescript-eslint resolves the same typescript module the analyzer imports', () => {
    const estree = require.resolve('@typescript-eslint/typescript-estree');
    const theirs = createRequire(estree)('typescript') as typeof ts;
    expect(theirs).toBe(require('typescript'));
    expect(theirs.version).toBe(ts.version);
    expect(theirs.SyntaxKind.CallExpression).toBe(ts.SyntaxKind.CallExpression);
  });

  it('the analyzer does not load a second compiler (ts-morph bundles its own)', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const root = path.resolve(import.meta.dirname, '..');
    const offenders: string[] = [];
    for (const dir of ['analyzer', 'rules']) {
      const stack = [path.join(root, dir)];
      while (stack.length > 0) {
        const current = stack.pop()!;
        for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
          const full = path.join(current, entry.name);
          if (entry.isDirectory()) stack.push(full);
          else if (/\.ts$/.test(entry.name) && /from ['"](ts-morph|@ts-morph\/)/.test(fs.readFileSync(full, 'utf8'))) offenders.push(full);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('is a TypeScript 6.0 compiler API (TypeScript 7 has none, and typescript-eslint 8 does not accept it)', () => {
    expect(ts.version).toMatch(/^6\.0\./);
    expect(typeof ts.createProgram).toBe('function');
  });
});
