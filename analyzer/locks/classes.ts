/**
 * Lock classes, named as lockdep names them: by where the lock object is stored, not by
 * instance. "field `mutex` of class `Ledger`" is one class however many ledgers exist;
 * "module variable `cacheLock` in src/cache.ts"; an async-lock key; a Web Locks name.
 *
 * Instance paths (instance-path.ts) say which instance a function means (`this.mutex`, a
 * parameter's field, a module variable), so that taking the same instance twice (a
 * self-deadlock) can be told apart from nesting two instances of one class.
 */
import ts from '../ts/typescript.cjs';
import { enclosingFunction, isFunctionLike, functionName, type FunctionLike } from '../program/callgraph.js';
import { skipOuterExpressions as skipOuter } from '../program/walk.js';
import type { LockContext } from './context.js';
import { declarationOf, initializerOfDeclaration, relativeFile, unwrapMutexWrapper } from './objects.js';
import type { LockClass } from './types.js';
import {
  globalPath,
  isFamilyPath,
  localPath,
  paramPath,
  rebase,
  thisPath,
  UNKNOWN_PATH,
  withField,
  type InstancePath,
} from './instance-path.js';

const MAX_DEPTH = 6;

interface ClassSpec {
  id: string;
  name: string;
  short: string;
  sortKey: string;
  declaration?: ts.Node;
  keys?: LockClass['keys'];
}

/** The one LockClass object for an id. */
export function internClass(ctx: LockContext, spec: ClassSpec, library: string, reentrant: boolean, ordering = true): LockClass {
  let found = ctx.classes.get(spec.id);
  if (!found) {
    found = { ...spec, library, reentrant, ordering };
    ctx.classes.set(spec.id, found);
  }
  return found;
}

function declKey(decl: ts.Node): string {
  return `${decl.getSourceFile().fileName}|${String(decl.getStart()).padStart(10, '0')}`;
}

function declSpec(ctx: LockContext, decl: ts.Node, name: string, short: string): ClassSpec {
  return { id: `decl:${ctx.nodeId(decl)}`, name, short, sortKey: `0|${declKey(decl)}`, declaration: decl };
}

/** The storage class of a lock object expression (`this.mutex`, `cacheLock`), or undefined. */
export function storageClassOf(ctx: LockContext, expr: ts.Expression, depth = 0): ClassSpec | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const e = skipOuter(expr);
  const wrapped = unwrapMutexWrapper(ctx, e);
  if (wrapped) return storageClassOf(ctx, wrapped.inner, depth + 1);
  if (ts.isNewExpression(e)) {
    const sf = e.getSourceFile();
    const line = sf.getLineAndCharacterOfPosition(e.getStart()).line + 1;
    const where = `${relativeFile(ctx, sf.fileName)}:${line}`;
    return declSpec(ctx, e, `lock created at ${where}`, `lock at ${where}`);
  }
  const decl = declarationOf(ctx, e);
  if (!decl) return undefined;
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return memberSpec(ctx, decl);
  if (ts.isIdentifier(e)) return identifierSpec(ctx, decl, depth);
  return undefined;
}

function memberSpec(ctx: LockContext, decl: ts.Declaration): ClassSpec | undefined {
  const field = fieldName(decl);
  if (!field) return undefined;
  const owner = ownerName(decl);
  if (!owner) return undefined;
  const kind = owner.kind === 'class' ? 'field' : 'property';
  return declSpec(ctx, decl, `${kind} \`${field}\` of ${owner.kind} \`${owner.name}\``, `${owner.name}.${field}`);
}

function fieldName(decl: ts.Declaration): string | undefined {
  const name = (decl as { name?: ts.Node }).name;
  if (name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name))) return name.text;
  if (ts.isBinaryExpression(decl) && ts.isPropertyAccessExpression(decl.left)) return decl.left.name.text;
  return undefined;
}

/** The class, interface or object a member belongs to. */
function ownerName(decl: ts.Node): { kind: 'class' | 'interface' | 'object'; name: string } | undefined {
  let n: ts.Node | undefined = decl.parent;
  if (ts.isParameter(decl) && ts.isConstructorDeclaration(decl.parent)) n = decl.parent.parent;
  // JS `this.m = new Mutex()` in a constructor or method.
  if (ts.isPropertyAccessExpression(decl) || ts.isBinaryExpression(decl)) {
    for (n = decl.parent; n && !ts.isClassLike(n); n = n.parent);
  }
  if (!n) return undefined;
  if (ts.isClassLike(n)) return { kind: 'class', name: n.name?.text ?? classNameFromParent(n) };
  if (ts.isInterfaceDeclaration(n)) return { kind: 'interface', name: n.name.text };
  if (ts.isTypeLiteralNode(n) && ts.isTypeAliasDeclaration(n.parent)) return { kind: 'interface', name: n.parent.name.text };
  if (ts.isObjectLiteralExpression(n)) {
    const holder = n.parent;
    if ((ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder)) && ts.isIdentifier(holder.name)) {
      return { kind: 'object', name: holder.name.text };
    }
  }
  return undefined;
}

