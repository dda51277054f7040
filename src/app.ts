import type { MikroORM } from '@mikro-orm/postgresql';
import pino, { type Logger } from 'pino';
import { connectRedis, type RedisHandle } from './cache/redis.js';
import type { CacheGenerations } from './cache/response-cache.js';
import type { WalletCache } from './cache/wallet-cache.js';
import type { Config } from './config/config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded-postgres.js';
import { migrate, openOrm } from './db/orm.js';
import type { PasswordHasher } from './domain/auth/password.js';
import type { LedgerAccount } from './domain/ledger/ledger.service.js';
import type { Readiness } from './http/health.js';
import { buildHttpServer, loggerOptions, type HttpServer } from './http/server.js';
import { buildApiSchema } from './schema/build-schema.js';
import type { Services } from './schema/services.js';
import { startJobs } from './app/jobs.js';
import { registerRoutes } from './app/routes.js';
import { buildServices } from './app/services.js';

export interface App {
  config: Config;
  log: Logger;
  orm: MikroORM;
  redis: RedisHandle;
  services: Services;
  passwords: PasswordHasher;
  http: HttpServer;
  readiness: Readiness;
  /** Per-user response-cache generations (bumping one makes that user's cached answers unreachable). */
  generations: CacheGenerations;
  /** The wallet read cache (undefined with CACHE_ENABLED=false). */
  walletCache?: WalletCache<LedgerAccount>;
  /** Resolves once migrations have been applied (with MIGRATE_ON_START=false: once none is pending). */
  migrated: Promise<void>;
  /** The URL it listens on, once `listen` resolved. */
  listen(): Promise<string>;
  /** Graceful: finish requests in flight, close WebSockets, then PostgreSQL and Redis. */
  close(): Promise<void>;
}

const MIGRATION_RETRY_MS = 2_000;

/**
 * The migrations of this build that the database has not recorded (MIGRATE_ON_START=false),
 * read with SELECTs only: unlike MikroORM's `getPendingMigrations`, nothing is created (the
 * server's role may lack DDL rights; an empty database stays empty until the release step).
 */
async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const { tableName = 'mikro_orm_migrations', migrationsList = [] } = orm.config.get('migrations');
  const connection = orm.em.getConnection();
  const [{ present }] = await connection.execute<{ present: boolean }[]>('select to_regclass(cast(? as text)) is not null as present', [
    tableName,
  ]);
  const recorded = present ? await connection.execute<{ name: string }[]>(`select name from "${tableName}"`) : [];
  const applied = new Set(recorded.map((row) => row.name));
  return migrationsList.map((m) => m.name).filter((name) => !applied.has(name));
}

/**
 * Wires the whole service from its configuration: the connections, the services
 * (`app/services.ts`), the HTTP server with its routes (`app/routes.ts`) and the background jobs
 * (`app/jobs.ts`). PostgreSQL not being reachable does not stop it from starting: it answers
 * /healthz and reports not ready on /readyz until it has connected and migrated.
 */
export async function createApp(
  config: Config,
  /** `embedded`: the embedded PostgreSQL, already starting (without DATABASE_URL). */
  opts: { log?: Logger; embedded?: Promise<EmbeddedDatabase> } = {},
): Promise<App> {
  const log = opts.log ?? pino(loggerOptions(config));

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    embedded = await (opts.embedded ??
      startEmbeddedPostgres(config.database.embeddedDir, config.database.embeddedPort, log, {
        dirChosen: config.database.embeddedDirChosen,
      }));
    databaseUrl = embedded.url;
  }

  const orm = await openOrm(databaseUrl, config.database.poolMax, embedded ? undefined : config.database.sslCa);
  const redis = await connectRedis(config.redis, log);
  const readiness: Readiness = { migrated: false };
  const wiring = await buildServices(config, orm, redis, log);
  const { services, generations } = wiring;

  const schema = await buildApiSchema(services);
  const http = await buildHttpServer({
    config,
    orm,
    redis,
    schema,
    services,
    readiness,
    logger: log,
    generations,
    metrics: wiring.metrics,
  });
  await registerRoutes(http, orm, wiring);
  const jobs = startJobs(config, orm, redis, services, wiring.paymentRecovery, wiring.retention, wiring.mailWorker, readiness, log);

  let closing = false;
  // MIGRATE_ON_START (default): apply the migrations under the advisory lock. Off: migrating is
  // a release step (the migrate CLI); the server only checks, and stays not ready until none is
  // pending. Either way `migrated` resolves once the schema fits this build.
  let lastPending = '';
  const schemaReady = async (check: number): Promise<boolean> => {
    if (config.database.migrateOnStart) {
      const applied = await migrate(orm, databaseUrl);
      if (applied.length > 0) log.info({ applied }, 'migrations applied');
      return true;
    }
    const pending = await pendingMigrations(orm);
    if (pending.length === 0) {
      log.info('MIGRATE_ON_START=false: no migration is pending; the schema is up to date');
      return true;
    }
    // Said when the list changes, and once a minute while it stays.
    if (pending.join() !== lastPending || check % Math.ceil(60_000 / MIGRATION_RETRY_MS) === 0) {
      log.warn(
        { pending },
        `MIGRATE_ON_START=false and the database lacks ${pending.length} migration(s) of this build: not ready (503 on /readyz) ` +
          'until they are applied (run `node dist/src/cli/migrate.js`, `npm run migrate:built`, or the release job); checking again every ' +
          `${MIGRATION_RETRY_MS} ms`,
      );
      lastPending = pending.join();
    }
    return false;
  };
  const migrated = (async () => {
    for (let check = 0; ; check++) {
      try {
        if (await schemaReady(check)) {
          readiness.migrated = true;
          jobs.migrated();
          return;
        }
      } catch (err) {
        if (closing) return;
        const what = config.database.migrateOnStart ? 'migrations could not run' : 'pending migrations could not be checked';
        log.error({ err: (err as Error).message }, `${what}; retrying in ${MIGRATION_RETRY_MS} ms`);
      }
      if (closing) return;
      await new Promise((resolve) => setTimeout(resolve, MIGRATION_RETRY_MS));
      if (closing) return;
    }
  })();

  return {
    config,
    log,
    orm,
    redis,
    services,
    passwords: wiring.passwords,
    http,
    readiness,
    generations,
    walletCache: wiring.walletCache,
    migrated,
    async listen() {
      return http.fastify.listen({ port: config.http.port, host: config.http.host });
    },
    async close() {
      closing = true;
      await jobs.stop();
      await http.close();
      await Promise.allSettled([orm.close(true), redis.close(), wiring.bus.close()]);
      await embedded?.stop();
    },
  };
}
