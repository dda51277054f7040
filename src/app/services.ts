import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { EventBus } from '../cache/pubsub.js';
import { RateLimit } from '../cache/rate-limit.js';
import type { RedisHandle } from '../cache/redis.js';
import { CacheGenerations } from '../cache/response-cache.js';
import { UserLimits } from '../cache/user-limits.js';
import { RetentionRepository } from '../domain/retention/retention.repository.js';
import { SessionAllowlist } from '../cache/session-allowlist.js';
import { WalletCache } from '../cache/wallet-cache.js';
import type { Config } from '../config/config.js';
import { Metrics } from '../http/metrics.js';
import { observeCardIssuer, observePaymentProvider } from '../telemetry/provider-calls.js';
import { loadCursorSecret } from '../config/cursor-secret.js';
import { loadSigningKeys } from '../config/jwt-keys.js';
import { AuditService } from '../domain/audit/audit.service.js';
import { AccountService } from '../domain/auth/account.service.js';
import { ALLOWLIST_MARGIN_SECONDS, AuthService } from '../domain/auth/auth.service.js';
import { MailWorker } from '../domain/mail/mail-worker.js';
import { MailOutbox } from '../domain/mail/mail-outbox.repository.js';
import { DevMailbox, SmtpTransport } from '../domain/mail/transport.js';
import { PasswordHasher } from '../domain/auth/password.js';
import { TokenService } from '../domain/auth/tokens.js';
import { CardAuthorizationService } from '../domain/cards/card-authorization.service.js';
import { CardFundingService } from '../domain/cards/card-funding.service.js';
import { CardRepository } from '../domain/cards/card.repository.js';
import { CardSettlementService } from '../domain/cards/card-settlement.service.js';
import { CardWebhookService } from '../domain/cards/card-webhook.service.js';
import { CardService } from '../domain/cards/card.service.js';
import { CurrencyService } from '../domain/currencies/currency.service.js';
import { ChangeEvents } from '../domain/events/change-events.js';
import { accountCodec } from '../domain/events/event-payloads.js';
import { LiveUpdates } from '../domain/events/live-updates.js';
import { Topic, type PlatformEvents, type TopicPayloads } from '../domain/events/topics.js';
import { IdempotencyService } from '../domain/idempotency/idempotency.service.js';
import { trackLedgerChanges } from '../domain/ledger/ledger-changes.js';
import { LedgerService, type LedgerAccount } from '../domain/ledger/ledger.service.js';
import { MonitoringService } from '../domain/monitoring/monitoring.service.js';
import { BankAccounts } from '../domain/payments/bank-accounts.js';
import { DepositService } from '../domain/payments/deposit.service.js';
import { PaymentRecovery } from '../domain/payments/payment-recovery.js';
import { PaymentWebhookService } from '../domain/payments/payment-webhook.service.js';
import { WithdrawalService } from '../domain/payments/withdrawal.service.js';
import { HistoryCursors } from '../domain/transactions/history-cursor.js';
import { TransactionRepository } from '../domain/transactions/transaction.repository.js';
import { TransactionService } from '../domain/transactions/transaction.service.js';
import { UserService } from '../domain/users/user.service.js';
import { TransferService } from '../domain/wallets/transfer.service.js';
import { WalletService } from '../domain/wallets/wallet.service.js';
import type { CardIssuer } from '../providers/card-issuer.js';
import type { PaymentProvider } from '../providers/payment-provider.js';
import { createCardIssuer, createPaymentProvider } from '../providers/registry.js';
import type { Services } from '../schema/services.js';

const WALLET_CACHE_TTL_SECONDS = 30;

