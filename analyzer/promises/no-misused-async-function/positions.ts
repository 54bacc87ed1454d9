/**
 * Promise-returning functions in void-return positions other than call arguments (the same
 * positions typescript-eslint's `checksVoidReturn` covers): object properties, typed variables
 * and assignments, returned functions, JSX attributes, and methods that override or implement
 * a member returning `void` (or, for JavaScript bases, a plain value).
 */
import ts from '../../ts/typescript.cjs';
import { codeText, quoteCode } from '../../check/quote.js';
import type { MessageId } from './no-misused-async-function.js';
import { skipOuterExpressions } from '../../program/walk.js';
import { enclosingFunction, isFunctionLike } from '../../program/callgraph.js';
import { heritageTypes, isVoidReturningFunctionType, returnsThenable, syncReturnTypeOf } from './void-signatures.js';
import type { TypeRef } from '../../program/type-queries.js';
import { candidateOf, candidateTrace, cannotRejectInVoidSlot, describeCandidate, isDeclaredMaybeAsync, voidMessage, type Candidate, type Ctx } from './candidates.js';
import { functionOfSymbol } from './function-facts.js';
import { checkDisposeVariable } from './dispose.js';
import { hasAsyncModifier, hasModifier } from '../../program/syntax.js';

function reportCandidate(ctx: Ctx, node: ts.Node, c: Candidate, messageId: MessageId, data: Record<string, string>): void {
  if (cannotRejectInVoidSlot(ctx, c) || isDeclaredMaybeAsync(ctx, c)) return;
  ctx.report({ node, messageId: voidMessage(c, messageId), data: { fn: describeCandidate(c, ctx.sourceFile), ...data }, trace: candidateTrace(ctx, c) });
}

function contextualVoid(ctx: Ctx, expr: ts.Expression): boolean {
  const type = ctx.types.contextualType(expr);
  return !!type && isVoidReturningFunctionType(ctx.types, expr, type);
}

function nameText(name: ts.PropertyName | ts.BindingName, sf: ts.SourceFile): string {
  return ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isPrivateIdentifier(name) ? name.text : codeText(name, sf, 30);
}

/** `{ onDone: async () => {} }`, `{ onDone }`, `{ async onDone() {} }` where the property is typed `() => void`. */
export function checkProperty(ctx: Ctx, node: ts.PropertyAssignment | ts.ShorthandPropertyAssignment | ts.MethodDeclaration): void {
  const sf = ctx.sourceFile;
  if (ts.isPropertyAssignment(node)) {
    const value = node.initializer;
    // Cheapest first: most property values are not promise-returning functions, and asking for
    // every property's contextual type (TypeORM `where` objects, configs) is costly.
    if (!returnsThenable(ctx.types, value) || !contextualVoid(ctx, value)) return;
    reportCandidate(ctx, skipOuterExpressions(value), candidateOf(ctx, value), 'voidReturnProperty', { name: nameText(node.name, sf) });
    return;
  }
  if (ts.isShorthandPropertyAssignment(node)) {
    if (!returnsThenable(ctx.types, node.name) || !contextualVoid(ctx, node.name)) return;
    const fn = functionOfSymbol(ctx.types.shorthandValueSymbol(node), ctx.types);
    const c: Candidate = { expr: node.name, inline: false, isAsync: !!fn && hasAsyncModifier(fn), fn };
    reportCandidate(ctx, node.name, c, 'voidReturnProperty', { name: node.name.text });
    return;
  }
  const obj = node.parent;
  if (!ts.isObjectLiteralExpression(obj) || ts.isComputedPropertyName(node.name) || !returnsThenable(ctx.types, node)) return;
  const objType = ctx.types.contextualType(obj);
  if (!objType) return;
  const name = nameText(node.name, sf);
  const prop = ctx.types.unionParts(objType).map((t) => ctx.types.propertyOf(t, name)).find((p) => p);
  if (!prop) return;
  const propType = ctx.types.typeOfSymbol(prop, node.name);
  if (!isVoidReturningFunctionType(ctx.types, node.name, propType)) return;
  const c: Candidate = { expr: node.name as unknown as ts.Expression, inline: true, isAsync: hasAsyncModifier(node), fn: node };
  reportCandidate(ctx, node.name, c, 'voidReturnProperty', { name });
}

