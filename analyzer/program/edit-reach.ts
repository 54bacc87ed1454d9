/**
 * How far an edit of one file reaches, for the editor's reuse of per-file facts across programs
 * (program/generations.ts). The facts of a file depend on that file and on what it imports; an
 * importer sees the edited file only through the declarations it imports from it, the types of
 * those declarations, and the bodies of the functions they reach. So when every top-level
 * statement an edit changed, added or removed declares only names that no unchanged statement of
 * the file mentions and no importer imports, the importers' facts cannot change: the edit is
 * `local`, and only the edited file's own facts are computed again.
 *
 * Unchanged means the same text at the same position: facts name nodes and lock classes by
 * position, so a statement that moved counts as changed. Anything this module does not
 * recognise as harmless is `importers` (the edited file and every file that imports it, directly
 * or not, compute their facts again).
 */
import path from 'node:path';
import ts from '../ts/typescript.cjs';
import { skipOuterExpressions } from './walk.js';

export type EditReach = 'local' | 'importers';

/** `Program.forEachResolvedModule` is in the compiler but not in its public typings. */
interface ProgramWithResolutions {
  forEachResolvedModule?(callback: (resolution: ts.ResolvedModuleWithFailedLookupLocations, moduleName: string) => void, file?: ts.SourceFile): void;
}

/** The top-level statements of `before` and `after` that are not the same text at the same position. */
export function changedStatements(before: ts.SourceFile, after: ts.SourceFile): { removed: ts.Statement[]; added: ts.Statement[]; kept: ts.Statement[] } {
  // The line too: lock class names quote the line of their declaration.
  const key = (sf: ts.SourceFile, s: ts.Statement) => `${s.pos}\0${sf.getLineAndCharacterOfPosition(s.pos).line}\0${sf.text.slice(s.pos, s.end)}`;
  const old = new Set(before.statements.map((s) => key(before, s)));
  const now = new Set(after.statements.map((s) => key(after, s)));
  return {
    removed: before.statements.filter((s) => !now.has(key(before, s))),
    added: after.statements.filter((s) => !old.has(key(after, s))),
    kept: after.statements.filter((s) => old.has(key(after, s))),
  };
}

/** How far the edit from `before` to `after` (one file, both versions) reaches. */
export function editReach(program: ts.Program, before: ts.SourceFile, after: ts.SourceFile, importers: readonly ts.SourceFile[]): EditReach {
  if (!isTypeScriptModule(before) || !isTypeScriptModule(after) || directivesOf(before) !== directivesOf(after)) return 'importers';
  const { removed, added, kept } = changedStatements(before, after);
  const names = new Set<string>();
  for (const s of [...removed, ...added]) {
    const declared = harmlessNames(s);
    if (!declared) return 'importers';
    for (const name of declared) names.add(name);
  }
  if (names.size === 0) return 'local';
  const keptText = kept.map((s) => after.text.slice(s.pos, s.end)).join('\n');
  for (const name of names) if (mentions(keptText, name)) return 'importers';
  for (const importer of importers) if (!importsNoneOf(program, importer, after, names)) return 'importers';
  return 'local';
}

function isTypeScriptModule(sf: ts.SourceFile): boolean {
  return !sf.isDeclarationFile && /\.[cm]?tsx?$/.test(sf.fileName) && ts.isExternalModule(sf);
}

/** Triple-slash directives: a change to them changes what is global. */
function directivesOf(sf: ts.SourceFile): string {
  const names = (refs: readonly ts.FileReference[]) => refs.map((r) => r.fileName).join('\0');
  return [names(sf.referencedFiles), names(sf.typeReferenceDirectives), names(sf.libReferenceDirectives)].join('\n');
}

function hasModifier(s: ts.Statement, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(s) && (ts.getModifiers(s) ?? []).some((m) => m.kind === kind);
}

/**
 * The module-level names a changed statement declares, when the statement can reach the
 * file's importers only through those names; undefined when it can reach them otherwise (a
 * default or `export =` export, an export list, a re-export, a namespace, a class (interface
 * dispatch finds classes the importers never name), an interface that extends, an assignment
 * that may add a property to a declaration (TypeScript's expando functions), or any statement
 * this does not know).
 */
function harmlessNames(s: ts.Statement): string[] | undefined {
  if (hasModifier(s, ts.SyntaxKind.DefaultKeyword) || containsClass(s)) return undefined;
  if (ts.isFunctionDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s)) return s.name ? [s.name.text] : undefined;
  if (ts.isInterfaceDeclaration(s)) return s.heritageClauses ? undefined : [s.name.text];
  if (ts.isVariableStatement(s)) return s.declarationList.declarations.flatMap((d) => bindingNames(d.name));
  if (ts.isImportDeclaration(s)) {
    const clause = s.importClause;
    if (!clause) return [];
    const out = clause.name ? [clause.name.text] : [];
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) out.push(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) out.push(...bindings.elements.map((e) => e.name.text));
    return out;
  }
  if (ts.isImportEqualsDeclaration(s)) return hasModifier(s, ts.SyntaxKind.ExportKeyword) ? undefined : [s.name.text];
  if (ts.isExpressionStatement(s)) return mayAssignProperty(s.expression) ? undefined : [];
  if (ts.isEmptyStatement(s)) return [];
  return undefined;
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}

