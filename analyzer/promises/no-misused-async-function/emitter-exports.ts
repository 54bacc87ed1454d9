/**
 * Can code outside the program reach an emitter's storage by name? A module that no file of the
 * program imports (directly, through `export ... from`, `import()` or `require`) is one only
 * others load: a package entry, a script. A storage exported from such a module, or from a
 * module that one re-exports, may have its `emit` called by code we do not see.
 *
 * The storage's root is what an export would name: the variable itself when it is declared at a
 * file's top level (a local of a function is reachable by no one), the class of a field (a
 * `private` or `#` field is reachable by no one). Anything else (a namespace member, a field of a
 * class declared inside something) counts as reachable.
 */
import ts from '../../ts/typescript.cjs';
import type { TypeQueries } from '../../program/type-queries.js';
import { enclosingFunction } from '../../program/callgraph.js';
import { fileIndex } from '../../program/file-index.js';
import { isExternalFile } from '../../program/import-graph.js';
import { oncePerProgram } from '../../program/per-program.js';
import { hasModifier } from '../../program/syntax.js';
import { isExportedDeclaration, skipOuterExpressions } from '../../program/walk.js';
import type { Storage } from './awaited-listeners.js';

interface ModuleEdges {
  /** Own files some own file imports, re-exports from, `import()`s or `require`s. */
  loaded: Set<ts.SourceFile>;
  /** Own files by the own files that re-export from them. */
  reexporters: Map<ts.SourceFile, ts.SourceFile[]>;
}

const edgesOf = oncePerProgram<ModuleEdges>();

export function reachableFromOutside(program: ts.Program, types: TypeQueries, storage: Storage): boolean {
  const root = rootOf(storage);
  if (root === 'nobody') return false;
  if (root === 'anyone') return true;
  if (!isExported(root.decl, root.name)) return false;
  const { loaded, reexporters } = edgesOf(program, () => moduleEdges(program, types));
  const seen = new Set([root.decl.getSourceFile()]);
  for (const file of seen) {
    if (!loaded.has(file)) return true;
    for (const next of reexporters.get(file) ?? []) seen.add(next);
  }
  return false;
}

type Root = { decl: ts.Node; name: string } | 'nobody' | 'anyone';

function rootOf(storage: Storage): Root {
  const decl = storage.decl;
  if (ts.isVariableDeclaration(decl)) {
    if (enclosingFunction(decl)) return 'nobody';
    const statement = decl.parent.parent;
    return ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent) ? { decl, name: storage.name } : 'anyone';
  }
  if (ts.isPrivateIdentifier(decl.name) || hasModifier(decl, ts.SyntaxKind.PrivateKeyword)) return 'nobody';
  const owner = decl.parent;
  return ts.isClassDeclaration(owner) && owner.name && ts.isSourceFile(owner.parent) ? { decl: owner, name: owner.name.text } : 'anyone';
}

/** `export const bus`, `export class Lifecycle`, `export { bus }`, `export default Lifecycle`. */
function isExported(decl: ts.Node, name: string): boolean {
  if (isExportedDeclaration(decl)) return true;
  for (const statement of decl.getSourceFile().statements) {
    if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression) && statement.expression.text === name) return true;
    if (!ts.isExportDeclaration(statement) || statement.moduleSpecifier || !statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    if (statement.exportClause.elements.some((spec) => (spec.propertyName ?? spec.name).text === name)) return true;
  }
  return false;
}

function moduleEdges(program: ts.Program, types: TypeQueries): ModuleEdges {
  const loaded = new Set<ts.SourceFile>();
  const reexporters = new Map<ts.SourceFile, ts.SourceFile[]>();
  const target = (specifier: ts.Node): ts.SourceFile | undefined => {
    const decl = types.valueDeclarationAt(specifier);
    return decl && ts.isSourceFile(decl) ? decl : undefined;
  };
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || isExternalFile(program, sf)) continue;
    for (const statement of sf.statements) {
      const specifier = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement.moduleSpecifier : ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference) ? statement.moduleReference.expression : undefined;
      const file = specifier && target(specifier);
      if (!file) continue;
      loaded.add(file);
      if (ts.isExportDeclaration(statement)) reexporters.set(file, [...(reexporters.get(file) ?? []), sf]);
    }
    for (const call of fileIndex(sf).of<ts.CallExpression>(ts.SyntaxKind.CallExpression)) {
      const callee = skipOuterExpressions(call.expression);
      const loads = callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require');
      const arg = call.arguments[0];
      const file = loads && arg && ts.isStringLiteralLike(arg) ? target(arg) : undefined;
      if (file) loaded.add(file);
    }
  }
  return { loaded, reexporters };
}
