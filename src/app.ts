import type { MikroORM } from '@mikro-orm/postgresql';
import pino, { type Logger } from 'pino';
import { RateLimit } from './cache/rate-limit.js';
import { connectRedis, type RedisHandle } from './cache/redis.js';
import { RevocationCache } from './cache/revocation.js';
import type { Config } from './config/config.js';
import { loadSigningKeys } from './config/jwt-keys.js';
import { loadCursorSecret } from './config/cursor-secret.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded-postgres.js';
import { migrate, openOrm } from './db/orm.js';
import { AuthService } from './domain/auth/auth.service.js';
import { PasswordHasher } from './domain/auth/password.js';
import { TokenService } from './domain/auth/tokens.js';
import { CurrencyService } from './domain/currencies/currency.service.js';
import { UserService } from './domain/users/user.service.js';
import { AuditService } from './domain/audit/audit.service.js';
import { IdempotencyService } from './domain/idempotency/idempotency.service.js';
import { LedgerService } from './domain/ledger/ledger.service.js';
import { MonitoringService } from './domain/monitoring/monitoring.service.js';
import { TransactionRepository } from './domain/transactions/transaction.repository.js';
import { TransactionService } from './domain/transactions/transaction.service.js';
import { HistoryCursors } from './domain/transactions/history-cursor.js';
import { TransferService } from './domain/wallets/transfer.service.js';
import { WalletService } from './domain/wallets/wallet.service.js';
import { buildHttpServer, loggerOptions, type HttpServer } from './http/server.js';
import type { Readiness } from './http/health.js';
import { buildApiSchema, type Services } from './schema/build-schema.js';
import { PaymentService } from './domain/payments/payment.service.js';
import { registerSandboxCheckout } from './http/sandbox-checkout.js';
import { registerWebhookRoutes, type WebhookRoute } from './http/webhooks.js';
import { CardWebhookService } from './domain/cards/card-webhook.service.js';
import { createCardIssuer, createPaymentProvider } from './providers/registry.js';
import { CardService } from './domain/cards/card.service.js';
import { CardAuthorizationService } from './domain/cards/card-authorization.service.js';
import { SandboxIssuer } from './providers/sandbox/sandbox.issuer.js';
import { registerSandboxCardPage } from './http/sandbox-cards.js';
import { WalletCache } from './cache/wallet-cache.js';
import { ChangeEvents } from './cache/change-events.js';
import { LiveUpdates } from './cache/live-updates.js';
import { EventBus, Topic } from './cache/pubsub.js';
import { CacheGenerations } from './cache/response-cache.js';
import { trackLedgerChanges } from './domain/ledger/ledger-changes.js';
import { SandboxProvider } from './providers/sandbox/sandbox.provider.js';

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
  walletCache?: WalletCache;
  /** Resolves once migrations have been applied. */
  migrated: Promise<void>;
  /** The URL it listens on, once `listen` resolved. */
  listen(): Promise<string>;
  /** Graceful: finish requests in flight, close WebSockets, then PostgreSQL and Redis. */
  close(): Promise<void>;
}

const MIGRATION_RETRY_MS = 2_000;
const REVOCATION_RESYNC_MS = 30_000;
const WALLET_CACHE_TTL_SECONDS = 30;

