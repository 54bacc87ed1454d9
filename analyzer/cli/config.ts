/**
 * The CLI configuration: `.concurrency-lint.json`, or the `"concurrency-lint"` key of a
 * package.json. Validated strictly (unknown keys, unknown rules, bad severities, options
 * checked against each rule's JSON schema with ajv); every error names the offending key.
 */
import fs from 'node:fs';
import path from 'node:path';
import AjvModule from 'ajv';
import type { ValidateFunction, ErrorObject, AnySchema } from 'ajv';
import type { Severity } from '../check/finding.js';
import type { RuleSetting } from '../check/run-types.js';
import type { AnyCheck } from '../check/contract.js';
import { allChecks } from '../checks/index.js';
import { UsageError } from './args.js';
import { globToRegExp } from './glob.js';

export const CONFIG_FILE_NAME = '.concurrency-lint.json';
export const PACKAGE_JSON_KEY = 'concurrency-lint';

export type ConfigSeverity = Severity | 'off';

export interface RuleConfig {
  severity: ConfigSeverity;
  /** The user's options object (validated), before merging over the defaults. */
  options?: Record<string, unknown>;
}

export interface LintConfig {
  rules: Record<string, RuleConfig>;
  /** Path patterns (relative to `baseDir`) whose findings are dropped. */
  ignore: string[];
  /** Folder the config was found in (cwd when there is none); `ignore` is relative to it. */
  baseDir: string;
  /** The file the config came from, if any. */
  file?: string;
}

/** A bad or unreadable configuration; the message names the file and key. Exit code 2. */
export class ConfigError extends UsageError {
  override name = 'ConfigError';
}

const TOP_LEVEL_KEYS = new Set(['$schema', 'rules', 'ignore']);
const SEVERITIES: Record<string, ConfigSeverity> = { off: 'off', warn: 'warning', error: 'error' };

// Under NodeNext, ajv's CommonJS default export is the module object; the class is `.default`.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule.default }).default ??
  AjvModule) as typeof AjvModule.default;
const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
const validators = new Map<string, ValidateFunction>();

function validatorFor(check: AnyCheck): ValidateFunction {
  let validate = validators.get(check.meta.id);
  if (!validate) {
    const { $schema: _ignored, ...schema } = (check.meta.schema ?? {}) as unknown as Record<string, unknown>;
    validate = ajv.compile(schema as AnySchema);
    validators.set(check.meta.id, validate);
  }
  return validate;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `/a/0/b` → `.a[0].b` */
function pointerToPath(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('');
}

function describeAjvError(err: ErrorObject): { path: string; message: string } {
  const at = pointerToPath(err.instancePath);
  const params = err.params as Record<string, unknown>;
  if (err.keyword === 'additionalProperties') {
    return { path: `${at}.${String(params.additionalProperty)}`, message: 'unknown option' };
  }
  if (err.keyword === 'required') {
    return { path: `${at}.${String(params.missingProperty)}`, message: 'is required' };
  }
  if (err.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    const allowed = params.allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return { path: at, message: `must be one of ${allowed}` };
  }
  return { path: at, message: err.message ?? 'is invalid' };
}

/** ESLint-style deep merge: plain objects merge, everything else (arrays too) replaces. */
export function mergeOptions(defaults: unknown, overrides: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = isPlainObject(defaults) ? { ...defaults } : {};
  if (!isPlainObject(overrides)) return out;
  for (const [key, value] of Object.entries(overrides)) {
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? mergeOptions(out[key], value) : value;
  }
  return out;
}

function parseRuleEntry(id: string, value: unknown, label: string, check: AnyCheck): RuleConfig {
  const where = `${label}: rules.${id}`;
  const severityOf = (raw: unknown, at: string): ConfigSeverity => {
    const sev = typeof raw === 'string' ? SEVERITIES[raw] : undefined;
    if (!sev) throw new ConfigError(`${at}: must be "off", "warn" or "error", got ${JSON.stringify(raw)}`);
    return sev;
  };
  if (!Array.isArray(value)) return { severity: severityOf(value, where) };
  if (value.length < 1 || value.length > 2) {
    throw new ConfigError(`${where}: must be a severity or [severity, { options }]`);
  }
  const severity = severityOf(value[0], `${where}[0]`);
  if (value.length === 1) return { severity };
  const options = value[1];
  if (!isPlainObject(options)) throw new ConfigError(`${where}[1]: must be an object`);
  const validate = validatorFor(check);
  if (!validate(options)) {
    const first = describeAjvError(validate.errors![0]!);
    throw new ConfigError(`${where}[1]${first.path}: ${first.message}`);
  }
  return { severity, options };
}

/** Check a parsed config object. `label` names its source in error messages. */
export function validateConfig(
  raw: unknown,
  label: string,
  baseDir: string,
  checks: readonly AnyCheck[] = allChecks,
): LintConfig {
  if (!isPlainObject(raw)) throw new ConfigError(`${label}: the configuration must be a JSON object`);
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      throw new ConfigError(`${label}: unknown key "${key}" (expected "rules" or "ignore")`);
    }
  }
  const byId = new Map(checks.map((c) => [c.meta.id, c]));
  const rules: Record<string, RuleConfig> = {};
  if (raw.rules !== undefined) {
    if (!isPlainObject(raw.rules)) throw new ConfigError(`${label}: rules: must be an object`);
    for (const [id, value] of Object.entries(raw.rules)) {
      const check = byId.get(id);
      if (!check) throw new ConfigError(`${label}: rules.${id}: unknown rule "${id}"`);
      rules[id] = parseRuleEntry(id, value, label, check);
    }
  }
  const ignore = raw.ignore ?? [];
  if (!Array.isArray(ignore)) throw new ConfigError(`${label}: ignore: must be an array of strings`);
  ignore.forEach((pattern, i) => {
    if (typeof pattern !== 'string' || pattern.trim() === '') {
      throw new ConfigError(`${label}: ignore[${i}]: must be a non-empty string`);
    }
  });
  return { rules, ignore: ignore as string[], baseDir };
}

