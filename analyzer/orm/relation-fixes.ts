/**
 * How to load a missing relation at its load site: the advice text (always) and the edits
 * (when the options are a literal the edit can extend): add it to `relations`, turn a `*By`
 * finder into its options form, add a `leftJoinAndSelect` to a QueryBuilder, or add it to a
 * MikroORM `populate`.
 */
import ts from '../ts/typescript.cjs';
import type { TextEdit } from '../check/finding.js';
import { skipOuterExpressions } from '../program/walk.js';
import type { LoadSite } from './loads.js';
import { relationsLiteral } from './load-tree.js';

export interface LoadFix {
  /** "add `relations: { user: true }` to its options" */
  advice: string;
  /** Edits in the load site's file, when the change is mechanical. */
  edits: TextEdit[] | undefined;
}

const BY_TO_OPTIONS: Readonly<Record<string, string>> = {
  findBy: 'find',
  findOneBy: 'findOne',
  findOneByOrFail: 'findOneOrFail',
  findAndCountBy: 'findAndCount',
};

function edit(sf: ts.SourceFile, start: number, end: number, text: string): TextEdit {
  return { file: sf.fileName, start, end, text };
}

function nameOf(p: ts.ObjectLiteralElementLike): string | undefined {
  return p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
}

/** Insert `key: value` as a new last property of an object literal. */
function addProperty(sf: ts.SourceFile, obj: ts.ObjectLiteralExpression, text: string): TextEdit {
  const last = obj.properties[obj.properties.length - 1];
  if (!last) return edit(sf, obj.getStart(sf), obj.getEnd(), `{ ${text} }`);
  return edit(sf, last.getEnd(), last.getEnd(), `, ${text}`);
}

/** Extend a `relations` object literal with `path`, or undefined when some level is not a literal. */
function extendRelations(sf: ts.SourceFile, obj: ts.ObjectLiteralExpression, path: readonly string[]): TextEdit | undefined {
  let current = obj;
  for (let i = 0; i < path.length; i++) {
    const prop = current.properties.find((p) => nameOf(p) === path[i]);
    if (!prop) return addProperty(sf, current, `${path[i]}: ${relationsLiteral(path.slice(i + 1))}`);
    if (!ts.isPropertyAssignment(prop)) return undefined;
    const init = skipOuterExpressions(prop.initializer);
    if (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword) {
      return edit(sf, init.getStart(sf), init.getEnd(), relationsLiteral(path.slice(i + 1)));
    }
    if (!ts.isObjectLiteralExpression(init)) return undefined;
    current = init;
  }
  return undefined;
}

function typeormOptionsFix(site: LoadSite, path: readonly string[], sf: ts.SourceFile): LoadFix {
  const literal = relationsLiteral(path);
  const arg = site.call.arguments[site.argIndex];
  const obj = arg && skipOuterExpressions(arg);
  if (!obj) {
    const at = site.call.arguments.length > 0 ? site.call.arguments[site.call.arguments.length - 1]!.getEnd() : site.call.getEnd() - 1;
    const text = `${site.call.arguments.length > 0 ? ', ' : ''}{ relations: ${literal} }`;
    return { advice: `pass \`{ relations: ${literal} }\``, edits: [edit(sf, at, at, text)] };
  }
  if (!ts.isObjectLiteralExpression(obj)) return { advice: `add \`relations: ${literal}\` to its options`, edits: undefined };
  const relations = obj.properties.find((p) => nameOf(p) === 'relations');
  if (!relations) return { advice: `add \`relations: ${literal}\` to its options`, edits: [addProperty(sf, obj, `relations: ${literal}`)] };
  const advice = `add \`${path.join('.')}\` to its \`relations\` (\`${literal}\`)`;
  if (!ts.isPropertyAssignment(relations)) return { advice, edits: undefined };
  const value = skipOuterExpressions(relations.initializer);
  if (ts.isObjectLiteralExpression(value)) {
    const e = extendRelations(sf, value, path);
    return { advice, edits: e ? [e] : undefined };
  }
  if (ts.isArrayLiteralExpression(value)) {
    const last = value.elements[value.elements.length - 1];
    const text = `'${path.join('.')}'`;
    const e = last ? edit(sf, last.getEnd(), last.getEnd(), `, ${text}`) : edit(sf, value.getStart(sf), value.getEnd(), `[${text}]`);
    return { advice, edits: [e] };
  }
  return { advice, edits: undefined };
}