/** The services and what the routes and jobs need beside them. */
export interface Wiring {
  services: Services;
  passwords: PasswordHasher;
  provider: PaymentProvider;
  issuer: CardIssuer;
  paymentWebhooks: PaymentWebhookService;
  /** The job of rule 8 (app/jobs.ts). */
  paymentRecovery: PaymentRecovery;
  /** Deletes what has stopped mattering (RETENTION_*): run by app/jobs.ts. */
  retention: RetentionRepository;
  cardWebhooks: CardWebhookService;
  bus: PlatformEvents;
  generations: CacheGenerations;
  /** The wallet read cache (undefined with CACHE_ENABLED=false). */
  walletCache?: WalletCache<LedgerAccount>;
  /** GET /metrics: process, HTTP, GraphQL and business metrics (provider calls, webhooks, ...). */
  metrics: Metrics;
  /** Sends what the mail outbox holds: run by app/jobs.ts. */
  mailWorker: MailWorker;
}

/** Builds every service once, at boot, from the configuration and the connections. */
export async function buildServices(config: Config, orm: MikroORM, redis: RedisHandle, log: Logger): Promise<Wiring> {
  const passwords = new PasswordHasher();
  const metrics = new Metrics();
  const tokens = new TokenService(await loadSigningKeys(config, log), config.jwt);
  const rl = config.rateLimits;
  const outbox = new MailOutbox();
  const auth = new AuthService(
    tokens,
    passwords,
    {
      loginPerEmail: new RateLimit(redis.client, { name: 'login-email', points: rl.loginPerEmail, windowSeconds: rl.loginWindowSeconds }),
      loginPerIp: new RateLimit(redis.client, { name: 'login-ip', points: rl.loginPerIp, windowSeconds: rl.loginWindowSeconds }),
      signupPerEmail: new RateLimit(redis.client, {
        name: 'signup-email',
        points: rl.signupPerEmail,
        windowSeconds: rl.signupWindowSeconds,
      }),
      signupPerIp: new RateLimit(redis.client, { name: 'signup-ip', points: rl.signupPerIp, windowSeconds: rl.signupWindowSeconds }),
    },
    new SessionAllowlist(redis.client, config.jwt.accessTtlSeconds + ALLOWLIST_MARGIN_SECONDS),
    config.jwt,
    log,
    outbox,
  );
  const limit = (name: string, points: number, windowSeconds: number) => new RateLimit(redis.client, { name, points, windowSeconds });
  const accounts = new AccountService(
    auth,
    passwords,
    outbox,
    {
      resetPerEmail: limit('reset-email', rl.passwordResetPerEmail, rl.passwordResetWindowSeconds),
      resetPerIp: limit('reset-ip', rl.passwordResetPerIp, rl.passwordResetWindowSeconds),
      mailsPerUser: limit('account-mails', rl.accountMailsPerUser, rl.accountMailsWindowSeconds),
      tokenAttemptsPerIp: limit('token-attempts-ip', rl.tokenAttemptsPerIp, rl.tokenAttemptsWindowSeconds),
    },
    config.accounts,
  );
  const mail = config.mail;
  const mailWorker = new MailWorker(
    outbox,
    () => orm.em.fork(),
    mail.smtpUrl
      ? new SmtpTransport(mail.smtpUrl, mail.sendTimeoutSeconds * 1000)
      : new DevMailbox(log, `${config.http.publicUrl}/dev/mailbox`),
    (tx, row) => accounts.prepareMail(tx, row),
    {
      from: mail.from,
      messageIdHost: new URL(config.http.publicUrl).hostname,
      leaseSeconds: mail.sendTimeoutSeconds * 3,
      maxAttempts: mail.maxAttempts,
      retryBaseSeconds: mail.retryBaseSeconds,
      batch: 20,
    },
    log,
  );
  const users = new UserService();
  const ledger = new LedgerService(config.payments.systemAccountShards);
  // CACHE_ENABLED=false: no wallet read cache, every wallet and history read goes to PostgreSQL.
  const walletCache = config.cache.enabled ? new WalletCache(redis.client, WALLET_CACHE_TTL_SECONDS, log, accountCodec) : undefined;
  const wallets = new WalletService(walletCache);
  const transactionRepo = new TransactionRepository();
  const historyCursors = new HistoryCursors(await loadCursorSecret(config, log));
  const idempotency = new IdempotencyService();
  const monitoring = new MonitoringService(config.monitoring);
  const audit = new AuditService();
  // Every call to the provider and the issuer is counted and timed (provider_calls_total).
  const provider = observePaymentProvider(createPaymentProvider(config, orm), metrics);
  const transfers = new TransferService(idempotency, monitoring, audit, transactionRepo, wallets);
  const bankAccounts = new BankAccounts(provider);
  const deposits = new DepositService(provider, ledger, transactionRepo, idempotency, monitoring, audit, config.payments, log);
  const withdrawals = new WithdrawalService(
    provider,
    bankAccounts,
    ledger,
    wallets,
    transactionRepo,
    idempotency,
    monitoring,
    audit,
    config.payments,
    log,
  );
  const paymentWebhooks = new PaymentWebhookService(deposits, withdrawals, audit, log);
  const paymentRecovery = new PaymentRecovery(provider, deposits, withdrawals, config.payments, log);
  const issuer = observeCardIssuer(await createCardIssuer(config, orm, log), metrics);
  const cardRepo = new CardRepository();
  const cardFunding = new CardFundingService(issuer, cardRepo, ledger, transactionRepo, idempotency, audit);
  const cards = new CardService(issuer, cardRepo, cardFunding, ledger, transactionRepo, wallets, idempotency, users, audit);
  const cardSettlements = new CardSettlementService(cardRepo, cardFunding, ledger, transactionRepo, monitoring);
  const cardPurchases = new CardAuthorizationService(cards, cardSettlements, ledger, transactionRepo, monitoring, idempotency);
  const cardWebhooks = new CardWebhookService(cardRepo, cardPurchases, cardSettlements, audit);
  // Events leave on the app's own connection (with Redis), after the cache invalidations and
  // generation bumps of the same commit and in the same socket write: one round trip after a
  // commit, and Redis applies them in the order they were issued.
  const sharedConnection = redis.mode === 'redis' ? redis.client : undefined;
  const bus = EventBus.create<TopicPayloads>(config.redis, log, sharedConnection);
  const generations = new CacheGenerations(redis.client);
  redis.onReconnect(() => void generations.resend());
  redis.onReconnect(() => void walletCache?.resend());
  const changeEvents = new ChangeEvents(bus, ledger, transactionRepo, generations, bus.publisher !== undefined);
  // A revoked session's open subscriptions close on every replica.
  auth.onRevoked((sessionIds) => bus.publish(Topic.SESSION_REVOKED, 'all', { sessionIds }));
  const userLimits = new UserLimits(redis.client, {
    mutations: { name: 'user-mutations', points: rl.mutationsPerUser, windowSeconds: rl.userWindowSeconds },
    expensive: { name: 'user-expensive', points: rl.expensivePerUser, windowSeconds: rl.userWindowSeconds },
    recipients: { name: 'user-recipients', points: rl.recipientLookupsPerUser, windowSeconds: rl.recipientWindowSeconds },
  });
  const services: Services = {
    userLimits,
    auth,
    accounts,
    users,
    currencies: new CurrencyService(),
    ledger,
    wallets,
    transfers,
    transactions: new TransactionService(transactionRepo, historyCursors, walletCache),
    deposits,
    withdrawals,
    bankAccounts,
    cards,
    cardFunding,
    cardPurchases,
    cardSettlements,
    events: bus,
    live: new LiveUpdates(bus, wallets, cards, () => orm.em.fork()),
    accountChanged: (userId) => generations.bump([userId]),
    track: (work) =>
      trackLedgerChanges(work, async (changes, succeeded) => {
        // Issued first (synchronously), so on the shared connection the invalidations precede
        // the bumps and events afterCommit issues, in the same socket write when it reads nothing.
        const invalidated = walletCache?.invalidate(changes);
        await Promise.all([
          invalidated,
          changeEvents
            .afterCommit(orm.em.fork(), changes, succeeded)
            .catch((err: Error) => log.warn({ err: err.message }, 'cache generations or events not sent')),
        ]);
      }),
  };
  const retention = new RetentionRepository();
  return {
    services,
    passwords,
    provider,
    issuer,
    paymentWebhooks,
    paymentRecovery,
    retention,
    cardWebhooks,
    bus,
    generations,
    walletCache,
    metrics,
    mailWorker,
  };
}
