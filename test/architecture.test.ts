/**
 * The layout of the analyzer (docs/architecture.md): folders import each other without cycles,
 * and each folder imports only the folders its layer may use. The import graph is
 * dependency-cruiser's, so a new file or folder is checked without touching this test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

const CORE = ['analyzer/ts', 'analyzer/program', 'analyzer/summaries', 'analyzer/check'];
const DOMAINS = ['analyzer/promises', 'analyzer/blocking', 'analyzer/locks', 'analyzer/orm', 'analyzer/race'];

/** What each folder may import (besides itself and its own parent folders). A folder missing here fails the test. */
const MAY_IMPORT: Record<string, string[]> = {
  'analyzer/ts': [],
  'analyzer/program': ['analyzer/ts'],
  // The TypeScript 7 backend prototype: a second door to a (native) checker; nothing imports it yet but tests and bench/.
  'analyzer/program/native': ['analyzer/ts', 'analyzer/program'],
  'analyzer/summaries': ['analyzer/ts', 'analyzer/program'],
  'analyzer/check': ['analyzer/ts', 'analyzer/program'],
  'analyzer/project': ['analyzer/ts', 'analyzer/program', 'analyzer/check'],
  'analyzer/promises': CORE,
  'analyzer/promises/no-missing-await': CORE,
  'analyzer/promises/no-misused-async-function': CORE,
  'analyzer/blocking': CORE,
  'analyzer/locks': CORE,
  'analyzer/race': [...CORE, 'analyzer/locks'],
  'analyzer/orm': [...CORE, 'analyzer/locks'],
  'analyzer/orm/transactions': [...CORE, 'analyzer/locks'],
  'analyzer/checks': [...CORE, ...DOMAINS, 'analyzer/orm/transactions', 'analyzer/promises/no-missing-await', 'analyzer/promises/no-misused-async-function'],
  'analyzer/cli': [...CORE, 'analyzer/project', 'analyzer/checks'],
  'analyzer/cli/format': [...CORE, 'analyzer/checks'],
  analyzer: ['*'],
  // The ESLint plugin: the rule contract, the rule list and the program's core; never the CLI's orchestration.
  rules: [...CORE, 'analyzer/project', 'analyzer/checks'],
};

let result: ICruiseResult;

beforeAll(async () => {
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    const out = await cruise(
      ['analyzer', 'rules'],
      {
        ruleSet: { forbidden: [{ name: 'no-folder-cycle', severity: 'error', scope: 'folder', from: {}, to: { circular: true } }] },
        validate: true,
        tsPreCompilationDeps: true,
        doNotFollow: { path: 'node_modules' },
        exclude: { path: 'node_modules' },
      },
      // Sources import `./x.js` and `./typescript.cjs` for `x.ts` and `typescript.cts`.
      { extensions: ['.ts', '.cts', '.mts', '.js'], extensionAlias: { '.js': ['.ts', '.js'], '.cjs': ['.cts', '.cjs'], '.mjs': ['.mts', '.mjs'] } },
    );
    result = out.output as ICruiseResult;
  } finally {
    process.chdir(previous);
  }
}, 60_000);

const folderOf = (file: string) => path.posix.dirname(file);
const localEdges = () =>
  result.modules.flatMap((m) =>
    m.dependencies.filter((d) => !d.coreModule && !d.couldNotResolve && !d.resolved.includes('node_modules')).map((d) => [m.source, d.resolved] as const),
  );

