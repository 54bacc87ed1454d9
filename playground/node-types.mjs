/**
 * @types/node in parts, for the build (playground/build.mjs; the worker's side is
 * src/node-types.ts). `types: ['node']` makes every program read all of @types/node (2.3 MB,
 * most of the core declarations), though a file like `http2.d.ts` only declares the ambient
 * modules `http2`/`node:http2`: nothing changes for a program that never imports them.
 *
 * A file is optional when all it declares is ambient modules (no globals, no `declare global`),
 * @types/node's index.d.ts is what references it (a `/// <reference path>` line the worker
 * leaves out of the index when the file is not needed) and nothing else does. The worker keeps
 * the optional files whose modules are imported, transitively, by the user's files, by the
 * declaration files the program reads anyway (this module's `needs`) or by optional files kept.
 *
 * One kind of import is not followed: an interface whose members are all `typeof import('m')`
 * (a module map: `BuiltInModule` of `process.getBuiltinModule(id)`) would otherwise pull in
 * every module. Its `triggers` (its name and the names of the functions whose signatures use
 * it) make the worker keep all of @types/node when a user's file mentions one.
 */
import path from 'node:path';
import ts from 'typescript';

export const NODE_TYPES_DIR = '/app/node_modules/@types/node/';

const stringName = (node) => (ts.isStringLiteral(node.name) ? node.name.text : undefined);

/** A module map: an interface whose members are all `typeof import('m')`. */
function isModuleMap(node) {
  return ts.isInterfaceDeclaration(node) && node.members.length > 0 && node.members.every((m) => ts.isPropertySignature(m) && m.type && ts.isImportTypeNode(m.type) && m.type.isTypeOf);
}

/** What one declaration file declares and imports. */
function scan(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const declares = new Set();
  const imports = new Set();
  const maps = [];
  let global = ts.isExternalModule(sf) || sf.statements.some((s) => !(ts.isModuleDeclaration(s) && stringName(s) !== undefined));
  const visit = (node, inMap) => {
    if (ts.isModuleDeclaration(node)) {
      if (stringName(node) !== undefined) declares.add(stringName(node));
      else if (node.flags & ts.NodeFlags.GlobalAugmentation) global = true;
    }
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier ? node.moduleSpecifier
      : ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) ? node.moduleReference.expression
      : ts.isImportTypeNode(node) && !inMap && ts.isLiteralTypeNode(node.argument) ? node.argument.literal
      : undefined;
    if (specifier && ts.isStringLiteral(specifier)) imports.add(specifier.text);
    if (isModuleMap(node)) maps.push(node.name.text);
    ts.forEachChild(node, (child) => visit(child, inMap || isModuleMap(node)));
  };
  visit(sf, false);
  // Who uses a module map: the functions and methods whose signatures name it.
  const users = new Set();
  if (maps.length > 0) {
    const find = (node) => {
      if ((ts.isMethodSignature(node) || ts.isMethodDeclaration(node) || ts.isFunctionDeclaration(node)) && node.name && maps.some((m) => new RegExp(`\\b${m}\\b`).test(node.getText(sf)))) users.add(node.name.getText(sf));
      ts.forEachChild(node, find);
    };
    find(sf);
  }
  const references = sf.referencedFiles.map((r) => path.posix.resolve(path.posix.dirname(file), r.fileName));
  return { declares: [...declares], imports: [...imports], global, references, triggers: [...maps, ...users] };
}

/**
 * The split of @types/node the worker applies: `index` (the file `types: ['node']` reads),
 * `optional` (file -> the modules it declares and imports), `needs` (group -> the modules of
 * optional files that the group's other files import or declare) and `triggers`.
 * `groups` is the build's group -> (path -> text).
 */
export function splitNodeTypes(groups) {
  const index = `${NODE_TYPES_DIR}index.d.ts`;
  if (!(index in groups.core)) throw new Error(`playground: ${index} is not in the core declarations`);
  const scans = new Map();
  for (const files of Object.values(groups)) {
    for (const [file, text] of Object.entries(files)) if (/\.d\.[cm]?ts$/.test(file)) scans.set(file, scan(file, text));
  }
  const referencedBy = new Map();
  for (const [file, s] of scans) for (const r of s.references) referencedBy.set(r, [...(referencedBy.get(r) ?? []), file]);
  const optional = {};
  for (const [file, s] of scans) {
    const only = referencedBy.get(file) ?? [];
    if (file.startsWith(NODE_TYPES_DIR) && file in groups.core && !s.global && s.declares.length > 0 && only.length === 1 && only[0] === index) {
      optional[file] = { modules: s.declares, imports: s.imports };
    }
  }
  const provided = new Set(Object.values(optional).flatMap((o) => o.modules));
  const needs = {};
  for (const [name, files] of Object.entries(groups)) {
    const wanted = new Set();
    for (const file of Object.keys(files)) {
      const s = scans.get(file);
      // A kept file's own modules too: an optional file may add to them (module augmentation).
      if (s && !(file in optional)) for (const m of [...s.imports, ...s.declares]) if (provided.has(m)) wanted.add(m);
    }
    needs[name] = [...wanted].sort();
  }
  const triggers = [...new Set([...scans.values()].flatMap((s) => s.triggers))].sort();
  return { index, optional, needs, triggers };
}
