import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { loadConfig } from './src/config/config.js';
import { postgresSsl } from './src/db/tls.js';
import { entities } from './src/domain/entities.js';
import { migrations } from './src/migrations/index.js';

export interface OrmConfigInput {
  /** postgres:// connection URL. */
  url: string;
  poolMax?: number;
  debug?: boolean;
  /** PEM file of the CA behind PostgreSQL's certificate (DATABASE_SSL_CA); TLS follows the URL's sslmode. */
  sslCa?: string;
}

/** The one ORM configuration, shared by the server, the CLI scripts and the tests. */
export function createOrmConfig({ url, poolMax = 16, debug = false, sslCa }: OrmConfigInput): Options {
  // MikroORM hands knex only host, port, user, password and database from the URL (its
  // sslmode never reaches node-postgres), so TLS is set explicitly, for every pool connection.
  const ssl = postgresSsl(url, sslCa);
  return defineConfig({
    clientUrl: url,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: poolMax, idleTimeoutMillis: 30_000 },
    // A connection attempt must fail fast: readiness and start-up depend on it.
    driverOptions: { connection: { connectionTimeoutMillis: 5_000, ssl } },
    migrations: {
      tableName: 'mikro_orm_migrations',
      // Migrations are listed in code, so the built server, the CLI and the tests
      // (which run the TypeScript sources) all apply exactly the same set.
      migrationsList: migrations,
      path: 'src/migrations',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      silent: true,
      // Migrations are written by hand; no schema snapshots beside them.
      snapshot: false,
    },
    // Entities are never lazily discovered from the file system: the list above is the truth.
    discovery: { warnWhenNoEntities: true, requireEntitiesArray: true },
    forceUtcTimezone: true,
    // A typo in DATABASE_URL must not quietly start an empty database.
    ensureDatabase: false,
    debug,
    allowGlobalContext: false,
  });
}

/** For the MikroORM CLI (`npx mikro-orm ...`), which needs DATABASE_URL set. */
export default function cliConfig(): Options {
  const { database } = loadConfig();
  if (!database.url) throw new Error('Set DATABASE_URL to use the MikroORM CLI');
  return createOrmConfig({ url: database.url, sslCa: database.sslCa });
}
