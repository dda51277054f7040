import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { decodeJwt, importPKCS8, SignJWT } from 'jose';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LogOutDocument, MeDocument, SignUpDocument } from '../generated/graphql.js';
import { statementsDuring, waitFor } from '../support/helpers.js';
import { PrivateRedis } from '../support/private-redis.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Sessions fail closed: Redis only ever lists sessions known to be live, and anything it does
 * not list (evicted, flushed, restored from an older snapshot, or a session that never
 * existed) is decided by PostgreSQL. Each test attacks the way the review found it could.
 */
let redis: PrivateRedis;
let server: TestServer;
let admin: Redis;
beforeAll(async () => {
  redis = await PrivateRedis.start();
  server = await startTestServer({ REDIS_URL: redis.url });
  // An admin of its own: the tests take commands away from the server's (default) user.
  const setup = new Redis(redis.url);
  await setup.acl('SETUSER', 'admin', 'on', 'nopass', '~*', '&*', '+@all');
  await setup.quit();
  admin = new Redis(redis.url, { username: 'admin', password: 'x' });
});
afterAll(async () => {
  await admin?.quit();
  await server?.close();
  await redis?.stop();
});

let counter = 0;
async function signUp() {
  counter += 1;
  const res = await server.gql(SignUpDocument, { input: { email: `fail-closed${counter}@example.com`, password: 'password-1', fullName: 'Closed' } });
  expect(res.errors).toBeUndefined();
  return res.data!.signUp;
}

async function me(token: string) {
  return (await server.gql(MeDocument, {}, { token })).data?.me ?? null;
}

