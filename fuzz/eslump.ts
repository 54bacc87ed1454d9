/**
 * Random JavaScript from eslump (shift-fuzzer underneath): syntactically valid programs of
 * every construct the language has, which no hand-written generator would think of. eslump
 * draws from `Math.random`, so generation runs with `Math.random` bound to our seeded Rng.
 */
import { createRequire } from 'node:module';
import type { Rng } from './random.js';

interface Eslump {
  generateRandomJS(options: { sourceType?: 'module' | 'script'; maxDepth?: number; comments?: boolean; whitespace?: boolean }): string;
}

const eslump = createRequire(import.meta.url)('eslump') as Eslump;

/** Files bigger than this are regenerated: they cost time and teach nothing more. */
const MAX_LENGTH = 20_000;

export function randomJs(rng: Rng): string {
  for (let attempt = 0; ; attempt++) {
    const text = rng.asMathRandom(() =>
      eslump.generateRandomJS({ sourceType: 'module', maxDepth: rng.int(3, 7), comments: rng.chance(0.3), whitespace: rng.chance(0.3) }),
    );
    if (text.length <= MAX_LENGTH || attempt >= 5) return text.slice(0, MAX_LENGTH * 2);
  }
}
