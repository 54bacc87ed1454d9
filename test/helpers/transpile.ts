/**
 * Fixture sources turned into runnable ES modules for the runtime proofs (the ORM proofs on
 * SQLite, the transaction proofs on PostgreSQL): every `.ts` under a folder, compiled one file
 * at a time with decorator metadata as the ORMs need it.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Every `.ts` file (not `.d.ts`) under `dir`, sorted. */
export function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

/** Compiles `file` (under `src`) to the `.js` of the same relative path under `out`; returns that path. */
export function transpileTo(file: string, src: string, out: string, text = fs.readFileSync(file, 'utf8')): string {
  const { outputText } = ts.transpileModule(text, {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.ES2022,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      useDefineForClassFields: false,
    },
  });
  const target = path.join(out, path.relative(src, file)).replace(/\.ts$/, '.js');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, outputText);
  return target;
}
