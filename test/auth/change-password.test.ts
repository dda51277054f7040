import 'reflect-metadata';
import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { ChangePasswordDocument, LogInDocument, LogOutDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';
import { jwtClaims, logIn, onlyError, parseArgon2, PASSWORD, refresh, signUp, whoAmI } from './auth-helpers.js';
import { sql } from '../support/helpers.js';

const server = useTestServer();

const NEW_PASSWORD = 'a brand new passphrase';

const changePassword = (token: string | undefined, currentPassword: string, newPassword: string) =>
  server.gql(ChangePasswordDocument, { input: { currentPassword, newPassword } }, token ? { token } : {});

const logInRaw = (email: string, password: string) => server.gql(LogInDocument, { input: { email, password } });

async function storedHash(): Promise<string> {
  const [row] = await sql<{ password_hash: string }>(server, 'select password_hash from users');
  return row.password_hash;
}

describe('changePassword', () => {
  it('changes the password, signs out every other session and keeps the current one', async () => {
    const current = await signUp(server, { email: 'owner@example.com' });
    const phone = await logIn(server, 'owner@example.com');
    const tablet = await logIn(server, 'owner@example.com');
    const before = await storedHash();

    const res = await changePassword(current.accessToken, PASSWORD, NEW_PASSWORD);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.changePassword.revokedSessions).toBe(2);
    expect(res.data!.changePassword.user).toMatchObject({ id: current.user.id, email: 'owner@example.com' });

    // The other sessions' access and refresh tokens stop working.
    for (const other of [phone, tablet]) {
      expect(await whoAmI(server, other.accessToken)).toBeNull();
      expect(onlyError(await refresh(server, other.refreshToken)).code).toBe('UNAUTHENTICATED');
    }
    const reasons = await sql<{ id: string; revoked_reason: string | null }>(server, 'select id, revoked_reason from auth_sessions');
    const byId = new Map(reasons.map((r) => [r.id, r.revoked_reason]));
    expect(byId.get(jwtClaims(phone.accessToken).sid as string)).toBe('PASSWORD_CHANGED');
    expect(byId.get(jwtClaims(current.accessToken).sid as string)).toBeNull();

    // The current session keeps working, access and refresh.
    expect(await whoAmI(server, current.accessToken)).toBe(current.user.id);
    const rotated = await refresh(server, current.refreshToken);
    expect(rotated.errors).toBeUndefined();
    expect(await whoAmI(server, rotated.data!.refreshToken.accessToken)).toBe(current.user.id);

    // The old password no longer signs in; the new one does.
    expect(onlyError(await logInRaw('owner@example.com', PASSWORD)).code).toBe('INVALID_CREDENTIALS');
    const fresh = await logIn(server, 'owner@example.com', NEW_PASSWORD);
    expect(fresh.user.id).toBe(current.user.id);

    // Stored as a new argon2id hash of the new password.
    const after = await storedHash();
    expect(after).not.toBe(before);
    expect(parseArgon2(after)).toMatchObject({ type: 'argon2id' });
    expect(parseArgon2(after).m).toBeGreaterThanOrEqual(19456);
    expect(parseArgon2(after).t).toBeGreaterThanOrEqual(2);
    expect(await argon2.verify(after, NEW_PASSWORD)).toBe(true);
  });

  it('answers revokedSessions: 0 when there is no other session', async () => {
    const current = await signUp(server);
    const res = await changePassword(current.accessToken, PASSWORD, NEW_PASSWORD);
    expect(res.errors).toBeUndefined();
    expect(res.data!.changePassword.revokedSessions).toBe(0);
    expect(await whoAmI(server, current.accessToken)).toBe(current.user.id);
  });

  it('counts only sessions that were still live, and only the caller’s own', async () => {
    const current = await signUp(server, { email: 'count@example.com' });
    const live = await logIn(server, 'count@example.com');
    const ended = await logIn(server, 'count@example.com');
    const endedRes = await server.gql(LogOutDocument, {}, { token: ended.accessToken });
    expect(endedRes.data!.logOut.revoked).toBe(true);
    const stranger = await signUp(server, { email: 'stranger@example.com' });

    const res = await changePassword(current.accessToken, PASSWORD, NEW_PASSWORD);
    expect(res.data!.changePassword.revokedSessions).toBe(1);
    expect(await whoAmI(server, live.accessToken)).toBeNull();
    // Another user's sessions are not touched.
    expect(await whoAmI(server, stranger.accessToken)).toBe(stranger.user.id);
    expect((await refresh(server, stranger.refreshToken)).errors).toBeUndefined();
  });

  it('refuses a wrong current password with INVALID_CREDENTIALS and changes nothing', async () => {
    const current = await signUp(server, { email: 'wrong@example.com' });
    const other = await logIn(server, 'wrong@example.com');
    const before = await storedHash();

    const res = await changePassword(current.accessToken, 'not my password', NEW_PASSWORD);
    expect(res.data).toBeNull();
    expect(onlyError(res).code).toBe('INVALID_CREDENTIALS');

    expect(await storedHash()).toBe(before);
    expect(await whoAmI(server, other.accessToken)).toBe(current.user.id);
    expect(await whoAmI(server, current.accessToken)).toBe(current.user.id);
    await logIn(server, 'wrong@example.com', PASSWORD);
    expect(onlyError(await logInRaw('wrong@example.com', NEW_PASSWORD)).code).toBe('INVALID_CREDENTIALS');
  });

  it.each([
    ['shorter than 8 characters', '1234567'],
    ['empty', ''],
    ['longer than 256 characters', 'p'.repeat(257)],
  ])('refuses a new password %s with BAD_USER_INPUT and changes nothing', async (_what, newPassword) => {
    const current = await signUp(server, { email: 'short@example.com' });
    const other = await logIn(server, 'short@example.com');
    const before = await storedHash();

    const res = await changePassword(current.accessToken, PASSWORD, newPassword);
    expect(res.data).toBeNull();
    expect(onlyError(res).code).toBe('BAD_USER_INPUT');

    expect(await storedHash()).toBe(before);
    expect(await whoAmI(server, other.accessToken)).toBe(current.user.id);
    await logIn(server, 'short@example.com', PASSWORD);
  });

  it('fails with UNAUTHENTICATED without an access token', async () => {
    await signUp(server);
    const before = await storedHash();
    const res = await changePassword(undefined, PASSWORD, NEW_PASSWORD);
    expect(res.data).toBeNull();
    expect(onlyError(res).code).toBe('UNAUTHENTICATED');
    expect(await storedHash()).toBe(before);
  });

  it('fails with UNAUTHENTICATED with the access token of a logged-out session', async () => {
    const current = await signUp(server);
    await server.gql(LogOutDocument, {}, { token: current.accessToken });
    const res = await changePassword(current.accessToken, PASSWORD, NEW_PASSWORD);
    expect(onlyError(res).code).toBe('UNAUTHENTICATED');
  });
});
