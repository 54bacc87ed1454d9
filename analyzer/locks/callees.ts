/**
 * Calls through a service's interface or abstract base (`this.ledger.post(...)` where `ledger`
 * is a `LedgerPort`): the call graph resolves them to the signature, which has no body. For
 * the lock graph such a call runs whichever class implements it, so the lock analysis follows
 * the program's implementations (`analyzer/program/implementations.ts`, shared with the ORM rules).
 * Dependency injection keeps the services' files apart; the lock order still crosses them.
 */
import ts from '../ts/typescript.cjs';
import type { FunctionLike } from '../program/callgraph.js';
import { implementationsOf } from '../program/implementations.js';
import type { LockContext } from './context.js';

/** The functions a call can run: the call graph's answer, else the implementations of the interface method it calls. */
export function calleesOf(ctx: LockContext, call: ts.CallExpression | ts.NewExpression): FunctionLike[] {
  const direct = ctx.graph.resolve(call);
  if (direct.length > 0 || !ts.isCallExpression(call)) return direct;
  return implementationsOf(ctx.program, call).map((i) => i.fn);
}
