/**
 * Keep a project's meaning when the analyzing TypeScript is newer than the one it is written
 * for. The TypeScript 6 API (bundled for projects on TypeScript 7 or none, or chosen by hand)
 * changed defaults that change types, hence findings: `strict` is on unless turned off, no
 * `@types` package is included unless listed, `target`, `module`, `moduleResolution` and
 * `esModuleInterop` default differently, and options deprecated in 6.0 (`baseUrl`,
 * `downlevelIteration`, `moduleResolution: node10`...) are errors unless `ignoreDeprecations`
 * is set. For a tsconfig written for TypeScript 5.x this sets the 5.x default of every such
 * option the tsconfig leaves unset, accepts its deprecated options (6.0 still honours them),
 * and says so in one line. What cannot be known is said, not guessed.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from '../ts/typescript.cjs';

const API_MAJOR = Number(ts.versionMajorMinor.split('.')[0]);

/** The TypeScript a project is written for: its installed one, else the range its package.json asks for. */
export function writtenFor(folder: string): { version: string; major: number; from: string } | undefined {
  try {
    const manifest = createRequire(path.join(folder, 'noop.js')).resolve('typescript/package.json');
    const version = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
    return { version, major: Number(version.split('.')[0]), from: 'installed' };
  } catch {
    // Not installed: look at what package.json asks for.
  }
  for (let dir = folder; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, string> | undefined>;
        const range = pkg.devDependencies?.typescript ?? pkg.dependencies?.typescript ?? pkg.peerDependencies?.typescript;
        const major = range ? /(\d+)/.exec(range)?.[1] : undefined;
        if (range && major) return { version: range, major: Number(major), from: 'package.json' };
      } catch {
        // An unreadable package.json says nothing.
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Options set in the tsconfig that this TypeScript reports as deprecated (a program over no files). */
function deprecatedOptions(options: ts.CompilerOptions): string[] {
  const probe = ts.createProgram({ rootNames: [], options: { ...options, noLib: true, types: [] } });
  const names = probe
    .getOptionsDiagnostics()
    .filter((d) => d.code === 5101 || d.code === 5107)
    .map((d) => /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, ' '))?.[1] ?? '?');
  return [...new Set(names)];
}

/** What TypeScript 5.x used for each option whose default changed in 6.0, for options left unset. */
function fiveDefaults(o: ts.CompilerOptions): ts.CompilerOptions {
  const M = ts.ModuleKind;
  const nodeModule = (m: ts.ModuleKind | undefined) => m !== undefined && m >= M.Node16 && m <= M.NodeNext;
  const target = o.target ?? (o.module === M.Node16 || o.module === 101 ? ts.ScriptTarget.ES2022 : o.module === 102 ? ts.ScriptTarget.ES2023 : o.module === M.NodeNext ? ts.ScriptTarget.ESNext : ts.ScriptTarget.ES5);
  const module = o.module ?? (target >= ts.ScriptTarget.ES2015 ? M.ES2015 : M.CommonJS);
  const R = ts.ModuleResolutionKind;
  const resolution =
    o.moduleResolution ??
    (module === M.CommonJS ? R.Node10 : module === M.NodeNext ? R.NodeNext : nodeModule(module) ? R.Node16 : module === M.Preserve ? R.Bundler : R.Classic);
  const interop = o.esModuleInterop ?? (nodeModule(module) || module === M.Preserve);
  const synthetic = o.allowSyntheticDefaultImports ?? (interop || module === M.System || resolution === R.Bundler);
  return { strict: o.strict ?? false, types: o.types ?? ['*'], target, module, moduleResolution: resolution, esModuleInterop: interop, allowSyntheticDefaultImports: synthetic };
}

/** How each adjusted option reads in the note. */
function describe(name: string, value: unknown): string {
  if (name === 'types') return 'types: all @types';
  const enums: Record<string, Record<number, string>> = { target: ts.ScriptTarget, module: ts.ModuleKind, moduleResolution: ts.ModuleResolutionKind };
  const text = enums[name] && typeof value === 'number' ? enums[name][value]! : String(value);
  return `${name}: ${text}`;
}

/** 6.0's value of each option `fiveDefaults` sets (to list only real changes). */
function sixValue(name: string, o: ts.CompilerOptions): unknown {
  const internal = ts as unknown as Record<string, (options: ts.CompilerOptions, flag?: string) => unknown>;
  switch (name) {
    case 'strict': return internal.getStrictOptionValue!(o, 'strictNullChecks');
    case 'types': return o.types;
    case 'target': return internal.getEmitScriptTarget!(o);
    case 'module': return internal.getEmitModuleKind!(o);
    case 'moduleResolution': return internal.getEmitModuleResolutionKind!(o);
    case 'esModuleInterop': return internal.getESModuleInterop!(o);
    default: return internal.getAllowSyntheticDefaultImports!(o);
  }
}

export interface KeptSemantics {
  options: ts.CompilerOptions;
  /** One line saying what was adjusted, when anything was. */
  note?: string;
}

/** The options to analyse the tsconfig at `configPath` with, keeping the meaning it has for its own TypeScript. */
export function keepProjectSemantics(options: ts.CompilerOptions, configPath: string): KeptSemantics {
  if (API_MAJOR < 6) return { options };
  const project = writtenFor(path.dirname(configPath));
  if (project && project.major >= 6) return { options };
  const deprecated = options.ignoreDeprecations === undefined ? deprecatedOptions(options) : [];
  if (!project) {
    if (deprecated.length === 0) return { options };
    return {
      options: { ...options, ignoreDeprecations: '6.0' },
      note: `uses options deprecated in TypeScript 6.0 (${deprecated.join(', ')}), accepted; no TypeScript version found for it (none installed, none in package.json), so TypeScript ${ts.versionMajorMinor} defaults apply (strict unless turned off, no @types unless listed)`,
    };
  }
  const defaults = fiveDefaults(options);
  const changed = Object.entries(defaults).filter(([name, value]) => (options as Record<string, unknown>)[name] === undefined && JSON.stringify(value) !== JSON.stringify(sixValue(name, options)));
  if (changed.length === 0 && deprecated.length === 0) return { options };
  const kept = { ...options, ...Object.fromEntries(changed), ignoreDeprecations: options.ignoreDeprecations ?? '6.0' };
  const parts = [
    ...(changed.length > 0 ? [`kept its TypeScript ${project.major} defaults (${changed.map(([n, v]) => describe(n, v)).join(', ')})`] : []),
    ...(deprecated.length > 0 ? [`accepted its deprecated ${deprecated.join(', ')}`] : []),
  ];
  return { options: kept, note: `written for TypeScript ${project.version} (${project.from}), analysed with the TypeScript ${ts.version} API: ${parts.join('; ')}` };
}

/** A tsconfig option this TypeScript does not know, said in one line (a newer TypeScript's?). */
export function unknownOptionNote(d: ts.Diagnostic, configPath: string): string | undefined {
  if (d.code !== 5023 && d.code !== 5025) return undefined;
  const project = writtenFor(path.dirname(configPath));
  const newer = project && project.major > API_MAJOR ? ` (the project is on TypeScript ${project.version}: an option of a newer TypeScript)` : '';
  return `TypeScript ${ts.version}, which analyses this project, does not know it${newer}; the analysis went on without it`;
}