/** `const onDone: () => void = async () => {}` (annotated variables only, as typescript-eslint). */
export function checkVariable(ctx: Ctx, node: ts.VariableDeclaration): void {
  if (checkDisposeVariable(ctx, node)) return;
  if (!node.type || !node.initializer || !ts.isIdentifier(node.name)) return;
  const type = ctx.types.typeAt(node.name);
  if (!type || !isVoidReturningFunctionType(ctx.types, node.initializer, type) || !returnsThenable(ctx.types, node.initializer)) return;
  reportCandidate(ctx, skipOuterExpressions(node.initializer), candidateOf(ctx, node.initializer), 'voidReturnVariable', { name: node.name.text });
}

/** `handlers.onDone = async () => {}` where `onDone` is typed `() => void`. */
export function checkAssignment(ctx: Ctx, node: ts.BinaryExpression): void {
  const type = ctx.types.typeAt(node.left);
  if (!type || !isVoidReturningFunctionType(ctx.types, node.left, type) || !returnsThenable(ctx.types, node.right)) return;
  const name = codeText(skipOuterExpressions(node.left), ctx.sourceFile, 40);
  reportCandidate(ctx, skipOuterExpressions(node.right), candidateOf(ctx, node.right), 'voidReturnVariable', { name });
}

/** `return async () => {}` from a function declared to return `() => void`. */
export function checkReturn(ctx: Ctx, node: ts.ReturnStatement): void {
  const expr = node.expression;
  if (!expr) return;
  const fn = enclosingFunction(node);
  if (fn?.type && !mayBeFunctionType(fn.type)) return;
  if (!contextualVoid(ctx, expr) || !returnsThenable(ctx.types, expr)) return;
  reportCandidate(ctx, skipOuterExpressions(expr), candidateOf(ctx, expr), 'voidReturnReturnValue', {});
}

/** A cheap syntactic filter: return types that cannot be function types. */
function mayBeFunctionType(type: ts.TypeNode): boolean {
  if (ts.isTypeLiteralNode(type)) return type.members.some((m) => ts.isCallSignatureDeclaration(m) || ts.isConstructSignatureDeclaration(m));
  return !(
    ts.isArrayTypeNode(type) ||
    ts.isTupleTypeNode(type) ||
    ts.isLiteralTypeNode(type) ||
    ts.isTypePredicateNode(type) ||
    ts.isMappedTypeNode(type) ||
    ts.isTemplateLiteralTypeNode(type) ||
    NON_FUNCTION_KEYWORDS.has(type.kind)
  );
}

const NON_FUNCTION_KEYWORDS = new Set([
  ts.SyntaxKind.AnyKeyword,
  ts.SyntaxKind.UnknownKeyword,
  ts.SyntaxKind.BooleanKeyword,
  ts.SyntaxKind.BigIntKeyword,
  ts.SyntaxKind.NumberKeyword,
  ts.SyntaxKind.StringKeyword,
  ts.SyntaxKind.SymbolKeyword,
  ts.SyntaxKind.ObjectKeyword,
  ts.SyntaxKind.UndefinedKeyword,
  ts.SyntaxKind.VoidKeyword,
  ts.SyntaxKind.NeverKeyword,
]);

/** `<button onClick={async () => save()}>` where `onClick` is typed `() => void`. */
export function checkAttribute(ctx: Ctx, node: ts.JsxAttribute): void {
  const init = node.initializer;
  if (!init || !ts.isJsxExpression(init) || !init.expression) return;
  const type = ctx.types.contextualType(init);
  if (!type || !isVoidReturningFunctionType(ctx.types, init, type) || !returnsThenable(ctx.types, init.expression)) return;
  const name = ts.isIdentifier(node.name) ? node.name.text : node.name.getText(ctx.sourceFile);
  reportCandidate(ctx, init, candidateOf(ctx, init.expression), 'voidReturnAttribute', { name });
}

