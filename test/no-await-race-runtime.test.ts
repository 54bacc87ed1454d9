/**
 * Runtime proof for no-await-race: for each marked line with a proof in
 * test/runtime-proofs/races.ts, two concurrent calls of the reported code really lose an update
 * (or act twice on one check, or initialise twice), and the fixed shape next to it does not.
 * The fixtures' awaited helpers settle through a timer, as real I/O does, so the calls
 * interleave as two requests do on a server. Each test title names the marker (file:line) it
 * proves; test/runtime-proofs.test.ts checks every marker has a proof or a listed reason.
 * This is one of the few tests that executes fixture code, by design.
 */
import { describe, expect, it } from 'vitest';
import { fetchDelta } from '../fixtures/no-await-race/helpers.js';
import { markerAt, where } from './runtime-proofs/markers.js';
import { RACE_PROOFS } from './runtime-proofs/races.js';

const cases = RACE_PROOFS.map((p) => [where(markerAt(`fixtures/no-await-race/${p.file}`, 'no-await-race', p.anchor, p.after)), p] as const);

describe('no-await-race shapes at run time', () => {
  it("the fixtures' awaited helpers yield to the event loop (timers), not only to the microtask queue", async () => {
    let timerRan = false;
    setImmediate(() => (timerRan = true));
    await fetchDelta();
    expect(timerRan).toBe(true);
  });

  it.each(cases)('%s: %s', async (_where, proof) => {
    expect.hasAssertions();
    await proof.run();
  });
});
