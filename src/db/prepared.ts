import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/**
 * One statement as a named prepared statement with real bind parameters, on the entity
 * manager's transaction when it has one. `em.execute()` inlines every parameter as a literal
 * (MikroORM formats the SQL itself), so PostgreSQL parses and plans each call as a new text;
 * a hot statement sent this way is parsed once per connection and then only bound and run.
 * `name` must stay with one `sql` for the life of the process (node-pg refuses otherwise).
 * Statement counting through knex's `query` event still sees it.
 */
export async function prepared<T>(em: EntityManager, name: string, sql: string, params: readonly unknown[]): Promise<T[]> {
  const knex = em.getTransactionContext<Knex.Transaction>() ?? em.getConnection().getKnex();
  const result = (await knex.raw(sql, params as Knex.RawBinding[]).options({ name })) as { rows: T[] };
  return result.rows;
}
