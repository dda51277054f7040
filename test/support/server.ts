import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Writable } from 'node:stream';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type RawEnv } from '../../src/config/config.js';
import { loggerOptions } from '../../src/http/server.js';
import { truncateAll, workerDatabaseUrl } from './db.js';
import { REDIS_URL, workerId } from './env.js';
import { GENEROUS_LIMITS } from './limits.js';

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
}

export interface GraphQLResponse<T> extends FormattedExecutionResult<T> {
  status: number;
  headers: Headers;
}

export interface TestServer {
  app: App;
  url: string;
  graphqlUrl: string;
  databaseUrl: string;
  redisPrefix: string;
  /** Every log line the server wrote, as JSON text. */
  logs: string[];
  /** Sends a typed operation over HTTP, as a client would. */
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables?: V, opts?: RequestOptions): Promise<GraphQLResponse<R>>;
  /** Sends raw text as the query (for malformed and hostile documents). */
  raw(query: string, variables?: Record<string, unknown>, opts?: RequestOptions): Promise<GraphQLResponse<unknown>>;
  /** Empties tables and this server's Redis keys. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The log lines of every server this test file started (scanned for secrets by setup.ts). */
export const serverLogs: string[][] = [];

/**
 * A suite's usual server: started before its tests, closed after them, and (unless
 * `reset: false`) its tables and Redis keys emptied before each test. The answer stands for the
 * server inside tests and hooks registered after this call (they run after it has started).
 * `env` may be a function, called when the server starts: for settings that hooks registered
 * before this call make (a fake provider's URL, a data folder).
 */
export function useTestServer(env: RawEnv | (() => RawEnv | Promise<RawEnv>) = {}, opts: { reset?: boolean } = {}): TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(typeof env === 'function' ? await env() : env);
  });
  afterAll(() => server?.close());
  if (opts.reset !== false) beforeEach(() => server!.reset());
  return new Proxy({} as TestServer, {
    get(_, key: keyof TestServer) {
      if (!server) throw new Error(`the test server is used (${String(key)}) before its beforeAll started it`);
      const value = server[key];
      return typeof value === 'function' ? value.bind(server) : value;
    },
  });
}

/**
 * The real server (Fastify, Apollo, PostgreSQL, Redis) on an ephemeral port, with this
 * worker's database and Redis keys of its own.
 */
export async function startTestServer(
  env: RawEnv = {},
  opts: { waitForMigrations?: boolean } = {},
): Promise<TestServer> {
  const databaseUrl = await workerDatabaseUrl();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'wallet-test-'));
  const redisPrefix = `test:w${workerId()}:${randomUUID().slice(0, 8)}:`;
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    // A known port (not 0), so PUBLIC_URL and the links built from it (checkout pages) work.
    PORT: String(await freePort()),
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '4',
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...GENEROUS_LIMITS,
    ...env,
  });
  const logs: string[] = [];
  serverLogs.push(logs);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  // The server's own logger options (levels, redaction), writing where the test can read.
  const app = await createApp(config, { log: pino(loggerOptions(config), sink) });
  // With PostgreSQL unreachable migrations never finish, yet the server must answer.
  if (opts.waitForMigrations !== false) await app.migrated;
  const address = await app.listen();
  const url = address.replace('[::1]', '127.0.0.1');
  const graphqlUrl = `${url}/graphql`;
  const cleaner = new Redis(REDIS_URL, { lazyConnect: true });
  await cleaner.connect();

  const post = async (body: unknown, opts: RequestOptions = {}) => {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as FormattedExecutionResult;
    return { ...json, status: res.status, headers: res.headers };
  };

  return {
    app,
    url,
    graphqlUrl,
    databaseUrl,
    redisPrefix,
    logs,
    gql: (doc, variables, opts) => post({ query: print(doc), variables }, opts) as never,
    raw: (query, variables, opts) => post({ query, variables }, opts),
    async reset() {
      await truncateAll(databaseUrl);
      let cursor = '0';
      do {
        const [next, keys] = await cleaner.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await cleaner.del(...keys);
      } while (cursor !== '0');
    },
    async close() {
      await app.close();
      await cleaner.quit();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * What a production server needs to start (NODE_ENV=production): JWT keys, an SMTP relay, and real providers
 * in place of the sandbox ones, which refuse production. The providers are configured, never
 * called (Stripe makes no call when it starts).
 */
export function productionEnv(): RawEnv {
  const keys = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return {
    NODE_ENV: 'production',
    PAYMENT_PROVIDER: 'paystack',
    PAYSTACK_SECRET_KEY: 'sk_test_unused',
    CARD_ISSUER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_unused',
    STRIPE_WEBHOOK_SECRET: 'whsec_unused',
    JWT_PRIVATE_KEY: keys.privateKey,
    JWT_PUBLIC_KEY: keys.publicKey,
    // Nothing listens there: mail waits in the outbox, retried, as it would with a relay down.
    SMTP_URL: 'smtp://127.0.0.1:9',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