function containsClass(node: ts.Node): boolean {
  if (ts.isClassLike(node)) return true;
  return ts.forEachChild(node, (child) => (containsClass(child) ? true : undefined)) ?? false;
}

/** An assignment to a property, outside any nested function: `f.cache = ...`, `Object.assign(f, ...)`. */
function mayAssignProperty(node: ts.Node): boolean {
  if (ts.isFunctionLike(node)) return false;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
    const target = skipOuterExpressions(node.left);
    if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) return true;
  }
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === 'Object') return true;
  return ts.forEachChild(node, (child) => (mayAssignProperty(child) ? true : undefined)) ?? false;
}

/** Does `text` mention the identifier `name` (anywhere, comments and strings too: erring towards yes)? */
function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[$]/g, '\\$');
  return new RegExp(`(?<![\\w$])${escaped}(?![\\w$])`).test(text);
}

/**
 * Does `importer` reach `target` only through named imports and named re-exports, none of
 * `names`? A namespace import, `export *`, `import x = require(...)`, `import()`, `require()`,
 * an import type or a `/// <reference path>` to it could see any name.
 */
function importsNoneOf(program: ts.Program, importer: ts.SourceFile, target: ts.SourceFile, names: ReadonlySet<string>): boolean {
  const targetPath = path.resolve(target.fileName);
  for (const ref of importer.referencedFiles) if (path.resolve(path.dirname(importer.fileName), ref.fileName) === targetPath) return false;
  const specifiers = new Set<string>();
  (program as ts.Program & ProgramWithResolutions).forEachResolvedModule?.((resolution, moduleName) => {
    const file = resolution.resolvedModule?.resolvedFileName;
    if (file && path.resolve(file) === targetPath) specifiers.add(moduleName);
  }, importer);
  if (specifiers.size === 0) return false;
  let accounted = 0;
  for (const s of importer.statements) {
    const from = (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined;
    if (from === undefined || !specifiers.has(from)) continue;
    const imported = ts.isImportDeclaration(s) ? importedNames(s) : reexportedNames(s as ts.ExportDeclaration);
    if (!imported || imported.some((n) => names.has(n))) return false;
    accounted++;
  }
  let written = 0;
  for (const specifier of specifiers) {
    const quoted = specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    written += importer.text.match(new RegExp(`(['"\`])${quoted}\\1`, 'g'))?.length ?? 0;
  }
  return written === accounted;
}

/** The names an import declaration takes from its module (`default` for a default import); undefined for a namespace import. */
function importedNames(s: ts.ImportDeclaration): string[] | undefined {
  const clause = s.importClause;
  if (!clause) return [];
  const out = clause.name ? ['default'] : [];
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) return undefined;
  if (bindings) out.push(...bindings.elements.map((e) => (e.propertyName ?? e.name).text));
  return out;
}

/** The names `export { a, b as c } from` takes; undefined for `export *` and `export * as ns`. */
function reexportedNames(s: ts.ExportDeclaration): string[] | undefined {
  if (!s.exportClause || !ts.isNamedExports(s.exportClause)) return undefined;
  return s.exportClause.elements.map((e) => (e.propertyName ?? e.name).text);
}

/**
 * For the editor's early cut-off (program/generations.ts): do the two versions of a file declare
 * the same things, with the same types, to the files that import it? True when both are
 * TypeScript modules with the same directives and the same text once the bodies of functions
 * whose type does not depend on their body (a declared return type, a constructor, a setter)
 * are left out: a function body of that kind can change what its callers' summaries say (compared
 * separately, checks/edit-surface.ts), not what the checker answers about the file's
 * declarations. A body whose return type is inferred counts as declaration text.
 */
export function sameDeclarations(before: ts.SourceFile, after: ts.SourceFile): boolean {
  if (!isTypeScriptModule(before) || !isTypeScriptModule(after) || directivesOf(before) !== directivesOf(after)) return false;
  return declarationText(before) === declarationText(after);
}

/**
 * The file's text with the bodies `sameDeclarations` leaves out replaced by `{}`, and the trivia
 * before each node (comments, JSDoc, line breaks and spaces) made one space: a comment or a blank
 * line edited outside those bodies changes no declaration. Trivia before a token that is not a
 * node (a closing brace or parenthesis, a comma) is kept as written, which only makes two
 * versions compare as different; JSX text keeps its spaces. Text with trivia made one space
 * scans into the same tokens, so equal texts are equal token streams.
 */
export function declarationText(sf: ts.SourceFile): string {
  const parts: string[] = [];
  let from = 0;
  const trivia = (node: ts.Node): void => {
    if (node.pos < from || ts.isJsxText(node)) return;
    const start = node.getStart(sf);
    if (start <= node.pos) return;
    parts.push(sf.text.slice(from, node.pos), ' ');
    from = start;
  };
  const visit = (node: ts.Node): void => {
    trivia(node);
    if (ts.isFunctionLike(node) && 'body' in node && node.body && ts.isBlock(node.body as ts.Node) && (node.type || ts.isConstructorDeclaration(node) || ts.isSetAccessorDeclaration(node))) {
      const body = node.body as ts.Block;
      trivia(body);
      parts.push(sf.text.slice(from, body.getStart(sf)), '{}');
      from = body.end;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  parts.push(sf.text.slice(from));
  // Trivia at the start or the end of the file, or none there, reads the same.
  return parts.join('').trim();
}
