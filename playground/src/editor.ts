/**
 * The editor: one CodeMirror view, one EditorState per file tab (switching tabs swaps the state,
 * so each file keeps its own undo history and selection). Findings are shown as lint squiggles.
 */
import { basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState, EditorSelection, type ChangeSpec } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import type { PlaygroundFile } from './url-state.js';

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export class FileEditor {
  private readonly view: EditorView;
  private readonly states = new Map<string, EditorState>();
  private readonly diagnostics = new Map<string, Diagnostic[]>();
  active = '';

  constructor(
    parent: HTMLElement,
    private readonly tabs: HTMLElement,
    private readonly onChange: () => void,
  ) {
    this.view = new EditorView({ parent, dispatch: (tr) => this.dispatch(tr) });
  }

  private dispatch(tr: import('@codemirror/state').Transaction): void {
    this.view.update([tr]);
    this.states.set(this.active, this.view.state);
    if (tr.docChanged) this.onChange();
  }

  private newState(name: string, text: string): EditorState {
    const typescript = /\.(ts|mts|cts|tsx)$/.test(name);
    return EditorState.create({ doc: text, extensions: [basicSetup, javascript({ typescript, jsx: name.endsWith('x') }), lintGutter()] });
  }

  files(): PlaygroundFile[] {
    return [...this.states].map(([name, state]) => ({ name, text: state.doc.toString() }));
  }

  load(files: PlaygroundFile[], active?: string): void {
    this.states.clear();
    this.diagnostics.clear();
    for (const f of files) this.states.set(f.name, this.newState(f.name, f.text));
    this.active = '';
    this.show(active && this.states.has(active) ? active : files[0]!.name);
  }

  has(name: string): boolean {
    return this.states.has(name);
  }

  add(name: string, text: string): void {
    this.states.set(name, this.newState(name, text));
    this.show(name);
    this.onChange();
  }

  remove(name: string): void {
    if (this.states.size <= 1) return;
    this.states.delete(name);
    this.diagnostics.delete(name);
    if (this.active === name) this.show([...this.states.keys()][0]!);
    else this.renderTabs();
    this.onChange();
  }

  show(name: string): void {
    if (name !== this.active) {
      this.active = name;
      this.view.setState(this.states.get(name)!);
      this.view.dispatch(setDiagnostics(this.view.state, this.diagnostics.get(name) ?? []));
    }
    this.renderTabs();
  }

  /** Show `[start, end)` of `file` (switching tab if needed), selected and scrolled into view. */
  reveal(file: string, start: number, end: number): void {
    if (!this.states.has(file)) return;
    this.show(file);
    const length = this.view.state.doc.length;
    // The cursor (head) at the start, so the active line is where the span begins.
    const range = EditorSelection.range(Math.min(end, length), Math.min(start, length));
    this.view.dispatch({ selection: range, effects: EditorView.scrollIntoView(range, { y: 'center' }) });
    this.view.focus();
  }

  setFindings(byFile: Map<string, Diagnostic[]>): void {
    this.diagnostics.clear();
    for (const name of this.states.keys()) this.diagnostics.set(name, byFile.get(name) ?? []);
    this.view.dispatch(setDiagnostics(this.view.state, this.diagnostics.get(this.active) ?? []));
  }

  /** Apply edits (offsets into the current text) to each file, all at once per file. */
  applyEdits(byFile: Map<string, Edit[]>): void {
    for (const [name, edits] of byFile) {
      const state = this.states.get(name);
      if (!state) continue;
      const changes: ChangeSpec[] = [...edits].sort((a, b) => a.start - b.start).map((e) => ({ from: e.start, to: e.end, insert: e.text }));
      if (name === this.active) this.view.dispatch({ changes });
      else {
        this.states.set(name, state.update({ changes }).state);
        this.onChange();
      }
    }
  }

  private renderTabs(): void {
    this.tabs.replaceChildren();
    for (const name of this.states.keys()) {
      const tab = document.createElement('button');
      tab.textContent = name;
      tab.dataset.tab = name;
      tab.className = name === this.active ? 'active' : '';
      tab.onclick = () => this.show(name);
      this.tabs.append(tab);
      if (this.states.size > 1) {
        const close = document.createElement('button');
        close.textContent = '×';
        close.className = 'close';
        close.title = `Remove ${name}`;
        close.onclick = () => confirm(`Remove ${name}?`) && this.remove(name);
        this.tabs.append(close);
      }
    }
    const add = document.createElement('button');
    add.textContent = '+';
    add.title = 'Add a file';
    add.dataset.testid = 'add-file';
    add.onclick = () => {
      const name = prompt('File name (e.g. locks.ts)', `file${this.states.size + 1}.ts`);
      if (name && /^[\w.-]+\.(ts|tsx|js|mjs|cjs|mts|cts)$/.test(name) && !this.states.has(name)) this.add(name, '');
    };
    this.tabs.append(add);
  }
}
