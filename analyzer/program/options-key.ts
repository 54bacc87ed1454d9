import type ts from '../ts/typescript.cjs';

/** Compiler options as a stable string: two programs with the same key resolve and type files the same way. */
export function optionsKey(options: ts.CompilerOptions): string {
  const plain = Object.keys(options)
    .filter((k) => k !== 'configFile' && k !== 'configFilePath' && typeof options[k] !== 'function')
    .sort()
    .map((k) => [k, options[k]]);
  return JSON.stringify(plain);
}
