import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { createOrmConfig } from '../../mikro-orm.config.js';

/** Any fixed number: every replica takes the same session-level lock before migrating. */
const MIGRATION_LOCK_KEY = 72_310_011;

export async function openOrm(url: string, poolMax: number): Promise<MikroORM> {
  // Connect lazily: an unreachable PostgreSQL must not stop start-up (/readyz reports it, and
  // the migration loop retries until it is back).
  return MikroORM.init({ ...createOrmConfig({ url, poolMax }), connect: false });
}

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock on a connection of
 * its own, so replicas that start together migrate once and the others wait for it.
 */
export async function migrate(orm: MikroORM, url: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}
