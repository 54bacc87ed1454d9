/** "Copy as bug report": the code, settings, findings and a link that reproduces them, as Markdown. */
import type { Finding } from '../../analyzer/check/finding.js';
import type { PlaygroundState } from './url-state.js';

function fence(text: string, lang: string): string {
  const ticks = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${ticks}${lang}\n${text.replace(/\n$/, '')}\n${ticks}`;
}

export function bugReport(state: PlaygroundState, findings: readonly Finding[], link: string, version: string): string {
  const parts = [`**concurrency-lint ${version}**, [reproduce in the playground](${link})`, ''];
  for (const f of state.files) parts.push(`\`${f.name}\``, '', fence(f.text, f.name.endsWith('.js') ? 'js' : 'ts'), '');
  if (Object.keys(state.config?.rules ?? {}).length > 0) parts.push('Settings:', '', fence(JSON.stringify(state.config, null, 2), 'json'), '');
  parts.push('**Findings**', '');
  if (findings.length === 0) parts.push('(none)');
  for (const f of findings) parts.push(`- \`${f.file}:${f.line}:${f.column}\` ${f.ruleId}: ${f.message.split('\n')[0]}`);
  parts.push('', '**Expected**', '', '<!-- what should have been reported, or not, and why -->', '');
  return parts.join('\n');
}
