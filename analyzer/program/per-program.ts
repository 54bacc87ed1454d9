/**
 * Caches of values computed once per program: the one shape every per-program cache of the
 * analyzer takes. The CLI and the ESLint adapter keep one `ts.Program` across many files (and
 * the editor a new one per edit), so values are kept in a WeakMap keyed by the program: they
 * live exactly as long as the program does, and memory does not grow with programs dropped.
 *
 * A value is computed on first use and kept. A `compute` that asks for its own key again while
 * it runs (recursion) gets `whileComputing` when one is given, and computes again otherwise
 * (the last value wins).
 */
import type ts from 'typescript';

/** Values per program and key. */
export interface PerProgram<K, V> {
  /** The value for `key` in `program`, computed on first use. */
  get(program: ts.Program, key: K, compute: () => V, options?: { whileComputing: V }): V;
  /** Was a value for `key` in `program` computed (or is it being computed)? */
  has(program: ts.Program, key: K): boolean;
  /** Every key and value computed for `program` so far. */
  entries(program: ts.Program): Iterable<[K, V]>;
}

/** A cache of values per program and key (a string, a node, a symbol...). */
export function perProgram<K, V>(): PerProgram<K, V> {
  const byProgram = new WeakMap<ts.Program, Map<K, V>>();
  return {
    get(program, key, compute, options) {
      let values = byProgram.get(program);
      if (!values) {
        values = new Map();
        byProgram.set(program, values);
      }
      if (values.has(key)) return values.get(key)!;
      if (options) values.set(key, options.whileComputing);
      const value = compute();
      values.set(key, value);
      return value;
    },
    has(program, key) {
      return byProgram.get(program)?.has(key) ?? false;
    },
    entries(program) {
      return byProgram.get(program)?.entries() ?? [];
    },
  };
}

/** One value per program. */
export function oncePerProgram<V>(): (program: ts.Program, compute: () => V) => V {
  const values = new WeakMap<ts.Program, { value: V }>();
  return (program, compute) => {
    const found = values.get(program);
    if (found) return found.value;
    const value = compute();
    values.set(program, { value });
    return value;
  };
}