/** How a WebSocket connection with this token ends up: served, or closed with a code. */
async function overWebSocket(token: string): Promise<'served' | number> {
  const client = createClient({
    url: server.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  try {
    return await new Promise((resolve) => {
      client.subscribe(
        { query: print(MeDocument) },
        { next: () => undefined, error: (err) => resolve((err as { code?: number }).code ?? -1), complete: () => resolve('served') },
      );
    });
  } finally {
    await client.dispose();
  }
}

const listed = (sessionId: string) => admin.exists(`${server.redisPrefix}live-session:${sessionId}`);
const sessionOf = (token: string) => (decodeJwt(token) as { sid: string }).sid;

describe('sessions fail closed', () => {
  it('lists a session while it is live and not after logout', async () => {
    const { accessToken } = await signUp();
    expect(await listed(sessionOf(accessToken))).toBe(1);
    const ttl = await admin.ttl(`${server.redisPrefix}live-session:${sessionOf(accessToken)}`);
    expect(ttl).toBeGreaterThan(server.app.config.jwt.accessTtlSeconds);
    await server.gql(LogOutDocument, {}, { token: accessToken });
    expect(await listed(sessionOf(accessToken))).toBe(0);
  });

  it('keeps a logged-out token refused when Redis loses every key, over HTTP and WebSocket, and lists live sessions again', async () => {
    const out = await signUp();
    const live = await signUp();
    await server.gql(LogOutDocument, {}, { token: out.accessToken });
    // Eviction under memory pressure, or a restart without persistence.
    await admin.flushall();
    expect(await me(out.accessToken)).toBeNull();
    expect(await overWebSocket(out.accessToken)).toBe(4401);
    expect(await me(live.accessToken)).toMatchObject({ id: live.user.id });
    expect(await overWebSocket(live.accessToken)).toBe('served');
    // PostgreSQL said the live one is live: it is listed again, the other is not.
    expect(await listed(sessionOf(live.accessToken))).toBe(1);
    expect(await listed(sessionOf(out.accessToken))).toBe(0);
  });

  it('refuses a genuinely signed token whose session PostgreSQL never had, while Redis is up', async () => {
    const { accessToken } = await signUp();
    const key = await importPKCS8(await readFile(path.join(server.app.config.dataDir, 'jwt', 'private.pem'), 'utf8'), 'EdDSA');
    const claims = decodeJwt(accessToken);
    const forged = await new SignJWT({ ...claims, sid: randomUUID(), jti: randomUUID() }).setProtectedHeader({ alg: 'EdDSA' }).sign(key);
    // The same claims with the real session work: only the session id differs.
    const genuine = await new SignJWT({ ...claims, jti: randomUUID() }).setProtectedHeader({ alg: 'EdDSA' }).sign(key);
    expect(await me(genuine)).toMatchObject({ id: claims.sub });
    expect(await me(forged)).toBeNull();
    expect(await overWebSocket(forged)).toBe(4401);
  });

  it('does not believe a Redis that reconnects listing a revoked session (an older snapshot restored)', async () => {
    const { accessToken } = await signUp();
    const sid = sessionOf(accessToken);
    await server.gql(LogOutDocument, {}, { token: accessToken });
    // Redis comes back from a snapshot taken before the logout: the entry is there again.
    await admin.set(`${server.redisPrefix}live-session:${sid}`, '1', 'EX', 600);
    // The resync that follows the reconnect cannot finish while PostgreSQL's sessions table is
    // locked: until it has, a request must not take Redis's word.
    const locker = server.app.orm.em.fork();
    await locker.begin();
    await locker.execute('lock table auth_sessions in access exclusive mode');
    let answer: Promise<unknown> | undefined;
    try {
      await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      await waitFor(async () => server.app.redis.isUp(), (up) => up);
      answer = me(accessToken);
      const early = await Promise.race([answer, new Promise((r) => setTimeout(() => r('waiting'), 300))]);
      expect(early).toBe('waiting');
    } finally {
      await locker.rollback();
    }
    expect(await answer).toBeNull();
    // The resync after the reconnect takes the entry off again: it was waiting for the lock, and
    // may finish just after the request was answered (this check once ran before it had).
    expect(await waitFor(() => listed(sid), (n) => n === 0)).toBe(0);
  });

  it('remembers a logout Redis could not take, and takes the session off the list once it can', async () => {
    const { accessToken } = await signUp();
    const sid = sessionOf(accessToken);
    expect(await me(accessToken)).not.toBeNull();
    // Redis refuses the removal (here: the server's Redis user loses DEL for a while).
    await admin.acl('SETUSER', 'default', '-del');
    try {
      const out = await server.gql(LogOutDocument, {}, { token: accessToken });
      expect(out.data!.logOut.revoked).toBe(true);
      expect(await listed(sid)).toBe(1);
      // Redis still lists it; this process remembers it may not believe that.
      expect(await me(accessToken)).toBeNull();
    } finally {
      await admin.acl('SETUSER', 'default', '+del');
    }
    await server.app.services.auth.resyncRevocations(server.app.orm.em.fork());
    expect(await listed(sid)).toBe(0);
    expect(await me(accessToken)).toBeNull();
  });
});

describe('the allowlist, as the server uses it', () => {
  it('answers a listed session from Redis alone: no PostgreSQL query about sessions', async () => {
    const { accessToken } = await signUp();
    await server.app.services.auth.resyncRevocations(server.app.orm.em.fork());
    expect(await me(accessToken)).not.toBeNull();
    const statements = await statementsDuring(server.app, () => me(accessToken));
    expect(statements.filter((s) => s.includes('auth_sessions'))).toEqual([]);
  });

  it('is not believed between a distrust (a reconnect) and the next resync', async () => {
    const { accessToken } = await signUp();
    const sid = sessionOf(accessToken);
    await server.gql(LogOutDocument, {}, { token: accessToken });
    server.app.services.auth.distrustAllowlist();
    await admin.set(`${server.redisPrefix}live-session:${sid}`, '1', 'EX', 600);
    expect(await me(accessToken)).toBeNull();
    await server.app.services.auth.resyncRevocations(server.app.orm.em.fork());
    expect(await listed(sid)).toBe(0);
    expect(await me(accessToken)).toBeNull();
  });

  it("ends nothing on logOut with a refresh token that is unknown or not the caller's", async () => {
    const caller = await signUp();
    const other = await signUp();
    for (const refreshToken of ['not-a-refresh-token', other.refreshToken]) {
      const out = await server.gql(LogOutDocument, { input: { refreshToken } }, { token: caller.accessToken });
      expect(out.data!.logOut.revoked).toBe(false);
    }
    expect(await me(caller.accessToken)).toMatchObject({ id: caller.user.id });
    expect(await me(other.accessToken)).toMatchObject({ id: other.user.id });
    expect(await listed(sessionOf(caller.accessToken))).toBe(1);
  });
});

describe('a Redis that may evict keys', () => {
  it('is reported: /readyz says degraded and names the policy, and ok again once it is noeviction', async () => {
    const ready = async () => (await fetch(`${server.url}/readyz`)).json();
    expect(await ready()).toMatchObject({ status: 'ok', checks: { redisEviction: 'noeviction' } });
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      expect(await ready()).toEqual({ status: 'degraded', checks: { postgres: 'up', redis: 'up', redisEviction: 'allkeys-lru' } });
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
    }
    expect(await ready()).toMatchObject({ status: 'ok' });
  });

  it('is warned about at start-up', async () => {
    await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
    try {
      const other = await startTestServer({ REDIS_URL: redis.url });
      await other.close();
      expect(other.logs.some((l) => l.includes('maxmemory-policy') && l.includes('volatile-lru'))).toBe(true);
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});

