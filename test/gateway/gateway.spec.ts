import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateWalletDocument, DepositDocument, SignUpDocument, TransactionUpdatedDocument } from '../generated/graphql.js';
import { cleanEnv, ensureBuilt, freePort, gql, MAIN, spawnNode, waitForHttp, type Child, type LogLine } from '../process/child.js';
import { ADMIN_DATABASE_URL, REDIS_URL } from '../support/env.js';
import { GENEROUS_LIMITS } from '../support/limits.js';
import { ensureNginx, nginxVersion, post, request, startNginx, type Answer, type Nginx } from './nginx.js';

/**
 * The gateway (issue 15): deploy/nginx.conf on loopback in front of two replicas of the built
 * server (one database of this suite's own, one Redis key prefix, one DATA_DIR so both use the
 * same JWT keys, TRUST_PROXY=127.0.0.1: only nginx's address is a trusted proxy). Clients
 * connect to nginx from chosen loopback addresses (127.0.0.2 and up), so "the client's address
 * as nginx saw it" differs from nginx's own 127.0.0.1.
 */

interface Replica {
  name: 'A' | 'B';
  port: number;
  url: string;
  child: Child;
}

const started = Date.now();
const suffix = randomUUID().slice(0, 8);
const database = `wallet_gateway_${suffix}`;
const redisPrefix = `test:gateway:${suffix}:`;
let dataDir: string;
let webDir: string;
let prefix: string;
let replicas: Replica[] = [];
let nginx: Nginx | undefined;
const clients: Client[] = [];
const summary: string[] = [];

