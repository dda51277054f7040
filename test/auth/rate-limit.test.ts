import 'reflect-metadata';
import argon2 from 'argon2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChangePasswordDocument, LogInDocument, SignUpDocument } from '../generated/graphql.js';
import type { GraphQLResponse } from '../support/server.js';
import { startTestServer, useTestServer, type TestServer } from '../support/server.js';
import { count, fromIp, onlyError, PASSWORD, signUp } from './auth-helpers.js';
import { sql } from '../support/helpers.js';

const LOGIN_PER_EMAIL = 3;
const LOGIN_PER_IP = 5;
const LOGIN_WINDOW = 900;
const SIGNUP_PER_IP = 3;
const SIGNUP_PER_EMAIL = 2;
const SIGNUP_WINDOW = 3600;

const server = useTestServer({
    TRUST_PROXY: 'true',
    RATE_LIMIT_LOGIN_PER_EMAIL: String(LOGIN_PER_EMAIL),
    RATE_LIMIT_LOGIN_PER_IP: String(LOGIN_PER_IP),
    RATE_LIMIT_LOGIN_WINDOW_SECONDS: String(LOGIN_WINDOW),
    RATE_LIMIT_SIGNUP_PER_IP: String(SIGNUP_PER_IP),
    RATE_LIMIT_SIGNUP_PER_EMAIL: String(SIGNUP_PER_EMAIL),
    RATE_LIMIT_SIGNUP_WINDOW_SECONDS: String(SIGNUP_WINDOW),
  });

const logInFrom = (ip: string, email: string, password: string, s: TestServer = server) =>
  s.gql(LogInDocument, { input: { email, password } }, { headers: fromIp(ip) });

const signUpFrom = (ip: string, email: string, password = PASSWORD) =>
  server.gql(SignUpDocument, { input: { email, password, fullName: 'Rate Limited' } }, { headers: fromIp(ip) });

/** RATE_LIMITED with a whole, positive number of seconds to wait, no more than the window. */
function expectRateLimited(res: GraphQLResponse<unknown>, windowSeconds: number) {
  expect(res.data).toBeNull();
  const error = onlyError(res);
  expect(error.code).toBe('RATE_LIMITED');
  const retry = error.extensions.retryAfterSeconds;
  expect(typeof retry).toBe('number');
  expect(Number.isInteger(retry)).toBe(true);
  expect(retry as number).toBeGreaterThan(0);
  expect(retry as number).toBeLessThanOrEqual(windowSeconds);
}

function expectCode(res: GraphQLResponse<unknown>, code: string) {
  expect(onlyError(res).code).toBe(code);
}

describe('logIn rate limit per email', () => {
  it(`refuses sign-ins for an email after ${LOGIN_PER_EMAIL} failures, from any IP, even with the right password`, async () => {
    await signUp(server, { email: 'target@example.com' }, fromIp('10.9.0.1'));
    for (let i = 1; i <= LOGIN_PER_EMAIL; i++) {
      expectCode(await logInFrom(`10.1.0.${i}`, 'target@example.com', `guess ${i}!!`), 'INVALID_CREDENTIALS');
    }
    expectRateLimited(await logInFrom('10.1.1.1', 'target@example.com', 'another guess'), LOGIN_WINDOW);
    // The owner, from a fresh IP with the right password, waits too: the limit is on the email.
    expectRateLimited(await logInFrom('10.1.1.2', '  TARGET@example.com ', PASSWORD), LOGIN_WINDOW);
  });

  it('does not affect other emails, from the same IP', async () => {
    await signUp(server, { email: 'target@example.com' }, fromIp('10.9.0.1'));
    const bystander = await signUp(server, { email: 'bystander@example.com' }, fromIp('10.9.0.2'));
    for (let i = 1; i <= LOGIN_PER_EMAIL; i++) {
      expectCode(await logInFrom('10.1.2.1', 'target@example.com', `guess ${i}!!`), 'INVALID_CREDENTIALS');
    }
    expectRateLimited(await logInFrom('10.1.2.1', 'target@example.com', 'guess again'), LOGIN_WINDOW);
    const ok = await logInFrom('10.1.2.1', 'bystander@example.com', PASSWORD);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.logIn.user.id).toBe(bystander.user.id);
    expectCode(await logInFrom('10.1.2.1', 'bystander@example.com', 'wrong password'), 'INVALID_CREDENTIALS');
  });

  it('limits unknown emails the same way, so the limit does not tell whether an email exists', async () => {
    for (let i = 1; i <= LOGIN_PER_EMAIL; i++) {
      expectCode(await logInFrom(`10.1.3.${i}`, 'ghost@example.com', `guess ${i}!!`), 'INVALID_CREDENTIALS');
    }
    expectRateLimited(await logInFrom('10.1.3.9', 'ghost@example.com', 'guess again'), LOGIN_WINDOW);
  });

  it('does not count successful sign-ins against the email', async () => {
    await signUp(server, { email: 'owner@example.com' }, fromIp('10.9.0.1'));
    let ip = 0;
    const next = () => `10.1.4.${++ip}`;
    for (let i = 1; i < LOGIN_PER_EMAIL; i++) {
      expectCode(await logInFrom(next(), 'owner@example.com', 'typo typo'), 'INVALID_CREDENTIALS');
    }
    // More successes than the limit: none of them uses up an attempt.
    for (let i = 0; i < LOGIN_PER_EMAIL + 1; i++) {
      const res = await logInFrom(next(), 'owner@example.com', PASSWORD);
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    }
    // One failure is still left; the one after it is refused.
    expectCode(await logInFrom(next(), 'owner@example.com', 'typo typo'), 'INVALID_CREDENTIALS');
    expectRateLimited(await logInFrom(next(), 'owner@example.com', 'typo typo'), LOGIN_WINDOW);
  });
});

