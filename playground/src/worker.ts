/**
 * The analysis worker: the real analyzer (the checks and `checkProjects` the CLI runs) over
 * an in-memory program, so typing in the page never waits for it. Library declarations come
 * in groups from `libs/`, written by the build (see playground/build.mjs and ./libs.ts): the
 * core group from the page, which fetches it while this worker loads TypeScript
 * (./worker-boot.ts); the others when needed. Its marks go to the bench (./timeline.ts).
 */
import { bootMarks } from './worker-boot.js';
import './typescript-loaded.js';
import ts from 'typescript';
import { checkProjects } from '../../analyzer/cli/analyze.js';
import { DEFAULT_COMPILER_OPTIONS } from '../../analyzer/project/project.js';
import { bindTypeChecker } from '../../analyzer/program/type-queries.js';
import { allChecks } from '../../analyzer/checks/index.js';
import { resolveRuleSettings, validateConfig } from '../../analyzer/cli/config.js';
import type { Finding } from '../../analyzer/check/finding.js';
import { APP, createHost } from './host.js';
import { group, groupsImported, needsDom, withNodeTypesNeeded, withoutDom } from './libs.js';
import type { FromWorker, SourceFileInput, ToWorker, TypeError } from './protocol.js';
import { stamp, type Marks } from './timeline.js';

declare const PLAYGROUND_VERSION: string;

const post = (message: FromWorker) => (self as unknown as Worker).postMessage(message);
const started = performance.now();
/** Start-up marks (see ./timeline.ts), sent with the first result. */
const startMarks: Marks = Object.assign(bootMarks, { 'analyzer loaded': stamp() });
const core = group('core');
let first = true;
let requested = false;

let oldProgram: ts.Program | undefined;

function strip(name: string): string {
  return name.startsWith(APP) ? name.slice(APP.length) : name;
}

/** Paths in findings as the tabs name them (`main.ts`), not `/app/main.ts`. */
function relativeFinding(f: Finding): Finding {
  const fix = f.fix?.map((e) => ({ ...e, file: strip(e.file) }));
  return {
    ...f,
    file: strip(f.file),
    trace: f.trace.map((s) => ({ ...s, file: strip(s.file) })),
    suggestions: f.suggestions.map((s) => ({ ...s, edits: s.edits.map((e) => ({ ...e, file: strip(e.file) })) })),
    ...(fix ? { fix } : {}),
  };
}

