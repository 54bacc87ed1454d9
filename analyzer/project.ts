/**
 * Load what to analyze: find the tsconfig.json that owns each file under the given paths
 * (or use `--project`), build one `ts.Program` per config, and fall back to an embedded
 * default config for files no tsconfig claims, so a bare folder of .ts/.js files works.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { RunDiagnostic } from './engine-types.js';

export interface LoadedProject {
  program: ts.Program;
  /** The tsconfig.json used, or undefined for the embedded default config. */
  configPath?: string;
  /** The program's files that are under the given paths: the files to check. */
  files: ts.SourceFile[];
}

export interface LoadRequest {
  paths: string[];
  project?: string;
  cwd: string;
}

export interface LoadResult {
  projects: LoadedProject[];
  diagnostics: RunDiagnostic[];
}

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** The embedded config for files that no tsconfig.json claims. */
export const DEFAULT_COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  allowJs: true,
  checkJs: false,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  skipLibCheck: true,
  noEmit: true,
  jsx: ts.JsxEmit.Preserve,
  // TypeScript 6 includes no @types packages unless asked; '*' brings in every one that is installed.
  types: ['*'],
};

export function isSourceFileName(fileName: string): boolean {
  return SOURCE_EXTENSIONS.some((ext) => fileName.endsWith(ext)) && !/\.d\.[cm]?ts$/.test(fileName);
}

/** Every source file under the given paths (skipping node_modules and dot-folders; symlink loops are cut). */
export function collectFiles(paths: string[], diagnostics: RunDiagnostic[]): string[] {
  const out = new Set<string>();
  const seenDirs = new Set<string>();
  const stack: string[] = [];
  for (const p of paths) {
    if (!fs.existsSync(p)) {
      diagnostics.push({ severity: 'error', file: p, message: `path does not exist: ${p}` });
      continue;
    }
    stack.push(path.resolve(p));
  }
  while (stack.length > 0) {
    const current = stack.pop()!;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(current);
    } catch {
      continue; // dangling symlink or unreadable entry
    }
    if (stat.isFile()) {
      if (isSourceFileName(current)) out.add(current);
      continue;
    }
    if (!stat.isDirectory()) continue;
    let real: string;
    try {
      real = fs.realpathSync(current);
    } catch {
      continue;
    }
    if (seenDirs.has(real)) continue;
    seenDirs.add(real);
    let entries: string[];
    try {
      entries = fs.readdirSync(current);
    } catch {
      diagnostics.push({ severity: 'warning', file: current, message: `cannot read folder ${current}` });
      continue;
    }
    for (const entry of entries.sort().reverse()) {
      if (entry === 'node_modules' || entry.startsWith('.')) continue;
      stack.push(path.join(current, entry));
    }
  }
  return [...out].sort();
}

/** The nearest tsconfig.json at or above `dir`. */
export function findTsconfig(dir: string): string | undefined {
  let current = dir;
  for (;;) {
    const candidate = path.join(current, 'tsconfig.json');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

interface ParsedConfig {
  configPath: string;
  options: ts.CompilerOptions;
  fileNames: string[];
  references: string[];
}

function parseConfig(configPath: string, diagnostics: RunDiagnostic[]): ParsedConfig | undefined {
  const problems: ts.Diagnostic[] = [];
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => problems.push(d),
  };
  let parsed: ts.ParsedCommandLine | undefined;
  try {
    parsed = ts.getParsedCommandLineOfConfigFile(configPath, { noEmit: true }, host);
  } catch (error) {
    diagnostics.push({ severity: 'error', file: configPath, message: `cannot read ${configPath}: ${String(error)}` });
    return undefined;
  }
  for (const d of [...problems, ...(parsed?.errors ?? [])]) {
    // "No inputs were found" just means this config claims none of our files.
    if (d.code === 18003) continue;
    diagnostics.push({ severity: 'error', file: configPath, message: `${configPath}: ${flatten(d)}` });
  }
  if (!parsed) return undefined;
  return {
    configPath,
    options: { ...parsed.options, noEmit: true },
    fileNames: parsed.fileNames.map((f) => path.resolve(f)),
    references: (parsed.projectReferences ?? []).map((r) =>
      r.path.endsWith('.json') ? r.path : path.join(r.path, 'tsconfig.json'),
    ),
  };
}

function flatten(d: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, ' ');
}

/** Find, among a config and the configs it references, the one that includes `file`. */
function ownerOf(file: string, config: ParsedConfig, load: (p: string) => ParsedConfig | undefined): ParsedConfig | undefined {
  const queue = [config];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (seen.has(c.configPath)) continue;
    seen.add(c.configPath);
    if (c.fileNames.includes(file)) return c;
    for (const ref of c.references) {
      const loaded = load(ref);
      if (loaded) queue.push(loaded);
    }
  }
  return undefined;
}

export function loadProjects(request: LoadRequest): LoadResult {
  const diagnostics: RunDiagnostic[] = [];
  const paths = (request.paths.length > 0 ? request.paths : ['.']).map((p) => path.resolve(request.cwd, p));
  const targets = collectFiles(paths, diagnostics);
  const cache = new Map<string, ParsedConfig | undefined>();
  const load = (p: string) => {
    if (!cache.has(p)) cache.set(p, fs.existsSync(p) ? parseConfig(p, diagnostics) : undefined);
    return cache.get(p);
  };
  const groups = new Map<string, string[]>(); // config path ('' = default) -> files
  const add = (key: string, file: string) => {
    const list = groups.get(key) ?? [];
    list.push(file);
    groups.set(key, list);
  };

  if (request.project) {
    const projectPath = path.resolve(request.cwd, request.project);
    if (!fs.existsSync(projectPath)) {
      diagnostics.push({ severity: 'error', file: request.project, message: `tsconfig not found: ${request.project}` });
      return { projects: [], diagnostics };
    }
    const config = load(projectPath);
    for (const file of targets) {
      const owner = config && ownerOf(file, config, load);
      if (owner) add(owner.configPath, file);
      else add('', file);
    }
    if (!config) return { projects: [], diagnostics };
  } else {
    for (const file of targets) {
      const nearest = findTsconfig(path.dirname(file));
      const config = nearest ? load(nearest) : undefined;
      const owner = config && ownerOf(file, config, load);
      add(owner ? owner.configPath : '', file);
    }
  }

  const projects: LoadedProject[] = [];
  for (const [key, files] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const config = key ? cache.get(key) : undefined;
    const program = config
      ? ts.createProgram({ rootNames: config.fileNames, options: config.options })
      : ts.createProgram({ rootNames: files, options: DEFAULT_COMPILER_OPTIONS });
    const wanted = new Set(files);
    const sourceFiles = program.getSourceFiles().filter((sf) => wanted.has(path.resolve(sf.fileName)));
    projects.push({ program, configPath: config?.configPath, files: sourceFiles });
    reportSyntaxErrors(program, sourceFiles, diagnostics);
  }
  return { projects, diagnostics };
}

function reportSyntaxErrors(program: ts.Program, files: ts.SourceFile[], diagnostics: RunDiagnostic[]): void {
  for (const sf of files) {
    const errors = program.getSyntacticDiagnostics(sf);
    if (errors.length === 0) continue;
    const first = errors[0]!;
    const { line, character } = sf.getLineAndCharacterOfPosition(first.start ?? 0);
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    diagnostics.push({
      severity: 'warning',
      file: sf.fileName,
      message: `syntax error at ${line + 1}:${character + 1}: ${flatten(first)}${more}; analyzed what parses`,
    });
  }
}
