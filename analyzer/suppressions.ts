/**
 * `eslint-disable` comments, honoured by the CLI so one suppression serves both paths.
 * Recognised: `eslint-disable-next-line`, `eslint-disable-line`, block `eslint-disable` /
 * `eslint-enable`, with no rule list (every rule) or with our rules named as
 * `concurrency/<id>` (the plugin name the docs use) or `concurrency-lint/<id>`.
 */
import type { Finding } from './finding.js';

const DIRECTIVE = /^\s*(eslint-disable-next-line|eslint-disable-line|eslint-disable|eslint-enable)(?:\s+([^]*?))?\s*(?:--[^]*)?$/;
const PREFIXES = ['concurrency/', 'concurrency-lint/'];

interface Directive {
  kind: string;
  /** undefined = every rule */
  rules?: Set<string>;
  line: number; // 1-based line of the comment start
  endLine: number; // 1-based line of the comment end
}

function parseRules(list: string | undefined): Set<string> | undefined {
  if (!list || !list.trim()) return undefined;
  const ids = new Set<string>();
  for (const raw of list.split(',')) {
    const name = raw.trim();
    const prefix = PREFIXES.find((p) => name.startsWith(p));
    ids.add(prefix ? name.slice(prefix.length) : `\u0000${name}`); // foreign rules never match ours
  }
  return ids;
}

/** Find directive comments with a light scanner (comments only; strings are skipped). */
export function parseDirectives(text: string): Directive[] {
  const out: Directive[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (pos: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const re = /\/\/([^\n]*)|\/\*([^]*?)\*\/|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\[^])*`/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[1] ?? m[2];
    if (body === undefined || !body.includes('eslint-')) continue;
    const d = DIRECTIVE.exec(body);
    if (!d) continue;
    out.push({ kind: d[1]!, rules: parseRules(d[2]), line: lineOf(m.index), endLine: lineOf(m.index + m[0].length - 1) });
  }
  return out;
}

function covers(rules: Set<string> | undefined, ruleId: string): boolean {
  return !rules || rules.has(ruleId);
}

export function isSuppressed(finding: Finding, directives: Directive[]): boolean {
  let disabled = false;
  for (const d of directives) {
    if (d.kind === 'eslint-disable-next-line' && d.endLine + 1 === finding.line && covers(d.rules, finding.ruleId)) return true;
    if (d.kind === 'eslint-disable-line' && d.line === finding.line && covers(d.rules, finding.ruleId)) return true;
    if (d.line > finding.line) continue;
    if (d.kind === 'eslint-disable' && covers(d.rules, finding.ruleId)) disabled = true;
    if (d.kind === 'eslint-enable' && covers(d.rules, finding.ruleId)) disabled = false;
  }
  return disabled;
}

export function filterSuppressed(findings: Finding[], textOf: (file: string) => string): Finding[] {
  const cache = new Map<string, Directive[]>();
  return findings.filter((f) => {
    let directives = cache.get(f.file);
    if (!directives) {
      directives = parseDirectives(textOf(f.file));
      cache.set(f.file, directives);
    }
    return !isSuppressed(f, directives);
  });
}
