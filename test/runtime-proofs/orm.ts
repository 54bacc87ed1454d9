/**
 * The ORM fixtures' database proofs, read without running them: each fixture's
 * `export const proofs = [...]` names, per proof, the `marker` (text of a marked line in the same
 * file) it shows. test/orm-db.test.ts runs them; test/runtime-proofs.test.ts counts them.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT, markerAt, type Marker } from './markers.js';
import { listTs } from '../helpers/transpile.js';

export const ORM_SUITES = [
  ['no-lazy-relation-access', 'typeorm'],
  ['no-lazy-relation-access', 'mikro-orm'],
  ['no-query-in-loop', 'typeorm'],
  ['no-query-in-loop', 'mikro-orm'],
] as const;

export interface ProofClaim {
  name: string;
  kind: string;
  marker: Marker;
}

const stringProp = (o: ts.ObjectLiteralExpression, name: string): string | undefined => {
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name && ts.isStringLiteralLike(p.initializer)) return p.initializer.text;
  }
  return undefined;
};

/** The `{ name, marker }` of every proof in one fixture file (none when it exports no `proofs`). */
export function proofClaimsIn(file: string, rule: string): ProofClaim[] {
  const full = path.resolve(ROOT, file);
  const sf = ts.createSourceFile(full, fs.readFileSync(full, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: ProofClaim[] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || d.name.text !== 'proofs' || !d.initializer || !ts.isArrayLiteralExpression(d.initializer)) continue;
      for (const el of d.initializer.elements) {
        if (!ts.isObjectLiteralExpression(el)) continue;
        const name = stringProp(el, 'name') ?? '?';
        const anchor = stringProp(el, 'marker');
        if (anchor === undefined) throw new Error(`${file}: proof '${name}' names no \`marker\` (the text of the marked line it shows)`);
        out.push({ name, kind: stringProp(el, 'kind') ?? '?', marker: markerAt(file, rule, anchor, stringProp(el, 'markerAfter')) });
      }
    }
  }
  return out;
}

/** The proofs of one suite (`fixtures/<rule>/<orm>/`), or of every suite. */
export function ormProofClaims(only?: { rule: string; orm: string }): ProofClaim[] {
  return ORM_SUITES.filter(([rule, orm]) => !only || (only.rule === rule && only.orm === orm)).flatMap(([rule, orm]) =>
    listTs(path.join(ROOT, 'fixtures', rule, orm)).flatMap((f) => proofClaimsIn(path.relative(ROOT, f), rule)),
  );
}
