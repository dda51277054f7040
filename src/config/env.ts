import { z } from 'zod';
import { CURRENCY_CODES, defaultLimits, isCurrencyCode, type CurrencyDefinition } from './currencies.js';

/**
 * The environment as the platform reads it: every variable with its type, default and check
 * (`envSchema`), and the rules that tie variables together (`crossChecks`). config.ts turns the
 * result into the `Config` every part reads.
 */

const boolish = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();
const port = z.coerce.number().int().min(0).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
const optionalUrl = (protocols: RegExp) =>
  optionalString.refine((v) => v === undefined || (URL.canParse(v) && protocols.test(new URL(v).protocol)), {
    message: 'must be a URL',
  });

/** "a, b,,c": ["a", "b", "c"]. */
export const splitList = (v: string) =>
  v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
/** Scheme, host and port only (what a browser sends in `Origin`); no path, wildcard or credentials. */
const isOrigin = (v: string) => {
  if (!URL.canParse(v)) return false;
  const url = new URL(v);
  return /^https?:$/.test(url.protocol) && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.host.includes('*');
};

/**
 * "NGN=500000,USD=1000": amounts in minor units for the currencies named; every other currency
 * of the catalog (src/config/currencies.ts) keeps its default, so none is without a limit.
 */
const perCurrency = (limit: keyof CurrencyDefinition['limits']) =>
  z
    .string()
    .regex(/^\s*([A-Z]{3}=\d{1,18}\s*(,\s*[A-Z]{3}=\d{1,18}\s*)*)?$/, 'must look like NGN=500000,USD=1000 (minor units)')
    .transform((v, ctx) => {
      const amounts: Record<string, bigint> = defaultLimits(limit);
      for (const part of v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const [code, amount] = part.split('=');
        if (!isCurrencyCode(code)) {
          ctx.addIssue({ code: 'custom', message: `${code} is not a currency of this platform (${CURRENCY_CODES.join(', ')})` });
          return z.NEVER;
        }
        amounts[code] = BigInt(amount);
      }
      return amounts;
    })
    .prefault('');

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: optionalUrl(/^https?:$/),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Whose X-Forwarded-For is believed (Fastify's `trustProxy`): `false`; `true` (anyone's, so
   * any client can claim any address unless only the proxy can reach the server); or the
   * trusted proxies as a comma-separated list of addresses, CIDRs and the names `loopback`,
   * `linklocal`, `uniquelocal` (`10.0.0.5,172.18.0.0/16`).
   */
  TRUST_PROXY: z
    .string()
    .transform((v, ctx): boolean | string[] => {
      const word = v.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(word)) return true;
      if (['false', '0', 'no', ''].includes(word)) return false;
      const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
      const ipv4 = new RegExp(`^${octet}(\\.${octet}){3}$`);
      const valid = (entry: string) => {
        if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
        const [address, prefix, ...rest] = entry.split('/');
        const max = ipv4.test(address) ? 32 : address.includes(':') && URL.canParse(`http://[${address}]/`) ? 128 : 0;
        return max > 0 && rest.length === 0 && (prefix === undefined || (/^\d{1,3}$/.test(prefix) && +prefix >= 1 && +prefix <= max));
      };
      const list = splitList(v);
      const invalid = list.filter((entry) => !valid(entry));
      if (invalid.length === 0) return list;
      ctx.addIssue({
        code: 'custom',
        message: `must be true, false or a comma-separated list of proxy addresses/CIDRs (loopback, linklocal, uniquelocal); not ${invalid.join(', ')}`,
      });
      return z.NEVER;
    })
    .default(false),
  /** Bearer token for GET /metrics; without it production serves no metrics (they name every operation). */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  CORS_ORIGINS: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      for (const origin of splitList(v).filter((o) => !isOrigin(o))) {
        ctx.addIssue({
          code: 'custom',
          message: `"${origin}" is not an origin like https://app.example.com (scheme, host, optional port; no path)`,
        });
      }
    }),
  DATA_DIR: z.string().min(1).default('.data'),
  /** The built web app served at / (`npm run build:web` writes it). */
  WEB_APP_DIR: z.string().min(1).default('dist/web'),

  DATABASE_URL: optionalUrl(/^postgres(ql)?:$/),
  DATABASE_POOL_MAX: positiveInt.default(16),
  /** A PEM file of the CA that signed PostgreSQL's certificate (with sslmode=verify-ca or verify-full). */
  DATABASE_SSL_CA: optionalString,
  EMBEDDED_PG_DIR: optionalString,
  EMBEDDED_PG_PORT: port.default(54329),
  /** false: migrations are a release step (`migrate` CLI); the server only waits, not ready, until none is pending. */
  MIGRATE_ON_START: boolish.default(true),

  REDIS_URL: optionalUrl(/^rediss?:$/),
  REDIS_KEY_PREFIX: z.string().default('wallet:'),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt.default(500),
  CACHE_ENABLED: boolish.default(true),

  JWT_PRIVATE_KEY: optionalString,
  JWT_PUBLIC_KEY: optionalString,
  JWT_ISSUER: z.string().min(1).default('wallet-api'),
  JWT_AUDIENCE: z.string().min(1).default('wallet-api'),
  JWT_ACCESS_TTL_SECONDS: positiveInt.default(15 * 60),
  JWT_REFRESH_TTL_SECONDS: positiveInt.default(30 * 24 * 60 * 60),
  CURSOR_SECRET: optionalString.refine((v) => v === undefined || Buffer.byteLength(v) >= 32, {
    message: 'must be at least 32 bytes',
  }),

  RATE_LIMIT_LOGIN_PER_EMAIL: positiveInt.default(10),
  RATE_LIMIT_LOGIN_PER_IP: positiveInt.default(50),
  RATE_LIMIT_LOGIN_WINDOW_SECONDS: positiveInt.default(15 * 60),
  RATE_LIMIT_SIGNUP_PER_IP: positiveInt.default(20),
  RATE_LIMIT_SIGNUP_PER_EMAIL: positiveInt.default(5),
  RATE_LIMIT_SIGNUP_WINDOW_SECONDS: positiveInt.default(60 * 60),
  RATE_LIMIT_MUTATIONS_PER_USER: positiveInt.default(120),
  RATE_LIMIT_EXPENSIVE_PER_USER: positiveInt.default(30),
  RATE_LIMIT_USER_WINDOW_SECONDS: positiveInt.default(60),
  RATE_LIMIT_RECIPIENT_LOOKUPS_PER_USER: positiveInt.default(30),
  RATE_LIMIT_RECIPIENT_WINDOW_SECONDS: positiveInt.default(60 * 60),
  RATE_LIMIT_PASSWORD_RESET_PER_EMAIL: positiveInt.default(3),
  RATE_LIMIT_PASSWORD_RESET_PER_IP: positiveInt.default(20),
  RATE_LIMIT_PASSWORD_RESET_WINDOW_SECONDS: positiveInt.default(60 * 60),
  /** Verification and email-change mails one user may ask for per window (sign-up's first one is free). */
  RATE_LIMIT_ACCOUNT_MAILS_PER_USER: positiveInt.default(5),
  RATE_LIMIT_ACCOUNT_MAILS_WINDOW_SECONDS: positiveInt.default(60 * 60),
  /** verifyEmail and resetPassword attempts per IP; a success gives its attempt back. */
  RATE_LIMIT_TOKEN_ATTEMPTS_PER_IP: positiveInt.default(30),
  RATE_LIMIT_TOKEN_ATTEMPTS_WINDOW_SECONDS: positiveInt.default(15 * 60),

  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465. Unset: mail goes to the development mailbox (never in production). */
  SMTP_URL: optionalUrl(/^smtps?:$/),
  MAIL_FROM: z.string().min(3).default('Wallet <no-reply@wallet.localhost>'),
  /** Where links in mail lead (the web app's /verify-email and /reset-password); default PUBLIC_URL. */
  WEB_APP_URL: optionalUrl(/^https?:$/),
  /** An unverified user may not send or withdraw; default on in production, off elsewhere. */
  EMAIL_VERIFICATION_REQUIRED: boolish.optional(),
  EMAIL_VERIFICATION_TTL_SECONDS: positiveInt.default(24 * 60 * 60),
  PASSWORD_RESET_TTL_SECONDS: positiveInt.default(30 * 60),
  /** Bounds each SMTP step; a claimed outbox row is this worker's for three times as long. */
  MAIL_SEND_TIMEOUT_SECONDS: positiveInt.default(20),
  /** Attempts before a mail is given up (backoff 10 s, 20 s, … at most an hour between them). */
  MAIL_MAX_ATTEMPTS: positiveInt.default(15),
  /** The first retry's delay; each next one doubles, at most an hour. */
  MAIL_RETRY_BASE_SECONDS: positiveInt.default(10),
  MAIL_WORKER_INTERVAL_MS: positiveInt.default(1000),

  GRAPHQL_MAX_DEPTH: positiveInt.default(10),
  GRAPHQL_MAX_ALIASES: positiveInt.default(15),
  GRAPHQL_MAX_COST: positiveInt.default(50_000),
  GRAPHQL_MAX_TOKENS: positiveInt.default(2000),
  GRAPHQL_MAX_DIRECTIVES: positiveInt.default(50),
  /** The largest document, in UTF-8 bytes with comments and whitespace, checked before parsing. */
  GRAPHQL_MAX_DOCUMENT_BYTES: positiveInt.default(16 * 1024),
  /** What the automatic persisted query store may hold in all; the oldest go first beyond it. */
  APQ_STORE_MAX_BYTES: positiveInt.default(8 * 1024 * 1024),
  WS_INIT_TIMEOUT_MS: positiveInt.default(3_000),
  WS_MAX_CONNECTIONS_PER_IP: positiveInt.default(50),
  WS_MAX_CONNECTIONS_PER_USER: positiveInt.default(10),
  WS_MAX_SUBSCRIPTIONS_PER_USER: positiveInt.default(100),
  /** Connections acknowledged without credentials (Apollo Sandbox opens one), per address. */
  WS_MAX_ANONYMOUS_CONNECTIONS_PER_IP: positiveInt.default(5),
  /** An anonymous connection with no operation in progress this long is closed. */
  WS_ANONYMOUS_IDLE_MS: positiveInt.default(30_000),
  BODY_LIMIT_BYTES: positiveInt.default(100 * 1024),

  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),

  PAYMENT_PROVIDER: z.enum(['sandbox', 'paystack']).default('sandbox'),
  PAYSTACK_SECRET_KEY: optionalString,
  PAYSTACK_BASE_URL: optionalUrl(/^https?:$/),
  PROVIDER_TIMEOUT_MS: positiveInt.default(10_000),
  SANDBOX_PAYOUT_DELAY_MS: z.coerce.number().int().nonnegative().default(1000),
  PAYMENTS_JOB_INTERVAL_MS: positiveInt.default(1000),
  PAYMENTS_RECHECK_AFTER_SECONDS: positiveInt.default(300),
  PAYMENTS_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  // Each system account (settlement, fees) is spread over this many ledger rows (issue 19).
  LEDGER_SYSTEM_ACCOUNT_SHARDS: z.coerce.number().int().min(1).max(256).default(16),
  DEPOSIT_EXPIRY_SECONDS: positiveInt.default(24 * 60 * 60),

  CARD_ISSUER: z.enum(['sandbox', 'stripe', 'flutterwave']).default('sandbox'),
  SANDBOX_CARD_SECRET: optionalString,
  FLUTTERWAVE_SECRET_KEY: optionalString,
  FLUTTERWAVE_SECRET_HASH: optionalString,
  FLUTTERWAVE_BASE_URL: optionalUrl(/^https?:$/),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_URL: optionalUrl(/^https?:$/),

  MONITORING_MAX_TRANSACTION: perCurrency('maxTransaction'),
  MONITORING_DAILY_OUTFLOW: perCurrency('dailyOutflow'),
  MONITORING_BURST_COUNT: positiveInt.default(10),
  MONITORING_BURST_WINDOW_SECONDS: positiveInt.default(60),
  MONITORING_UNUSUAL_FACTOR: positiveInt.default(10),
  MONITORING_NEW_RECIPIENT_THRESHOLD: perCurrency('newRecipientThreshold'),
  LIMIT_DEPOSIT_MAX: perCurrency('maxDeposit'),
  LIMIT_BALANCE_MAX: perCurrency('maxBalance'),

  /** Days kept before the retention job deletes: used idempotency keys, ended sessions, webhook events. */
  RETENTION_IDEMPOTENCY_DAYS: positiveInt.default(30),
  RETENTION_SESSION_DAYS: positiveInt.default(30),
  RETENTION_WEBHOOK_DAYS: positiveInt.default(30),
  /** Days kept: mail the outbox is done with, the development mailbox, used or expired account tokens. */
  RETENTION_MAIL_DAYS: positiveInt.default(30),
  RETENTION_JOB_INTERVAL_MS: positiveInt.default(60 * 60 * 1000),
});

