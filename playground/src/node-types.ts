/**
 * @types/node in parts, the worker's side (the build's is playground/node-types.mjs, which
 * explains the split): @types/node's index.d.ts without the `/// <reference path>` lines of the
 * optional files no module the program imports needs, so the program neither parses nor binds
 * them. Types do not change: a left-out file only declares ambient modules nothing imports.
 */
import ts from 'typescript';

export interface NodeTypesSplit {
  index: string;
  optional: Record<string, { modules: string[]; imports: string[] }>;
  needs: Record<string, string[]>;
  triggers: string[];
}

/** The module specifiers the files import or augment (`import`, `export from`, `require`, `import()`, `declare module`). */
export function importsOf(texts: readonly string[]): string[] {
  const out = new Set<string>();
  for (const text of texts) {
    const info = ts.preProcessFile(text, true, true);
    for (const ref of [...info.importedFiles, ...(info.ambientExternalModules ?? []).map((fileName) => ({ fileName }))]) out.add(ref.fileName);
  }
  return [...out];
}

/** The optional files to keep: those declaring a wanted module, and theirs, transitively. */
function keep(split: NodeTypesSplit, wanted: Iterable<string>): Set<string> {
  const byModule = new Map<string, string[]>();
  for (const [file, o] of Object.entries(split.optional)) for (const m of o.modules) byModule.set(m, [...(byModule.get(m) ?? []), file]);
  const kept = new Set<string>();
  const queue = [...wanted];
  for (let m = queue.pop(); m !== undefined; m = queue.pop()) {
    for (const file of byModule.get(m) ?? []) {
      if (kept.has(file)) continue;
      kept.add(file);
      queue.push(...split.optional[file]!.imports);
    }
  }
  return kept;
}

/**
 * The text of @types/node's index.d.ts for a program of `groups` over files with these texts:
 * without the references of the optional files it does not need. All of it when a text
 * mentions a trigger (a name whose types reach every module: see node-types.mjs).
 */
export function nodeTypesIndex(split: NodeTypesSplit, indexText: string, groups: readonly string[], texts: readonly string[]): string {
  const mentions = new RegExp(`\\b(${split.triggers.join('|')})\\b`);
  if (split.triggers.length > 0 && texts.some((t) => mentions.test(t))) return indexText;
  const kept = keep(split, [...groups.flatMap((g) => split.needs[g] ?? []), ...importsOf(texts)]);
  const dir = split.index.slice(0, split.index.lastIndexOf('/') + 1);
  return indexText
    .split('\n')
    .filter((line) => {
      const ref = /^\/\/\/\s*<reference\s+path="([^"]+)"\s*\/>/.exec(line.trim())?.[1];
      if (ref === undefined) return true;
      const file = new URL(ref, `file://${dir}`).pathname;
      return !(file in split.optional) || kept.has(file);
    })
    .join('\n');
}