/**
 * Wires the whole service from its configuration. PostgreSQL not being reachable does not
 * stop it from starting: it answers /healthz and reports not ready on /readyz until it has
 * connected and migrated.
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

  const orm = await openOrm(databaseUrl, config.database.poolMax);
  const redis = await connectRedis(config.redis, log);

  const passwords = new PasswordHasher();
  const tokens = new TokenService(await loadSigningKeys(config, log), config.jwt);
  const rl = config.rateLimits;
  const auth = new AuthService(
    tokens,
    passwords,
    {
      loginPerEmail: new RateLimit(redis.client, { name: 'login-email', points: rl.loginPerEmail, windowSeconds: rl.loginWindowSeconds }),
      loginPerIp: new RateLimit(redis.client, { name: 'login-ip', points: rl.loginPerIp, windowSeconds: rl.loginWindowSeconds }),
      signupPerEmail: new RateLimit(redis.client, { name: 'signup-email', points: rl.signupPerEmail, windowSeconds: rl.signupWindowSeconds }),
      signupPerIp: new RateLimit(redis.client, { name: 'signup-ip', points: rl.signupPerIp, windowSeconds: rl.signupWindowSeconds }),
    },
    // Entries outlive the longest access token by a minute.
    new RevocationCache(redis.client, config.jwt.accessTtlSeconds + 60),
    config.jwt,
    log,
  );
  const readiness: Readiness = { migrated: false };
  const users = new UserService();
  const ledger = new LedgerService();
  // CACHE_ENABLED=false: no wallet read cache, every wallet and history read goes to PostgreSQL.
  const walletCache = config.cache.enabled ? new WalletCache(redis.client, WALLET_CACHE_TTL_SECONDS, log) : undefined;
  const wallets = new WalletService(walletCache);
  const transactionRepo = new TransactionRepository();
  const historyCursors = new HistoryCursors(await loadCursorSecret(config, log));
  const idempotency = new IdempotencyService();
  const monitoring = new MonitoringService(config.monitoring);
  const audit = new AuditService();
  const provider = createPaymentProvider(config, orm);
  const transfers = new TransferService(idempotency, monitoring, audit);
  const payments = new PaymentService(
    provider,
    ledger,
    wallets,
    transactionRepo,
    idempotency,
    monitoring,
    audit,
    config.payments,
    log,
  );
  const currencies = new CurrencyService();
  const issuer = await createCardIssuer(config, orm, log);
  const cards = new CardService(issuer, ledger, wallets, transactionRepo, idempotency, users, audit);
  const cardPurchases = new CardAuthorizationService(cards, ledger, transactionRepo, monitoring, idempotency);
  const cardWebhooks = new CardWebhookService(cards.repo, cardPurchases, audit);
  const bus = EventBus.create(config.redis, log);
  const generations = new CacheGenerations(redis.client);
  redis.onReconnect(() => void generations.resend());
  const changeEvents = new ChangeEvents(bus, ledger, transactionRepo, generations);
  // A revoked session's open subscriptions close on every replica.
  auth.onRevoked((sessionIds) => bus.publish(Topic.SESSION_REVOKED, 'all', { sessionIds }));
  const services: Services = {
    auth,
    users,
    currencies,
    ledger,
    wallets,
    transfers,
    transactions: new TransactionService(transactionRepo, historyCursors, walletCache),
    payments,
    cards,
    cardPurchases,
    events: bus,
    live: new LiveUpdates(bus, wallets, cards, () => orm.em.fork()),
    track: (work) =>
      trackLedgerChanges(work, async (changes, succeeded) => {
        await walletCache?.invalidate(changes);
        await changeEvents
          .afterCommit(orm.em.fork(), changes, succeeded)
          .catch((err: Error) => log.warn({ err: err.message }, 'cache generations or events not sent'));
      }),
  };
  // The denylist in Redis is rewritten from PostgreSQL when Redis comes back, and on an
  // interval, so a lost write or a flushed Redis cannot revive a session for long.
  const resync = () => {
    if (!readiness.migrated || !redis.isUp()) return;
    auth.resyncRevocations(orm.em.fork()).catch((err: Error) => log.warn({ err: err.message }, 'revocation resync failed'));
  };
  redis.onReconnect(resync);
  redis.onReconnect(() => void walletCache?.resend());
  const resyncTimer = setInterval(resync, REVOCATION_RESYNC_MS);
  resyncTimer.unref();

  const schema = await buildApiSchema(services);
  const http = await buildHttpServer({ config, orm, redis, schema, services, readiness, logger: log, generations });
  const webhookRoutes: WebhookRoute[] = [
    {
      name: provider.name,
      handle: async (body, request) => {
        const result = await services.track(() =>
          payments.handleWebhook(orm.em.fork(), provider, body, request.headers, { requestId: request.id, ip: request.ip }),
        );
        return { status: result.status, body: { outcome: result.outcome } };
      },
    },
  ];
  if (issuer.parseWebhook) {
    webhookRoutes.push({
      name: issuer.name,
      handle: (body, request) =>
        services.track(() => cardWebhooks.handle(orm.em.fork(), issuer, body, request.headers, { requestId: request.id, ip: request.ip })),
    });
  }
  await registerWebhookRoutes(http.fastify, webhookRoutes);
  if (provider instanceof SandboxProvider) {
    registerSandboxCheckout(http.fastify, { orm, sandbox: provider, services });
  }
  if (issuer instanceof SandboxIssuer) registerSandboxCardPage(http.fastify, { issuer });

  // Rule 8: settle what is due and ask the provider about what waits, on an interval and at
  // start-up. Leases in the payments table keep replicas from doing the same one twice.
  let jobRun: Promise<void> | undefined;
  const runPaymentJobs = () => {
    if (jobRun || !readiness.migrated) return;
    jobRun = (async () => {
      try {
        while ((await services.track(() => payments.runDue(orm.em.fork()))) > 0 && !closing);
      } catch (err) {
        log.error({ err }, 'payment job failed; it runs again on the next tick');
      } finally {
        jobRun = undefined;
      }
    })();
  };
  const jobTimer = setInterval(runPaymentJobs, config.payments.jobIntervalMs);
  jobTimer.unref();

  let closing = false;
  const migrated = (async () => {
    for (;;) {
      try {
        const applied = await migrate(orm, databaseUrl);
        if (applied.length > 0) log.info({ applied }, 'migrations applied');
        readiness.migrated = true;
        runPaymentJobs();
        return;
      } catch (err) {
        if (closing) return;
        log.error({ err: (err as Error).message }, `migrations could not run; retrying in ${MIGRATION_RETRY_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, MIGRATION_RETRY_MS));
        if (closing) return;
      }
    }
  })();

  return {
    config,
    log,
    orm,
    redis,
    services,
    passwords,
    http,
    readiness,
    generations,
    walletCache,
    migrated,
    async listen() {
      return http.fastify.listen({ port: config.http.port, host: config.http.host });
    },
    async close() {
      closing = true;
      clearInterval(resyncTimer);
      clearInterval(jobTimer);
      await jobRun;
      await http.close();
      await Promise.allSettled([orm.close(true), redis.close(), bus.close()]);
      await embedded?.stop();
    },
  };
}
