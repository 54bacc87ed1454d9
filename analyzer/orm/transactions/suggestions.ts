/**
 * Suggestions that move a query onto the transaction's handle, where the types allow it:
 * Prisma `prisma.user.create` -> `tx.user.create`; TypeORM `this.users.save(x)` ->
 * `manager.withRepository(this.users).save(x)`, `dataSource.manager.save(x)` -> `manager.save(x)`;
 * Knex/Drizzle/Kysely `db.select()` -> `tx.select()`; MikroORM `fork.find()` -> `em.find()`;
 * Sequelize: `{ transaction: t }` added to the options.
 */
import ts from '../../ts/typescript.cjs';
import type { TypeQueries } from '../../program/type-queries.js';
import { skipOuterExpressions } from '../../program/walk.js';
import type { SuggestionInput } from '../../check/contract.js';
import type { MessageId } from './no-query-outside-transaction.js';
import type { QuerySite } from './queries.js';
import type { TxScope } from './scopes.js';

export function suggestionsFor(types: TypeQueries, scope: TxScope, site: QuerySite): SuggestionInput<MessageId>[] {
  const tx = scope.handleText;
  if (!tx) return [];
  const sf = site.call.getSourceFile();
  const edit = (node: ts.Node, text: string): SuggestionInput<MessageId>[] => [
    { messageId: 'useTransaction', data: { tx }, edits: [{ file: sf.fileName, start: node.getStart(sf), end: node.getEnd(), text }] },
  ];
  const insert = (pos: number, text: string): SuggestionInput<MessageId>[] => [
    { messageId: 'useTransaction', data: { tx }, edits: [{ file: sf.fileName, start: pos, end: pos, text }] },
  ];
  if (site.orm === 'sequelize') return sequelizeEdit(site, tx, insert);
  const handle = site.handle && skipOuterExpressions(site.handle);
  if (!handle || ts.isCallExpression(handle)) return [];
  switch (site.orm) {
    case 'prisma': {
      // The transaction client has no `$transaction` (nor `$connect`, `$disconnect`, `$on`, `$extends`).
      if (/^\$(transaction|connect|disconnect|on|extends)$/.test(site.method)) return [];
      const client = prismaClientIn(types, handle);
      return client ? edit(client, tx) : [];
    }
    case 'typeorm': {
      const name = typeName(types, handle);
      if (name === 'EntityManager' || name === 'DataSource') return edit(handle, tx);
      if (isRepository(types, handle)) return edit(handle, `${tx}.withRepository(${handle.getText(sf)})`);
      return [];
    }
    default:
      return ts.isIdentifier(handle) || ts.isPropertyAccessExpression(handle) ? edit(handle, tx) : [];
  }
}

function typeName(types: TypeQueries, expr: ts.Expression): string | undefined {
  const type = types.typeAt(expr);
  const symbol = type && types.typeSymbol(types.nonNullable(type));
  return symbol && types.symbolName(symbol);
}

function isRepository(types: TypeQueries, expr: ts.Expression): boolean {
  const type = types.typeAt(expr);
  if (!type) return false;
  const names = new Set(types.propertiesOf(types.nonNullable(type)).map((p) => types.symbolName(p)));
  return names.has('metadata') && names.has('manager') && names.has('findOneBy');
}

/** `prisma` in `prisma.user.create`, `this.prisma` in `this.prisma.user.create`. */
function prismaClientIn(types: TypeQueries, expr: ts.Expression): ts.Expression | undefined {
  let e: ts.Expression = expr;
  for (let depth = 0; depth < 4; depth++) {
    if (typeName(types, e) === 'PrismaClient') return e;
    if (!ts.isPropertyAccessExpression(e)) return undefined;
    e = skipOuterExpressions(e.expression);
  }
  return undefined;
}

const SEQUELIZE_OPTIONS_ONLY = new Set(['findAll', 'findOne', 'count', 'destroy', 'save', 'reload', 'findAndCountAll', 'truncate', 'restore']);
const SEQUELIZE_VALUE_FIRST = new Set(['findByPk', 'create', 'bulkCreate', 'upsert']);

function sequelizeEdit(site: QuerySite, tx: string, insert: (pos: number, text: string) => SuggestionInput<MessageId>[]): SuggestionInput<MessageId>[] {
  if (!site.missingOption) return [];
  const args = site.call.arguments;
  const last = args[args.length - 1];
  const lastObj = last && skipOuterExpressions(last);
  const optionsIndex = SEQUELIZE_OPTIONS_ONLY.has(site.method) ? 0 : SEQUELIZE_VALUE_FIRST.has(site.method) || site.method === 'update' ? 1 : -1;
  if (optionsIndex < 0) return [];
  if (args.length === optionsIndex + 1 && lastObj && ts.isObjectLiteralExpression(lastObj)) {
    const open = lastObj.getStart() + 1;
    return insert(open, lastObj.properties.length > 0 ? ` transaction: ${tx},` : ` transaction: ${tx} `);
  }
  if (args.length === optionsIndex) {
    const close = site.call.getEnd() - 1;
    return insert(close, `${args.length > 0 ? ', ' : ''}{ transaction: ${tx} }`);
  }
  return [];
}
