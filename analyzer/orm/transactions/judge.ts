/**
 * The policy of no-query-outside-transaction: which handles join a transaction. A handle joins
 * when it comes from the transaction's own handle, or is a parameter typed as a transaction
 * (a helper given one; nested savepoints), or is unknown. Sequelize model calls join a managed
 * transaction without `{ transaction }` when CLS is enabled program-wide (`Sequelize.useCLS`).
 */
import ts from '../../ts/typescript.cjs';
import type { TypeQueries } from '../../program/type-queries.js';
import { skipOuterExpressions, walk } from '../../program/walk.js';
import { moduleOfDeclaration } from '../recognize.js';
import { TRANSACTION_HANDLE_TYPES } from './catalog.js';
import type { OriginContext, Source } from './handles.js';
import type { EscapeSource } from './summary.js';
import type { TxScope } from './scopes.js';
import { touch } from '../../program/dependencies.js';
import { oncePerProgram } from '../../program/per-program.js';

/** Is a parameter of the function holding the transaction itself a transaction's handle? */
export function paramJoins(types: TypeQueries, scope: TxScope, decl: ts.ParameterDeclaration): boolean {
  const type = types.typeAt(decl.name);
  if (!type) return true;
  const t = types.nonNullable(type);
  const names = [types.aliasSymbol(t), types.typeSymbol(t)].map((s) => s && types.symbolName(s)).filter((n): n is string => !!n);
  const re = TRANSACTION_HANDLE_TYPES[scope.orm];
  if (re && names.some((n) => re.test(n))) return true;
  // TypeORM: `manager.transaction(...)` on a manager parameter nests a savepoint on the same
  // query runner when that manager is itself a transaction's; the manager's own queries then join it.
  if (scope.orm === 'typeorm' && names.includes('EntityManager')) {
    const callee = skipOuterExpressions(scope.opener.expression);
    const r = ts.isPropertyAccessExpression(callee) ? skipOuterExpressions(callee.expression) : undefined;
    return !!r && ts.isIdentifier(r) && types.valueDeclarationAt(r) === decl;
  }
  return false;
}

/** Does a source seen inside the scope stay outside the transaction? */
export function escapes(types: TypeQueries, scope: TxScope, source: Source | EscapeSource | 'tx' | undefined, origins: OriginContext): boolean {
  if (!source || source === 'tx') return false;
  if (source.kind === 'tx' || source.kind === 'unknown') return false;
  if (source.kind === 'param') {
    const decl = 'decl' in source ? source.decl : origins.fn?.parameters[source.index];
    return !decl || !paramJoins(types, scope, decl);
  }
  return true;
}

const clsCache = oncePerProgram<boolean>();

/** `Sequelize.useCLS(namespace)` anywhere in the program: managed transactions are joined by every model call. */
export function sequelizeUsesCls(types: TypeQueries): boolean {
  return clsCache(types.program, () => findUseCls(types));
}

function findUseCls(types: TypeQueries): boolean {
  const program = types.program;
  let found = false;
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || !sf.text.includes('useCLS')) continue;
    touch(sf); // a file the checked one need not import
    walk(sf, (n) => {
      if (found) return false;
      if (ts.isCallExpression(n)) {
        const callee = skipOuterExpressions(n.expression);
        if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'useCLS') {
          const decl = types.valueDeclarationAt(callee.name);
          const m = decl ? moduleOfDeclaration(decl) : undefined;
          if (!decl || m === 'sequelize' || m === '@sequelize/core') found = true;
        }
      }
      return true;
    });
    if (found) break;
  }
  return found;
}
