/**
 * `npm run playground`: build the static playground into playground/dist/ (index.html, main.js,
 * worker.js, libs.json, style.css). Any static host can serve the folder.
 *
 * libs.json is the in-memory file system's library part: TypeScript's lib files and the
 * declarations of the libraries the rules know. Which files is not a hand-kept list: a probe
 * program that imports those libraries (and every example) is compiled here, and every file
 * TypeScript reads or finds for it is recorded, so the browser resolves exactly as Node does.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import * as esbuild from 'esbuild';
import { builtinModules } from 'node:module';
import { splitNodeTypes } from './node-types.mjs';

const HERE = import.meta.dirname;
const ROOT = path.resolve(HERE, '..');
/** The repository's node_modules as TypeScript reports its files: resolved, in case it is a link. */
const NODE_MODULES = fs.realpathSync(path.join(ROOT, 'node_modules'));
const OUT = path.resolve(process.argv[2] ?? path.join(HERE, 'dist'));
const SHIMS = path.join(HERE, 'src', 'shims');

/** Library modules bundled with their types: the core ones in every program, the ORMs when imported. */
const CORE_MODULES = ['node:fs', 'node:fs/promises', 'node:child_process', 'node:crypto', 'node:events', 'async-mutex', 'async-lock'];
const OPTIONAL_MODULES = ['typeorm', 'sequelize', '@mikro-orm/core'];

export function readExamples() {
  const dir = path.join(HERE, 'examples');
  const out = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory()) {
      const names = fs.readdirSync(path.join(dir, entry.name)).sort((a, b) => Number(b === 'main.ts') - Number(a === 'main.ts') || a.localeCompare(b));
      const files = names.map((name) => ({ name, text: fs.readFileSync(path.join(dir, entry.name, name), 'utf8') }));
      out[entry.name] = { files };
    } else if (entry.name.endsWith('.ts')) {
      out[entry.name.slice(0, -3)] = { files: [{ name: 'main.ts', text: fs.readFileSync(path.join(dir, entry.name), 'utf8') }] };
    }
  }
  return out;
}

/** Every file TypeScript touches to compile `modules` imported from an ES module under the repository. */
function libraryFiles(modules, examples) {
  // Inside the repository (playground/dist is git-ignored), so packages resolve from its node_modules.
  fs.mkdirSync(path.join(HERE, 'dist'), { recursive: true });
  const probeDir = fs.mkdtempSync(path.join(HERE, 'dist', '.probe-'));
  const roots = [path.join(probeDir, 'probe.ts')];
  fs.writeFileSync(roots[0], modules.map((m, i) => `import * as m${i} from '${m}';`).join('\n') + '\nexport {};\n');
  for (const [rule, { files }] of Object.entries(examples)) {
    for (const f of files) {
      const file = path.join(probeDir, rule, f.name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, f.text);
      roots.push(file);
    }
  }
  // As analyzer/project/project.ts's DEFAULT_COMPILER_OPTIONS, which the worker uses.
  const options = {
    strict: true, allowJs: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    experimentalDecorators: true, emitDecoratorMetadata: true, skipLibCheck: true, noEmit: true, types: ['node'],
  };
  const host = ts.createCompilerHost(options);
  const seen = new Map();
  const keep = (file, text) => {
    const abs = path.resolve(file);
    if (!abs.startsWith(probeDir) && text !== undefined) seen.set(abs, text);
  };
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => { const t = readFile(f); keep(f, t); return t; };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => { const ok = fileExists(f); if (ok) keep(f, readFile(f)); return ok; };
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, ...rest) => { const sf = getSourceFile(f, ...rest); if (sf) keep(f, sf.text); return sf; };
  const program = ts.createProgram({ rootNames: roots, options, host });
  // A library that does not resolve, or an example that does not compile, is a broken site.
  const problems = roots.flatMap((r) => ts.getPreEmitDiagnostics(program, program.getSourceFile(r)));
  fs.rmSync(probeDir, { recursive: true, force: true });
  if (problems.length > 0) throw new Error(`playground: the probe program does not compile:\n${ts.formatDiagnostics(problems, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => probeDir, getNewLine: () => '\n' })}`);
  return seen;
}

