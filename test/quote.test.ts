/**
 * Code quoted in messages (analyzer/check/quote.ts): one line without comments, cut between
 * tokens, and a code span that stays valid markdown when the code holds backticks.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { codeName, codeText, fenceInTemplate, quoteCode } from '../analyzer/check/quote.js';
import { fillTemplate } from '../analyzer/check/finding.js';
import { buildFinding } from '../analyzer/check/build-finding.js';
import type { AnyCheck } from '../analyzer/check/contract.js';

/** The first expression statement's expression of `code`. */
function expr(code: string): { node: ts.Expression; sf: ts.SourceFile } {
  const sf = ts.createSourceFile('q.ts', code, ts.ScriptTarget.Latest, true);
  const statement = sf.statements.find(ts.isExpressionStatement)!;
  return { node: statement.expression, sf };
}

function text(code: string, limit?: number): string {
  const { node, sf } = expr(code);
  return codeText(node, sf, limit);
}

describe('codeText', () => {
  it('drops comments and line breaks', () => {
    expect(text('users // note\n  .filter((u) => !u.active) /* block */\n  .map(f);')).toBe('users.filter((u) => !u.active).map(f)');
    expect(text('save(a, /* why */ b);')).toBe('save(a, b)');
    expect(text('ok && !done;')).toBe('ok && !done');
  });

  it('cuts between tokens, never inside a word', () => {
    const out = text('first.second.third(alpha, beta, gamma);', 24);
    expect(out).toBe('first.second.third(...');
    expect(out.length).toBeLessThanOrEqual(24);
  });

  it('shortens a long template literal before cutting anything else', () => {
    expect(text('sql`select count(*) as n from pet where species = ${s}`.execute(db);', 40)).toBe('sql`...`.execute(db)');
    expect(text('sql`x`;')).toBe('sql`x`');
  });
});

describe('quoteCode and fenceInTemplate', () => {
  it('fence code with backticks so the span is one valid markdown code span', () => {
    expect(quoteCode('save(x)')).toBe('`save(x)`');
    expect(quoteCode('sql`x`')).toBe('`` sql`x` ``');
    expect(quoteCode('a``b')).toBe('``` a``b ```');
  });

  it('give a template\'s `{{x}}` the same fence', () => {
    expect(fillTemplate('`{{x}}` runs', { x: fenceInTemplate('sql`x`') })).toBe(`${quoteCode('sql`x`')} runs`);
    expect(fenceInTemplate('plain')).toBe('plain');
  });

  it('codeName quotes a name, not an anonymous function\'s description', () => {
    expect(codeName('Queue.push')).toBe('`Queue.push`');
    expect(codeName('<anonymous in run>')).toBe('<anonymous in run>');
  });
});

describe('buildFinding', () => {
  const check = {
    meta: { id: 'test-rule', description: '', recommended: 'error', messages: { found: '`{{expr}}` runs, and {{what}} too', fix: 'Fix `{{expr}}`' }, schema: {}, defaultOptions: {} },
    run: () => {},
  } as unknown as AnyCheck;
  const { node, sf } = expr('sql`DELETE FROM t`;');
  const insert = (at: number, text: string) => ({ file: sf.fileName, start: at, end: at, text });

  it('fences a backticked placeholder in the data, so ESLint filling the template writes the same message', () => {
    const f = buildFinding(check, 'error', sf, {
      node,
      messageId: 'found',
      data: { expr: 'sql`DELETE FROM t`', what: '`x`' },
      suggestions: [{ messageId: 'fix', data: { expr: 'sql`DELETE FROM t`' }, edits: [insert(0, 'void ')] }],
    });
    expect(f.message).toBe('`` sql`DELETE FROM t` `` runs, and `x` too');
    expect(fillTemplate(check.meta.messages.found!, f.data)).toBe(f.message);
    expect(f.suggestions[0]!.desc).toBe('Fix `` sql`DELETE FROM t` ``');
  });

  it('drops edits that insert nothing, and a suggestion left without edits', () => {
    const f = buildFinding(check, 'error', sf, {
      node,
      messageId: 'found',
      data: { expr: 'x', what: 'y' },
      fix: [insert(0, ''), insert(0, 'void ')],
      suggestions: [
        { messageId: 'fix', edits: [insert(0, 'void '), insert(node.getEnd(), '')] },
        { messageId: 'fix', edits: [insert(0, '')] },
      ],
    });
    expect(f.fix).toEqual([insert(0, 'void ')]);
    expect(f.suggestions.map((s) => s.edits)).toEqual([[insert(0, 'void ')]]);
  });
});
