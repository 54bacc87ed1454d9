/**
 * The policy of no-query-outside-transaction: which handles join a transaction. A handle joins
 * when it comes from the transaction's own handle, or is a parameter typed as a transaction
 * (a helper given one; nested savepoints), or is unknown. Sequelize model calls join a managed
 * transaction without `{ transaction }` when CLS is enabled program-wide (`Sequelize.useCLS`).
 */
import ts from '../../typescript.cjs';
import type { Door } from '../../checker.js';
import { skipOuterExpressions, walk } from '../../walk.js';
import { moduleOfDeclaration } from '../../orm/recognize.js';
import { TRANSACTION_HANDLE_TYPES } from '../../orm/transactions/catalog.js';
import type { OriginContext, Source } from '../../orm/transactions/handles.js';
import type { EscapeSource } from '../../orm/transactions/summary.js';
import type { TxScope } from '../../orm/transactions/scopes.js';

/** Is a parameter of the function holding the transaction itself a transaction's handle? */
export function paramJoins(door: Door, scope: TxScope, decl: ts.ParameterDeclaration): boolean {
  const type = door.typeAt(decl.name);
  if (!type) return true;
  const t = door.checker.getNonNullableType(type);
  const names = [t.aliasSymbol?.getName(), t.getSymbol()?.getName()].filter((n): n is string => !!n);
  const re = TRANSACTION_HANDLE_TYPES[scope.orm];
  if (re && names.some((n) => re.test(n))) return true;
  // TypeORM: `manager.transaction(...)` on a manager parameter nests a savepoint on the same
  // query runner when that manager is itself a transaction's; the manager's own queries then join it.
  if (scope.orm === 'typeorm' && names.includes('EntityManager')) {
    const callee = skipOuterExpressions(scope.opener.expression);
    const r = ts.isPropertyAccessExpression(callee) ? skipOuterExpressions(callee.expression) : undefined;
    return !!r && ts.isIdentifier(r) && door.symbolAt(r)?.valueDeclaration === decl;
  }
  return false;
}

/** Does a source seen inside the scope stay outside the transaction? */
export function escapes(door: Door, scope: TxScope, source: Source | EscapeSource | 'tx' | undefined, octx: OriginContext): boolean {
  if (!source || source === 'tx') return false;
  if (source.kind === 'tx' || source.kind === 'unknown') return false;
  if (source.kind === 'param') {
    const decl = 'decl' in source ? source.decl : octx.fn?.parameters[source.index];
    return !decl || !paramJoins(door, scope, decl);
  }
  return true;
}

const clsCache = new WeakMap<ts.Program, boolean>();

/** `Sequelize.useCLS(namespace)` anywhere in the program: managed transactions are joined by every model call. */
export function sequelizeUsesCls(door: Door): boolean {
  const program = door.program;
  let cached = clsCache.get(program);
  if (cached !== undefined) return cached;
  cached = false;
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || !sf.text.includes('useCLS')) continue;
    walk(sf, (n) => {
      if (cached) return false;
      if (ts.isCallExpression(n)) {
        const callee = skipOuterExpressions(n.expression);
        if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'useCLS') {
          const decl = door.symbolAt(callee.name)?.valueDeclaration;
          const m = decl ? moduleOfDeclaration(decl) : undefined;
          if (!decl || m === 'sequelize' || m === '@sequelize/core') cached = true;
        }
      }
      return true;
    });
    if (cached) break;
  }
  clsCache.set(program, cached);
  return cached;
}