function classNameFromParent(cls: ts.ClassLikeDeclaration): string {
  const parent = cls.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '<anonymous class>';
}

function identifierSpec(ctx: LockContext, decl: ts.Declaration, depth: number): ClassSpec | undefined {
  if (ts.isParameter(decl)) {
    if (isParameterProperty(decl)) return memberSpec(ctx, decl);
    if (!ts.isIdentifier(decl.name) || !isFunctionLike(decl.parent)) return undefined;
    return declSpec(ctx, decl, `parameter \`${decl.name.text}\` of \`${functionName(decl.parent)}\``, decl.name.text);
  }
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return undefined;
  const name = decl.name.text;
  if (isModuleLevel(decl)) {
    return declSpec(ctx, decl, `module variable \`${name}\` in ${relativeFile(ctx, decl.getSourceFile().fileName)}`, name);
  }
  // A local alias of another lock (`const m = this.mutex`) is that lock.
  const init = initializerOfDeclaration(decl);
  if (init && !ts.isNewExpression(skipOuter(init)) && !unwrapMutexWrapper(ctx, skipOuter(init))) {
    return storageClassOf(ctx, init, depth + 1);
  }
  const fn = enclosingFunction(decl);
  return declSpec(ctx, decl, `local \`${name}\`${fn ? ` in \`${functionName(fn)}\`` : ''}`, name);
}

export function isParameterProperty(decl: ts.ParameterDeclaration): boolean {
  return ts.isParameterPropertyDeclaration(decl, decl.parent);
}

function isModuleLevel(decl: ts.VariableDeclaration): boolean {
  const statement = decl.parent.parent;
  return ts.isVariableStatement(statement) && (ts.isSourceFile(statement.parent) || ts.isModuleBlock(statement.parent));
}

/**
 * The instance a lock expression denotes, relative to the function it is written in
 * (instance-path.ts): `this.m`, a field of a parameter, a module variable, a const local, or
 * unknown.
 */
export function instancePath(ctx: LockContext, expr: ts.Expression, depth = 0): InstancePath {
  if (depth > MAX_DEPTH) return UNKNOWN_PATH;
  const e = skipOuter(expr);
  const wrapped = unwrapMutexWrapper(ctx, e);
  if (wrapped) return instancePath(ctx, wrapped.inner, depth + 1);
  if (e.kind === ts.SyntaxKind.ThisKeyword) return thisPath();
  if (ts.isPropertyAccessExpression(e)) return withField(instancePath(ctx, e.expression, depth + 1), e.name.text);
  if (!ts.isIdentifier(e)) return UNKNOWN_PATH;
  const decl = declarationOf(ctx, e);
  if (!decl) return UNKNOWN_PATH;
  if (ts.isParameter(decl) && isFunctionLike(decl.parent)) return paramPath(decl.parent.parameters.indexOf(decl), ctx.nodeId(decl.parent));
  if (ts.isVariableDeclaration(decl)) {
    if (isModuleLevel(decl)) return globalPath(ctx.nodeId(decl));
    const init = initializerOfDeclaration(decl);
    const isConst = (ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) !== 0;
    if (isConst && init && !ts.isNewExpression(skipOuter(init))) return instancePath(ctx, init, depth + 1);
    return isConst ? localPath(ctx.nodeId(decl)) : UNKNOWN_PATH;
  }
  return UNKNOWN_PATH;
}

/**
 * A callee's instance path as seen by its caller: `this...` becomes the call's receiver,
 * a parameter's path the argument's; module variables, custom lock names and Web Locks stay;
 * locals become unknown.
 */
export function mapPathThroughCall(ctx: LockContext, p: InstancePath, call: ts.CallExpression | ts.NewExpression, callee: FunctionLike): InstancePath {
  // A key family's identity is in the callee's own terms (its parameters, its locals).
  if (isFamilyPath(p)) return UNKNOWN_PATH;
  switch (p.kind) {
    case 'unknown':
    case 'global':
    case 'web':
      return p;
    case 'local':
      return UNKNOWN_PATH;
    case 'this': {
      if (ts.isArrowFunction(callee)) return UNKNOWN_PATH;
      const target = skipOuter(call.expression);
      if (ts.isNewExpression(call) || !(ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target))) return UNKNOWN_PATH;
      return rebase(instancePath(ctx, target.expression), p);
    }
    case 'param': {
      if (p.fn !== ctx.nodeId(callee)) return UNKNOWN_PATH;
      const arg = call.arguments?.[p.index];
      if (!arg || ts.isSpreadElement(arg)) return UNKNOWN_PATH;
      return rebase(instancePath(ctx, arg), p);
    }
  }
}

/** A nested function's paths as seen by the function it is written in (arrows share `this`). */
export function mapPathIntoParent(p: InstancePath, nested: FunctionLike): InstancePath {
  if (ts.isArrowFunction(nested)) return p;
  return isFamilyPath(p) || p.kind === 'this' ? UNKNOWN_PATH : p;
}
