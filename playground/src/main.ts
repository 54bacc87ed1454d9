/**
 * The playground page: editor tabs, the worker that runs the analyzer, the findings list,
 * rule settings, the URL fragment that holds the state, and the bug report button.
 */
import { pageStart } from './page-boot.js';
import type { Diagnostic } from '@codemirror/lint';
import type { Finding, TextEdit } from '../../analyzer/check/finding.js';
import { bugReport } from './bug-report.js';
import { FileEditor, type Edit } from './editor.js';
import { renderFindings } from './findings-view.js';
import type { FromWorker, RuleInfo, SourceFileInput, ToWorker } from './protocol.js';
import { hashToState, stateToHash, type PlaygroundState } from './url-state.js';
import type { Marks } from './timeline.js';

declare const PLAYGROUND_EXAMPLES: Record<string, { files: { name: string; text: string }[] }>;
declare const PLAYGROUND_LIBRARIES: string[];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
/** The load's timeline in ms since navigation started, for the bench (`document.body.dataset.timeline`). */
const timeline: Marks = { 'page script start': pageStart };
const mark = (name: string) => (timeline[name] ??= performance.now());
/** The worker index.html started, and the messages it sent before this script took them over. */
const early = (window as { playgroundWorker?: { worker: Worker; created: number; early: MessageEvent<FromWorker>[] } }).playgroundWorker;
if (!early) throw new Error('index.html starts the worker: its first script did not run');
const worker = early.worker;
timeline['worker created'] = early.created;

let config: { rules: Record<string, unknown> } = { rules: {} };
let rules: RuleInfo[] = [];
let version = '';
let seq = 0;
let running: { seq: number; files: SourceFileInput[] } | undefined;
let queued = false;
let timer: ReturnType<typeof setTimeout> | undefined;
/** The last result and the texts it was computed on. */
let shown: { findings: Finding[]; files: SourceFileInput[] } = { findings: [], files: [] };

// The first analysis goes out before the editor is built: the worker needs it first.
const initial = hashState();
config = { rules: { ...(initial.config?.rules ?? {}) } };
analyze(initial.files);
const editor = new FileEditor($('editor'), $('tabs'), () => changed());
mark('editor built');

function state(): PlaygroundState {
  return { files: editor.files(), active: editor.active, config };
}

function changed(): void {
  history.replaceState(null, '', stateToHash(state()));
  clearTimeout(timer);
  timer = setTimeout(() => analyze(), 250);
}

/**
 * One analysis at a time; edits made meanwhile are analysed when it ends. The first is sent
 * before the worker says it is ready: the worker queues it behind its own start-up.
 */
function analyze(files: SourceFileInput[] = editor.files()): void {
  if (running) {
    queued = true;
    return;
  }
  running = { seq: ++seq, files };
  status.textContent = 'analysing…';
  document.body.dataset.idle = 'false';
  worker.postMessage({ type: 'analyze', seq, files, config } satisfies ToWorker);
  mark('analysis sent');
}

function fresh(files: SourceFileInput[]): boolean {
  const now = editor.files();
  return now.length === files.length && now.every((f, i) => f.name === files[i]!.name && f.text === files[i]!.text);
}

function applyEdits(edits: TextEdit[]): void {
  if (!fresh(shown.files)) {
    status.textContent = 'the code changed since this finding: wait for the new analysis';
    return;
  }
  const byFile = new Map<string, Edit[]>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  editor.applyEdits(byFile);
}

function show(findings: Finding[], files: SourceFileInput[]): void {
  shown = { findings, files };
  const byFile = new Map<string, Diagnostic[]>();
  for (const f of findings) {
    const d: Diagnostic = { from: f.start, to: Math.max(f.end, f.start), severity: f.severity, source: f.ruleId, message: f.message };
    byFile.set(f.file, [...(byFile.get(f.file) ?? []), d]);
  }
  editor.setFindings(byFile);
  $('count').textContent = `(${findings.length})`;
  renderFindings($('findings'), findings, {
    reveal: (file, start, end) => editor.reveal(file, start, end),
    apply: applyEdits,
    isTab: (file) => editor.has(file),
  });
}

function received(event: MessageEvent<FromWorker>): void {
  const msg = event.data;
  if (msg.type === 'ready') {
    rules = msg.rules;
    version = msg.version;
    renderRules();
    if (running) status.textContent = `analyzer loaded in ${msg.ms} ms; analysing…`;
    document.body.dataset.loadedMs = String(msg.ms);
    mark('worker ready');
    return;
  }
  const files = running?.files ?? [];
  running = undefined;
  if (msg.type === 'error') status.textContent = `error: ${msg.message}`;
  else {
    const firstResult = !('findings shown' in timeline);
    show(msg.findings, files);
    if (firstResult) loadTimeline(msg.marks);
    const errors = $('type-errors');
    errors.replaceChildren(...msg.typeErrors.map((e) => Object.assign(document.createElement('li'), { textContent: `${e.file}:${e.line}: ${e.message}` })));
    $('type-error-count').textContent = `(${msg.typeErrors.length})`;
    document.body.dataset.phases = JSON.stringify(msg.phases);
    document.body.dataset.libraries = msg.libraries.join(' ');
    status.title = Object.entries(msg.phases).map(([k, v]) => `${k} ${v} ms`).join(', ');
    status.textContent = `${msg.findings.length} findings in ${msg.ms} ms${msg.diagnostics.length ? ` · ${msg.diagnostics.join('; ')}` : ''}`;
    document.body.dataset.analysed = String(msg.seq);
  }
  if (queued || !fresh(files)) {
    queued = false;
    analyze();
  } else document.body.dataset.idle = 'true';
}

