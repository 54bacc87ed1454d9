/**
 * The differential proof of the door's `calledDeclaration` (analyzer/program/type-queries-ts6.ts):
 * on a program, the door's answer for every call-like expression (calls, `new`, tagged
 * templates, decorators, JSX) against the checker's own `getResolvedSignature(call)?.declaration`,
 * and how many calls the door answered without resolving them.
 */
import path from 'node:path';
import ts from 'typescript';
import { getTypeQueries } from '../../analyzer/program/type-queries.js';

export interface CalledDeclarationComparison {
  /** Call-like expressions compared. */
  calls: number;
  /** Of them, answered by the door without `getResolvedSignature`. */
  fast: number;
  /** `file:line: callee text: door's answer vs checker's answer`, one per difference. */
  mismatches: string[];
}

function callLikes(files: readonly ts.SourceFile[]): ts.CallLikeExpression[] {
  const out: ts.CallLikeExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node) || ts.isDecorator(node) || ts.isJsxOpeningElement(node) || ts.isJsxSelfClosingElement(node)) out.push(node);
    ts.forEachChild(node, visit);
  };
  for (const sf of files) visit(sf);
  return out;
}

function describeDeclaration(decl: ts.Node | undefined, root: string): string {
  if (!decl) return 'none';
  const sf = decl.getSourceFile();
  const line = sf.getLineAndCharacterOfPosition(decl.getStart(sf)).line + 1;
  return `${ts.SyntaxKind[decl.kind]} at ${path.relative(root, sf.fileName)}:${line}`;
}

/**
 * Asks the door first, for every call (as the checks do, before anything resolved them), counting
 * the resolutions it asks of the checker; then the checker itself, call by call.
 */
export function compareCalledDeclarations(program: ts.Program, files: readonly ts.SourceFile[], root: string): CalledDeclarationComparison {
  const checker = program.getTypeChecker();
  const calls = callLikes(files);
  const resolve = checker.getResolvedSignature;
  let resolved = 0;
  checker.getResolvedSignature = (...args) => {
    resolved++;
    return resolve.apply(checker, args);
  };
  let answers: (ts.Node | undefined)[];
  try {
    const door = getTypeQueries(program);
    answers = calls.map((call) => door.calledDeclaration(call));
  } finally {
    checker.getResolvedSignature = resolve;
  }
  const mismatches: string[] = [];
  calls.forEach((call, i) => {
    const expected = checker.getResolvedSignature(call)?.declaration;
    if (expected === answers[i]) return;
    const sf = call.getSourceFile();
    const line = sf.getLineAndCharacterOfPosition(call.getStart(sf)).line + 1;
    mismatches.push(`${path.relative(root, sf.fileName)}:${line}: ${call.getText(sf).slice(0, 60)}: door ${describeDeclaration(answers[i], root)} vs checker ${describeDeclaration(expected, root)}`);
  });
  return { calls: calls.length, fast: calls.length - resolved, mismatches };
}
