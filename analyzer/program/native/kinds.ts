/**
 * TypeScript 6 and TypeScript 7 number their `SyntaxKind`s differently (TypeScript 7 dropped
 * and added kinds), so a TypeScript 6 node is matched to its TypeScript 7 twin by the kind's
 * name. Range markers (`FirstToken`, `LastKeyword`...) are aliases of real kinds and may
 * point elsewhere in the other version, so real names are read first and a marker only
 * fills a kind no real name covered.
 */
import ts from '../../ts/typescript.cjs';

/** TypeScript 6 kind -> TypeScript 7 kind; -1 where TypeScript 7 has no kind of that name. */
export type KindMap = Int32Array;

const isMarker = (name: string) => /^(First|Last)[A-Z]/.test(name);

export function kindMap(nativeKinds: Readonly<Record<string, string | number>>): KindMap {
  const entries = Object.entries(ts.SyntaxKind).filter((e): e is [string, number] => typeof e[1] === 'number');
  const out = new Int32Array(Math.max(...entries.map(([, v]) => v)) + 1).fill(-1);
  for (const markers of [false, true]) {
    for (const [name, value] of entries) {
      if (isMarker(name) !== markers || out[value] !== -1) continue;
      const native = nativeKinds[name];
      if (typeof native === 'number') out[value] = native;
    }
  }
  return out;
}

/** The names of TypeScript 6 kinds TypeScript 7 has no kind for (what a mapped file cannot answer). */
export function unmappedKinds(map: KindMap): string[] {
  const out: string[] = [];
  for (let k = 0; k < map.length; k++) if (map[k] === -1 && ts.SyntaxKind[k] !== undefined) out.push(ts.SyntaxKind[k]!);
  return out;
}
