/**
 * The playground's file system: a `ts.CompilerHost` over a Map of path -> text. It holds the
 * user's files (under `/app/`), the bundled library declarations (`/app/node_modules/...`) and
 * TypeScript's lib files (`/lib/`). Parsed library files are kept between runs, keyed by their
 * text, so re-analysing after a keystroke parses only the user's files again.
 */
import ts from 'typescript';

export const APP = '/app/';
export const LIB_DIR = '/lib/';

const parsed = new Map<string, { text: string; sf: ts.SourceFile }>();

function folders(files: ReadonlyMap<string, string>): Set<string> {
  const out = new Set<string>(['/']);
  for (const file of files.keys()) {
    for (let i = file.indexOf('/', 1); i > 0; i = file.indexOf('/', i + 1)) out.add(file.slice(0, i));
  }
  return out;
}

export function createHost(files: ReadonlyMap<string, string>, options: ts.CompilerOptions): ts.CompilerHost {
  const dirs = folders(files);
  const getSourceFile = (fileName: string, languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions): ts.SourceFile | undefined => {
    const text = files.get(fileName);
    if (text === undefined) return undefined;
    const cached = parsed.get(fileName);
    if (cached && cached.text === text) return cached.sf;
    const library = !fileName.startsWith(APP) || fileName.includes('/node_modules/');
    // As the CLI's host: library files without parent pointers (the binder sets them).
    const sf = ts.createSourceFile(fileName, text, languageVersion, !library);
    if (library) parsed.set(fileName, { text, sf });
    return sf;
  };
  return {
    // As the CLI's host (analyzer/project/project.ts): JSDoc is parsed where it carries types (JavaScript).
    ...(ts.JSDocParsingMode ? { jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeInfo } : {}),
    getSourceFile,
    getDefaultLibFileName: (opts) => LIB_DIR + ts.getDefaultLibFileName(opts),
    getDefaultLibLocation: () => LIB_DIR.slice(0, -1),
    writeFile: () => {},
    getCurrentDirectory: () => APP.slice(0, -1),
    getDirectories: (dir) => {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const out = new Set<string>();
      for (const d of dirs) if (d.startsWith(prefix) && !d.slice(prefix.length).includes('/') && d.length > prefix.length) out.add(d.slice(prefix.length));
      return [...out];
    },
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => files.has(f),
    readFile: (f) => files.get(f),
    directoryExists: (d) => dirs.has(d.replace(/\/$/, '') || '/'),
    realpath: (f) => f,
    trace: options.traceResolution ? (s) => console.log(s) : undefined,
  };
}
