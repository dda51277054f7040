import path from 'node:path';
import { crossChecks, envSchema, splitList, type Env, type RawEnv } from './env.js';

export type { RawEnv } from './env.js';

/**
 * The only reader of process.env (its variables and their rules: env.ts). Everything is
 * validated at once so that a bad deployment learns about every problem in one start-up, not
 * one per restart; the `Config` every part reads is derived from the parsed variables.
 */

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The configuration every part reads: derived from the environment schema (`toConfig`), never written twice. */
export type Config = ReturnType<typeof toConfig>;

/** PEM values often arrive with literal "\n" in one-line environment files. */
const pem = (v: string | undefined) => v?.replace(/\\n/g, '\n');

export function loadConfig(env: RawEnv = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  problems.push(...crossChecks(env));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return toConfig(parsed.data, cwd);
}

/** The parsed environment shaped as the parts read it. */
function toConfig(e: Env, cwd: string) {
  const dataDir = path.resolve(cwd, e.DATA_DIR);
  const localHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  return {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    http: {
      port: e.PORT,
      host: e.HOST,
      publicUrl: (e.PUBLIC_URL ?? `http://${localHost}:${e.PORT}`).replace(/\/$/, ''),
      trustProxy: e.TRUST_PROXY,
      corsOrigins: splitList(e.CORS_ORIGINS).map((o) => new URL(o).origin),
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      /** GET /metrics: open (outside production, no token), behind this bearer token, or not served (production, no token). */
      metrics: e.METRICS_TOKEN ? { token: e.METRICS_TOKEN } : e.NODE_ENV === 'production' ? ('off' as const) : ('open' as const),
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      webAppDir: e.WEB_APP_DIR,
    },
    logLevel: e.LOG_LEVEL,
    dataDir,
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      /** Path of the CA certificate PostgreSQL's certificate is checked against (DATABASE_SSL_CA). */
      sslCa: e.DATABASE_SSL_CA,
      embeddedDir: path.resolve(cwd, e.EMBEDDED_PG_DIR ?? path.join(dataDir, 'postgres')),
      /** True when EMBEDDED_PG_DIR named embeddedDir: it is then used as is, also as root. */
      embeddedDirChosen: e.EMBEDDED_PG_DIR !== undefined,
      embeddedPort: e.EMBEDDED_PG_PORT,
      /** MIGRATE_ON_START: apply migrations at start-up (under the advisory lock), or only check that none is pending. */
      migrateOnStart: e.MIGRATE_ON_START,
    },
    redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX, commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS },
    /** false: no wallet read cache and no response cache, every read goes to PostgreSQL (benchmarks, debugging). */
    cache: { enabled: e.CACHE_ENABLED },
    jwt: {
      privateKeyPem: pem(e.JWT_PRIVATE_KEY),
      publicKeyPem: pem(e.JWT_PUBLIC_KEY),
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTtlSeconds: e.JWT_ACCESS_TTL_SECONDS,
      refreshTtlSeconds: e.JWT_REFRESH_TTL_SECONDS,
    },
    /** Seals history cursors; unset: derived from the JWT private key, which replicas share too. */
    cursorSecret: e.CURSOR_SECRET,
    rateLimits: {
      loginPerEmail: e.RATE_LIMIT_LOGIN_PER_EMAIL,
      loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
      loginWindowSeconds: e.RATE_LIMIT_LOGIN_WINDOW_SECONDS,
      signupPerIp: e.RATE_LIMIT_SIGNUP_PER_IP,
      signupPerEmail: e.RATE_LIMIT_SIGNUP_PER_EMAIL,
      signupWindowSeconds: e.RATE_LIMIT_SIGNUP_WINDOW_SECONDS,
      mutationsPerUser: e.RATE_LIMIT_MUTATIONS_PER_USER,
      expensivePerUser: e.RATE_LIMIT_EXPENSIVE_PER_USER,
      userWindowSeconds: e.RATE_LIMIT_USER_WINDOW_SECONDS,
      recipientLookupsPerUser: e.RATE_LIMIT_RECIPIENT_LOOKUPS_PER_USER,
      recipientWindowSeconds: e.RATE_LIMIT_RECIPIENT_WINDOW_SECONDS,
      passwordResetPerEmail: e.RATE_LIMIT_PASSWORD_RESET_PER_EMAIL,
      passwordResetPerIp: e.RATE_LIMIT_PASSWORD_RESET_PER_IP,
      passwordResetWindowSeconds: e.RATE_LIMIT_PASSWORD_RESET_WINDOW_SECONDS,
      accountMailsPerUser: e.RATE_LIMIT_ACCOUNT_MAILS_PER_USER,
      accountMailsWindowSeconds: e.RATE_LIMIT_ACCOUNT_MAILS_WINDOW_SECONDS,
      tokenAttemptsPerIp: e.RATE_LIMIT_TOKEN_ATTEMPTS_PER_IP,
      tokenAttemptsWindowSeconds: e.RATE_LIMIT_TOKEN_ATTEMPTS_WINDOW_SECONDS,
    },
    mail: {
      /** Unset: the development mailbox (/dev/mailbox); production requires it. */
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      sendTimeoutSeconds: e.MAIL_SEND_TIMEOUT_SECONDS,
      maxAttempts: e.MAIL_MAX_ATTEMPTS,
      retryBaseSeconds: e.MAIL_RETRY_BASE_SECONDS,
      workerIntervalMs: e.MAIL_WORKER_INTERVAL_MS,
    },
    accounts: {
      webAppUrl: (e.WEB_APP_URL ?? e.PUBLIC_URL ?? `http://${localHost}:${e.PORT}`).replace(/\/$/, ''),
      verificationRequired: e.EMAIL_VERIFICATION_REQUIRED ?? e.NODE_ENV === 'production',
      verifyTtlSeconds: e.EMAIL_VERIFICATION_TTL_SECONDS,
      resetTtlSeconds: e.PASSWORD_RESET_TTL_SECONDS,
    },
    retention: {
      idempotencyDays: e.RETENTION_IDEMPOTENCY_DAYS,
      sessionDays: e.RETENTION_SESSION_DAYS,
      webhookDays: e.RETENTION_WEBHOOK_DAYS,
      mailDays: e.RETENTION_MAIL_DAYS,
      jobIntervalMs: e.RETENTION_JOB_INTERVAL_MS,
    },
    websocket: {
      initTimeoutMs: e.WS_INIT_TIMEOUT_MS,
      maxConnectionsPerIp: e.WS_MAX_CONNECTIONS_PER_IP,
      maxConnectionsPerUser: e.WS_MAX_CONNECTIONS_PER_USER,
      maxSubscriptionsPerUser: e.WS_MAX_SUBSCRIPTIONS_PER_USER,
      maxAnonymousConnectionsPerIp: e.WS_MAX_ANONYMOUS_CONNECTIONS_PER_IP,
      anonymousIdleMs: e.WS_ANONYMOUS_IDLE_MS,
    },
    payments: {
      provider: e.PAYMENT_PROVIDER,
      paystack: { secretKey: e.PAYSTACK_SECRET_KEY, baseUrl: e.PAYSTACK_BASE_URL },
      providerTimeoutMs: e.PROVIDER_TIMEOUT_MS,
      sandboxPayoutDelayMs: e.SANDBOX_PAYOUT_DELAY_MS,
      jobIntervalMs: e.PAYMENTS_JOB_INTERVAL_MS,
      jobConcurrency: e.PAYMENTS_JOB_CONCURRENCY,
      recheckAfterSeconds: e.PAYMENTS_RECHECK_AFTER_SECONDS,
      systemAccountShards: e.LEDGER_SYSTEM_ACCOUNT_SHARDS,
      depositExpirySeconds: e.DEPOSIT_EXPIRY_SECONDS,
      maxDeposit: e.LIMIT_DEPOSIT_MAX,
      maxBalance: e.LIMIT_BALANCE_MAX,
    },
    cards: {
      issuer: e.CARD_ISSUER,
      sandboxSecret: e.SANDBOX_CARD_SECRET,
      flutterwave: {
        secretKey: e.FLUTTERWAVE_SECRET_KEY,
        secretHash: e.FLUTTERWAVE_SECRET_HASH,
        baseUrl: (e.FLUTTERWAVE_BASE_URL ?? 'https://api.flutterwave.com/v3').replace(/\/$/, ''),
      },
      stripe: { secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, apiUrl: e.STRIPE_API_URL },
    },
    monitoring: {
      maxTransaction: e.MONITORING_MAX_TRANSACTION,
      dailyOutflow: e.MONITORING_DAILY_OUTFLOW,
      burstCount: e.MONITORING_BURST_COUNT,
      burstWindowSeconds: e.MONITORING_BURST_WINDOW_SECONDS,
      unusualFactor: e.MONITORING_UNUSUAL_FACTOR,
      newRecipientThreshold: e.MONITORING_NEW_RECIPIENT_THRESHOLD,
    },
    graphql: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxCost: e.GRAPHQL_MAX_COST,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxDocumentBytes: e.GRAPHQL_MAX_DOCUMENT_BYTES,
      apqStoreMaxBytes: e.APQ_STORE_MAX_BYTES,
    },
  };
}