/** The first result's timeline: the page's marks, the worker's and the files' downloads. */
function loadTimeline(workerMarks: Marks): void {
  mark('findings shown');
  for (const [name, at] of Object.entries(workerMarks)) timeline[name] = at - performance.timeOrigin;
  for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
    const file = new URL(e.name).pathname.split('/').pop()!;
    if (/\.(js|json)$/.test(file)) timeline[`${file} downloaded`] = e.responseEnd;
  }
  requestAnimationFrame(() =>
    setTimeout(() => {
      mark('findings painted');
      const sorted = Object.entries(timeline).sort((a, b) => a[1] - b[1]);
      document.body.dataset.timeline = JSON.stringify(Object.fromEntries(sorted.map(([k, v]) => [k, Math.round(v)])));
    }),
  );
}

function enabled(rule: RuleInfo): boolean {
  const setting = config.rules[rule.id];
  const severity = Array.isArray(setting) ? setting[0] : setting;
  // Every rule is on unless the settings turn it off (the worker does the same).
  return severity === undefined || severity !== 'off';
}

function renderRules(): void {
  const box = $('rules');
  box.replaceChildren();
  for (const rule of rules) {
    const input = Object.assign(document.createElement('input'), { type: 'checkbox', checked: enabled(rule) });
    input.dataset.rule = rule.id;
    input.onchange = () => {
      const setting = config.rules[rule.id];
      const options = Array.isArray(setting) ? setting.slice(1) : [];
      config.rules[rule.id] = input.checked ? (options.length ? ['error', ...options] : 'error') : 'off';
      settingsChanged();
    };
    const label = document.createElement('label');
    label.title = rule.description;
    label.append(input, ` ${rule.id}`);
    box.append(label);
  }
  ($('config') as HTMLTextAreaElement).value = JSON.stringify(config.rules, null, 2);
}

function settingsChanged(): void {
  renderRules();
  changed();
}

$('config').oninput = () => {
  const area = $('config') as HTMLTextAreaElement;
  try {
    const parsed: unknown = JSON.parse(area.value || '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be an object of rule settings');
    config = { rules: parsed as Record<string, unknown> };
    area.classList.remove('config-error');
    changed();
  } catch {
    area.classList.add('config-error');
  }
};

/** Shows `s` in the editor and analyses it (unless that is already under way: the first load). */
function loadState(s: PlaygroundState & { example?: string }, analysed = false): void {
  config = { rules: { ...(s.config?.rules ?? {}) } };
  editor.load(s.files, s.active);
  if (s.example !== undefined) ($('examples') as HTMLSelectElement).value = s.example;
  if (rules.length) renderRules();
  if (!analysed) analyze();
}

/** The state the URL's fragment describes (`example`: the rule to select, for `#example=`). */
function hashState(): PlaygroundState & { example?: string } {
  let parsed: ReturnType<typeof hashToState>;
  try {
    parsed = hashToState(location.hash);
  } catch (error) {
    status.textContent = `could not read the link: ${String(error)}`;
  }
  if (parsed && 'example' in parsed) {
    const example = PLAYGROUND_EXAMPLES[parsed.example];
    return { files: example?.files ?? [{ name: 'main.ts', text: `// no example named ${parsed.example}\n` }], example: example ? parsed.example : '' };
  }
  return parsed ?? { files: PLAYGROUND_EXAMPLES['no-floating-promise']!.files };
}

const select = $('examples') as HTMLSelectElement;
for (const id of Object.keys(PLAYGROUND_EXAMPLES)) select.append(Object.assign(document.createElement('option'), { value: id, textContent: id }));
select.onchange = () => {
  if (!select.value) return;
  location.hash = `example=${select.value}`;
};
window.addEventListener('hashchange', () => {
  if (location.hash !== stateToHash(state())) loadState(hashState());
});

$('report-button').onclick = () => {
  const link = `${location.origin}${location.pathname}${stateToHash(state())}`;
  const text = bugReport(state(), fresh(shown.files) ? shown.findings : [], link, version);
  ($('report') as HTMLTextAreaElement).value = text;
  ($('report-dialog') as HTMLDialogElement).showModal();
  navigator.clipboard?.writeText(text).catch(() => {});
};

worker.onmessage = received;
early.early.splice(0).forEach(received);
$('libraries').textContent = `Type declarations included: TypeScript's lib files, ${PLAYGROUND_LIBRARIES.join(', ')}.`;
loadState(initial, true);