/** Map real paths onto the playground's file system: the repository is `/app`, TypeScript's libs `/lib`. */
function toVirtual(seen) {
  const tsLib = path.join(NODE_MODULES, 'typescript', 'lib') + path.sep;
  const out = {};
  for (const [file, text] of seen) {
    if (file.startsWith(tsLib)) out[`/lib/${file.slice(tsLib.length)}`] = text;
    else if (file.startsWith(NODE_MODULES + path.sep)) out[`/app/node_modules/${path.relative(NODE_MODULES, file).split(path.sep).join('/')}`] = text;
  }
  out['/app/package.json'] = JSON.stringify({ name: 'playground', type: 'module' });
  // The default lib for the analyzer's default target and everything it references.
  for (const lib of fs.readdirSync(tsLib)) if (lib.startsWith('lib.') && lib.endsWith('.d.ts') && libNeeded(lib)) out[`/lib/${lib}`] ??= fs.readFileSync(tsLib + lib, 'utf8');
  return out;
}

function libNeeded(lib) {
  return /^lib\.(es5|es20(15|16|17|18|19|20|21|22)[.a-z]*|decorators[.a-z]*|dom[.a-z]*|webworker\.importscripts|scripthost|esnext\.disposable)\.d\.ts$/.test(lib);
}

function size(files) {
  return Object.values(files).reduce((n, t) => n + t.length, 0);
}

/** TypeScript's DOM lib files: in the default lib of the analyzer's target, needed only by code that names a DOM global. */
const isDomLib = (file) => /^\/lib\/lib\.(dom[.a-z]*|webworker\.importscripts|scripthost)\.d\.ts$/.test(file);

/**
 * The declarations, split into groups the worker fetches as the code needs them: `core` (the
 * ES libs, every @types package, async-mutex, async-lock: every program reads them), `dom`
 * (fetched when the code names a DOM-only global), and one group per ORM (fetched when a file
 * imports it). A group holds every file TypeScript reads for its modules beyond core.
 */
function buildLibGroups(examples) {
  const all = toVirtual(libraryFiles([...CORE_MODULES, ...OPTIONAL_MODULES], examples));
  const coreSet = toVirtual(libraryFiles(CORE_MODULES, {}));
  const groups = { core: {}, dom: {} };
  const packages = {};
  for (const mod of OPTIONAL_MODULES) {
    const name = mod.replace(/^@([^/]+)\/.*$/, '$1');
    const own = toVirtual(libraryFiles([...CORE_MODULES, mod], {}));
    groups[name] = Object.fromEntries(Object.entries(own).filter(([file]) => !(file in coreSet)));
    packages[name] = mod.startsWith('@') ? [`${mod.split('/')[0]}/*`] : [mod];
  }
  for (const [file, text] of Object.entries(all)) {
    if (isDomLib(file)) groups.dom[file] = text;
    else if (file in coreSet || !Object.keys(packages).some((g) => file in groups[g])) groups.core[file] = text;
  }
  return { groups, packages, domOnly: domOnlyGlobals(groups) };
}

/** Global names the DOM lib declares and nothing in core does: code that names one needs the DOM lib. */
function domOnlyGlobals(groups) {
  const files = new Map(Object.entries(groups.core));
  files.set('/app/probe.ts', 'export {};\n');
  const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ['lib.es2022.d.ts'], types: ['*'], skipLibCheck: true, noEmit: true };
  const host = {
    getSourceFile: (f, v) => (files.has(f) ? ts.createSourceFile(f, files.get(f), v) : undefined),
    getDefaultLibFileName: (o) => `/lib/${ts.getDefaultLibFileName(o)}`,
    getDefaultLibLocation: () => '/lib',
    writeFile: () => {},
    getCurrentDirectory: () => '/app',
    getDirectories: (d) => [...new Set([...files.keys()].filter((f) => f.startsWith(`${d.replace(/\/$/, '')}/`)).map((f) => f.slice(d.replace(/\/$/, '').length + 1).split('/')).filter((p) => p.length > 1).map((p) => p[0]))],
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => files.has(f),
    readFile: (f) => files.get(f),
    directoryExists: (d) => [...files.keys()].some((f) => f.startsWith(`${d.replace(/\/$/, '')}/`)),
  };
  const program = ts.createProgram({ rootNames: ['/app/probe.ts'], options, host });
  const probe = program.getSourceFile('/app/probe.ts');
  const inCore = new Set(program.getTypeChecker().getSymbolsInScope(probe, ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace).map((s) => s.name));
  const out = new Set();
  for (const [file, text] of Object.entries(groups.dom)) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
    for (const st of sf.statements) {
      const names = ts.isVariableStatement(st) ? st.declarationList.declarations.map((d) => d.name) : [st.name];
      for (const n of names) if (n && ts.isIdentifier(n) && !inCore.has(n.text)) out.add(n.text);
    }
  }
  const wrong = ['Promise', 'setTimeout', 'console', 'Buffer', 'process'].filter((n) => !inCore.has(n)).concat(['document', 'HTMLElement', 'LockManager'].filter((n) => !out.has(n)));
  if (wrong.length > 0) throw new Error(`playground: the DOM/core split looks wrong (misplaced: ${wrong.join(', ')})`);
  return [...out].sort();
}

