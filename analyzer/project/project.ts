/**
 * Load what to analyze: find the tsconfig.json that owns each file under the given paths
 * (or use `--project`), build one `ts.Program` per config, and fall back to an embedded
 * default config for files no tsconfig claims, so a bare folder of .ts/.js files works.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from '../ts/typescript.cjs';
import type { RunDiagnostic, SkippedFiles } from '../check/run-types.js';
import { collectTargets, isSourceFileName } from './files.js';
import { selectFiles } from './selection.js';
import { keepProjectSemantics, unknownOptionNote } from './compat.js';
import { optionsKey } from '../program/options-key.js';
import { bindTypeChecker } from '../program/type-queries.js';

export { collectTargets } from './files.js';
export { selectFiles } from './selection.js';

export interface LoadedProject {
  program: ts.Program;
  /** The tsconfig.json used, or undefined for the embedded default config. */
  configPath?: string;
  /** The program's files that are under the given paths: the files to check. */
  files: ts.SourceFile[];
  /**
   * Files whose text is not their bytes (not valid UTF-8, so read with U+FFFD in place of
   * bad bytes): writing an edit back would corrupt them, so their findings carry no `fix`.
   */
  lossy?: ReadonlySet<string>;
}

export interface LoadRequest {
  paths: string[];
  project?: string;
  cwd: string;
}

export interface LoadResult {
  projects: LoadedProject[];
  diagnostics: RunDiagnostic[];
  /** Files under the given folders that the project leaves out (see selection.ts). */
  skipped: SkippedFiles[];
}


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
  // TypeScript 6 includes no @types packages unless asked; '*' brings in every one that is
  // installed. TypeScript 5 includes them all by default (and would read '*' as a package name).
  ...(Number(ts.versionMajorMinor.split('.')[0]) >= 6 ? { types: ['*'] } : {}),
};

/**
 * The folder a program is read from: its tsconfig's, else the deepest folder holding all its
 * files. The compiler host answers it as its current directory, so type roots (`@types`),
 * automatic type inclusion and relative lookups never depend on the process's working folder.
 */
export function projectFolder(options: ts.CompilerOptions, rootNames: readonly string[]): string {
  if (typeof options.configFilePath === 'string') return path.dirname(path.resolve(options.configFilePath));
  const dirs = rootNames.map((f) => path.dirname(path.resolve(f)));
  if (dirs.length === 0) return path.parse(process.cwd()).root;
  let common = dirs[0]!;
  for (const dir of dirs) {
    while (dir !== common && !dir.startsWith(common.endsWith(path.sep) ? common : common + path.sep)) common = path.dirname(common);
  }
  return common;
}

export interface ParsedConfig {
  configPath: string;
  options: ts.CompilerOptions;
  fileNames: string[];
  /** The same, for membership tests (a 5,000-file project asks once per file). */
  fileSet: Set<string>;
  references: string[];
}

function parseConfig(configPath: string, diagnostics: RunDiagnostic[]): ParsedConfig | undefined {
  const problems: ts.Diagnostic[] = [];
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    getCurrentDirectory: () => path.dirname(configPath),
    onUnRecoverableConfigFileDiagnostic: (d) => problems.push(d),
  };
  let parsed: ts.ParsedCommandLine | undefined;
  try {
    parsed = ts.getParsedCommandLineOfConfigFile(configPath, { noEmit: true }, host);
  } catch (error) {
    diagnostics.push({ severity: 'error', file: configPath, message: `cannot read this tsconfig: ${oneLine(error)}` });
    return undefined;
  }
  // JSON syntax errors (TypeScript's config reader is lenient and goes on past them).
  const configFile = parsed?.options.configFile as { parseDiagnostics?: readonly ts.Diagnostic[] } | undefined;
  const syntax = configFile?.parseDiagnostics ?? [];
  for (const d of [...problems, ...syntax, ...(parsed?.errors ?? [])]) {
    // "No inputs were found" just means this config claims none of our files.
    if (d.code === 18003) continue;
    const unknown = unknownOptionNote(d, configPath);
    diagnostics.push({ severity: 'error', file: configPath, message: `${flatten(d)}${at(d)}${unknown ? `: ${unknown}` : ''}` });
  }
  if (!parsed) return undefined;
  const kept = keepProjectSemantics(parsed.options, configPath);
  if (kept.note) diagnostics.push({ severity: 'warning', file: configPath, message: kept.note });
  const fileNames = parsed.fileNames.map((f) => path.resolve(f));
  return {
    configPath,
    options: { ...kept.options, noEmit: true },
    fileNames,
    fileSet: new Set(fileNames),
    references: (parsed.projectReferences ?? []).map((r) =>
      r.path.endsWith('.json') ? r.path : path.join(r.path, 'tsconfig.json'),
    ),
  };
}