type Member = ts.ClassElement | ts.TypeElement;

/** Members that return a promise where an extended or implemented type's member returns `void` (or, from JS, a plain value). */
export function checkHeritage(ctx: Ctx, node: ts.ClassLikeDeclaration | ts.InterfaceDeclaration): void {
  const bases = heritageTypes(ctx.types, node);
  if (bases.length === 0) return;
  const members: readonly Member[] = node.members;
  for (const member of members) {
    if (!member.name || ts.isComputedPropertyName(member.name) || hasModifier(member, ts.SyntaxKind.StaticKeyword)) continue;
    if (!returnsThenable(ctx.types, member)) continue;
    const name = nameText(member.name, ctx.sourceFile);
    for (const base of bases) {
      const found = baseMemberReturning(ctx, member, base, name);
      if (!found) continue;
      const c = memberCandidate(ctx, member);
      if (cannotRejectInVoidSlot(ctx, c)) break;
      const baseName = ctx.types.typeText(base);
      const trace = found.decl ? [{ node: found.decl.name ?? found.decl, message: `${quoteCode(`${baseName}.${name}`)} returns ${quoteCode(found.ret)} (declared here)` }] : [];
      ctx.report({ node: member.name, messageId: 'voidReturnInheritedMethod', data: { name, base: baseName, ret: `\`${found.ret}\`` }, trace });
      break;
    }
  }
}


function memberCandidate(ctx: Ctx, member: Member): Candidate {
  const expr = member.name as unknown as ts.Expression;
  if (isFunctionLike(member)) return { expr, inline: true, isAsync: hasAsyncModifier(member), fn: member };
  if (ts.isPropertyDeclaration(member) && member.initializer) {
    const c = candidateOf(ctx, member.initializer);
    return { ...c, expr };
  }
  return { expr, inline: true, isAsync: false };
}

interface BaseMember {
  ret: string;
  decl?: ts.NamedDeclaration;
}

function baseMemberReturning(ctx: Ctx, member: Member, base: TypeRef, name: string): BaseMember | undefined {
  const symbol = ctx.types.memberOf(base, name);
  if (!symbol) return undefined;
  const type = ctx.types.typeOfSymbol(symbol, member);
  const decl = ctx.types.declarationsOf(symbol)[0] as ts.NamedDeclaration | undefined;
  if (isVoidReturningFunctionType(ctx.types, member, type)) {
    if (decl && isInferredJsVoid(decl)) return undefined;
    return { ret: 'void', decl };
  }
  // A TypeScript base with a non-void, non-promise return type is already a type error.
  if (!decl || !isJsFile(decl.getSourceFile())) return undefined;
  const ret = syncReturnTypeOf(ctx.types, member, type);
  return ret ? { ret, decl } : undefined;
}

function isJsFile(sf: ts.SourceFile): boolean {
  return /\.[cm]?jsx?$/.test(sf.fileName);
}

/**
 * A JavaScript method whose `void` is only inferred (no JSDoc `@returns`): an empty hook
 * (`init() {}`), an "abstract" stub that throws, or a method that happens to return nothing.
 * Bases often await such hooks, so only a declared `void` counts there.
 */
function isInferredJsVoid(decl: ts.Node): boolean {
  if (!isJsFile(decl.getSourceFile()) || !isFunctionLike(decl)) return false;
  if (ts.getJSDocReturnType(decl)) return false;
  // The compiler finds the JSDoc type; on typescript-eslint's tsgo backend it does not: read the comment.
  return !JSDOC_RETURNS.test(leadingJsDoc(decl));
}

const JSDOC_RETURNS = /@returns?\s*\{/;

/** The text of the `/** ... *\/` comments just before a declaration. */
function leadingJsDoc(decl: ts.Node): string {
  const text = decl.getSourceFile().text;
  return (ts.getLeadingCommentRanges(text, decl.pos) ?? [])
    .filter((r) => r.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith('/**', r.pos))
    .map((r) => text.slice(r.pos, r.end))
    .join('\n');
}
