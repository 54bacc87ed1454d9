/**
 * Which builder ORMs a program uses whose types we do not recognise. The builder ORMs (see
 * `orm/catalog-*.ts`) are recognised by one anchor in their declarations (Drizzle's
 * `QueryPromise.then`, Kysely's `SelectQueryBuilder.execute`, Knex's `ChainableInterface.toQuery`,
 * Mongoose's `Query.then`). A version that moved or renamed it makes every query look like a
 * plain value: the rules then stay quiet for that ORM (never a guess), and `--debug` says why.
 */
import ts from '../ts/typescript.cjs';
import { packageNameOf } from '../program/import-binding.js';
import { ORMS, type OrmSpec } from './catalog.js';
import { oncePerProgram } from '../program/per-program.js';

const notesOf = oncePerProgram<string[]>();

/** Notes for `--debug`: one per builder ORM the program imports whose anchor type is missing. */
export function unrecognizedOrmNotes(program: ts.Program): string[] {
  return notesOf(program, () => collectNotes(program));
}

function collectNotes(program: ts.Program): string[] {
  const notes: string[] = [];
  const imported = importedModules(program);
  for (const spec of ORMS) {
    if (!spec.builders || !spec.modules.some((m) => imported.has(m))) continue;
    if (hasAnchor(program, spec)) continue;
    const { member, owners } = spec.builders.marker;
    const version = versionOf(program, spec);
    notes.push(
      `${spec.modules[0]}${version ? ` ${version}` : ''}: its type declarations have no ${owners.join(' / ')} with \`${member}\`, which is how ${spec.orm} queries are recognised (an unsupported version, or no types installed); its queries are not checked, so this rule stays quiet for them.`,
    );
  }
  return notes;
}

/** Modules imported (or required) by the program's own files: package names, without subpaths. */
function importedModules(program: ts.Program): Set<string> {
  const out = new Set<string>();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || packageNameOf(sf.fileName)) continue;
    for (const stmt of sf.statements) {
      const spec = ts.isImportDeclaration(stmt) || ts.isExportDeclaration(stmt) ? stmt.moduleSpecifier : undefined;
      if (spec && ts.isStringLiteral(spec)) out.add(packageOf(spec.text));
    }
    // `require('knex')` in JS.
    for (const name of (sf as { imports?: readonly ts.StringLiteralLike[] }).imports ?? []) out.add(packageOf(name.text));
  }
  return out;
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function hasAnchor(program: ts.Program, spec: OrmSpec): boolean {
  const { member, owners } = spec.builders!.marker;
  for (const sf of program.getSourceFiles()) {
    if (!spec.modules.includes(packageNameOf(sf.fileName) ?? '')) continue;
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if ((ts.isClassDeclaration(n) || ts.isInterfaceDeclaration(n)) && n.name && owners.includes(n.name.text)) {
        const members = n.members as ts.NodeArray<ts.ClassElement | ts.TypeElement>;
        if (members.some((m) => m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) && m.name.text === member)) found = true;
        // `interface ChainableInterface extends Pick<Promise<T>, 'then'>`: the member comes from a heritage clause.
        if (!found && n.heritageClauses?.some((h) => h.getText(sf).includes(`'${member}'`))) found = true;
        return;
      }
      if (ts.isModuleDeclaration(n) || ts.isModuleBlock(n) || ts.isSourceFile(n)) ts.forEachChild(n, visit);
    };
    visit(sf);
    if (found) return true;
  }
  return false;
}

function versionOf(program: ts.Program, spec: OrmSpec): string | undefined {
  for (const sf of program.getSourceFiles()) {
    const name = packageNameOf(sf.fileName);
    if (!name || !spec.modules.includes(name)) continue;
    const info = (sf as { packageJsonScope?: { contents?: { packageJsonContent?: { version?: unknown } } } }).packageJsonScope;
    const version = info?.contents?.packageJsonContent?.version;
    if (typeof version === 'string') return version;
  }
  return undefined;
}