function flatten(d: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, ' ');
}

/** ` (line 3, column 7)` for a diagnostic with a position in its file, else ''. */
function at(d: ts.Diagnostic): string {
  if (!d.file || d.start === undefined) return '';
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return ` (line ${line + 1}, column ${character + 1})`;
}

/** Parse tsconfig files on demand, each once; problems go to `diagnostics`. */
export function configLoader(diagnostics: RunDiagnostic[]): (configPath: string) => ParsedConfig | undefined {
  const cache = new Map<string, ParsedConfig | undefined>();
  return (p) => {
    if (!cache.has(p)) cache.set(p, fs.existsSync(p) ? parseConfig(p, diagnostics) : undefined);
    return cache.get(p);
  };
}

export function loadProjects(request: LoadRequest): LoadResult {
  const diagnostics: RunDiagnostic[] = [];
  const paths = (request.paths.length > 0 ? request.paths : ['.']).map((p) => path.resolve(request.cwd, p));
  const targets = collectTargets(paths, diagnostics);
  const load = configLoader(diagnostics);
  const given: string[] = [];
  if (request.project) {
    const projectPath = path.resolve(request.cwd, request.project);
    if (!fs.existsSync(projectPath)) {
      diagnostics.push({ severity: 'error', file: projectPath, message: 'tsconfig not found (--project)' });
      return { projects: [], diagnostics, skipped: [] };
    }
    if (!load(projectPath)) return { projects: [], diagnostics, skipped: [] };
    given.push(projectPath);
  }
  const { groups, skipped } = selectFiles(targets, given, load);

  const projects: LoadedProject[] = [];
  const inputs = new InputGuard(diagnostics);
  // The tsconfigs' programs first; then the files no tsconfig claims (see `unclaimed`).
  const configKeys = [...groups.keys()].filter((key) => key !== '').sort();
  const { host, extra } = extraRoots(configKeys, groups, given);
  for (const key of configKeys) {
    const config = load(key)!;
    const rootNames = key === host ? [...config.fileNames, ...extra] : config.fileNames;
    const project = buildProject(rootNames, groups.get(key)!, config, inputs, diagnostics);
    if (project) projects.push(project);
  }
  const rest = unclaimed(groups.get('') ?? [], projects, inputs);
  if (rest.length > 0) {
    const project = buildProject(rest, rest, undefined, inputs, diagnostics);
    if (project) projects.unshift(project);
  }
  for (const project of projects) reportSyntaxErrors(project.program, project.files, diagnostics);
  return { projects, diagnostics, skipped };
}

/**
 * With `--project`, the files no tsconfig claims (a library folder an app imports through
 * `paths`, its tests, files named one by one) are asked for with that tsconfig: they join the
 * program of the given tsconfig (or, when it owns no file itself, the largest one of those it
 * references) as extra root files, read with its options. Most of them are in that program
 * anyway; the others (a library's tests and client-side helpers the app never imports) cost
 * their own imports there, where a second program with the default config would read and bind
 * every declaration file of the project again.
 */
function extraRoots(configKeys: string[], groups: Map<string, string[]>, given: string[]): { host?: string; extra: string[] } {
  const extra = groups.get('') ?? [];
  if (given.length === 0 || extra.length === 0 || configKeys.length === 0) return { extra: [] };
  const host = configKeys.includes(given[0]!) ? given[0]! : configKeys.reduce((a, b) => (groups.get(b)!.length > groups.get(a)!.length ? b : a));
  return { host, extra };
}

