/** Types for `bench/generate.mjs` (used by the tests). */
export interface Manifest {
  seed: number;
  requestedFiles: number;
  files: number;
  lines: number;
  domains: number;
  /** Planted bugs per rule id. */
  planted: Record<string, number>;
}

/** Write a synthetic project of about `files` files to `out` (replaced), deterministic from `seed`. */
export function generate(options: { files: number; seed?: number; out: string }): Manifest;

/** The seeded random source the generator uses. */
export function random(seed: number): () => number;

export function layoutFor(files: number): { domains: number; chains: number; groups: number; files: number };
