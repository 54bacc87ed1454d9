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

/** A declaration's own name (`x` in `let x`, `f(x)`'s parameter, `{ x: 1 }`, `m() {}`): asked as a symbol, never as a type. */
function isDeclarationName(node: ts.Node, parent: ts.Node): boolean {
  return DECLARATION_KINDS.has(parent.kind) && (parent as ts.NamedDeclaration).name === node;
}

const DECLARATION_KINDS = new Set<ts.SyntaxKind>([
  K.VariableDeclaration,
  K.Parameter,
  K.BindingElement,
  K.PropertyAssignment,
  K.PropertyDeclaration,
  K.PropertySignature,
  K.MethodDeclaration,
  K.MethodSignature,
  K.GetAccessor,
  K.SetAccessor,
  K.FunctionDeclaration,
  K.FunctionExpression,
  K.ClassDeclaration,
  K.ClassExpression,
  K.EnumMember,
]);

/**
 * Is `node` a place whose type a rule may ask: an expression, not a type, a declaration's
 * name or the name after a dot (the whole access is asked). Measured on the 2,000-module bench
 * project (bench/native-probe.mjs --asked): with these cuts the rules asked about 40% of what
 * is fetched and every asked node but a handful is fetched.
 */
function typeQuestion(node: ts.Node): boolean {
  if (!TYPE_KINDS.has(node.kind)) return false;
  const parent = node.parent;
  if (node.kind === K.StringLiteral) return !!parent && !isModuleSpecifier(node, parent) && !ts.isLiteralTypeNode(parent);
  if (node.kind !== K.Identifier) return true;
  if (!parent) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (isDeclarationName(node, parent)) return false;
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
  if (!parent || ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  // Type names, import specifiers' names and the names of members and types the rules never look up by name.
  if (ts.isTypeReferenceNode(parent) || ts.isImportSpecifier(parent) || ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent)) return false;
  return !(ts.isClassDeclaration(parent) || ts.isInterfaceDeclaration(parent) || ts.isTypeAliasDeclaration(parent) || ts.isTypeParameterDeclaration(parent));
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