/**
 * The files no tsconfig claims that no built program holds. A file a tsconfig's program
 * already holds (its sources import it, through `paths` or a relative import, without the
 * tsconfig including it: a shared library of a monorepo app) is checked in that program, with
 * that tsconfig's options, where its imports resolve as the app's build resolves them;
 * checking it in a second program built from the embedded default config would read the same
 * files again without the tsconfig's `paths`.
 */
function unclaimed(files: string[], projects: LoadedProject[], inputs: InputGuard): string[] {
  const rest: string[] = [];
  for (const file of files) {
    let sf: ts.SourceFile | undefined;
    const holder = projects.find((p) => (sf = p.program.getSourceFile(file)) !== undefined && !sf.isDeclarationFile);
    if (!holder || !sf) {
      rest.push(file);
      continue;
    }
    holder.files.push(sf);
    if (inputs.isLossy(sf.fileName)) holder.lossy = new Set([...(holder.lossy ?? []), sf.fileName]);
  }
  return rest;
}

/** One program over `rootNames` with the config's options (or the default ones); it checks `files`. */
function buildProject(rootNames: string[], files: string[], config: ParsedConfig | undefined, inputs: InputGuard, diagnostics: RunDiagnostic[]): LoadedProject | undefined {
  const options = config ? config.options : DEFAULT_COMPILER_OPTIONS;
  let program: ts.Program;
  try {
    program = ts.createProgram({ rootNames, options, host: inputs.host(options, projectFolder(options, rootNames)) });
    bindTypeChecker(program); // binds every file: fail here, not inside a check
  } catch (error) {
    diagnostics.push({ severity: 'error', file: config?.configPath, message: `cannot build the TypeScript program: ${oneLine(error)}` });
    return undefined;
  }
  const wanted = new Set(files);
  const sourceFiles = program.getSourceFiles().filter((sf) => wanted.has(path.resolve(sf.fileName)));
  const lossy = new Set(sourceFiles.map((sf) => sf.fileName).filter((f) => inputs.isLossy(f)));
  return { program, configPath: config?.configPath, files: sourceFiles, ...(lossy.size > 0 ? { lossy } : {}) };
}

/**
 * A program over `rootNames` read the way `loadProjects` reads files (bad input becomes a
 * warning in `diagnostics`; declaration files are shared). Throws what TypeScript throws.
 */
export function createProgramFor(rootNames: readonly string[], options: ts.CompilerOptions, diagnostics: RunDiagnostic[]): ts.Program {
  return ts.createProgram({ rootNames, options, host: new InputGuard(diagnostics).host(options, projectFolder(options, rootNames)) });
}

/** The first line of an error's message. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/**
 * Above this nesting depth a file is not given to TypeScript, whose parser, binder and
 * checker recurse once or more per level and overflow the stack somewhere between 300 and
 * 1,500 levels depending on the construct. Left operands of binary operators do not count:
 * TypeScript walks `a + a + ... + a` chains iteratively. Hand-written code stays below 100.
 */
export const MAX_NESTING_DEPTH = 250;

/** The deepest nesting in a file, measured iteratively. */
export function nestingDepth(root: ts.Node): number {
  let max = 0;
  const nodes: ts.Node[] = [root];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > max) max = depth;
    ts.forEachChild(node, (child) => {
      nodes.push(child);
      depths.push(ts.isBinaryExpression(node) && child === node.left ? depth : depth + 1);
    });
  }
  return max;
}

/** Files already measured within MAX_NESTING_DEPTH (shared declaration files are measured once). */
const shallow = new WeakSet<ts.SourceFile>();

const LOSSY_NOTE = 'not valid UTF-8: read with U+FFFD in place of the bad bytes; its findings get no autofix';

/**
 * Reads and parses source files for the compiler, so that bad input is a one-line warning
 * and never an exception: a binary file, text that is not UTF-8, a file too deeply nested
 * for TypeScript (or whose parse overflows the stack anyway) each become a warning, and the
 * unusable ones are analyzed as empty files.
 */
class InputGuard {
  private readonly lossy = new Set<string>();
  private readonly warned = new Set<string>();
  constructor(private readonly diagnostics: RunDiagnostic[]) {}

