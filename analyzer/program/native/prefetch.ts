/**
 * The syntactic half of the native backend: one pass over a TypeScript 6 file collects the
 * nodes our rules ask `typeAt` and `symbolAt` about, so their answers come in one batched
 * round trip per file (or group of files) instead of one IPC call (13-15 µs plus the work)
 * per question. The kinds are those the rules asked on the bench projects
 * (bench/door-counts.mjs): the expressions whose type a rule reads (calls, accesses, awaits,
 * `this`, operators, functions, literals) and identifiers for symbols.
 */
import ts from '../../ts/typescript.cjs';

const K = ts.SyntaxKind;

/** Expressions whose type the rules ask (`typeAt`, `isPromiseLike`, `isPromiseArray`, `isCallable`). */
const TYPE_KINDS = new Set<ts.SyntaxKind>([
  K.Identifier,
  K.PropertyAccessExpression,
  K.ElementAccessExpression,
  K.CallExpression,
  K.NewExpression,
  K.ThisKeyword,
  K.SuperKeyword,
  K.AwaitExpression,
  K.BinaryExpression,
  K.ArrowFunction,
  K.FunctionExpression,
  K.NumericLiteral,
  K.StringLiteral,
  K.RegularExpressionLiteral,
  K.TrueKeyword,
  K.FalseKeyword,
  K.TypeOfExpression,
  K.PrefixUnaryExpression,
  K.PostfixUnaryExpression,
  K.ConditionalExpression,
  K.ParenthesizedExpression,
  K.ObjectLiteralExpression,
  K.ArrayLiteralExpression,
  K.AsExpression,
  K.NonNullExpression,
  K.TaggedTemplateExpression,
]);

/** Where an identifier names something the rules look up (`symbolAt`, `symbolAsWritten`, `importSpecifierOf`). */
const SYMBOL_KINDS = new Set<ts.SyntaxKind>([K.Identifier, K.StringLiteral]);

export interface Questions {
  typeNodes: ts.Node[];
  symbolNodes: ts.Node[];
}

/** Is `node` a place whose type a rule may ask: an expression, not a type or a declaration's name. */
function typeQuestion(node: ts.Node): boolean {
  if (!TYPE_KINDS.has(node.kind)) return false;
  const parent = node.parent;
  if (node.kind === K.StringLiteral) return !!parent && !isModuleSpecifier(node, parent) && !ts.isLiteralTypeNode(parent);
  if (node.kind !== K.Identifier) return true;
  if (!parent) return false;
  // Names in type positions, import/export clauses and labels have no expression type worth asking.
  if (ts.isTypeReferenceNode(parent) || ts.isQualifiedName(parent) || ts.isImportSpecifier(parent) || ts.isImportClause(parent)) return false;
  if (ts.isExportSpecifier(parent) || ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent) || ts.isTypeParameterDeclaration(parent)) return false;
  if (ts.isInterfaceDeclaration(parent) || ts.isTypeAliasDeclaration(parent) || ts.isExpressionWithTypeArguments(parent)) return false;
  return true;
}

/** A module name: `import ... from 'x'`, `export ... from 'x'`, `require('x')`, `import('x')`. */
function isModuleSpecifier(node: ts.Node, parent: ts.Node): boolean {
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isExternalModuleReference(parent)) return true;
  if (!ts.isCallExpression(parent) || parent.arguments[0] !== node) return false;
  const callee = parent.expression;
  return callee.kind === K.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require');
}

function symbolQuestion(node: ts.Node): boolean {
  if (!SYMBOL_KINDS.has(node.kind)) return false;
  const parent = node.parent;
  if (node.kind === K.StringLiteral) return !!parent && isModuleSpecifier(node, parent);
  return !(parent && (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)));
}

/** The nodes of one file to ask about in one batch. */
export function collectQuestions(sf: ts.SourceFile): Questions {
  const typeNodes: ts.Node[] = [];
  const symbolNodes: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (typeQuestion(node)) typeNodes.push(node);
    if (symbolQuestion(node)) symbolNodes.push(node);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return { typeNodes, symbolNodes };
}
