import 'reflect-metadata';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogInDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';
import { count, jwtClaims, logIn, onlyError, parseArgon2, PASSWORD, signUp, whoAmI } from './auth-helpers.js';
import { sql } from '../support/helpers.js';

const server = useTestServer();
afterEach(() => {
  vi.restoreAllMocks();
});

const logInRaw = (email: string, password: string) => server.gql(LogInDocument, { input: { email, password } });

describe('logIn', () => {
  it('returns a working access token, a refresh token and the user', async () => {
    const account = await signUp(server, { email: 'ada@example.com', fullName: 'Ada' });
    const session = await logIn(server, 'ada@example.com');

    expect(session.user).toMatchObject({ id: account.user.id, email: 'ada@example.com', fullName: 'Ada', role: 'USER' });
    expect(session.accessToken).not.toBe(account.accessToken);
    expect(session.refreshToken).not.toBe(account.refreshToken);
    expect(new Date(session.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const claims = jwtClaims(session.accessToken);
    expect(claims.sub).toBe(account.user.id);
    expect(claims.exp).toBe(Math.floor(new Date(session.expiresAt).getTime() / 1000));
    expect(await whoAmI(server, session.accessToken)).toBe(account.user.id);
  });

  it('opens a new session for every sign-in', async () => {
    const account = await signUp(server, { email: 'multi@example.com' });
    const a = await logIn(server, 'multi@example.com');
    const b = await logIn(server, 'multi@example.com');
    const sids = new Set([account, a, b].map((s) => jwtClaims(s.accessToken).sid));
    expect(sids.size).toBe(3);
    expect(await count(server, 'auth_sessions')).toBe(3);
    const rows = await sql<{ user_id: string; revoked_at: Date | null }>(server, 'select user_id, revoked_at from auth_sessions');
    expect(rows.every((r) => r.user_id === account.user.id && r.revoked_at === null)).toBe(true);
  });

  it('finds the account whatever the casing or padding of the email', async () => {
    const account = await signUp(server, { email: 'case@example.com' });
    const session = await logIn(server, '  CaSe@Example.COM ');
    expect(session.user.id).toBe(account.user.id);
  });

  it('refuses a wrong password and an unknown email with INVALID_CREDENTIALS and the same message', async () => {
    await signUp(server, { email: 'known@example.com' });
    const sessionsBefore = await count(server, 'auth_sessions');

    const wrongPassword = await logInRaw('known@example.com', 'not the password');
    const unknownEmail = await logInRaw('unknown@example.com', 'not the password');
    const unknownWithRightPassword = await logInRaw('unknown@example.com', PASSWORD);

    for (const res of [wrongPassword, unknownEmail, unknownWithRightPassword]) {
      expect(res.data).toBeNull();
      expect(onlyError(res).code).toBe('INVALID_CREDENTIALS');
    }
    const messages = [wrongPassword, unknownEmail, unknownWithRightPassword].map((r) => onlyError(r).message);
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).not.toMatch(/not found|no (such )?(user|account)|unknown/i);
    // Nothing tells the two apart beyond the message either.
    expect(onlyError(wrongPassword).extensions).toEqual(onlyError(unknownEmail).extensions);
    // A failed sign-in opens no session.
    expect(await count(server, 'auth_sessions')).toBe(sessionsBefore);
  });

  it('refuses the right password with different casing (passwords are case sensitive)', async () => {
    await signUp(server, { email: 'sensitive@example.com', password: 'CaseSensitive1' });
    const res = await logInRaw('sensitive@example.com', 'casesensitive1');
    expect(onlyError(res).code).toBe('INVALID_CREDENTIALS');
  });

  it('runs an argon2 verify against a dummy hash for an unknown email', async () => {
    const dummy = vi.spyOn(server.app.passwords, 'verifyAgainstDummy');
    const verify = vi.spyOn(server.app.passwords, 'verify');

    const res = await logInRaw('nobody@example.com', 'some password');
    expect(onlyError(res).code).toBe('INVALID_CREDENTIALS');

    expect(dummy).toHaveBeenCalledTimes(1);
    expect(dummy).toHaveBeenCalledWith('some password');
    // The dummy check really ran argon2: a verify against an argon2id hash as costly as a real one.
    expect(verify).toHaveBeenCalledTimes(1);
    const [hash, password] = verify.mock.calls[0];
    expect(password).toBe('some password');
    const params = parseArgon2(hash);
    expect(params.type).toBe('argon2id');
    expect(params.m).toBeGreaterThanOrEqual(19456);
    expect(params.t).toBeGreaterThanOrEqual(2);
    await expect(verify.mock.results[0].value).resolves.toBe(false);
  });

  it('verifies against the stored hash (and skips the dummy) for a known email', async () => {
    await signUp(server, { email: 'real@example.com' });
    const [{ password_hash: stored }] = await sql<{ password_hash: string }>(server, 'select password_hash from users');
    const dummy = vi.spyOn(server.app.passwords, 'verifyAgainstDummy');
    const verify = vi.spyOn(server.app.passwords, 'verify');

    const res = await logInRaw('real@example.com', 'wrong password');
    expect(onlyError(res).code).toBe('INVALID_CREDENTIALS');
    expect(dummy).not.toHaveBeenCalled();
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledWith(stored, 'wrong password');

    await logIn(server, 'real@example.com');
    expect(dummy).not.toHaveBeenCalled();
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('runs the dummy verify for every unknown email, not only the first', async () => {
    const dummy = vi.spyOn(server.app.passwords, 'verifyAgainstDummy');
    const verify = vi.spyOn(server.app.passwords, 'verify');
    for (const email of ['x1@example.com', 'x2@example.com', 'x3@example.com']) {
      expect(onlyError(await logInRaw(email, 'whatever1')).code).toBe('INVALID_CREDENTIALS');
    }
    expect(dummy).toHaveBeenCalledTimes(3);
    expect(verify).toHaveBeenCalledTimes(3);
  });
});