function typeErrorsOf(program: ts.Program, files: readonly ts.SourceFile[]): TypeError[] {
  const out: TypeError[] = [];
  for (const sf of files) {
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const line = d.start === undefined ? 1 : sf.getLineAndCharacterOfPosition(d.start).line + 1;
      out.push({ file: strip(sf.fileName), line, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') });
    }
  }
  return out;
}

/** Merges declaration groups and the user's files into one file system. */
async function fileSystem(groups: string[], inputs: SourceFileInput[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const g of await Promise.all(groups.map(group))) for (const [k, v] of g) files.set(k, v);
  inputs.forEach((f) => files.set(APP + f.name, f.text));
  return withNodeTypesNeeded(files, groups, inputs.map((f) => f.text));
}

/**
 * The program over the user's files: with the groups their imports need, without the DOM lib
 * unless they name a DOM-only global (then built again with it; parsed files are reused).
 */
async function buildProgram(inputs: SourceFileInput[], marks: Marks): Promise<{ program: ts.Program; groups: string[] }> {
  const roots = inputs.map((f) => APP + f.name);
  const groups = ['core', ...groupsImported(inputs.map((f) => f.text))];
  const files = await fileSystem(groups, inputs);
  marks['declarations ready'] = stamp();
  let options = withoutDom(DEFAULT_COMPILER_OPTIONS);
  let program = ts.createProgram({ rootNames: roots, options, host: createHost(files, options), oldProgram });
  marks['program parsed'] = stamp();
  bindTypeChecker(program);
  marks['program bound'] = stamp();
  const mine = roots.map((r) => program.getSourceFile(r)).filter((sf): sf is ts.SourceFile => sf !== undefined);
  if (needsDom(program, mine)) {
    groups.push('dom');
    options = DEFAULT_COMPILER_OPTIONS;
    program = ts.createProgram({ rootNames: roots, options, host: createHost(await fileSystem(groups, inputs), options), oldProgram: program });
  }
  oldProgram = program;
  return { program, groups };
}

/**
 * Parses and binds the core declarations before the first analysis asks for them, when none has
 * yet (the page sends one at once, so it usually has: then its own program does this work).
 */
function warmUp(files: ReadonlyMap<string, string>): void {
  const options = withoutDom(DEFAULT_COMPILER_OPTIONS);
  const all = withNodeTypesNeeded(new Map(files), ['core'], []).set(`${APP}__warm__.ts`, 'export {};\n');
  const program = ts.createProgram({ rootNames: [`${APP}__warm__.ts`], options, host: createHost(all, options) });
  startMarks['declarations parsed'] = stamp();
  bindTypeChecker(program);
  startMarks['declarations bound'] = stamp();
}

async function analyze(seq: number, inputs: SourceFileInput[], rawConfig: unknown): Promise<void> {
  const t0 = performance.now();
  const marks: Marks = { 'analysis received': stamp() };
  // Every rule is on in the playground (the strict set: it is where people try rules out), as in
  // an editor (no-blocking-in-async per call site, like the ESLint plugin); the settings can turn
  // any of them off or change their options.
  const given = (rawConfig ?? {}) as { rules?: Record<string, unknown> };
  const everyRule = Object.fromEntries(allChecks.map((c) => [c.meta.id, c.meta.editorOptions ? ['error', c.meta.editorOptions] : 'error']));
  const config = validateConfig({ ...given, rules: { ...everyRule, ...(given.rules ?? {}) } }, 'settings', APP);
  const rules = resolveRuleSettings(config, [], []);
  const { program, groups } = await buildProgram(inputs, marks);
  const t1 = performance.now();
  marks['program built'] = stamp();
  const roots = inputs.map((f) => APP + f.name);
  const mine = roots.map((r) => program.getSourceFile(r)).filter((sf): sf is ts.SourceFile => sf !== undefined);
  const result = checkProjects([{ program, files: mine }], { rules });
  const t2 = performance.now();
  marks['checks done'] = stamp();
  const typeErrors = typeErrorsOf(program, mine);
  marks['type errors listed'] = stamp();
  post({
    type: 'result',
    seq,
    findings: result.findings.map(relativeFinding),
    diagnostics: result.diagnostics.map((d) => d.message),
    typeErrors,
    ms: Math.round(performance.now() - t0),
    phases: { program: Math.round(t1 - t0), checks: Math.round(t2 - t1), typeErrors: Math.round(performance.now() - t2) },
    libraries: groups,
    marks: first ? { ...startMarks, ...marks } : marks,
  });
  first = false;
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type !== 'analyze') return;
  requested = true;
  analyze(msg.seq, msg.files, msg.config).catch((error: unknown) => {
    post({ type: 'error', seq: msg.seq, message: error instanceof Error ? error.message : String(error) });
  });
};

core.then(
  (files) => {
    post({
      type: 'ready',
      ms: Math.round(performance.now() - started),
      version: PLAYGROUND_VERSION,
      rules: allChecks.map((c) => ({ id: c.meta.id, description: c.meta.description, recommended: c.meta.recommended })),
    });
    // After the tasks already queued: the page's first analysis is usually among them (then
    // its program does this work, and a warm-up would only make it build a second checker).
    setTimeout(() => requested || warmUp(files));
  },
  (error: unknown) => post({ type: 'error', seq: 0, message: `could not load the library declarations: ${String(error)}` }),
);
