/**
 * The findings list: for each finding its rule, place, message, trace (each step a link that
 * jumps to its place, in whichever tab) and buttons for its fix and suggestions.
 */
import type { Finding, TextEdit } from '../../analyzer/check/finding.js';

export interface FindingsActions {
  reveal(file: string, start: number, end: number): void;
  apply(edits: TextEdit[]): void;
  /** Whether `file` is a tab (a trace step into a library file is not a link). */
  isTab(file: string): boolean;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function place(file: string, line: number, column: number, start: number, end: number, actions: FindingsActions): HTMLElement {
  const label = `${file}:${line}:${column}`;
  if (!actions.isTab(file)) return el('span', { className: 'where-static' }, label);
  const link = el('button', { className: 'where', title: 'Show in the editor' }, label);
  link.onclick = () => actions.reveal(file, start, end);
  return link;
}

function fixButtons(f: Finding, actions: FindingsActions): HTMLElement | undefined {
  const buttons: HTMLElement[] = [];
  if (f.fix && f.fix.length > 0) {
    const b = el('button', { title: 'The automatic fix (what --fix applies)' }, 'Apply fix');
    b.dataset.testid = 'apply-fix';
    b.onclick = () => actions.apply(f.fix!);
    buttons.push(b);
  }
  for (const s of f.suggestions) {
    const b = el('button', { title: 'A suggestion: check the result' }, s.desc);
    b.dataset.testid = 'apply-suggestion';
    b.onclick = () => actions.apply(s.edits);
    buttons.push(b);
  }
  return buttons.length > 0 ? el('div', { className: 'fixes' }, ...buttons) : undefined;
}

function findingItem(f: Finding, actions: FindingsActions): HTMLElement {
  const item = el('li');
  item.dataset.rule = f.ruleId;
  item.dataset.file = f.file;
  item.dataset.line = String(f.line);
  item.append(
    el('div', {}, el('span', { className: `rule ${f.severity}` }, f.ruleId), ' ', place(f.file, f.line, f.column, f.start, f.end, actions)),
    el('p', { className: 'message' }, f.message),
  );
  if (f.trace.length > 0) {
    const steps = f.trace.map((s) => {
      const step = el('li', {}, place(s.file, s.line, s.column, s.start, s.end, actions), ' ', s.message);
      step.dataset.testid = 'trace-step';
      step.dataset.file = s.file;
      step.dataset.line = String(s.line);
      return step;
    });
    item.append(el('details', { open: true }, el('summary', {}, `Trace (${f.trace.length} steps)`), el('ol', { className: 'trace' }, ...steps)));
  }
  const fixes = fixButtons(f, actions);
  if (fixes) item.append(fixes);
  return item;
}

export function renderFindings(list: HTMLElement, findings: readonly Finding[], actions: FindingsActions): void {
  list.replaceChildren(...findings.map((f) => findingItem(f, actions)));
  if (findings.length === 0) list.append(el('p', { className: 'none' }, 'No findings.'));
}
