/**
 * The precision gate (issue: "a rule earns `recommended` with measured precision"): every rule
 * in `configs.recommended` has at least 90% true findings on the field study's real projects
 * (field/results.json, from `npm run field` over the committed labels), and the docs pages and
 * README show exactly the measured numbers.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allChecks } from '../analyzer/checks/index.js';
import { gateVerdict, pages, readResults, withBlock } from '../field/publish.mjs';

const results = readResults();

describe('precision gate', () => {
  it('measures on at least six projects and 300 labelled findings', () => {
    expect(results.projects.length).toBeGreaterThanOrEqual(6);
    const labelled = Object.values(results.rules).reduce((n, r) => n + r.labelled, 0);
    expect(labelled).toBeGreaterThanOrEqual(300);
    for (const [id, r] of Object.entries(results.rules)) {
      expect(r.true + r.false + r.debatable, id).toBe(r.labelled);
      expect(r.labelled, id).toBeLessThanOrEqual(r.findings);
    }
  });

  it.each(allChecks.map((c) => [c.meta.id, c.meta.recommended] as const))('%s: in recommended (%s) only if it meets the bar', (id, recommended) => {
    const verdict = gateVerdict(results.rules[id]);
    if (recommended !== 'off') expect(verdict.ok, `${id}: ${verdict.why}`).toBe(true);
  });

  it('docs pages and README show the measured numbers', () => {
    const ids = allChecks.map((c) => c.meta.id);
    for (const [file, text] of pages(results, ids)) expect(fs.readFileSync(file, 'utf8'), `${file}: run node field/publish.mjs`).toBe(text);
  });
});

describe('gate arithmetic', () => {
  const r = (t: number, f: number) => ({ findings: t + f, labelled: t + f, true: t, false: f, debatable: 0 });
  it('needs 90% of judged findings, or no false one among a handful', () => {
    expect(gateVerdict(r(9, 1)).ok).toBe(true);
    expect(gateVerdict(r(17, 2)).ok).toBe(false);
    expect(gateVerdict(r(3, 0)).ok).toBe(true);
    expect(gateVerdict(r(3, 1)).ok).toBe(false);
    expect(gateVerdict(undefined).ok).toBe(false);
  });

  it('replaces a block in place, or adds the section before the given heading', () => {
    const block = '<!-- field:start -->\nB\n<!-- field:end -->';
    const added = withBlock('# x\n\nintro\n\n## Differences\n\nd\n', block, '## Measured on real code', '## Differences');
    expect(added).toBe(`# x\n\nintro\n\n## Measured on real code\n\n${block}\n\n## Differences\n\nd\n`);
    expect(withBlock(added, block.replace('B', 'C'), '## Measured on real code')).toContain('\nC\n');
  });
});