  isLossy(fileName: string): boolean {
    return this.lossy.has(path.resolve(fileName));
  }

  private warn(fileName: string, message: string): void {
    const file = path.resolve(fileName);
    if (this.warned.has(`${file}\0${message}`)) return;
    this.warned.add(`${file}\0${message}`);
    this.diagnostics.push({ severity: 'warning', file, message });
  }

  private read(fileName: string): string | undefined {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(fileName);
    } catch {
      return undefined;
    }
    // UTF-16 with a byte order mark: TypeScript decodes it.
    if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) return ts.sys.readFile(fileName);
    if (bytes.subarray(0, 8192).includes(0)) {
      this.warn(fileName, 'binary file (it contains NUL bytes), not source code; skipped');
      return '';
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      this.lossy.add(path.resolve(fileName));
      this.warn(fileName, LOSSY_NOTE);
      return new TextDecoder('utf-8').decode(bytes);
    }
  }

  /** A compiler host for a program read from `folder` (see `projectFolder`). */
  host(options: ts.CompilerOptions, folder: string): ts.CompilerHost {
    const host = ts.createCompilerHost(options);
    host.getCurrentDirectory = () => folder;
    // JSDoc carries types in JavaScript files only; skipping it elsewhere saves a tenth of the parse
    // (TypeScript 5.3 and later; older ones parse it all).
    if (ts.JSDocParsingMode) host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeInfo;
    const parse = sharedDeclarations(host.getSourceFile, options);
    host.readFile = (fileName) => (isSourceFileName(fileName) ? this.read(fileName) : ts.sys.readFile(fileName));
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      const placeholder = () => ts.createSourceFile(fileName, '', languageVersion, true);
      let sf: ts.SourceFile | undefined;
      try {
        sf = parse(fileName, languageVersion, onError, shouldCreate);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        this.warn(fileName, `too deeply nested for the TypeScript parser (${oneLine(error)}); skipped`);
        return placeholder();
      }
      // Package declaration files are shared, parsed once, and never checked (skipLibCheck): no depth walk.
      if (!sf || shallow.has(sf) || (sf.isDeclarationFile && DECLARATION_IN_PACKAGE.test(fileName))) return sf;
      const depth = nestingDepth(sf);
      if (depth <= MAX_NESTING_DEPTH) {
        shallow.add(sf);
        return sf;
      }
      this.warn(fileName, `nested ${depth} levels deep (more than ${MAX_NESTING_DEPTH}), too deep to analyze safely; skipped`);
      return placeholder();
    };
    return host;
  }
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

/**
 * Declaration files under node_modules (TypeScript's libs, @types) parsed and bound once per
 * process and shared by every program with the same options, as TypeScript's language
 * service shares them: `--fix` passes and repeated runs do not parse lib.dom.d.ts again.
 */
const declarationCache = new Map<string, ts.SourceFile>();
const DECLARATION_IN_PACKAGE = /[\\/]node_modules[\\/].*\.d\.[cm]?ts$/;

function sharedDeclarations(parse: ts.CompilerHost['getSourceFile'], options: ts.CompilerOptions): ts.CompilerHost['getSourceFile'] {
  const prefix = optionsKey(options);
  return (fileName, languageVersion, onError, shouldCreate) => {
    if (shouldCreate || !DECLARATION_IN_PACKAGE.test(fileName)) return parse(fileName, languageVersion, onError, shouldCreate);
    let stamp: string;
    try {
      const stat = fs.statSync(fileName);
      stamp = `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return parse(fileName, languageVersion, onError, shouldCreate);
    }
    const mode = typeof languageVersion === 'object' ? `${languageVersion.languageVersion}:${languageVersion.impliedNodeFormat}:${languageVersion.jsDocParsingMode}` : String(languageVersion);
    const key = `${prefix}\0${fileName}\0${mode}\0${stamp}`;
    let sf = declarationCache.get(key);
    if (!sf) {
      sf = parse(fileName, languageVersion, onError, shouldCreate);
      if (sf) declarationCache.set(key, sf);
    }
    return sf;
  };
}