const nodeBuiltins = {
  name: 'node-builtins',
  setup(build) {
    const shim = (name) => path.join(SHIMS, `${name}.ts`);
    const builtins = new Set([...builtinModules, 'source-map-support']);
    build.onResolve({ filter: /^[\w:/-]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!builtins.has(name)) return undefined;
      if (name === 'path') return { path: shim('path') };
      if (name === 'crypto') return { path: shim('crypto') };
      if (name === 'module') return { path: shim('module') };
      return { path: path.join(SHIMS, 'unavailable.cjs') };
    });
    // analyzer/ts/typescript.cts and ts-api-utils.cts re-export a require(); bundle the packages themselves.
    // ES imports of TypeScript get src/shims/typescript.ts (one module object, not a copy per importer).
    const tsShim = shim('typescript');
    build.onResolve({ filter: /typescript\.cjs$/ }, (args) => ({ path: args.kind === 'require-call' ? require_('typescript') : tsShim }));
    build.onResolve({ filter: /^typescript$/ }, (args) => (args.kind === 'require-call' || args.importer === tsShim ? undefined : { path: tsShim }));
    build.onResolve({ filter: /ts-api-utils\.cjs$/ }, () => ({ path: path.join(HERE, 'src', 'shims', 'ts-api-utils.ts') }));
  },
};

function require_(name) {
  return path.join(NODE_MODULES, name, JSON.parse(fs.readFileSync(path.join(NODE_MODULES, name, 'package.json'), 'utf8')).main);
}

async function main() {
  const started = Date.now();
  fs.mkdirSync(OUT, { recursive: true });
  const examples = readExamples();
  const { groups, packages, domOnly } = buildLibGroups(examples);
  fs.rmSync(path.join(OUT, 'libs'), { recursive: true, force: true });
  fs.mkdirSync(path.join(OUT, 'libs'), { recursive: true });
  for (const [name, files] of Object.entries(groups)) fs.writeFileSync(path.join(OUT, 'libs', `${name}.json`), JSON.stringify(files));
  fs.rmSync(path.join(OUT, 'libs.json'), { force: true });
  const included = [...CORE_MODULES, ...OPTIONAL_MODULES];
  const nodeTypes = splitNodeTypes(groups);
  const libs = { groups: Object.keys(groups), packages, domOnly, nodeTypes };
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, legalComments: 'none', logLevel: 'warning', plugins: [nodeBuiltins] };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: [path.join(HERE, 'src', 'worker.ts')], outfile: path.join(OUT, 'worker.js'), define: { PLAYGROUND_VERSION: JSON.stringify(version), PLAYGROUND_LIBS: JSON.stringify(libs), 'process.env.NODE_ENV': '"production"' } }),
    esbuild.build({ ...common, entryPoints: [path.join(HERE, 'src', 'main.ts')], outfile: path.join(OUT, 'main.js'), define: { PLAYGROUND_EXAMPLES: JSON.stringify(examples), PLAYGROUND_LIBRARIES: JSON.stringify(included) } }),
  ]);
  for (const f of ['index.html', 'style.css']) fs.copyFileSync(path.join(HERE, 'src', f), path.join(OUT, f));
  const mb = (f) => (fs.statSync(path.join(OUT, f)).size / 1e6).toFixed(1);
  const groupSizes = Object.keys(groups).map((g) => `${g} ${mb(`libs/${g}.json`)}`).join(', ');
  const optional = Object.keys(nodeTypes.optional).reduce((n, f) => n + groups.core[f].length, 0);
  console.log(`playground: built ${path.relative(process.cwd(), OUT) || '.'} in ${((Date.now() - started) / 1000).toFixed(1)} s (worker.js ${mb('worker.js')} MB, main.js ${mb('main.js')} MB, declarations in MB: ${groupSizes}, of which ${(optional / 1e6).toFixed(1)} MB of @types/node read only when imported; types of ${included.join(', ')})`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
