/**
 * The code examples of the rule docs, as test cases. A `ts` block under a heading that says
 * "Incorrect" or "Correct" is an example; it is compiled together with the page's hidden
 * preamble (declarations the reader does not need to see, as typescript-eslint's docs do) and
 * must give exactly the documented findings under `configs.recommended`:
 *
 *   <!-- docs-test preamble
 *   declare function sendEmail(to: string): Promise<void>;
 *   -->                                   applies to every later example on the page
 *   <!-- docs-test preamble+ ... -->      adds to it, for the later examples
 *
 *   <!-- docs-test findings: 3 -->        before an Incorrect block: how many findings of the
 *                                         page's rule it gives (default 1 or more is not
 *                                         enough: the count is required)
 *
 * A Correct block must give no finding of any rule in `configs.recommended` (plus the page's rule).
 */
import fs from 'node:fs';
import path from 'node:path';

export const DOCS = path.resolve(import.meta.dirname, '../../docs/rules');

export interface DocExample {
  /** The rule id (the page's file name). */
  rule: string;
  kind: 'incorrect' | 'correct';
  /** 1-based line of the block's opening fence in the page. */
  line: number;
  code: string;
  preamble: string;
  /** Findings of the page's rule an incorrect block must give; undefined when the page does not say. */
  findings?: number;
}

const PREAMBLE = /^<!--\s*docs-test preamble(\+?)\s*\n([\s\S]*?)-->\s*$/;
const FINDINGS = /^<!--\s*docs-test findings:\s*(\d+)\s*-->\s*$/;

/** Every example of one docs page. */
export function examplesOf(rule: string, text: string): DocExample[] {
  const out: DocExample[] = [];
  const lines = text.split('\n');
  let kind: DocExample['kind'] | undefined;
  let preamble = '';
  let findings: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^#{2,4}\s+(.*)$/.exec(line);
    if (heading) {
      const title = heading[1]!.toLowerCase();
      kind = /\bincorrect\b/.test(title) ? 'incorrect' : /\bcorrect\b/.test(title) ? 'correct' : undefined;
      continue;
    }
    if (line.startsWith('<!--')) {
      const end = lines.findIndex((l, j) => j >= i && l.includes('-->'));
      const comment = lines.slice(i, end + 1).join('\n');
      const p = PREAMBLE.exec(comment);
      if (p) preamble = p[1] ? `${preamble}${p[2]!}` : p[2]!;
      const f = FINDINGS.exec(comment);
      if (f) findings = Number(f[1]);
      i = end;
      continue;
    }
    const fence = /^```(\w+)?\s*$/.exec(line);
    if (!fence) continue;
    const close = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (kind && (fence[1] === 'ts' || fence[1] === 'typescript')) {
      out.push({ rule, kind, line: i + 1, code: lines.slice(i + 1, close).join('\n'), preamble, findings: kind === 'incorrect' ? findings : undefined });
    }
    findings = undefined;
    i = close;
  }
  return out;
}

export function docsPages(): { rule: string; text: string }[] {
  return fs
    .readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => ({ rule: f.slice(0, -3), text: fs.readFileSync(path.join(DOCS, f), 'utf8') }));
}
