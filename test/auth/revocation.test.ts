import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogOutDocument, MeDocument, SignUpDocument } from '../generated/graphql.js';
import { REDIS_URL } from '../support/env.js';
import { jwtClaims } from './auth-helpers.js';
import { PrivateRedis } from '../support/private-redis.js';
import { startTestServer, type TestServer, useTestServer } from '../support/server.js';

async function signUp(server: TestServer, email: string) {
  const res = await server.gql(SignUpDocument, { input: { email, password: 'password-1', fullName: 'Rev' } });
  return res.data!.signUp;
}

async function me(server: TestServer, token: string) {
  return (await server.gql(MeDocument, {}, { token })).data!.me;
}

describe('session revocation with Redis up', () => {
  const server = useTestServer();
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(() => redis.quit());

  it('is written to the Redis denylist with a lifetime covering the access token', async () => {
    const { accessToken } = await signUp(server, 'deny@example.com');
    await server.gql(LogOutDocument, {}, { token: accessToken });
    const keys = await redis.keys(`${server.redisPrefix}revoked-session:*`);
    expect(keys).toHaveLength(1);
    const ttl = await redis.ttl(keys[0]);
    expect(ttl).toBeGreaterThan(server.app.config.jwt.accessTtlSeconds);
  });

  it('is restored from PostgreSQL when Redis lost it', async () => {
    const { accessToken } = await signUp(server, 'lost@example.com');
    await server.gql(LogOutDocument, {}, { token: accessToken });
    expect(await me(server, accessToken)).toBeNull();

    // Redis forgets (a restart without persistence, an eviction).
    await redis.del(await redis.keys(`${server.redisPrefix}revoked-session:*`));
    await server.app.services.auth.resyncRevocations(server.app.orm.em.fork());
    expect(await me(server, accessToken)).toBeNull();
  });
});

describe('session revocation with Redis unreachable', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Nothing listens on port 1: every Redis call fails at once.
    server = await startTestServer({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(() => server.close());

  it('is checked in PostgreSQL, so a logged-out token still stops working', async () => {
    const { accessToken } = await signUp(server, 'noredis@example.com');
    expect(await me(server, accessToken)).toMatchObject({ email: 'noredis@example.com' });
    const out = await server.gql(LogOutDocument, {}, { token: accessToken });
    expect(out.data!.logOut.revoked).toBe(true);
    expect(await me(server, accessToken)).toBeNull();
  });

  it('refuses a token whose session PostgreSQL does not know', async () => {
    const { accessToken, user } = await signUp(server, 'no-session@example.com');
    expect(await me(server, accessToken)).not.toBeNull();
    // The session's rows are gone (purged, or a database restored from before it).
    const db = server.app.orm.em.fork().getConnection();
    await db.execute('delete from refresh_tokens where session_id in (select id from auth_sessions where user_id = ?)', [user.id]);
    await db.execute('delete from auth_sessions where user_id = ?', [user.id]);
    expect(await me(server, accessToken)).toBeNull();
  });

  it('sees a logout made by another replica (only PostgreSQL knows of it)', async () => {
    const { accessToken, user } = await signUp(server, 'other-replica@example.com');
    expect(await me(server, accessToken)).not.toBeNull();
    await server.app.orm.em
      .fork()
      .getConnection()
      .execute("update auth_sessions set revoked_at = now(), revoked_reason = 'LOGOUT' where user_id = ?", [user.id]);
    expect(await me(server, accessToken)).toBeNull();
  });
});

describe('session revocation when Redis answers reads but refuses writes', () => {
  let redis: PrivateRedis;
  let server: TestServer;
  let admin: Redis;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    server = await startTestServer({ REDIS_URL: redis.url });
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.close();
    await redis?.stop();
  });

  it('keeps a logout Redis did not take in memory, so the token stops working all the same', async () => {
    const { accessToken } = await signUp(server, 'redis-full@example.com');
    expect(await me(server, accessToken)).toMatchObject({ email: 'redis-full@example.com' });
    // Redis is full and evicts nothing: every write fails with OOM, reads still answer.
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    try {
      const out = await server.gql(LogOutDocument, {}, { token: accessToken });
      expect(out.data!.logOut.revoked).toBe(true);
      expect(await admin.keys(`${server.redisPrefix}revoked-session:*`)).toEqual([]);
      // Redis answers "not revoked" for the session; the process remembers it was.
      expect(await me(server, accessToken)).toBeNull();
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    // Once Redis takes writes again, the resync writes it there for every replica.
    await server.app.services.auth.resyncRevocations(server.app.orm.em.fork());
    expect(await admin.exists(`${server.redisPrefix}revoked-session:${jwtClaims(accessToken).sid}`)).toBe(1);
    expect(await me(server, accessToken)).toBeNull();
  });
});
