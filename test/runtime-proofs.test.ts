/**
 * Every marker of a provable rule has a runtime proof, or a listed reason.
 *
 * Provable rules (PROVABLE in test/runtime-proofs/markers.ts) are those whose bug shows when the
 * code runs: a lock hang, a lost update, a query per row, an unloaded relation. For each of
 * their `// expect:` markers there must be a proof that names it (a lock fixture's `scenario()`,
 * an entry of test/runtime-proofs/races.ts, an ORM fixture's `proofs` entry with its `marker`),
 * or an entry in test/runtime-proofs/not-provable.json saying why not (`not-provable`: it cannot
 * be shown here; `not-yet`: it could be, no proof is written). Every other rule is listed there
 * as a whole with the reason it is not proven at run time.
 */
import { describe, expect, it } from 'vitest';
import { allChecks } from '../analyzer/checks/index.js';
import { POSTGRES_PROOFS, PROVABLE, anchorsOf, exempts, loadExemptions, loadRuleDecisions, markerAt, markersOf, where, type Marker } from './runtime-proofs/markers.js';
import { scenarioFiles } from './runtime-proofs/locks.js';
import { RACE_PROOFS } from './runtime-proofs/races.js';
import { ormProofClaims } from './runtime-proofs/orm.js';

const HOW = [
  'Either prove it at run time:',
  '  - lock rules: export `scenario()` from the fixture (one task per marked site; see fixtures/<rule>/harness.ts),',
  '  - no-await-race: add a proof to test/runtime-proofs/races.ts (anchor = text of the marked line),',
  "  - ORM rules: add a `proofs` entry with `marker` to the fixture (see its folder's proof.ts),",
  'or add an entry to test/runtime-proofs/not-provable.json: { "rule", "path" (file, or folder ending in /), "anchors"? (texts of its marked lines), "status": "not-provable" | "not-yet", "reason" }.',
].join('\n');

function proven(): Set<string> {
  const out = new Set<string>();
  for (const f of scenarioFiles()) if (f.hasScenario) for (const m of f.markers) out.add(`${where(m)} ${m.rule}`);
  for (const p of RACE_PROOFS) out.add(`${where(markerAt(`fixtures/no-await-race/${p.file}`, 'no-await-race', p.anchor, p.after))} no-await-race`);
  for (const c of ormProofClaims()) out.add(`${where(c.marker)} ${c.marker.rule}`);
  for (const m of markersOf('no-query-outside-transaction')) if (where(m).startsWith(POSTGRES_PROOFS)) out.add(`${where(m)} ${m.rule}`);
  return out;
}

describe('runtime proofs cover the markers of provable rules', () => {
  const exemptions = loadExemptions();
  const markers: Marker[] = Object.keys(PROVABLE).flatMap((rule) => markersOf(rule));
  const claimed = proven();
  const unproven = markers.filter((m) => !claimed.has(`${where(m)} ${m.rule}`));

  it('every rule is provable or listed as a whole with its reason', () => {
    const decided = loadRuleDecisions();
    const undecided = allChecks.map((c) => c.meta.id).filter((id) => !(id in PROVABLE) && !decided[id]?.reason);
    expect(undecided, 'add the rule to PROVABLE (test/runtime-proofs/markers.ts) or to "rules" in not-provable.json').toEqual([]);
    expect(Object.keys(decided).filter((id) => id in PROVABLE), 'a rule is either provable or listed, not both').toEqual([]);
  });

  it('every marker of a provable rule has a proof or a listed reason', () => {
    const missing = unproven.filter((m) => !exemptions.some((e) => exempts(e, m))).map((m) => `${where(m)} ${m.rule}: ${m.text}`);
    expect(missing, `markers without a runtime proof or a listed reason:\n${missing.join('\n')}\n${HOW}`).toEqual([]);
  });

  it('every entry of not-provable.json has a reason, and each of its anchors still names an unproven marker', () => {
    const stale = exemptions.flatMap((e) => {
      if (!e.reason?.trim()) return [`${e.path}: no reason`];
      if (anchorsOf(e).length === 0) return unproven.some((m) => exempts(e, m)) ? [] : [`${e.path}: covers no unproven marker`];
      return anchorsOf(e)
        .filter((a) => !unproven.some((m) => exempts({ ...e, anchor: a, anchors: undefined }, m)))
        .map((a) => `${e.path}: ${JSON.stringify(a)} names no unproven marker`);
    });
    expect(stale, 'remove (or fix) these entries or anchors: their markers are proven now, changed, or gone').toEqual([]);
  });

  it('has proofs for every provable rule', () => {
    for (const rule of Object.keys(PROVABLE)) expect(markers.some((m) => m.rule === rule && claimed.has(`${where(m)} ${rule}`)), rule).toBe(true);
  });
});