function typeormWhereFix(site: LoadSite, path: readonly string[], sf: ts.SourceFile): LoadFix {
  const literal = relationsLiteral(path);
  const target = BY_TO_OPTIONS[site.method] ?? 'findOne';
  const advice = `use \`${target}({ where: ..., relations: ${literal} })\` instead of \`${site.method}\``;
  const callee = skipOuterExpressions(site.call.expression);
  const arg = site.call.arguments[site.argIndex];
  if (!ts.isPropertyAccessExpression(callee) || !arg || site.call.arguments.length !== site.argIndex + 1) return { advice, edits: undefined };
  return {
    advice,
    edits: [
      edit(sf, callee.name.getStart(sf), callee.name.getEnd(), target),
      edit(sf, arg.getStart(sf), arg.getEnd(), `{ where: ${arg.getText(sf)}, relations: ${literal} }`),
    ],
  };
}

function queryBuilderFix(site: LoadSite, path: readonly string[], sf: ts.SourceFile): LoadFix {
  const parentPath = path.slice(0, -1).join('.');
  const name = path[path.length - 1]!;
  const parentAlias = [...(site.aliases ?? new Map<string, string[]>())].find(([, p]) => p.join('.') === parentPath)?.[0];
  if (!parentAlias) return { advice: `\`leftJoinAndSelect\` the \`${path.join('.')}\` relation in the query builder`, edits: undefined };
  const alias = site.aliases?.has(name) ? `${parentAlias}_${name}` : name;
  const join = `.leftJoinAndSelect('${parentAlias}.${name}', '${alias}')`;
  const callee = skipOuterExpressions(site.call.expression);
  const edits = ts.isPropertyAccessExpression(callee) ? [edit(sf, callee.expression.getEnd(), callee.expression.getEnd(), join)] : undefined;
  return { advice: `add \`${join}\` to the query builder`, edits };
}

function mikroFix(site: LoadSite, path: readonly string[], sf: ts.SourceFile): LoadFix {
  const text = `'${path.join('.')}'`;
  const advice = `add ${text} to its \`populate\``;
  const arg = site.call.arguments[site.argIndex];
  if (!arg) {
    const last = site.call.arguments[site.call.arguments.length - 1];
    if (!last || site.call.arguments.length !== site.argIndex) return { advice, edits: undefined };
    return { advice, edits: [edit(sf, last.getEnd(), last.getEnd(), `, { populate: [${text}] }`)] };
  }
  const obj = skipOuterExpressions(arg);
  if (!ts.isObjectLiteralExpression(obj)) return { advice, edits: undefined };
  const populate = obj.properties.find((p) => nameOf(p) === 'populate');
  if (!populate) return { advice, edits: [addProperty(sf, obj, `populate: [${text}]`)] };
  if (!ts.isPropertyAssignment(populate) || !ts.isArrayLiteralExpression(populate.initializer)) return { advice, edits: undefined };
  const list = populate.initializer;
  const last = list.elements[list.elements.length - 1];
  return { advice, edits: [last ? edit(sf, last.getEnd(), last.getEnd(), `, ${text}`) : edit(sf, list.getStart(sf), list.getEnd(), `[${text}]`)] };
}

/** How to make `site` load the relation at `path` (from its root entity). */
export function loadFixFor(site: LoadSite, path: readonly string[]): LoadFix {
  const sf = site.call.getSourceFile();
  if (site.orm === 'mikro-orm') return mikroFix(site, path, sf);
  if (site.form === 'qb') return queryBuilderFix(site, path, sf);
  if (site.form === 'where') return typeormWhereFix(site, path, sf);
  return typeormOptionsFix(site, path, sf);
}
