/**
 * How the program uses its top-level functions, across files: is every use a call made at
 * some module's top level (a bootstrap or CLI mode that runs once, as the program starts), and
 * are all uses in test files (a test-setup helper no production file reaches)?
 *
 * One walk of the program answers for every top-level function (`function f`, `const f = () =>`,
 * exported or not). A use is an identifier that resolves to the function (through imports and
 * re-exports); import and export specifiers only name it. A test file is one that hands a
 * callback to a test runner (`describe`, `it`, `beforeEach`, ... : analyzer/program/async-context.ts)
 * or one whose path says it is test support (`tests/`, `*.spec.ts`, `vitest.setup.ts`, ...).
 * The answers depend on every file, so asking tells the analysis cache so (`touchWholeProgram`).
 */
import path from 'node:path';
import ts from '../ts/typescript.cjs';
import { getTypeQueries, type SymbolRef, type TypeQueries } from './type-queries.js';
import { isFunctionLike, type FunctionLike } from './callgraph.js';
import { isTestCallback } from './async-context.js';
import { touchWholeProgram, untracked } from './dependencies.js';
import { oncePerProgram } from './per-program.js';
import { fileIndex } from './file-index.js';

export interface Uses {
  /** Calls made at module top level, in the function's own file and in others. */
  topLevelCalls: number;
  crossFileCalls: number;
  /** Any use that is not a top-level call (a call inside a function, a reference passed on). */
  other: boolean;
  /** Uses in test files and in other files. */
  inTests: number;
  inProduction: number;
}

interface Index {
  uses: Map<FunctionLike, Uses>;
  /** Files some non-test file imports (or re-exports from). */
  importedByProduction: Set<ts.SourceFile>;
}

const indexes = oncePerProgram<Index>();

function indexOf(program: ts.Program): Index {
  touchWholeProgram();
  return indexes(program, () => untracked(() => buildIndex(program)));
}

/** How the program uses `fn`, when it is a named top-level function (else undefined). */
export function usesOf(fn: FunctionLike, program: ts.Program): Uses | undefined {
  return indexOf(program).uses.get(fn);
}

/**
 * Is `fn` test code? Its file is one no production file imports, and either its path says it is
 * test support (a test runner's `globalSetup` module under `tests/`), or `fn` is a top-level
 * function used only in test files (a test-setup module, a helper of a test file).
 */
export function onlyTestsUse(fn: FunctionLike, program: ts.Program): boolean {
  const index = indexOf(program);
  const sf = fn.getSourceFile();
  if (index.importedByProduction.has(sf)) return false;
  // Test support a test runner loads by its path (a `globalSetup` module, a file under `tests/`).
  if (isTestPath(sf, program)) return true;
  const uses = index.uses.get(fn);
  return !!uses && uses.inTests > 0 && uses.inProduction === 0;
}

/**
 * Folders and file names that hold tests and their support by convention (Jest, Vitest, Mocha,
 * Playwright): a `test`, `tests`, `__tests__`, `__mocks__` or `e2e` folder, `*.test.*`/`*.spec.*`,
 * and set-up modules named so (`vitest.setup.ts`, `jest.global-setup.js`, `setupTests.ts`,
 * `global-setup.ts`). Matched on the path below the program's folder, so where the checkout
 * lives does not count.
 */
const TEST_PATH = /(^|\/)(tests?|__tests__|__mocks__|e2e)\/|\.(test|spec)\.[cm]?[jt]sx?$|(^|\/)((vitest|jest)\.(setup|global-setup|teardown)[^/]*|setupTests\.[cm]?[jt]sx?|global-(setup|teardown)\.[cm]?[jt]sx?)$/;

function isTestPath(sf: ts.SourceFile, program: ts.Program): boolean {
  // The CLI's compiler host answers the project's folder as its current directory (project/project.ts).
  const relative = path.relative(program.getCurrentDirectory(), path.resolve(sf.fileName)).split(path.sep).join('/');
  return !relative.startsWith('../') && TEST_PATH.test(relative);
}

