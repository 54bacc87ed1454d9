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

const HERE = import.meta.dirname;
const ROOT = path.resolve(HERE, '..');
const OUT = path.resolve(process.argv[2] ?? path.join(HERE, 'dist'));
const SHIMS = path.join(HERE, 'src', 'shims');

/** Library modules bundled with their types; ORM packages only while the whole stays under the budget. */
const CORE_MODULES = ['node:fs', 'node:fs/promises', 'node:child_process', 'node:crypto', 'node:events', 'async-mutex', 'async-lock'];
const OPTIONAL_MODULES = ['typeorm', 'sequelize', '@mikro-orm/core'];
const BUDGET = 24 * 1024 * 1024;

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
  // As analyzer/project.ts's DEFAULT_COMPILER_OPTIONS, which the worker uses.
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
  const tsLib = path.join(ROOT, 'node_modules', 'typescript', 'lib') + path.sep;
  const out = {};
  for (const [file, text] of seen) {
    if (file.startsWith(tsLib)) out[`/lib/${file.slice(tsLib.length)}`] = text;
    else if (file.startsWith(path.join(ROOT, 'node_modules') + path.sep)) out[`/app/${path.relative(ROOT, file).split(path.sep).join('/')}`] = text;
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

function buildLibs(examples) {
  const everything = toVirtual(libraryFiles([...CORE_MODULES, ...OPTIONAL_MODULES], examples));
  if (size(everything) <= BUDGET) return { files: everything, included: [...CORE_MODULES, ...OPTIONAL_MODULES] };
  let files = toVirtual(libraryFiles(CORE_MODULES, examples));
  const included = [...CORE_MODULES];
  for (const mod of OPTIONAL_MODULES) {
    const candidate = toVirtual(libraryFiles([...included, mod], examples));
    if (size(candidate) > BUDGET) {
      console.log(`playground: ${mod} types left out (${(size(candidate) / 1e6).toFixed(1)} MB would exceed the budget)`);
      continue;
    }
    files = candidate;
    included.push(mod);
  }
  return { files, included };
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
    // analyzer/typescript.cts and ts-api-utils.cts re-export a require(); bundle the packages themselves.
    build.onResolve({ filter: /typescript\.cjs$/ }, () => ({ path: require_('typescript') }));
    build.onResolve({ filter: /ts-api-utils\.cjs$/ }, () => ({ path: path.join(HERE, 'src', 'shims', 'ts-api-utils.ts') }));
  },
};

function require_(name) {
  return path.join(ROOT, 'node_modules', name, JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).main);
}

async function main() {
  const started = Date.now();
  fs.mkdirSync(OUT, { recursive: true });
  const examples = readExamples();
  const { files, included } = buildLibs(examples);
  fs.writeFileSync(path.join(OUT, 'libs.json'), JSON.stringify(files));
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, legalComments: 'none', logLevel: 'warning', plugins: [nodeBuiltins] };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: [path.join(HERE, 'src', 'worker.ts')], outfile: path.join(OUT, 'worker.js'), define: { PLAYGROUND_VERSION: JSON.stringify(version), 'process.env.NODE_ENV': '"production"' } }),
    esbuild.build({ ...common, entryPoints: [path.join(HERE, 'src', 'main.ts')], outfile: path.join(OUT, 'main.js'), define: { PLAYGROUND_EXAMPLES: JSON.stringify(examples), PLAYGROUND_LIBRARIES: JSON.stringify(included) } }),
  ]);
  for (const f of ['index.html', 'style.css']) fs.copyFileSync(path.join(HERE, 'src', f), path.join(OUT, f));
  const mb = (f) => (fs.statSync(path.join(OUT, f)).size / 1e6).toFixed(1);
  console.log(`playground: built ${path.relative(process.cwd(), OUT) || '.'} in ${((Date.now() - started) / 1000).toFixed(1)} s (worker.js ${mb('worker.js')} MB, main.js ${mb('main.js')} MB, libs.json ${mb('libs.json')} MB; types of ${included.join(', ')})`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
