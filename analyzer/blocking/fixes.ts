/**
 * The suggestion for a direct blocking call with a drop-in replacement:
 *   fs.readFileSync(p, 'utf8')  ->  await readFile(p, 'utf8')   + import { readFile } from 'node:fs/promises';
 *   execSync(cmd)               ->  (await promisify(exec)(cmd)).stdout  + imports of exec and promisify
 *   pbkdf2Sync(...)             ->  await promisify(pbkdf2)(...)
 * Offered only inside an async function, in a file that already has `import` declarations
 * (the new import goes after the last one), and when the names it introduces are free in the
 * file (or already imported from the right module). Never an autofix: awaiting lets other
 * tasks run in between, which can change behaviour.
 */
import ts from '../ts/typescript.cjs';
import type { TextEdit } from '../check/finding.js';
import type { BlockingRewrite } from './catalog.js';
import { isFunctionLike } from '../program/callgraph.js';
import { isAsyncFunction } from '../program/async-context.js';
import type { SuggestionInput } from '../check/contract.js';
import type { MessageId } from './no-blocking-in-async.js';
import { normalizeModule } from '../program/module-ref.js';
import { fileIndex } from '../program/file-index.js';

const namesInFile = new WeakMap<ts.SourceFile, Set<string>>();

/** Identifier texts used in the file as names (not as `x.name` members). */
function usedNames(sf: ts.SourceFile): Set<string> {
  let names = namesInFile.get(sf);
  if (names) return names;
  const found = new Set<string>();
  for (const node of fileIndex(sf).of<ts.Identifier>(ts.SyntaxKind.Identifier)) {
    const parent = node.parent;
    if (parent && ts.isPropertyAccessExpression(parent) && parent.name === node) continue;
    found.add(node.text);
  }
  names = found;
  namesInFile.set(sf, names);
  return names;
}

/** Is `name` imported in `sf` (as itself) from `module`? */
function importedFrom(sf: ts.SourceFile, name: string, module: string): boolean {
  return sf.statements.some((s) => {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) return false;
    if (normalizeModule(s.moduleSpecifier.text) !== normalizeModule(module) || s.importClause?.isTypeOnly) return false;
    const bindings = s.importClause?.namedBindings;
    return !!bindings && ts.isNamedImports(bindings) && bindings.elements.some((e) => !e.isTypeOnly && e.name.text === name && (e.propertyName ?? e.name).text === name);
  });
}

function enclosingIsAsync(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (isFunctionLike(n)) return isAsyncFunction(n);
    if (ts.isClassStaticBlockDeclaration(n)) return false;
  }
  return false;
}

/** Does `await <call>` need parentheses where the call stands? */
function needsParens(call: ts.CallExpression): boolean {
  const parent = call.parent;
  return (
    (ts.isPropertyAccessExpression(parent) && parent.expression === call) ||
    (ts.isElementAccessExpression(parent) && parent.expression === call) ||
    (ts.isCallExpression(parent) && parent.expression === call) ||
    ts.isTaggedTemplateExpression(parent) ||
    ts.isNonNullExpression(parent) ||
    (ts.isBinaryExpression(parent) && parent.left === call && parent.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken)
  );
}

/** Does an object-literal argument set one of these options? */
function usesOption(call: ts.CallExpression, names: readonly string[]): boolean {
  return call.arguments.some(
    (arg) =>
      ts.isObjectLiteralExpression(arg) &&
      arg.properties.some((p) => !!p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && names.includes(p.name.text)),
  );
}

export function rewriteSuggestion(sf: ts.SourceFile, call: ts.CallExpression, rewrite: BlockingRewrite): SuggestionInput<MessageId> | undefined {
  if (call.questionDotToken || call.arguments.some(ts.isSpreadElement)) return undefined;
  if (!enclosingIsAsync(call) || usesOption(call, rewrite.unsupportedOptions ?? [])) return undefined;
  const imports = sf.statements.filter(ts.isImportDeclaration);
  if (imports.length === 0) return undefined;
  const needed: Array<{ name: string; module: string }> = [{ name: rewrite.name, module: rewrite.module }];
  if (rewrite.style !== 'await') needed.push({ name: 'promisify', module: 'node:util' });
  const inserts: string[] = [];
  for (const { name, module } of needed) {
    if (importedFrom(sf, name, module)) continue;
    if (usedNames(sf).has(name)) return undefined; // taken by something else: do not shadow or clash
    inserts.push(`\nimport { ${name} } from '${module}';`);
  }
  const args = call.arguments.map((a) => a.getText(sf)).join(', ');
  const discarded = ts.isExpressionStatement(call.parent);
  let text =
    rewrite.style === 'await' ? `await ${rewrite.name}(${args})`
    : rewrite.style === 'promisify' || discarded ? `await promisify(${rewrite.name})(${args})`
    : `(await promisify(${rewrite.name})(${args})).stdout`;
  if (needsParens(call) && !text.startsWith('(')) text = `(${text})`;
  const edits: TextEdit[] = [{ file: sf.fileName, start: call.getStart(sf), end: call.getEnd(), text }];
  if (inserts.length > 0) {
    const at = imports[imports.length - 1]!.getEnd();
    edits.unshift({ file: sf.fileName, start: at, end: at, text: inserts.join('') });
  }
  return { messageId: 'useAsync', edits };
}