/** The name a top-level `function f` or `const f = () => ...` is declared with. */
export function topLevelFunctionName(fn: FunctionLike): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name && ts.isSourceFile(fn.parent) ? fn.name : undefined;
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const decl = fn.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== fn || !ts.isIdentifier(decl.name)) return undefined;
  const statement = decl.parent.parent;
  return ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent) ? decl.name : undefined;
}

function buildIndex(program: ts.Program): Index {
  const types = getTypeQueries(program);
  const files = program.getSourceFiles().filter((sf) => !sf.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sf));
  const bySymbol = new Map<SymbolRef, { fn: FunctionLike; uses: Uses }>();
  const names = new Set<string>();
  for (const sf of files) {
    for (const statement of sf.statements) {
      const fns = ts.isFunctionDeclaration(statement) ? [statement] : ts.isVariableStatement(statement) ? statement.declarationList.declarations.map((d) => d.initializer) : [];
      for (const fn of fns) {
        const name = fn && isFunctionLike(fn) ? topLevelFunctionName(fn) : undefined;
        const symbol = name && types.symbolAt(name);
        if (!name || !symbol) continue;
        names.add(name.text);
        bySymbol.set(symbol, { fn: fn as FunctionLike, uses: { topLevelCalls: 0, crossFileCalls: 0, other: false, inTests: 0, inProduction: 0 } });
      }
    }
  }
  const importedByProduction = new Set<ts.SourceFile>();
  for (const sf of files) {
    const test = isTestFile(sf, types) || isTestPath(sf, program);
    if (!test) for (const target of importedFiles(sf, types)) importedByProduction.add(target);
    for (const node of fileIndex(sf).of<ts.Identifier>(ts.SyntaxKind.Identifier)) {
      if (!names.has(node.text) || isBindingName(node)) continue;
      const entry = bySymbol.get(types.symbolAt(node)!);
      if (!entry) continue;
      const { uses } = entry;
      if (test) uses.inTests++;
      else uses.inProduction++;
      if (isTopLevelCall(node)) {
        uses.topLevelCalls++;
        if (sf !== entry.fn.getSourceFile()) uses.crossFileCalls++;
      } else uses.other = true;
    }
  }
  return { uses: new Map([...bySymbol.values()].map((e) => [e.fn, e.uses])), importedByProduction };
}

/** The files `sf` imports or re-exports from (static declarations). */
function importedFiles(sf: ts.SourceFile, types: TypeQueries): ts.SourceFile[] {
  const out: ts.SourceFile[] = [];
  for (const statement of sf.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier) continue;
    const target = types.valueDeclarationAt(statement.moduleSpecifier);
    if (target && ts.isSourceFile(target)) out.push(target);
  }
  return out;
}

/** The declared name, or an import/export specifier (they name the function, they do not use it). */
function isBindingName(id: ts.Identifier): boolean {
  const parent = id.parent;
  return (
    ((ts.isFunctionDeclaration(parent) || ts.isVariableDeclaration(parent)) && parent.name === id) ||
    ts.isImportSpecifier(parent) ||
    ts.isExportSpecifier(parent) ||
    ts.isImportClause(parent) ||
    ts.isNamespaceImport(parent)
  );
}

/** `f()`, `(f)()`, `mod.f()`, `await f()`, `void f()`, `f().catch(...)` outside every function and class. */
export function isTopLevelCall(id: ts.Identifier): boolean {
  let callee: ts.Node = id;
  if (ts.isPropertyAccessExpression(callee.parent) && callee.parent.name === id) callee = callee.parent;
  while (ts.isParenthesizedExpression(callee.parent)) callee = callee.parent;
  const call = callee.parent;
  if (!ts.isCallExpression(call) || call.expression !== callee) return false;
  for (let n: ts.Node = call; n.parent; n = n.parent) {
    if (isFunctionLike(n) || ts.isClassLike(n)) return false;
  }
  return true;
}

const testFiles = new WeakMap<ts.SourceFile, boolean>();

/** Does the file hand a callback to a test runner? */
function isTestFile(sf: ts.SourceFile, types: TypeQueries): boolean {
  let answer = testFiles.get(sf);
  if (answer !== undefined) return answer;
  answer = fileIndex(sf).functions.some((fn) => isTestCallback(fn, types));
  testFiles.set(sf, answer);
  return answer;
}
