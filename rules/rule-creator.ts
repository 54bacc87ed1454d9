/**
 * What the rules need from typescript-eslint at run time, written here so that the package
 * does not depend on `@typescript-eslint/utils` (which peers on `typescript <6.1` and would
 * make `npm i -D concurrency-lint` fail in a TypeScript 7 project): options merged over the
 * defaults (as typescript-eslint's `RuleCreator` merges them) and the typed parser services.
 */
import type { Rule } from 'eslint';
import type ts from 'typescript';

/** The parts of typescript-eslint's parser services the rules use. */
export interface TypedServices {
  program: ts.Program;
  esTreeNodeToTSNodeMap: { get(node: unknown): unknown };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `second` over `first`, objects merged key by key, anything else replaced. */
export function deepMerge(first: Record<string, unknown>, second: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(first), ...Object.keys(second)])) {
    const a = first[key];
    const b = second[key];
    if (!(key in second)) out[key] = a;
    else if (key in first && isPlainObject(a) && isPlainObject(b)) out[key] = deepMerge(a, b);
    else out[key] = b;
  }
  return out;
}

/** The user's options over a copy of the defaults, position by position. */
export function applyDefault<T extends unknown[]>(defaults: Readonly<T>, user: readonly unknown[] | undefined): T {
  const options = structuredClone(defaults) as T;
  if (!user) return options;
  options.forEach((option, i) => {
    const given = user[i];
    if (given === undefined) return;
    options[i] = isPlainObject(given) && isPlainObject(option) ? deepMerge(option, given) : given;
  });
  return options;
}

/** The typed program of the file being linted, or a clear error when the parser made none. */
export function typedServices(context: Rule.RuleContext, ruleName: string): TypedServices {
  const services = (context.sourceCode.parserServices ?? {}) as Partial<TypedServices>;
  if (!services.program || !services.esTreeNodeToTSNodeMap) {
    throw new Error(
      `concurrency/${ruleName} needs type information: use typescript-eslint's parser with ` +
        '`parserOptions.projectService: true` (the plugin\'s configs.recommended sets both).',
    );
  }
  return services as TypedServices;
}
