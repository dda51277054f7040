import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { LogOutDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';
import { jwtClaims, logIn, onlyError, refresh, signUp, whoAmI } from './auth-helpers.js';
import { sql } from '../support/helpers.js';

const server = useTestServer();

async function logOut(token?: string, refreshToken?: string | null) {
  const res = await server.gql(
    LogOutDocument,
    refreshToken === undefined ? {} : { input: { refreshToken } },
    token ? { token } : {},
  );
  return res;
}

async function logOutOk(token?: string, refreshToken?: string | null): Promise<boolean> {
  const res = await logOut(token, refreshToken);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.logOut.revoked;
}

async function revokedReason(accessToken: string): Promise<string | null> {
  const [row] = await sql<{ revoked_reason: string | null }>(server, 'select revoked_reason from auth_sessions where id = ?', [
    jwtClaims(accessToken).sid,
  ]);
  return row.revoked_reason;
}

describe('logOut without input', () => {
  it("revokes the caller's session at once: the access token stops working before it expires", async () => {
    const login = await signUp(server);
    expect(await whoAmI(server, login.accessToken)).toBe(login.user.id);
    expect(new Date(login.expiresAt).getTime()).toBeGreaterThan(Date.now() + 60_000);

    expect(await logOutOk(login.accessToken)).toBe(true);
    expect(await whoAmI(server, login.accessToken)).toBeNull();
    expect(await revokedReason(login.accessToken)).toBe('LOGOUT');
  });

  it("also ends the session's refresh token", async () => {
    const login = await signUp(server);
    expect(await logOutOk(login.accessToken)).toBe(true);
    const res = await refresh(server, login.refreshToken);
    expect(res.data).toBeNull();
    expect(onlyError(res).code).toBe('UNAUTHENTICATED');
  });

  it('ends every access token of the session, also ones from earlier refreshes', async () => {
    const login = await signUp(server);
    const rotated = (await refresh(server, login.refreshToken)).data!.refreshToken;
    expect(await logOutOk(rotated.accessToken)).toBe(true);
    expect(await whoAmI(server, login.accessToken)).toBeNull();
    expect(await whoAmI(server, rotated.accessToken)).toBeNull();
    expect(onlyError(await refresh(server, rotated.refreshToken)).code).toBe('UNAUTHENTICATED');
  });

  it("leaves the user's other sessions signed in", async () => {
    const login = await signUp(server, { email: 'two@example.com' });
    const other = await logIn(server, 'two@example.com');
    expect(await logOutOk(login.accessToken)).toBe(true);
    expect(await whoAmI(server, other.accessToken)).toBe(login.user.id);
    expect((await refresh(server, other.refreshToken)).errors).toBeUndefined();
  });

  it('treats { refreshToken: null } like no input', async () => {
    const login = await signUp(server);
    expect(await logOutOk(login.accessToken, null)).toBe(true);
    expect(await whoAmI(server, login.accessToken)).toBeNull();
  });

  it('fails with UNAUTHENTICATED without an access token', async () => {
    const res = await logOut();
    expect(res.data).toBeNull();
    expect(onlyError(res).code).toBe('UNAUTHENTICATED');
  });

  it('fails with UNAUTHENTICATED with a token that is already logged out', async () => {
    const login = await signUp(server);
    expect(await logOutOk(login.accessToken)).toBe(true);
    expect(onlyError(await logOut(login.accessToken)).code).toBe('UNAUTHENTICATED');
  });

  it('fails with UNAUTHENTICATED with a garbage access token', async () => {
    await signUp(server);
    expect(onlyError(await logOut('not.a.jwt')).code).toBe('UNAUTHENTICATED');
  });
});

describe('logOut with a refreshToken', () => {
  it('revokes the session the refresh token belongs to (revoked: true), then revoked: false', async () => {
    const login = await signUp(server);
    // Without an access token: holding the refresh token is enough to end its own session.
    expect(await logOutOk(undefined, login.refreshToken)).toBe(true);
    expect(await whoAmI(server, login.accessToken)).toBeNull();
    expect(onlyError(await refresh(server, login.refreshToken)).code).toBe('UNAUTHENTICATED');
    expect(await revokedReason(login.accessToken)).toBe('LOGOUT');

    expect(await logOutOk(undefined, login.refreshToken)).toBe(false);
  });

  it('lets a signed-in user end another session of their own', async () => {
    const phone = await signUp(server, { email: 'me@example.com' });
    const laptop = await logIn(server, 'me@example.com');
    expect(await logOutOk(laptop.accessToken, phone.refreshToken)).toBe(true);
    expect(await whoAmI(server, phone.accessToken)).toBeNull();
    // The caller's own session goes on.
    expect(await whoAmI(server, laptop.accessToken)).toBe(phone.user.id);
    expect(await logOutOk(laptop.accessToken, phone.refreshToken)).toBe(false);
  });

  it("does not let a signed-in user end another user's session", async () => {
    const alice = await signUp(server, { email: 'alice@example.com' });
    const mallory = await signUp(server, { email: 'mallory@example.com' });
    expect(await logOutOk(mallory.accessToken, alice.refreshToken)).toBe(false);
    expect(await whoAmI(server, alice.accessToken)).toBe(alice.user.id);
    expect(await revokedReason(alice.accessToken)).toBeNull();
    const next = await refresh(server, alice.refreshToken);
    expect(next.errors).toBeUndefined();
    // Nor did Mallory end her own session by trying.
    expect(await whoAmI(server, mallory.accessToken)).toBe(mallory.user.id);
  });

  it('answers revoked: false for an unknown refresh token and ends nothing', async () => {
    const login = await signUp(server);
    expect(await logOutOk(undefined, 'no-such-token')).toBe(false);
    expect(await logOutOk(login.accessToken, 'no-such-token')).toBe(false);
    expect(await whoAmI(server, login.accessToken)).toBe(login.user.id);
  });

  it('ends the session also with a refresh token that was already rotated away', async () => {
    const login = await signUp(server);
    const rotated = (await refresh(server, login.refreshToken)).data!.refreshToken;
    expect(await logOutOk(undefined, login.refreshToken)).toBe(true);
    expect(await whoAmI(server, rotated.accessToken)).toBeNull();
    expect(onlyError(await refresh(server, rotated.refreshToken)).code).toBe('UNAUTHENTICATED');
  });
});