export type RawEnv = Record<string, string | undefined>;

/** The environment once `envSchema` has parsed it. */
export type Env = z.output<typeof envSchema>;

/** What is wrong across variables (production requirements, a provider's keys), from the raw values, so they are reported with malformed ones. */
export function crossChecks(env: RawEnv): string[] {
  const problems: string[] = [];
  const isSet = (name: string) => Boolean(env[name]?.trim());
  const isProduction = env.NODE_ENV === 'production';

  if (isProduction) {
    if (!isSet('JWT_PRIVATE_KEY') || !isSet('JWT_PUBLIC_KEY')) {
      problems.push('JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: required in production');
    }
    if (!isSet('DATABASE_URL')) problems.push('DATABASE_URL: required in production (the embedded PostgreSQL is for local use)');
    if (!isSet('REDIS_URL')) problems.push('REDIS_URL: required in production (the in-process stand-in is for one local process)');
    if (!isSet('SMTP_URL')) problems.push('SMTP_URL: required in production (without it mail only reaches the development mailbox)');
  }
  if (isProduction && (env.PAYMENT_PROVIDER ?? 'sandbox') === 'sandbox') {
    problems.push('PAYMENT_PROVIDER: the sandbox provider refuses to run in production');
  }
  if (env.PAYMENT_PROVIDER === 'paystack' && !isSet('PAYSTACK_SECRET_KEY')) {
    problems.push('PAYSTACK_SECRET_KEY: required when PAYMENT_PROVIDER=paystack');
  }
  if (isProduction && (env.CARD_ISSUER ?? 'sandbox') === 'sandbox') {
    problems.push('CARD_ISSUER: the sandbox issuer refuses to run in production');
  }
  if (env.CARD_ISSUER === 'stripe') {
    for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']) {
      if (!isSet(name)) problems.push(`${name}: required when CARD_ISSUER=stripe`);
    }
  }
  if (env.CARD_ISSUER === 'flutterwave') {
    for (const name of ['FLUTTERWAVE_SECRET_KEY', 'FLUTTERWAVE_SECRET_HASH']) {
      if (!isSet(name)) problems.push(`${name}: required when CARD_ISSUER=flutterwave`);
    }
  }
  if (isSet('JWT_PRIVATE_KEY') !== isSet('JWT_PUBLIC_KEY')) {
    problems.push('JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: set both or neither');
  }
  return problems;
}
