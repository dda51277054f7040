import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { createOrmConfig } from '../../mikro-orm.config.js';
import { CURRENCIES, CURRENCY_CODES } from '../config/currencies.js';
import { withoutSslMode, type PostgresSsl } from './tls.js';

/** Any fixed number: every replica takes the same session-level lock before migrating. */
const MIGRATION_LOCK_KEY = 72_310_011;

/**
 * `sslCa`: DATABASE_SSL_CA. TLS follows the sslmode of `url` (src/db/tls.ts); a bad sslmode or
 * CA file throws here, at start-up.
 */
export async function openOrm(url: string, poolMax: number, sslCa?: string): Promise<MikroORM> {
  // Connect lazily: an unreachable PostgreSQL must not stop start-up (/readyz reports it, and
  // the migration loop retries until it is back).
  return MikroORM.init({ ...createOrmConfig({ url, poolMax, sslCa }), connect: false });
}

/**
 * Settings for a `pg.Client` beside `orm`'s pool: the same database and the same TLS options
 * (those createOrmConfig derived from the URL's sslmode and DATABASE_SSL_CA), so a connection
 * of its own can never be less protected than the pool's.
 */
export function sideConnection(orm: MikroORM, url: string): pg.ClientConfig {
  const driverOptions = orm.config.get('driverOptions') as { connection?: { ssl?: PostgresSsl } };
  const ssl = driverOptions.connection?.ssl;
  if (ssl === undefined) throw new Error('the ORM was not configured by createOrmConfig (no ssl option)');
  // Without sslmode in the string: node-postgres would let the parsed one override `ssl`.
  return { connectionString: withoutSslMode(url), connectionTimeoutMillis: 5_000, ssl };
}

/**
 * Makes the `currencies` table (the target of every account's currency) hold the catalog of
 * src/config/currencies.ts: a currency added there gets its row, names and symbols follow it.
 * An exponent never changes (amounts are stored in minor units), and a currency is never
 * dropped by leaving it out of the catalog: either refuses to start, naming the currency.
 */
export async function syncCurrencies(db: pg.Client): Promise<void> {
  const { rows } = await db.query<{ code: string; exponent: number }>('select code, exponent from currencies');
  const problems = rows.flatMap((row) => {
    if (!Object.hasOwn(CURRENCIES, row.code)) return [`${row.code} is in the database but not in src/config/currencies.ts`];
    const exponent = CURRENCIES[row.code as keyof typeof CURRENCIES].exponent;
    return row.exponent === exponent
      ? []
      : [
          `${row.code} has exponent ${row.exponent} in the database and ${exponent} in src/config/currencies.ts; amounts are stored in minor units, so it can never change`,
        ];
  });
  if (problems.length > 0) throw new Error(`The currencies table disagrees with the catalog: ${problems.join('; ')}`);
  const values = CURRENCY_CODES.map((code) => [code, CURRENCIES[code].name, CURRENCIES[code].exponent, CURRENCIES[code].symbol]);
  await db.query(
    `insert into currencies (code, name, exponent, symbol)
     select * from unnest($1::text[], $2::text[], $3::smallint[], $4::text[])
     on conflict (code) do update set name = excluded.name, symbol = excluded.symbol
       where (currencies.name, currencies.symbol) is distinct from (excluded.name, excluded.symbol)`,
    [0, 1, 2, 3].map((i) => values.map((v) => v[i])),
  );
}

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock on a connection of
 * its own, so replicas that start together migrate once and the others wait for it.
 */
export async function migrate(orm: MikroORM, url: string): Promise<string[]> {
  const lock = new pg.Client(sideConnection(orm, url));
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await orm.getMigrator().up();
    await syncCurrencies(lock);
    return applied.map((m) => m.name);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}
