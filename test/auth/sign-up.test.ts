import 'reflect-metadata';
import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { MeDocument, SignUpDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';
import { count, logIn, onlyError, parseArgon2, PASSWORD } from './auth-helpers.js';
import { sql } from '../support/helpers.js';

const server = useTestServer();

const signUpRaw = (input: { email: string; password: string; fullName: string }) => server.gql(SignUpDocument, { input });

/** Nothing half-written: a failed signUp leaves no user, session or refresh token behind. */
async function expectNoRows(users = 0, sessions = 0) {
  expect(await count(server, 'users')).toBe(users);
  expect(await count(server, 'auth_sessions')).toBe(sessions);
  expect(await count(server, 'refresh_tokens')).toBe(sessions);
}

describe('signUp', () => {
  it('creates a USER with a normalized email and signs them in', async () => {
    const res = await server.gql(SignUpDocument, {
      input: { email: '  Ada@Example.COM ', password: 'correct horse', fullName: ' Ada Lovelace ' },
    });
    expect(res.errors).toBeUndefined();
    const payload = res.data!.signUp;
    expect(payload.user).toMatchObject({ email: 'ada@example.com', fullName: 'Ada Lovelace', role: 'USER' });
    expect(new Date(payload.expiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    const me = await server.gql(MeDocument, {}, { token: payload.accessToken });
    expect(me.data!.me).toMatchObject({ id: payload.user.id, email: 'ada@example.com' });
  });

  it('stores the normalized email and lets the user sign in with any casing of it', async () => {
    const res = await signUpRaw({ email: '\tGrace.Hopper@NAVY.mil  ', password: PASSWORD, fullName: 'Grace Hopper' });
    expect(res.errors).toBeUndefined();
    const rows = await sql<{ email: string }>(server, 'select email from users');
    expect(rows).toEqual([{ email: 'grace.hopper@navy.mil' }]);
    const session = await logIn(server, ' GRACE.hopper@navy.MIL');
    expect(session.user.id).toBe(res.data!.signUp.user.id);
  });

  it('accepts a password of exactly 8 characters', async () => {
    const res = await signUpRaw({ email: 'eight@example.com', password: 'k3#Lp9!q', fullName: 'Eight' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.signUp.user.email).toBe('eight@example.com');
    await expectNoRows(1, 1);
  });

  it('refuses an email that is already taken with EMAIL_TAKEN, also when cased or padded differently', async () => {
    const first = await signUpRaw({ email: 'taken@example.com', password: PASSWORD, fullName: 'First' });
    expect(first.errors).toBeUndefined();

    for (const email of ['taken@example.com', 'TAKEN@Example.com', '  Taken@EXAMPLE.COM  ']) {
      const res = await signUpRaw({ email, password: 'another password', fullName: 'Second' });
      expect(res.data).toBeNull();
      expect(onlyError(res).code, email).toBe('EMAIL_TAKEN');
    }
    // Only the first account and its one session exist; the first password still works.
    await expectNoRows(1, 1);
    const rows = await sql<{ full_name: string }>(server, 'select full_name from users');
    expect(rows).toEqual([{ full_name: 'First' }]);
    await logIn(server, 'taken@example.com', PASSWORD);
  });

  it('gives EMAIL_TAKEN, not an internal error, to one of two concurrent sign-ups with the same email', async () => {
    const results = await Promise.all([
      signUpRaw({ email: 'race@example.com', password: PASSWORD, fullName: 'One' }),
      signUpRaw({ email: 'RACE@example.com', password: PASSWORD, fullName: 'Two' }),
    ]);
    const ok = results.filter((r) => !r.errors);
    const failed = results.filter((r) => r.errors);
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(onlyError(failed[0]).code).toBe('EMAIL_TAKEN');
    await expectNoRows(1, 1);
  });

  it.each([
    ['7 characters', '1234567'],
    ['empty', ''],
    ['longer than 256 characters', 'x'.repeat(257)],
  ])('refuses a password that is %s with BAD_USER_INPUT and writes nothing', async (_what, password) => {
    const res = await signUpRaw({ email: 'weak@example.com', password, fullName: 'Weak' });
    expect(res.data).toBeNull();
    expect(onlyError(res).code).toBe('BAD_USER_INPUT');
    await expectNoRows();
  });

  it.each(['not-an-email', 'a@b', '', '   ', 'two@@example.com', 'sp ace@example.com', '@example.com', 'user@'])(
    'refuses the invalid email %j with BAD_USER_INPUT and writes nothing',
    async (email) => {
      const res = await signUpRaw({ email, password: PASSWORD, fullName: 'Nobody' });
      expect(res.data).toBeNull();
      expect(onlyError(res).code).toBe('BAD_USER_INPUT');
      await expectNoRows();
    },
  );

  it.each([
    ['empty', ''],
    ['blank', '    '],
    ['longer than 200 characters', 'n'.repeat(201)],
  ])('refuses a fullName that is %s with BAD_USER_INPUT and writes nothing', async (_what, fullName) => {
    const res = await signUpRaw({ email: 'noname@example.com', password: PASSWORD, fullName });
    expect(res.data).toBeNull();
    expect(onlyError(res).code).toBe('BAD_USER_INPUT');
    await expectNoRows();
  });

  it('a failed sign-up does not reserve the email: the same email signs up afterwards', async () => {
    const bad = await signUpRaw({ email: 'later@example.com', password: 'short', fullName: 'Later' });
    expect(onlyError(bad).code).toBe('BAD_USER_INPUT');
    const good = await signUpRaw({ email: 'later@example.com', password: PASSWORD, fullName: 'Later' });
    expect(good.errors).toBeUndefined();
    await expectNoRows(1, 1);
  });

  it('stores the password as an argon2id hash with at least OWASP parameters (m >= 19456 KiB, t >= 2)', async () => {
    const password = 'a secret nobody guesses';
    const res = await signUpRaw({ email: 'hash@example.com', password, fullName: 'Hash' });
    expect(res.errors).toBeUndefined();
    const [row] = await sql<{ password_hash: string }>(server, 'select password_hash from users where email = ?', [
      'hash@example.com',
    ]);
    expect(row.password_hash).not.toContain(password);
    const params = parseArgon2(row.password_hash);
    expect(params.type).toBe('argon2id');
    expect(params.m).toBeGreaterThanOrEqual(19456);
    expect(params.t).toBeGreaterThanOrEqual(2);
    expect(params.p).toBeGreaterThanOrEqual(1);
    // It is the hash of this password, not of something else.
    expect(await argon2.verify(row.password_hash, password)).toBe(true);
    expect(await argon2.verify(row.password_hash, 'a secret nobody guesses!')).toBe(false);
  });

  it('salts every hash: two users with the same password get different hashes', async () => {
    await signUpRaw({ email: 'salt1@example.com', password: PASSWORD, fullName: 'One' });
    await signUpRaw({ email: 'salt2@example.com', password: PASSWORD, fullName: 'Two' });
    const rows = await sql<{ password_hash: string }>(server, 'select password_hash from users');
    expect(rows).toHaveLength(2);
    expect(rows[0].password_hash).not.toBe(rows[1].password_hash);
  });

  it('returns an opaque refresh token and a JWT access token bound to a new session', async () => {
    const res = await signUpRaw({ email: 'tokens@example.com', password: PASSWORD, fullName: 'Tokens' });
    const { accessToken, refreshToken } = res.data!.signUp;
    expect(accessToken.split('.')).toHaveLength(3);
    expect(refreshToken.split('.')).toHaveLength(1);
    expect(refreshToken.length).toBeGreaterThanOrEqual(32);
    // Stored hashed only.
    const tokens = await sql<{ token_hash: string }>(server, 'select token_hash from refresh_tokens');
    expect(tokens).toHaveLength(1);
    expect(tokens[0].token_hash).not.toBe(refreshToken);
    expect(tokens[0].token_hash).not.toContain(refreshToken);
  });
});
