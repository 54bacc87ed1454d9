/**
 * Calls through a service's interface or abstract base (`this.ledger.post(...)` where `ledger`
 * is a `LedgerPort`): the call graph resolves them to the signature, which has no body. For
 * the lock graph such a call runs whichever class implements it, so the lock analysis follows
 * every class of the program that implements the interface (`implements LedgerPort`) or
 * extends the abstract class, and has a method of that name with a body. Dependency injection
 * keeps the services' files apart; the lock order still crosses them.
 */
import ts from '../typescript.cjs';
import { isFunctionLike, type FunctionLike } from '../callgraph.js';
import { touch } from '../cache/deps.js';
import { skipOuterExpressions as skipOuter } from '../walk.js';
import { cacheOf, type LockContext } from './context.js';

/** At most this many implementations are followed per call (a port with many adapters). */
const MAX_IMPLEMENTATIONS = 4;

/** The functions a call can run: the call graph's answer, else the implementations of the interface method it calls. */
export function calleesOf(ctx: LockContext, call: ts.CallExpression | ts.NewExpression): FunctionLike[] {
  const direct = ctx.graph.resolve(call);
  if (direct.length > 0 || !ts.isCallExpression(call)) return direct;
  const decl = ctx.door.signatureOf(call)?.declaration;
  if (!decl || !(ts.isMethodSignature(decl) || (ts.isMethodDeclaration(decl) && !decl.body))) return direct;
  const owner = decl.parent;
  const name = decl.name && (ts.isIdentifier(decl.name) || ts.isPrivateIdentifier(decl.name)) ? decl.name.text : undefined;
  if (!name || !(ts.isInterfaceDeclaration(owner) || ts.isClassDeclaration(owner))) return direct;
  const found: FunctionLike[] = [];
  for (const cls of implementorsOf(ctx, owner)) {
    const method = cls.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !!m.body && memberName(m) === name);
    if (method && found.length < MAX_IMPLEMENTATIONS) found.push(method);
  }
  for (const fn of found) touch(fn);
  return found;
}

function memberName(m: ts.ClassElement): string | undefined {
  return m.name && (ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name)) ? m.name.text : undefined;
}

/** Classes that name `owner` (an interface, or an abstract class) in an `implements` or `extends` clause. */
function implementorsOf(ctx: LockContext, owner: ts.InterfaceDeclaration | ts.ClassDeclaration): ts.ClassLikeDeclaration[] {
  const index = cacheOf(ctx, 'implementors', () => indexImplementors(ctx));
  return index.get(owner) ?? [];
}

function indexImplementors(ctx: LockContext): Map<ts.Node, ts.ClassLikeDeclaration[]> {
  const index = new Map<ts.Node, ts.ClassLikeDeclaration[]>();
  const { program } = ctx;
  const visit = (node: ts.Node): void => {
    if (ts.isClassLike(node)) {
      for (const clause of node.heritageClauses ?? []) {
        for (const type of clause.types) {
          const symbol = ctx.door.symbolAt(skipOuter(type.expression));
          for (const d of symbol?.getDeclarations() ?? []) {
            if (!ts.isInterfaceDeclaration(d) && !ts.isClassDeclaration(d)) continue;
            const list = index.get(d) ?? [];
            if (!list.includes(node)) list.push(node);
            index.set(d, list);
          }
        }
      }
    }
    if (isFunctionLike(node) && !node.body) return;
    ts.forEachChild(node, visit);
  };
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf)) continue;
    visit(sf);
  }
  return index;
}
