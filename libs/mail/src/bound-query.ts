import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/core';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';

/**
 * Runs a MikroORM query builder through knex, with bound parameters: the values travel apart from the
 * statement ($1 … on PostgreSQL, ? on SQLite). The ORM's own execute() and nativeUpdate() inline every
 * value into the SQL text as an escaped literal (platform.formatQuery), which for a rendered mail is a
 * statement of tens of kilobytes built from mail content. The builder keeps its conversions (dates,
 * JSON) and its transaction, so this is the same statement, only sent properly.
 */
export async function runBound(
  em: EntityManager,
  qb: { getKnexQuery(): Knex.QueryBuilder | Knex.Raw },
): Promise<unknown> {
  try {
    return await qb.getKnexQuery();
  } catch (e) {
    throw em.getDriver().convertException(e as Error);
  }
}

/** `nativeUpdate` with bound parameters: the number of rows updated. */
export async function updateBound<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  changes: Record<string, unknown>,
): Promise<number> {
  const qb = (em as SqlEntityManager)
    .createQueryBuilder(entity)
    .update(changes as never)
    .where(where);
  return Number(await runBound(em, qb));
}