describe('the analyzer folders', () => {
  it('resolve every relative import (the graph below is complete)', () => {
    const unresolved = result.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve && d.module.startsWith('.')).map((d) => `${m.source} -> ${d.module}`));
    expect(unresolved).toEqual([]);
    expect(localEdges().length).toBeGreaterThan(500);
  });

  it('have no import cycle between folders', () => {
    const cycles = result.summary.violations.filter((v) => v.rule.name === 'no-folder-cycle').map((v) => [v.from, ...(v.cycle ?? []).map((c) => c.name)].join(' -> '));
    expect(cycles).toEqual([]);
  });

  it('import only what their layer may use (docs/architecture.md)', () => {
    const wrong = new Set<string>();
    for (const [from, to] of localEdges()) {
      const a = folderOf(from);
      const b = folderOf(to);
      if (a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`)) continue;
      const allowed = MAY_IMPORT[a];
      if (!allowed) wrong.add(`${a}: a folder with no entry in MAY_IMPORT (${from})`);
      else if (!allowed.includes('*') && !allowed.includes(b)) wrong.add(`${a} -> ${b} (${from} imports ${to})`);
    }
    expect([...wrong].sort()).toEqual([]);
  });

  it('catch a cycle and a layer break when there is one', () => {
    // The check above must be able to fail: a core folder importing a domain is a break.
    const allowed = MAY_IMPORT['analyzer/program']!;
    expect(allowed.includes('analyzer/locks')).toBe(false);
    const edges = localEdges().map(([from, to]) => [folderOf(from), folderOf(to)]);
    expect(edges.some(([a, b]) => a === 'analyzer/locks' && b === 'analyzer/program')).toBe(true);
  });
});

/** The modules that hold the type checker (the narrow door and its TypeScript 6 implementation), and the chosen TypeScript it comes from;
 * the native backend's folder holds TypeScript 7's checker (the prototype of a second implementation of the door). */
const DOOR = 'analyzer/program/type-queries-ts6.ts';
const DOOR_FILES = new Set(['analyzer/program/type-queries.ts', DOOR]);
const NATIVE_DOOR = 'analyzer/program/native/';
const MAY_HOLD_CHECKER = (file: string) => DOOR_FILES.has(file) || file.startsWith('analyzer/ts/') || file.startsWith(NATIVE_DOOR);
const CHECKER_NAMES = new Set(['checker', 'getTypeChecker', 'TypeChecker']);

/** Where a source reaches for the checker: `x.checker`, `x.getTypeChecker()`, `x['checker']`,
 * `{ checker } = x`, or the type `ts.TypeChecker` (a value of that type can only come from the door). */
function checkerReaches(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => found.push(`${file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: ${what}`);
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && CHECKER_NAMES.has(node.name.text)) at(node, `.${node.name.text}`);
    else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) && CHECKER_NAMES.has(node.argumentExpression.text)) at(node, `['${node.argumentExpression.text}']`);
    else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
      const key = node.propertyName ?? node.name;
      if ((ts.isIdentifier(key) || ts.isStringLiteralLike(key)) && CHECKER_NAMES.has(key.text)) at(node, `{ ${key.text} } =`);
    } else if (ts.isQualifiedName(node) && node.right.text === 'TypeChecker') at(node, 'the type ts.TypeChecker');
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function sourcesUnder(folder: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true })) {
    const rel = `${folder}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourcesUnder(rel));
    else if (/\.[cm]?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

describe('the type checker', () => {
  const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

  it(`is reached only through the type queries (${DOOR})`, () => {
    // The playground's worker runs the same analyzer in the browser: it goes through the door too.
    const files = [...sourcesUnder('analyzer'), ...sourcesUnder('rules'), ...sourcesUnder('playground/src')];
    expect(files.length).toBeGreaterThan(100);
    const reaches = files.filter((f) => !MAY_HOLD_CHECKER(f)).flatMap((f) => checkerReaches(f, read(f)));
    expect(reaches).toEqual([]);
  });

  it('is found wherever a module reaches for it (the check above can fail)', () => {
    // The check above must be able to fail: each way of reaching the checker is found.
    const leaky = [
      'const a = ctx.types.checker.getApparentType(t);',
      'const b = program.getTypeChecker();',
      "const c = types['checker'];",
      'const { checker } = ctx.types;',
      'function d(checker: ts.TypeChecker) {}',
      'const e = types.apparentType(t); // checker.getApparentType in a comment is no call',
    ].join('\n');
    expect(checkerReaches('leaky.ts', leaky)).toEqual([
      'leaky.ts:1: .checker',
      'leaky.ts:2: .getTypeChecker',
      "leaky.ts:3: ['checker']",
      'leaky.ts:4: { checker } =',
      'leaky.ts:5: the type ts.TypeChecker',
    ]);
    // And the door itself is where the checker is: the scan sees it there.
    expect(checkerReaches(DOOR, read(DOOR)).some((r) => r.endsWith('.getTypeChecker'))).toBe(true);
  });
});

/** The checker's own types and flags: only the door (and analyzer/ts/) may name them; checks get handles and facts. */
const CHECKER_TYPES = new Set([
  'Type',
  'Symbol',
  'Signature',
  'TypeReference',
  'UnionType',
  'ObjectType',
  'InterfaceType',
  'TypeParameter',
  'IntersectionType',
  'LiteralType',
  'TypeFlags',
  'SymbolFlags',
  'ObjectFlags',
  'SignatureKind',
]);
const MAY_NAME_CHECKER_TYPES = (file: string) => DOOR_FILES.has(file) || file.startsWith('analyzer/ts/') || file.startsWith(NATIVE_DOOR);
const TYPESCRIPT_MODULE = /(^typescript$|\/typescript\.c?[jt]s$)/;

/** Where a source names one of the checker's types: `ts.Type`, `ts.TypeFlags.Any`, `typeof ts.SymbolFlags`,
 * `import('typescript').Symbol`, or imports (re-exports) one from 'typescript' (or analyzer/ts/typescript.cjs). */
function checkerTypeNames(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => found.push(`${file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: ${what}`);
  // The local names TypeScript's module object is bound to (`import ts from ...`, `import * as ts from ...`, `import ts = require(...)`).
  const tsNames = new Set<string>();
  const fromTypeScript = (spec: ts.Expression | undefined) => !!spec && ts.isStringLiteralLike(spec) && TYPESCRIPT_MODULE.test(spec.text);
  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement) && fromTypeScript(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      if (clause?.name) tsNames.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) tsNames.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) if (CHECKER_TYPES.has((el.propertyName ?? el.name).text)) at(el, `imports ${(el.propertyName ?? el.name).text}`);
      }
    } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference) && fromTypeScript(statement.moduleReference.expression)) {
      tsNames.add(statement.name.text);
    } else if (ts.isExportDeclaration(statement) && fromTypeScript(statement.moduleSpecifier) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const el of statement.exportClause.elements) if (CHECKER_TYPES.has((el.propertyName ?? el.name).text)) at(el, `re-exports ${(el.propertyName ?? el.name).text}`);
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isQualifiedName(node) && ts.isIdentifier(node.left) && tsNames.has(node.left.text) && CHECKER_TYPES.has(node.right.text)) at(node, `ts.${node.right.text}`);
    else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && tsNames.has(node.expression.text) && CHECKER_TYPES.has(node.name.text)) {
      at(node, `ts.${node.name.text}`);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && fromTypeScript(node.argument.literal as ts.Expression) && node.qualifier) {
      let first: ts.EntityName = node.qualifier;
      while (ts.isQualifiedName(first)) first = first.left;
      if (CHECKER_TYPES.has(first.text)) at(node, `import('typescript').${first.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe("the checker's types", () => {
  const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

  it('are named only by the door: elsewhere types, symbols and signatures are opaque handles', () => {
    const files = [...sourcesUnder('analyzer'), ...sourcesUnder('rules')];
    expect(files.length).toBeGreaterThan(100);
    const named = files
      .filter((f) => !MAY_NAME_CHECKER_TYPES(f))
      .flatMap((f) => checkerTypeNames(f, read(f)));
    expect(named).toEqual([]);
  });

  it('are found wherever a module names one (the check above can fail)', () => {
    const leaky = [
      "import ts from '../ts/typescript.cjs';",
      "import type { Symbol as TsSymbol, Node } from 'typescript';",
      "import * as typescript from 'typescript';",
      'function a(t: ts.Type, s: typescript.Symbol): ts.Signature[] { return []; }',
      'const b = flags & ts.TypeFlags.Any;',
      'const c = (t as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference;',
      "type D = import('typescript').UnionType;",
      'type E = typeof ts.SymbolFlags;',
      "export type { TypeReference } from 'typescript';",
      'const ok: ts.Node = node; // ts.Type in a comment is nothing',
    ].join('\n');
    expect(checkerTypeNames('leaky.ts', leaky)).toEqual([
      'leaky.ts:2: imports Symbol',
      "leaky.ts:9: re-exports TypeReference",
      'leaky.ts:4: ts.Type',
      'leaky.ts:4: ts.Symbol',
      'leaky.ts:4: ts.Signature',
      'leaky.ts:5: ts.TypeFlags',
      'leaky.ts:6: ts.ObjectType',
      'leaky.ts:6: ts.ObjectFlags',
      "leaky.ts:7: import('typescript').UnionType",
      'leaky.ts:8: ts.SymbolFlags',
    ]);
    // And the door is where they are named: the scan sees them there.
    expect(checkerTypeNames(DOOR, read(DOOR)).length).toBeGreaterThan(0);
  });
});