describe('logIn rate limit per IP', () => {
  it('counts attempts with something that is not an email address against the IP', async () => {
    for (let i = 1; i <= LOGIN_PER_IP; i++) {
      expectCode(await logInFrom('10.2.9.1', `not an email ${i}`, 'Password1'), 'INVALID_CREDENTIALS');
    }
    expectRateLimited(await logInFrom('10.2.9.1', 'not an email at all', 'Password1'), LOGIN_WINDOW);
  });

  it(`refuses sign-ins from an IP after ${LOGIN_PER_IP} failures, across emails; other IPs go on`, async () => {
    const victim = await signUp(server, { email: 'victim@example.com' }, fromIp('10.9.0.1'));
    for (let i = 1; i <= LOGIN_PER_IP; i++) {
      expectCode(await logInFrom('10.2.0.1', `spray${i}@example.com`, 'Password1'), 'INVALID_CREDENTIALS');
    }
    expectRateLimited(await logInFrom('10.2.0.1', 'spray-next@example.com', 'Password1'), LOGIN_WINDOW);
    // Even a right password is refused from that IP...
    expectRateLimited(await logInFrom('10.2.0.1', 'victim@example.com', PASSWORD), LOGIN_WINDOW);
    // ...while another IP signs in, and the spraying did not use up the victim's email limit.
    const ok = await logInFrom('10.2.0.2', 'victim@example.com', PASSWORD);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.logIn.user.id).toBe(victim.user.id);
    expectCode(await logInFrom('10.2.0.3', 'spray-next@example.com', 'Password1'), 'INVALID_CREDENTIALS');
  });

  it('does not count successful sign-ins against the IP', async () => {
    await signUp(server, { email: 'busy@example.com' }, fromIp('10.9.0.1'));
    for (let i = 1; i < LOGIN_PER_IP; i++) {
      expectCode(await logInFrom('10.2.1.1', `nobody${i}@example.com`, 'Password1'), 'INVALID_CREDENTIALS');
    }
    for (let i = 0; i < LOGIN_PER_IP + 1; i++) {
      const res = await logInFrom('10.2.1.1', 'busy@example.com', PASSWORD);
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    }
    expectCode(await logInFrom('10.2.1.1', 'last@example.com', 'Password1'), 'INVALID_CREDENTIALS');
    expectRateLimited(await logInFrom('10.2.1.1', 'one-more@example.com', 'Password1'), LOGIN_WINDOW);
  });
});

