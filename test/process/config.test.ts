import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type RawEnv } from '../../src/config/config.js';
import { CURRENCIES, CURRENCY_CODES } from '../../src/config/currencies.js';
import { cleanEnv, ensureBuilt, MAIN, spawnNode } from './child.js';

/** Configuration is read once, validated at once, and a bad one stops start-up listing every problem. */

const KEY_PAIR = { JWT_PRIVATE_KEY: 'private-pem', JWT_PUBLIC_KEY: 'public-pem' };
const PRODUCTION: RawEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://wallet@db.internal:5432/wallet',
  REDIS_URL: 'redis://cache.internal:6379',
  PAYMENT_PROVIDER: 'paystack',
  PAYSTACK_SECRET_KEY: 'sk_live_example',
  CARD_ISSUER: 'stripe',
  STRIPE_SECRET_KEY: 'sk_live_example',
  STRIPE_WEBHOOK_SECRET: 'whsec_example',
  SMTP_URL: 'smtp://mailer:secret@smtp.internal:587',
  ...KEY_PAIR,
};

function problemsOf(env: RawEnv): string[] {
  try {
    loadConfig(env, '/srv/wallet');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('the built server with a bad configuration', () => {
  beforeAll(() => ensureBuilt());

  it('exits non-zero before listening, naming every problem in one output', async () => {
    const child = spawnNode(
      MAIN,
      [],
      cleanEnv({ PORT: 'abc', NODE_ENV: 'production', DATABASE_URL: 'not-a-url', LOG_LEVEL: 'info' }),
    );
    try {
      const exit = await child.waitForExit(15_000);
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      const output = child.stdout() + child.stderr();
      expect(output).toMatch(/Invalid configuration/);
      expect(output).toMatch(/PORT/);
      expect(output).toMatch(/DATABASE_URL: must be a URL/);
      expect(output).toMatch(/JWT_PRIVATE_KEY/);
      expect(output).toMatch(/REDIS_URL: required in production/);
      // Only the problems: no stack trace, and it never started listening.
      expect(output).not.toMatch(/\n\s+at /);
      expect(output).not.toMatch(/listening/i);
    } finally {
      await child.kill();
    }
  });
});

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({}, '/srv/wallet');
    expect(config.env).toBe('development');
    expect(config.isProduction).toBe(false);
    expect(config.http.port).toBe(4000);
    expect(config.http.host).toBe('0.0.0.0');
    expect(config.http.publicUrl).toBe('http://localhost:4000');
    expect(config.http.corsOrigins).toEqual([]);
    expect(config.logLevel).toBe('info');
    expect(config.jwt.accessTtlSeconds).toBe(900);
    expect(config.jwt.privateKeyPem).toBeUndefined();
    // History cursors are then sealed with a key derived from the JWT private key.
    expect(config.cursorSecret).toBeUndefined();
    expect(config.rateLimits).toMatchObject({
      loginPerEmail: 10,
      loginPerIp: 50,
      loginWindowSeconds: 900,
      signupPerIp: 20,
      signupWindowSeconds: 3600,
    });
    // Without DATABASE_URL and REDIS_URL: the embedded PostgreSQL and the Redis stand-in.
    expect(config.database.url).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve('/srv/wallet', '.data'));
    expect(config.database.embeddedDir).toBe(path.resolve('/srv/wallet', '.data', 'postgres'));
    expect(config.database.embeddedDirChosen).toBe(false);
    expect(config.database.embeddedPort).not.toBe(5432);
    // Mail: the development mailbox, links to the API's own address, verification not required.
    expect(config.mail.smtpUrl).toBeUndefined();
    expect(config.accounts).toEqual({
      webAppUrl: 'http://localhost:4000',
      verificationRequired: false,
      verifyTtlSeconds: 86_400,
      resetTtlSeconds: 1800,
    });
  });

  it('requires verified emails in production unless told otherwise, and takes WEB_APP_URL for links', () => {
    expect(loadConfig(PRODUCTION).accounts.verificationRequired).toBe(true);
    expect(loadConfig({ ...PRODUCTION, EMAIL_VERIFICATION_REQUIRED: 'false' }).accounts.verificationRequired).toBe(false);
    expect(loadConfig({ EMAIL_VERIFICATION_REQUIRED: 'true' }).accounts.verificationRequired).toBe(true);
    expect(loadConfig({ ...PRODUCTION, PUBLIC_URL: 'https://api.example.com' }).accounts.webAppUrl).toBe('https://api.example.com');
    expect(loadConfig({ ...PRODUCTION, WEB_APP_URL: 'https://app.example.com/' }).accounts.webAppUrl).toBe('https://app.example.com');
    expect(problemsOf({ SMTP_URL: 'http://smtp.example.com' }).join('\n')).toMatch(/SMTP_URL: must be a URL/);
  });

  it('reads the values it is given', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        HOST: '127.0.0.1',
        JWT_ACCESS_TTL_SECONDS: '60',
        RATE_LIMIT_LOGIN_PER_EMAIL: '3',
        DATA_DIR: 'var/data',
        EMBEDDED_PG_DIR: '/var/tmp/wallet-pg',
        EMBEDDED_PG_PORT: '55432',
        PUBLIC_URL: 'https://api.example.com/',
        CURSOR_SECRET: 'c'.repeat(32),
      },
      '/srv/wallet',
    );
    expect(config.http.port).toBe(8080);
    expect(config.http.publicUrl).toBe('https://api.example.com');
    expect(config.jwt.accessTtlSeconds).toBe(60);
    expect(config.rateLimits.loginPerEmail).toBe(3);
    expect(config.dataDir).toBe('/srv/wallet/var/data');
    expect(config.database.embeddedDir).toBe('/var/tmp/wallet-pg');
    expect(config.database.embeddedDirChosen).toBe(true);
    expect(config.database.embeddedPort).toBe(55432);
    expect(config.cursorSecret).toBe('c'.repeat(32));
  });

  it('splits CORS_ORIGINS on commas, trimming and dropping empty entries', () => {
    const config = loadConfig({ CORS_ORIGINS: ' https://a.example ,https://b.example,, ' });
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('keeps CORS_ORIGINS as origins a browser sends, and refuses what is not one', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://App.example.com/,http://localhost:5173' }).http.corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    const problems = problemsOf({ CORS_ORIGINS: 'https://app.example.com/path,*,app.example.com,https://*.example.com' });
    expect(problems.filter((p) => p.startsWith('CORS_ORIGINS:'))).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/"https:\/\/app\.example\.com\/path" is not an origin like https:\/\/app\.example\.com/);
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', REDIS_URL: '  ', JWT_PRIVATE_KEY: '', JWT_PUBLIC_KEY: '' });
    expect(config.database.url).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
  });

  it('turns literal \\n in PEM values into new lines', () => {
    const config = loadConfig({ JWT_PRIVATE_KEY: 'line1\\nline2', JWT_PUBLIC_KEY: 'pub1\\npub2' });
    expect(config.jwt.privateKeyPem).toBe('line1\nline2');
    expect(config.jwt.publicKeyPem).toBe('pub1\npub2');
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.isProduction).toBe(true);
    expect(config.database.url).toBe(PRODUCTION.DATABASE_URL);
    expect(config.redis.url).toBe(PRODUCTION.REDIS_URL);
  });

  it('requires DATABASE_URL, REDIS_URL, SMTP_URL and both JWT keys in production, each named', () => {
    for (const missing of ['DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEY']) {
      const problems = problemsOf({ ...PRODUCTION, [missing]: undefined });
      expect(problems.join('\n'), `without ${missing}`).toMatch(new RegExp(`${missing}.*required in production`));
    }
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/SMTP_URL: required in production/);
    expect(problems.join('\n')).toMatch(/PAYMENT_PROVIDER: the sandbox provider refuses to run in production/);
    expect(problems.join('\n')).toMatch(/CARD_ISSUER: the sandbox issuer refuses to run in production/);
    expect(problems.join('\n')).toMatch(/JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: required in production/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL: required in production/);
    expect(problems.join('\n')).toMatch(/REDIS_URL: required in production/);
  });

  it('refuses half a key pair outside production too', () => {
    expect(problemsOf({ JWT_PRIVATE_KEY: 'only-this' }).join('\n')).toMatch(/set both or neither/);
    expect(problemsOf({ JWT_PUBLIC_KEY: 'only-this' }).join('\n')).toMatch(/set both or neither/);
  });

  it('gives every currency of the catalog all three monitoring limits; a setting overrides only the currencies it names', () => {
    const defaults = loadConfig({}, '/srv/wallet').monitoring;
    for (const code of CURRENCY_CODES) {
      for (const limit of ['maxTransaction', 'dailyOutflow', 'newRecipientThreshold'] as const) {
        expect(defaults[limit][code], `${limit} ${code}`).toBe(BigInt(CURRENCIES[code].limits[limit]) * 10n ** BigInt(CURRENCIES[code].exponent));
      }
    }
    expect(defaults.dailyOutflow.NGN).toBe(2_000_000_000n);
    const set = loadConfig({ MONITORING_DAILY_OUTFLOW: 'NGN=100000', MONITORING_MAX_TRANSACTION: ' USD=500 , GBP=7 ' }, '/srv/wallet').monitoring;
    expect(set.dailyOutflow).toEqual({ ...defaults.dailyOutflow, NGN: 100_000n });
    expect(set.maxTransaction).toEqual({ ...defaults.maxTransaction, USD: 500n, GBP: 7n });
    expect(set.newRecipientThreshold).toEqual(defaults.newRecipientThreshold);
  });

  it('refuses a monitoring limit for a currency the platform does not know, naming it', () => {
    const problems = problemsOf({ MONITORING_DAILY_OUTFLOW: 'NGN=100,XAU=5' });
    expect(problems).toEqual([expect.stringMatching(/^MONITORING_DAILY_OUTFLOW: XAU is not a currency of this platform \(NGN, USD, GHS, KES, ZAR, GBP, EUR\)/)]);
  });

  it('refuses malformed values, naming each variable', () => {
    const problems = problemsOf({
      PORT: 'abc',
      NODE_ENV: 'staging',
      DATABASE_URL: 'mysql://db/wallet',
      REDIS_URL: 'not-a-url',
      LOG_LEVEL: 'loud',
      JWT_ACCESS_TTL_SECONDS: '-5',
      RATE_LIMIT_LOGIN_PER_IP: '0',
      TRUST_PROXY: 'maybe',
      EMBEDDED_PG_PORT: '70000',
      CURSOR_SECRET: 'too short',
    });
    const text = problems.join('\n');
    for (const name of [
      'PORT',
      'NODE_ENV',
      'DATABASE_URL',
      'REDIS_URL',
      'LOG_LEVEL',
      'JWT_ACCESS_TTL_SECONDS',
      'RATE_LIMIT_LOGIN_PER_IP',
      'TRUST_PROXY',
      'EMBEDDED_PG_PORT',
      'CURSOR_SECRET',
    ]) {
      expect(problems.some((p) => p.startsWith(`${name}:`)), `${name} in\n${text}`).toBe(true);
    }
  });

  it('lists malformed values and missing production settings together', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: 'abc', DATABASE_URL: 'not-a-url' });
    const text = problems.join('\n');
    expect(text).toMatch(/^PORT:/m);
    expect(text).toMatch(/^DATABASE_URL: must be a URL/m);
    expect(text).toMatch(/JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: required in production/);
    expect(text).toMatch(/REDIS_URL: required in production/);
    // A malformed DATABASE_URL is reported as malformed, not also as missing.
    expect(text).not.toMatch(/DATABASE_URL: required/);
  });

  it('reads process.env by default', () => {
    const saved = process.env.PORT;
    process.env.PORT = '4321';
    try {
      expect(loadConfig().http.port).toBe(4321);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});