const adminUrl = (name: string) => {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

async function admin<T>(run: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await db.connect();
  try {
    return await run(db);
  } finally {
    await db.end();
  }
}

async function startReplica(name: 'A' | 'B'): Promise<Replica> {
  const port = await freePort();
  const child = spawnNode(
    MAIN,
    [],
    cleanEnv({
      ...GENEROUS_LIMITS,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      DATABASE_URL: adminUrl(database),
      DATABASE_POOL_MAX: '4',
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      DATA_DIR: dataDir,
      TRUST_PROXY: '127.0.0.1',
      // A stand-in for the built web app: the gateway must pass its pages through.
      WEB_APP_DIR: webDir,
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, child, { timeoutMs: 60_000 });
  return { name, port, url, child };
}

/** The replica's "incoming request" log lines for request ids starting with `idPrefix`. */
const incoming = (r: Replica, idPrefix: string) =>
  r.child.logs.filter((l: LogLine) => l.msg === 'incoming request' && typeof l.reqId === 'string' && l.reqId.startsWith(idPrefix));

const remoteAddressOf = async (r: Replica, id: string) => {
  const [line] = await r.child.waitForLogs((l) => l.msg === 'incoming request' && l.reqId === id, 1, 5_000);
  return (line.req as { remoteAddress?: string }).remoteAddress;
};

/** Where a request id was logged: which replicas saw it. */
const seenBy = (id: string) => replicas.filter((r) => incoming(r, id).some((l) => l.reqId === id)).map((r) => r.name);

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns something other than undefined, or fails after `timeoutMs`. */
async function until<T>(check: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await settle(25);
  }
}

/** The one replica that logged request `id` (waits for its log line). */
const loggedBy = async (id: string): Promise<Replica> => {
  const names = await until(() => (seenBy(id).length > 0 ? seenBy(id) : undefined), `a replica to log ${id}`);
  expect(names).toHaveLength(1);
  return replicas.find((r) => r.name === names[0])!;
};

/** `{ __typename }` over GET: not an anonymous POST, so only the general zone counts it. */
const typenameGet = (base: string, o: { id?: string; localAddress?: string; headers?: Record<string, string> } = {}) =>
  request(`${base}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
    headers: { 'apollo-require-preflight': 'true', ...(o.id ? { 'x-request-id': o.id } : {}), ...o.headers },
    localAddress: o.localAddress,
  });

const errorCode = (a: Answer) => (JSON.parse(a.body) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;

beforeAll(async () => {
  ensureNginx();
  ensureBuilt();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'wallet-gateway-data-'));
  webDir = await mkdtemp(path.join(os.tmpdir(), 'wallet-gateway-web-'));
  await writeFile(path.join(webDir, 'index.html'), '<!doctype html><title>Wallet</title><p>the web app</p>');
  prefix = await mkdtemp(path.join(os.tmpdir(), 'wallet-gateway-nginx-'));
  await admin((db) => db.query(`create database "${database}"`));
  // One after the other: the first writes the JWT key pair into DATA_DIR for both.
  replicas = [await startReplica('A')];
  replicas.push(await startReplica('B'));
  nginx = await startNginx(prefix, await freePort(), [`127.0.0.1:${replicas[0].port}`, `127.0.0.1:${replicas[1].port}`]);
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await nginx?.stop();
  await Promise.all(replicas.map((r) => r.child.kill()));
  await admin((db) => db.query(`drop database if exists "${database}" with (force)`)).catch(() => undefined);
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Redis gone: nothing to clean.
  } finally {
    redis.disconnect();
  }
  await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  if (webDir) await rm(webDir, { recursive: true, force: true }).catch(() => undefined);
  await rm(prefix, { recursive: true, force: true }).catch(() => undefined);
  console.log(`gateway: ${nginxVersion()} in front of 2 replicas; ${summary.join('; ')}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('deploy/nginx.conf in front of two replicas', () => {
  it('passes requests to both replicas, passing X-Request-Id through (or making one) and returning it', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `gw-rr-${suffix}-${i}`);
    for (const id of ids) {
      const res = await typenameGet(nginx!.url, { id, localAddress: '127.0.0.10' });
      expect(res.status, res.body).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ data: { __typename: 'Query' } });
      // Exactly one, the client's (two headers would be joined by a comma).
      expect(res.headers['x-request-id']).toBe(id);
    }
    const perReplica = await until(() => {
      const counts = replicas.map((r) => incoming(r, `gw-rr-${suffix}-`).length);
      return counts.reduce((a, b) => a + b) === ids.length ? counts : undefined;
    }, 'the replicas to log every request');
    expect(perReplica.every((n) => n > 0), `requests per replica: ${perReplica}`).toBe(true);
    // nginx's log says the same: both upstreams answered.
    const upstreams = new Set(nginx!.access().filter((l) => ids.includes(l.request_id)).map((l) => l.upstream));
    expect(upstreams).toEqual(new Set(replicas.map((r) => `127.0.0.1:${r.port}`)));

    // No id, or one the API would not accept: nginx's $request_id, which the replica logs too.
    for (const given of [undefined, 'not a valid id!', 'x'.repeat(129)]) {
      const res = await typenameGet(nginx!.url, { localAddress: '127.0.0.10', headers: given ? { 'x-request-id': given } : {} });
      expect(res.status).toBe(200);
      const made = res.headers['x-request-id'] as string;
      expect(made).toMatch(/^[0-9a-f]{32}$/);
      await loggedBy(made);
    }
    summary.push(`round robin A=${perReplica[0]} B=${perReplica[1]}`);
  });

  it('proxies /healthz and /readyz, hides its version and serves nothing else', async () => {
    const health = await request(`${nginx!.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.server).toBe('nginx');
    const ready = await request(`${nginx!.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ok', checks: { postgres: 'up', redis: 'up' } });
    expect(ready.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    for (const p of ['/metrics', '/graphiql', '/graphiql/assets/graphiql.min.js', '/nope']) expect((await request(`${nginx!.url}${p}`)).status, p).toBe(404);
  });

  it('passes the web app through: its page at / and at its own paths, reads only', async () => {
    for (const p of ['/', '/cards/123']) {
      const page = await request(`${nginx!.url}${p}`, { headers: { accept: 'text/html' } });
      expect(page.status, p).toBe(200);
      expect(page.body, p).toMatch(/the web app/);
    }
    expect((await request(`${nginx!.url}/`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(403);
  });

  it('a subscription through nginx receives events of deposits sent to each replica directly', async () => {
    const email = `gateway-${suffix}@example.com`;
    const signUp = await post(`${nginx!.url}/graphql`, {
      query: print(SignUpDocument),
      variables: { input: { email, password: 'Gateway-passphrase-42', fullName: 'Gateway Test' } },
    });
    expect(signUp.status, signUp.body).toBe(200);
    const token = (JSON.parse(signUp.body) as { data: { signUp: { accessToken: string } } }).data.signUp.accessToken;
    const created = await post(
      `${nginx!.url}/graphql`,
      { query: print(CreateWalletDocument), variables: { input: { currency: 'NGN' } } },
      { token },
    );
    expect(created.status, created.body).toBe(200);
    const walletId = (JSON.parse(created.body) as { data: { createWallet: { wallet: { id: string } } } }).data.createWallet.wallet.id;

    // One socket, through nginx (to whichever replica it picks).
    const client = createClient({
      url: `ws://127.0.0.1:${nginx!.port}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const events: { id: string; status: string; reference: string }[] = [];
    let failure: unknown;
    client.subscribe(
      { query: print(TransactionUpdatedDocument) },
      {
        next: (v) => events.push((v.data as { transactionUpdated: (typeof events)[number] }).transactionUpdated),
        error: (e) => (failure = e),
        complete: () => undefined,
      },
    );
    // The subscription is live once a query sent after it on the same socket has answered.
    await new Promise<void>((resolve, reject) =>
      client.subscribe({ query: '{ __typename }' }, { next: () => undefined, error: reject, complete: resolve }),
    );
    await settle(300);

    // A deposit sent straight to each replica, paid at that replica's sandbox checkout: one of
    // the two is necessarily not the replica holding the socket, so its event crossed Redis.
    for (const r of replicas) {
      const dep = await gql(
        `${r.url}/graphql`,
        DepositDocument,
        { input: { walletId, amount: '5000', idempotencyKey: `gateway-${r.name}` } },
        token,
      );
      expect(dep.errors, JSON.stringify(dep.errors)).toBeUndefined();
      const { checkoutUrl, transaction } = dep.data!.deposit;
      expect(checkoutUrl.startsWith(r.url)).toBe(true);
      const paid = await fetch(checkoutUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"success"}' });
      expect(paid.status).toBeLessThan(400);
      const deadline = Date.now() + 10_000;
      while (!events.some((e) => e.reference === transaction.reference && e.status === 'COMPLETED')) {
        if (failure !== undefined) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
        if (Date.now() > deadline) throw new Error(`no COMPLETED event for the deposit on ${r.name}; events: ${JSON.stringify(events)}`);
        await settle(50);
      }
    }
    expect(failure).toBeUndefined();
    summary.push(`one socket through nginx got the events of deposits made on A and on B (${events.length} events)`);
  });

  it('refuses a body over BODY_LIMIT_BYTES (100 KB) with 413 itself; 100 KB exactly reaches a replica', async () => {
    const body = (size: number) => {
      const start = '{"query":"{ __typename }","variables":{"pad":"';
      return `${start}${'x'.repeat(size - start.length - 3)}"}}`;
    };
    const id = `gw-413-${suffix}`;
    const big = await request(`${nginx!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': id },
      body: body(102_401),
      localAddress: '127.0.0.11',
    });
    expect(big.status).toBe(413);
    expect(big.headers['x-request-id']).toBe(id);
    expect(errorCode(big)).toBe('BAD_REQUEST');
    const atLimit = await request(`${nginx!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `${id}-ok` },
      body: body(102_400),
      localAddress: '127.0.0.11',
    });
    expect(atLimit.status, atLimit.body).toBe(200);
    await loggedBy(`${id}-ok`);
    expect(seenBy(id)).toEqual([]);
    summary.push('102401-byte body 413 at nginx, 102400 bytes passed');
  });

  it('answers a flood of 100 requests from one address with 429s that never reach a replica', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => typenameGet(nginx!.url, { id: `gw-flood-${suffix}-${i}`, localAddress: '127.0.0.5' })),
    );
    const ok = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429);
    expect(ok + limited.length).toBe(100);
    // burst=40 (nodelay) plus what 20 r/s refills while the requests arrive.
    expect(ok).toBeGreaterThanOrEqual(20);
    expect(ok).toBeLessThanOrEqual(60);
    for (const a of limited) {
      expect(errorCode(a)).toBe('RATE_LIMITED');
      expect(a.headers['retry-after']).toBe('1');
      expect(a.headers['x-request-id']).toMatch(new RegExp(`^gw-flood-${suffix}-\\d+$`));
    }
    const flooded = () => replicas.reduce((n, r) => n + incoming(r, `gw-flood-${suffix}-`).length, 0);
    await until(() => (flooded() >= ok ? true : undefined), 'the replicas to log the requests that passed');
    await settle(200);
    expect(flooded()).toBe(ok);
    // Another address is not affected.
    expect((await typenameGet(nginx!.url, { localAddress: '127.0.0.12' })).status).toBe(200);
    summary.push(`flood of 100: ${ok} passed, ${limited.length} got 429`);
  });

  it('the sign-in zone (anonymous POSTs) is stricter than the signed-in traffic', async () => {
    const logIn = (i: number) =>
      post(
        `${nginx!.url}/graphql`,
        {
          query: 'mutation ($input: LogInInput!) { logIn(input: $input) { accessToken } }',
          variables: { input: { email: `nobody-${suffix}-${i}@example.com`, password: 'Wrong-passphrase-1' } },
        },
        { headers: { 'x-request-id': `gw-signin-${suffix}-${i}` }, localAddress: '127.0.0.6' },
      );
    const anonymous = await Promise.all(Array.from({ length: 25 }, (_, i) => logIn(i)));
    const anonymousOk = anonymous.filter((a) => a.status === 200);
    const anonymousLimited = anonymous.filter((a) => a.status === 429).length;
    expect(anonymousOk.length + anonymousLimited).toBe(25);
    // burst=10 (nodelay) at 2 r/s: about 11 reach a replica, where logIn is refused normally.
    expect(anonymousOk.length).toBeGreaterThanOrEqual(5);
    expect(anonymousOk.length).toBeLessThanOrEqual(15);
    for (const a of anonymousOk) expect(errorCode(a)).toBe('INVALID_CREDENTIALS');

    // The same 25 at once, signed in (another address): the general zone lets them all through.
    const signUp = await post(
      `${nginx!.url}/graphql`,
      {
        query: print(SignUpDocument),
        variables: { input: { email: `signed-in-${suffix}@example.com`, password: 'Gateway-passphrase-42', fullName: 'Signed In' } },
      },
      { localAddress: '127.0.0.7' },
    );
    const token = (JSON.parse(signUp.body) as { data: { signUp: { accessToken: string } } }).data.signUp.accessToken;
    const signedIn = await Promise.all(
      Array.from({ length: 25 }, () => post(`${nginx!.url}/graphql`, { query: '{ me { id } }' }, { token, localAddress: '127.0.0.7' })),
    );
    expect(signedIn.map((a) => a.status)).toEqual(Array(25).fill(200));
    summary.push(`25 anonymous logIns at once: ${anonymousOk.length} passed, ${anonymousLimited} got 429; 25 signed-in requests: all passed`);
  });

  it("the API sees the client's address as nginx saw it, never one the client wrote", async () => {
    const [a] = replicas;
    const viaNginx = async (id: string, headers: Record<string, string> = {}, localAddress = '127.0.0.2') => {
      const res = await typenameGet(nginx!.url, { id, localAddress, headers });
      expect(res.status).toBe(200);
      return remoteAddressOf(await loggedBy(id), id);
    };
    // nginx connects from 127.0.0.1 (trusted) and says the client is 127.0.0.2.
    expect(await viaNginx(`gw-ip-${suffix}-1`)).toBe('127.0.0.2');
    // A client's own X-Forwarded-For is replaced by nginx, not passed on.
    expect(await viaNginx(`gw-ip-${suffix}-2`, { 'x-forwarded-for': '203.0.113.7' })).toBe('127.0.0.2');
    expect(await viaNginx(`gw-ip-${suffix}-3`, { 'x-forwarded-for': '127.0.0.1, 203.0.113.7', 'x-real-ip': '203.0.113.8' })).toBe('127.0.0.2');
    // A client whose own address is a trusted one (here 127.0.0.1, nginx's): had nginx appended
    // to the client's header ($proxy_add_x_forwarded_for), the replica would walk past both
    // trusted hops and take 203.0.113.7. Replaced, the header holds only the client.
    expect(await viaNginx(`gw-ip-${suffix}-7`, { 'x-forwarded-for': '203.0.113.7' }, '127.0.0.1')).toBe('127.0.0.1');

    // Straight to a replica: only its trusted proxy's (127.0.0.1's) header is believed, and
    // only its last hop (what that proxy itself saw).
    const direct = async (id: string, localAddress: string, forwardedFor: string) => {
      const res = await typenameGet(a.url, { id, localAddress, headers: { 'x-forwarded-for': forwardedFor } });
      expect(res.status).toBe(200);
      return remoteAddressOf(a, id);
    };
    expect(await direct(`gw-ip-${suffix}-4`, '127.0.0.3', '203.0.113.7')).toBe('127.0.0.3');
    expect(await direct(`gw-ip-${suffix}-5`, '127.0.0.1', '203.0.113.7')).toBe('203.0.113.7');
    expect(await direct(`gw-ip-${suffix}-6`, '127.0.0.1', '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    summary.push('API saw the client address nginx saw (127.0.0.2) with or without a forged X-Forwarded-For');
  });
});
