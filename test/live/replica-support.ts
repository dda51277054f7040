import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { cleanEnv, ensureBuilt, freePort, MAIN, spawnNode, waitForHttp, type Child } from '../process/child.js';
import { workerDatabaseUrl } from '../support/db.js';
import { REDIS_URL, workerId } from '../support/env.js';
import { GENEROUS_LIMITS } from '../support/limits.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Two replicas of the API: one in this (vitest) process, one the built server as a child
 * process, on different ports, sharing this worker's PostgreSQL database, one Redis with one
 * key prefix, and one DATA_DIR (so both sign and accept the same JWTs).
 */
export interface ReplicaPair {
  /** In-process replica (also used to seed users and wallets through the services). */
  a: TestServer;
  /** Child-process replica. */
  b: { child: Child; url: string; graphqlUrl: string };
  redisPrefix: string;
  close(): Promise<void>;
}

export async function startReplicaPair(env: Record<string, string> = {}): Promise<ReplicaPair> {
  ensureBuilt();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'wallet-replicas-'));
  const redisPrefix = `test:w${workerId()}:replicas:${randomUUID().slice(0, 8)}:`;
  const redisUrl = env.REDIS_URL ?? REDIS_URL;
  const shared = { DATA_DIR: dataDir, REDIS_KEY_PREFIX: redisPrefix, REDIS_URL: redisUrl, ...env };
  let child: Child | undefined;
  let a: TestServer | undefined;
  try {
    // The in-process replica first: it writes the JWT key pair into DATA_DIR for both.
    a = await startTestServer(shared);
    const port = await freePort();
    child = spawnNode(
      MAIN,
      [],
      cleanEnv({
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
        DATABASE_URL: await workerDatabaseUrl(),
        DATABASE_POOL_MAX: '4',
        ...GENEROUS_LIMITS,
        ...shared,
      }),
    );
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/readyz`, child, { timeoutMs: 45_000 });
    const b = { child, url, graphqlUrl: `${url}/graphql` };
    const server = a;
    return {
      a: server,
      b,
      redisPrefix,
      async close() {
        await b.child.kill();
        await server.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await child?.kill();
    await a?.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

export interface Listener<T = Record<string, unknown>> {
  events: T[];
  /** The close event or error the subscription ended with, if it ended. */
  closed(): unknown;
  /** Resolves once `count` events arrived; rejects after `timeoutMs` with what was seen. */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves with the close/error once the subscription ended; rejects after `timeoutMs`. */
  waitForClose(timeoutMs?: number): Promise<unknown>;
}

/** A graphql-ws client that never retries (a closed connection stays closed). */
export function connectWs(graphqlUrl: string, token: string | undefined, clients: Client[]): Client {
  const client = createClient({
    url: graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(client);
  return client;
}

/** Subscribes and collects what arrives. */
export function listen(client: Client, query: string, variables: Record<string, unknown> = {}): Listener {
  const events: Array<Record<string, unknown>> = [];
  let closed: unknown;
  let ended = false;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  client.subscribe(
    { query, variables },
    {
      next: (v) => {
        events.push((v.data ?? { errors: v.errors }) as Record<string, unknown>);
        notify();
      },
      error: (e) => {
        closed = e;
        ended = true;
        notify();
      },
      complete: () => {
        ended = true;
        notify();
      },
    },
  );
  const wait = <R>(done: () => R | undefined, timeoutMs: number, what: string): Promise<R> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = done();
        if (value !== undefined) {
          finish();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; events: ${JSON.stringify(events)}; closed: ${describeClose(closed)}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return {
    events,
    closed: () => closed,
    waitFor: (count, timeoutMs = 10_000) => wait(() => (events.length >= count ? events.slice() : undefined), timeoutMs, `${count} event(s)`),
    waitForClose: (timeoutMs = 10_000) => wait(() => (ended ? (closed ?? 'completed') : undefined), timeoutMs, 'the subscription to end'),
  };
}

export function describeClose(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e) return `close ${(e as { code: number }).code} ${(e as { reason?: string }).reason ?? ''}`;
  return e instanceof Error ? e.message : JSON.stringify(e);
}

export const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

/**
 * A subscription is live on the server once graphql-ws acknowledged the connection and the
 * resolver ran; there is no ack per subscription, so wait until a query on the same socket
 * answered (it is processed after the subscribe message).
 */
export async function ready(client: Client, timeoutMs = 10_000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer on the socket within ${timeoutMs} ms`)), timeoutMs);
    client.subscribe(
      { query: '{ __typename }' },
      {
        next: () => undefined,
        error: (e) => {
          clearTimeout(timer);
          reject(new Error(`socket failed: ${describeClose(e)}`));
        },
        complete: () => {
          clearTimeout(timer);
          resolve();
        },
      },
    );
  });
}