function positionToLineColumn(text: string, pos: number): string {
  const before = text.slice(0, pos).split(/\r\n|\r|\n/);
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

function readJson(file: string, label: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw new ConfigError(`${label}: cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const pos = /at position (\d+)/.exec(message);
    const where = pos ? positionToLineColumn(text, Number(pos[1])) : 'end of file';
    const detail = message.split(/ in JSON| at position/)[0]!.replace(/\s*\(line \d+ column \d+\)$/, '');
    throw new ConfigError(`${label}: invalid JSON at ${where} (position ${pos?.[1] ?? text.length}): ${detail}`);
  }
}

function labelFor(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file).split(path.sep).join('/');
}

/** Where a config lives: `.concurrency-lint.json`, or a package.json with the key. */
export interface ConfigLocation {
  file: string;
  kind: 'file' | 'package';
}

/**
 * Walk from `cwd` up to the first folder containing `.git` (inclusive) or the root. In each
 * folder `.concurrency-lint.json` wins over package.json; the nearest folder with either wins.
 */
export function findConfig(cwd: string): ConfigLocation | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    const file = path.join(dir, CONFIG_FILE_NAME);
    if (fs.existsSync(file)) return { file, kind: 'file' };
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        const json = JSON.parse(fs.readFileSync(pkg, 'utf8').replace(/^\uFEFF/, ''));
        if (isPlainObject(json) && json[PACKAGE_JSON_KEY] !== undefined) return { file: pkg, kind: 'package' };
      } catch {
        // A broken package.json without our key is not our business.
      }
    }
    const parent = path.dirname(dir);
    if (fs.existsSync(path.join(dir, '.git')) || parent === dir) return undefined;
    dir = parent;
  }
}

/** Load and validate the configuration; an empty config when none is found. Throws `ConfigError`. */
export function loadConfig(cwd: string, explicitPath?: string, checks: readonly AnyCheck[] = allChecks): LintConfig {
  let location: ConfigLocation | undefined;
  if (explicitPath !== undefined) {
    const file = path.resolve(cwd, explicitPath);
    if (!fs.existsSync(file)) throw new ConfigError(`config file not found: ${explicitPath}`);
    location = { file, kind: path.basename(file) === 'package.json' ? 'package' : 'file' };
  } else {
    location = findConfig(cwd);
  }
  if (!location) return { rules: {}, ignore: [], baseDir: path.resolve(cwd) };
  const label = labelFor(location.file, cwd);
  let raw = readJson(location.file, label);
  let keyLabel = label;
  if (location.kind === 'package') {
    raw = isPlainObject(raw) ? raw[PACKAGE_JSON_KEY] : undefined;
    keyLabel = `${label}: "${PACKAGE_JSON_KEY}"`;
    if (raw === undefined) throw new ConfigError(`${label}: has no "${PACKAGE_JSON_KEY}" key`);
  }
  const config = validateConfig(raw, keyLabel, path.dirname(location.file), checks);
  return { ...config, file: location.file };
}

/**
 * The rules to run. Default: every check with `recommended !== 'off'` at that severity,
 * overridden by the config. `cliRuleIds` (non-empty) runs only those rules, at the config
 * severity, else the recommended one, else 'error'. `cliDisabled` always wins.
 */
export function resolveRuleSettings(
  config: Pick<LintConfig, 'rules'>,
  cliRuleIds: readonly string[],
  cliDisabled: readonly string[],
  checks: readonly AnyCheck[] = allChecks,
): Map<string, RuleSetting> {
  const only = new Set(cliRuleIds);
  const disabled = new Set(cliDisabled);
  const out = new Map<string, RuleSetting>();
  for (const check of checks) {
    const { id, recommended, defaultOptions } = check.meta;
    if (disabled.has(id) || (only.size > 0 && !only.has(id))) continue;
    const configured = config.rules[id];
    let severity: ConfigSeverity = configured?.severity ?? recommended;
    if (only.has(id) && severity === 'off') severity = recommended !== 'off' ? recommended : 'error';
    if (severity === 'off') continue;
    out.set(id, { severity, options: mergeOptions(defaultOptions, configured?.options) });
  }
  return out;
}

/**
 * A predicate for `ignore` patterns, relative to `baseDir`. A pattern matches a path or any
 * folder above it (so `dist` skips `dist/a.ts`); `*`, `**` and `?` work as in globs; a
 * pattern without `/` matches at any depth (`*.gen.ts`, `generated`).
 */
export function createIgnoreMatcher(patterns: readonly string[], baseDir: string): (file: string) => boolean {
  const regexps = patterns.map((raw) => {
    let p = raw.trim().replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
    if (!p.includes('/') && !p.startsWith('**')) p = `**/${p}`;
    return globToRegExp(p.replace(/^\//, ''));
  });
  return (file) => {
    if (regexps.length === 0) return false;
    const rel = path.relative(baseDir, path.resolve(baseDir, file)).split(path.sep).join('/');
    if (rel.startsWith('../') || rel === '..') return false;
    const parts = rel.split('/');
    for (let n = parts.length; n > 0; n--) {
      const prefix = parts.slice(0, n).join('/');
      if (regexps.some((re) => re.test(prefix))) return true;
    }
    return false;
  };
}