describe('signUp rate limits', () => {
  it(`refuses a ${SIGNUP_PER_IP + 1}th sign-up from one IP and writes nothing; another IP signs up`, async () => {
    for (let i = 1; i <= SIGNUP_PER_IP; i++) {
      const res = await signUpFrom('10.3.0.1', `new${i}@example.com`);
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    }
    expectRateLimited(await signUpFrom('10.3.0.1', 'late@example.com'), SIGNUP_WINDOW);
    expect(await count(server, 'users')).toBe(SIGNUP_PER_IP);
    expect(await sql(server, 'select 1 from users where email = ?', ['late@example.com'])).toHaveLength(0);

    const other = await signUpFrom('10.3.0.2', 'late@example.com');
    expect(other.errors).toBeUndefined();
    expect(other.data!.signUp.user.email).toBe('late@example.com');
  });

  it('counts failed sign-ups against the IP too', async () => {
    for (let i = 1; i <= SIGNUP_PER_IP; i++) {
      expectCode(await signUpFrom('10.3.1.1', `weak${i}@example.com`, 'short'), 'BAD_USER_INPUT');
    }
    expectRateLimited(await signUpFrom('10.3.1.1', 'strong@example.com'), SIGNUP_WINDOW);
    expect(await count(server, 'users')).toBe(0);
  });

  it('does not share its counter with logIn', async () => {
    await signUp(server, { email: 'mixed@example.com' }, fromIp('10.3.2.1'));
    for (let i = 2; i <= SIGNUP_PER_IP; i++) await signUpFrom('10.3.2.1', `mixed${i}@example.com`);
    expectRateLimited(await signUpFrom('10.3.2.1', 'one-too-many@example.com'), SIGNUP_WINDOW);
    const res = await logInFrom('10.3.2.1', 'mixed@example.com', PASSWORD);
    expect(res.errors).toBeUndefined();
  });

  it(`refuses sign-ups for one email after ${SIGNUP_PER_EMAIL} attempts, from any IP and any casing`, async () => {
    expect((await signUpFrom('10.4.0.1', 'wanted@example.com')).errors).toBeUndefined();
    expectCode(await signUpFrom('10.4.0.2', 'Wanted@Example.com'), 'EMAIL_TAKEN');
    expectRateLimited(await signUpFrom('10.4.0.3', '  WANTED@example.com '), SIGNUP_WINDOW);
    // Another email from that same IP is not affected.
    const other = await signUpFrom('10.4.0.3', 'unwanted@example.com');
    expect(other.errors).toBeUndefined();
    expect(await count(server, 'users')).toBe(2);
  });
});

describe('changePassword and the sign-in limit', () => {
  it('counts wrong current passwords as failed sign-ins for the email', async () => {
    const owner = await signUp(server, { email: 'stolen@example.com' }, fromIp('10.9.0.1'));
    const change = (currentPassword: string) =>
      server.gql(
        ChangePasswordDocument,
        { input: { currentPassword, newPassword: 'a new password' } },
        { token: owner.accessToken, headers: fromIp('10.5.0.1') },
      );
    for (let i = 1; i <= LOGIN_PER_EMAIL; i++) expectCode(await change(`guess ${i}!!`), 'INVALID_CREDENTIALS');
    expectRateLimited(await change(PASSWORD), LOGIN_WINDOW);
    // Nothing changed: the stored hash is still the original password's, no session was revoked.
    const [{ password_hash: hash }] = await sql<{ password_hash: string }>(server, 'select password_hash from users');
    expect(await argon2.verify(hash, PASSWORD)).toBe(true);
    const [row] = await sql<{ n: number }>(server, 'select count(*)::int as n from auth_sessions where revoked_at is not null');
    expect(row.n).toBe(0);
  });
});

describe('without TRUST_PROXY, X-Forwarded-For is ignored', () => {
  let direct: TestServer;
  beforeAll(async () => {
    direct = await startTestServer({ TRUST_PROXY: 'false', RATE_LIMIT_LOGIN_PER_IP: '2' });
  });
  afterAll(() => direct.close());
  beforeEach(() => direct.reset());

  it('a client cannot dodge the IP limit by sending a different X-Forwarded-For each time', async () => {
    expectCode(await logInFrom('10.6.0.1', 'a@example.com', 'Password1', direct), 'INVALID_CREDENTIALS');
    expectCode(await logInFrom('10.6.0.2', 'b@example.com', 'Password1', direct), 'INVALID_CREDENTIALS');
    expectRateLimited(await logInFrom('10.6.0.3', 'c@example.com', 'Password1', direct), LOGIN_WINDOW);
  });
});
