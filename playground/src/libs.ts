/**
 * The library declarations, fetched in groups as the code needs them (playground/build.mjs
 * writes `libs/<group>.json`): `core` (the ES libs, @types, async-mutex, async-lock) at start,
 * an ORM's group when a file imports it, and `dom` (TypeScript's DOM lib, the largest file)
 * only when the code names a DOM global nothing else declares. Everything else resolves as in a
 * real project, so leaving out what no file uses changes no type the analysis sees.
 */
import ts from 'typescript';
import { getTypeQueries } from '../../analyzer/program/type-queries.js';
import { importsOf, nodeTypesIndex, type NodeTypesSplit } from './node-types.js';
import { coreFetch, fetchGroup } from './worker-boot.js';

declare const PLAYGROUND_LIBS: { groups: string[]; packages: Record<string, string[]>; domOnly: string[]; nodeTypes: NodeTypesSplit };

const fetched = new Map<string, Promise<ReadonlyMap<string, string>>>();

/** One group's files (path -> text), fetched once. */
export function group(name: string): Promise<ReadonlyMap<string, string>> {
  let out = fetched.get(name);
  if (!out) {
    out = (name === 'core' ? coreFetch : fetchGroup(name)).then((json) => new Map(Object.entries(json)));
    fetched.set(name, out);
  }
  return out;
}

/** `typeorm` for `typeorm/foo`, `@mikro-orm/core` for `@mikro-orm/core/bar`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The ORM groups the files import (directly; each file of the program is one of them). */
export function groupsImported(texts: readonly string[]): string[] {
  const wanted = new Set<string>();
  for (const specifier of importsOf(texts)) {
    const pkg = packageOf(specifier);
    for (const [name, patterns] of Object.entries(PLAYGROUND_LIBS.packages)) {
      if (patterns.some((p) => (p.endsWith('/*') ? pkg.startsWith(p.slice(0, -1)) : pkg === p))) wanted.add(name);
    }
  }
  return [...wanted].sort();
}

/** `files` (the groups' and the user's) with @types/node's index cut to what they need (./node-types.ts). */
export function withNodeTypesNeeded(files: Map<string, string>, groups: readonly string[], texts: readonly string[]): Map<string, string> {
  const split = PLAYGROUND_LIBS.nodeTypes;
  const index = files.get(split.index);
  if (index !== undefined) files.set(split.index, nodeTypesIndex(split, index, groups, texts));
  return files;
}

const DOM_ONLY = new Set(PLAYGROUND_LIBS.domOnly);
const WORD = /[A-Za-z_$][\w$]*/g;

/** A name in a place where it refers to something in scope (not a property or member name). */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if ((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) && (ts.isPropertyAccessExpression(p) ? p.name : p.right) === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodDeclaration(p) || ts.isMethodSignature(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p) || ts.isEnumMember(p)) && p.name === id) return false;
  return !(ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isBindingElement(p) || ts.isJsxAttribute(p));
}

/**
 * Whether the files use a global only the DOM lib declares: a name of DOM_ONLY, in a reference
 * position, that the program built without the DOM lib cannot resolve.
 */
export function needsDom(program: ts.Program, files: readonly ts.SourceFile[]): boolean {
  const types = getTypeQueries(program);
  for (const sf of files) {
    if (!(sf.text.match(WORD) ?? []).some((w) => DOM_ONLY.has(w))) continue;
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(node) && DOM_ONLY.has(node.text) && isReference(node) && types.symbolAsWritten(node) === undefined) found = true;
      else ts.forEachChild(node, visit);
    };
    visit(sf);
    if (found) return true;
  }
  return false;
}

/** The analyzer's compiler options without the DOM lib: its target's ES lib only. */
export function withoutDom(options: ts.CompilerOptions): ts.CompilerOptions {
  const full = ts.getDefaultLibFileName(options); // lib.es2022.full.d.ts: ES + DOM
  return { ...options, lib: [full.replace(/\.full\.d\.ts$/, '.d.ts')] };
}
