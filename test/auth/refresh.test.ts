import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, useTestServer, type TestServer } from '../support/server.js';
import { jwtClaims, logIn, onlyError, refresh, signUp, whoAmI } from './auth-helpers.js';
import { sql } from '../support/helpers.js';

const server = useTestServer();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function refreshOk(s: TestServer, refreshToken: string) {
  const res = await refresh(s, refreshToken);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.refreshToken;
}

describe('refreshToken', () => {
  it('returns a new access token and a new refresh token for the same session and user', async () => {
    const first = await signUp(server, { email: 'rot@example.com' });
    const next = await refreshOk(server, first.refreshToken);

    expect(next.user).toMatchObject({ id: first.user.id, email: 'rot@example.com' });
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(new Date(next.expiresAt).getTime()).toBeGreaterThan(Date.now());
    // Same session: every token descends from the one login.
    expect(jwtClaims(next.accessToken).sid).toBe(jwtClaims(first.accessToken).sid);
    expect(await whoAmI(server, next.accessToken)).toBe(first.user.id);
    // The new refresh token rotates again.
    const third = await refreshOk(server, next.refreshToken);
    expect(third.refreshToken).not.toBe(next.refreshToken);
    expect(third.refreshToken).not.toBe(first.refreshToken);
  });

  it('leaves the previous access token working until it expires', async () => {
    const first = await signUp(server);
    await refreshOk(server, first.refreshToken);
    expect(await whoAmI(server, first.accessToken)).toBe(first.user.id);
  });

  it('marks the used refresh token used and stores the new one hashed', async () => {
    const first = await signUp(server);
    const next = await refreshOk(server, first.refreshToken);
    const rows = await sql<{ token_hash: string; used_at: Date | null }>(
      server,
      'select token_hash, used_at from refresh_tokens order by created_at',
    );
    expect(rows).toHaveLength(2);
    expect(rows[0].used_at).not.toBeNull();
    expect(rows[1].used_at).toBeNull();
    for (const row of rows) {
      expect(row.token_hash).not.toBe(first.refreshToken);
      expect(row.token_hash).not.toBe(next.refreshToken);
    }
  });

  it('a reused refresh token fails with UNAUTHENTICATED and revokes the whole session', async () => {
    const login = await signUp(server, { email: 'victim@example.com' });
    const rotated = await refreshOk(server, login.refreshToken);
    // Another session of the same user, which must survive.
    const other = await logIn(server, 'victim@example.com');

    // Someone presents the already used token (a stolen copy, say).
    const reuse = await refresh(server, login.refreshToken);
    expect(reuse.data).toBeNull();
    expect(onlyError(reuse).code).toBe('UNAUTHENTICATED');

    // The newest refresh token of that session is dead too.
    const newest = await refresh(server, rotated.refreshToken);
    expect(onlyError(newest).code).toBe('UNAUTHENTICATED');
    // And every access token of the session stops working at once.
    expect(await whoAmI(server, login.accessToken)).toBeNull();
    expect(await whoAmI(server, rotated.accessToken)).toBeNull();

    // The same user's other session is untouched.
    expect(await whoAmI(server, other.accessToken)).toBe(login.user.id);
    const otherNext = await refreshOk(server, other.refreshToken);
    expect(await whoAmI(server, otherNext.accessToken)).toBe(login.user.id);

    const sessions = await sql<{ id: string; revoked_reason: string | null }>(
      server,
      'select id, revoked_reason from auth_sessions',
    );
    const byId = new Map(sessions.map((s) => [s.id, s.revoked_reason]));
    expect(byId.get(jwtClaims(login.accessToken).sid as string)).toBe('REFRESH_TOKEN_REUSE');
    expect(byId.get(jwtClaims(other.accessToken).sid as string)).toBeNull();
  });

  it('reuse of the token just used (refreshing twice with it) also revokes the session', async () => {
    const login = await signUp(server);
    const first = await refreshOk(server, login.refreshToken);
    expect(onlyError(await refresh(server, login.refreshToken)).code).toBe('UNAUTHENTICATED');
    expect(onlyError(await refresh(server, first.refreshToken)).code).toBe('UNAUTHENTICATED');
    expect(await whoAmI(server, first.accessToken)).toBeNull();
  });

  it('reuse does not touch other users', async () => {
    const alice = await signUp(server, { email: 'alice@example.com' });
    const bob = await signUp(server, { email: 'bob@example.com' });
    await refreshOk(server, alice.refreshToken);
    expect(onlyError(await refresh(server, alice.refreshToken)).code).toBe('UNAUTHENTICATED');
    expect(await whoAmI(server, bob.accessToken)).toBe(bob.user.id);
    await refreshOk(server, bob.refreshToken);
  });

  it('never hands out two live successors when one token is presented concurrently', async () => {
    const login = await signUp(server);
    const results = await Promise.all([refresh(server, login.refreshToken), refresh(server, login.refreshToken)]);
    const ok = results.filter((r) => !r.errors);
    const failed = results.filter((r) => r.errors);
    // Exactly one wins the row lock; the other sees a used token: reuse, session revoked.
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(onlyError(failed[0]).code).toBe('UNAUTHENTICATED');
    const winner = ok[0].data!.refreshToken;
    expect(onlyError(await refresh(server, winner.refreshToken)).code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['empty', ''],
    ['well-formed but unknown', 'A'.repeat(43)],
  ])('refuses a %s refresh token with UNAUTHENTICATED', async (_what, token) => {
    await signUp(server);
    const res = await refresh(server, token);
    expect(res.data).toBeNull();
    expect(onlyError(res).code).toBe('UNAUTHENTICATED');
  });

  it('refuses an access token offered as a refresh token', async () => {
    const login = await signUp(server);
    expect(onlyError(await refresh(server, login.accessToken)).code).toBe('UNAUTHENTICATED');
    // And that mistake does not harm the session.
    await refreshOk(server, login.refreshToken);
  });

  it('refuses a refresh token with a character changed', async () => {
    const login = await signUp(server);
    const last = login.refreshToken.at(-1) === 'A' ? 'B' : 'A';
    const tampered = login.refreshToken.slice(0, -1) + last;
    expect(onlyError(await refresh(server, tampered)).code).toBe('UNAUTHENTICATED');
    await refreshOk(server, login.refreshToken);
  });
});

describe('refreshToken past its lifetime (JWT_REFRESH_TTL_SECONDS=1)', () => {
  let shortLived: TestServer;
  beforeAll(async () => {
    shortLived = await startTestServer({ JWT_REFRESH_TTL_SECONDS: '1' });
  });
  afterAll(() => shortLived.close());

  it('refuses an expired refresh token with UNAUTHENTICATED', async () => {
    const login = await signUp(shortLived);
    // While fresh it works (so the failure below is the expiry, nothing else).
    const fresh = await refreshOk(shortLived, login.refreshToken);
    await sleep(1_200);
    const res = await refresh(shortLived, fresh.refreshToken);
    expect(res.data).toBeNull();
    expect(onlyError(res).code).toBe('UNAUTHENTICATED');
    // An expired token is not a reuse: the session itself is not revoked.
    const [session] = await sql<{ revoked_at: Date | null }>(shortLived, 'select revoked_at from auth_sessions where id = ?', [
      jwtClaims(fresh.accessToken).sid,
    ]);
    expect(session.revoked_at).toBeNull();
  });
});
