import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { print } from 'graphql';
import { ChangePasswordDocument, LogInDocument, LogOutDocument, MeDocument, SignUpDocument } from '../generated/graphql.js';
import { sql, withInsertFault } from '../support/helpers.js';
import { useTestServer } from '../support/server.js';
import { jwtClaims, logIn, onlyError, PASSWORD, refresh, signUp, uniqueEmail } from './auth-helpers.js';

/**
 * The auth service's rules at their edges: the longest accepted inputs, how an Authorization
 * header is read, what a session records, and refreshing a session that has ended.
 */

const server = useTestServer();

const signUpRaw = (input: { email: string; password: string; fullName: string }, headers?: Record<string, string>) =>
  server.gql(SignUpDocument, { input }, { headers });

describe('the longest inputs', () => {
  it('a password of 256 bytes is accepted, at sign-up and as a new password; 257 are not', async () => {
    const long = 'pq'.repeat(128);
    const res = await signUpRaw({ email: uniqueEmail(), password: long, fullName: 'Long Password' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const token = res.data!.signUp.accessToken;
    const changed = await server.gql(ChangePasswordDocument, { input: { currentPassword: long, newPassword: 'qr'.repeat(128) } }, { token });
    expect(changed.errors, JSON.stringify(changed.errors)).toBeUndefined();
    const tooLong = await server.gql(ChangePasswordDocument, { input: { currentPassword: 'qr'.repeat(128), newPassword: 'rs'.repeat(128) + 'r' } }, { token });
    expect(onlyError(tooLong)).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.newPassword' } });
    await logIn(server, res.data!.signUp.user.email, 'qr'.repeat(128));
  });

  it('a password of 7 characters is too short, on the field it was given in', async () => {
    const res = await signUpRaw({ email: uniqueEmail(), password: 'x'.repeat(7), fullName: 'Short' });
    expect(onlyError(res)).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.password' } });
  });

  it('a new password of 7 characters is too short, on the newPassword field', async () => {
    const { accessToken } = await signUp(server);
    const res = await server.gql(ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword: 'x'.repeat(7) } }, { token: accessToken });
    expect(onlyError(res)).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.newPassword' } });
  });

  it('a full name of 200 characters is kept, and one of a single character; a blank one is refused', async () => {
    const short = await signUpRaw({ email: uniqueEmail(), password: PASSWORD, fullName: ' J ' });
    expect(short.errors, JSON.stringify(short.errors)).toBeUndefined();
    expect(short.data!.signUp.user.fullName).toBe('J');
    const ok = await signUpRaw({ email: uniqueEmail(), password: PASSWORD, fullName: ` ${'n'.repeat(200)} ` });
    expect(ok.errors, JSON.stringify(ok.errors)).toBeUndefined();
    expect(ok.data!.signUp.user.fullName).toBe('n'.repeat(200));
    const blank = await signUpRaw({ email: uniqueEmail(), password: PASSWORD, fullName: '   ' });
    expect(onlyError(blank)).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.fullName' } });
  });

  it("a session records the client's user agent, up to 512 characters", async () => {
    const res = await signUpRaw({ email: uniqueEmail(), password: PASSWORD, fullName: 'Agent' }, { 'user-agent': `UA/${'a'.repeat(600)}` });
    const [session] = await sql<{ user_agent: string }>(server, 'select user_agent from auth_sessions where id = ?', [
      jwtClaims(res.data!.signUp.accessToken).sid,
    ]);
    expect(session.user_agent).toBe(`UA/${'a'.repeat(509)}`);
  });
});

describe('the Authorization header', () => {
  it('is read as "Bearer <token>" in any letter case, with spaces around the token; anything else is no viewer', async () => {
    const { accessToken, user } = await signUp(server);
    const me = async (authorization: string) => {
      const res = await server.gql(MeDocument, {}, { headers: { authorization } });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return res.data!.me?.id ?? null;
    };
    expect(await me(`Bearer ${accessToken}`)).toBe(user.id);
    expect(await me(`bearer ${accessToken}`)).toBe(user.id);
    expect(await me(`BEARER   ${accessToken}  `)).toBe(user.id);
    expect(await me(`Bearer ${accessToken} extra`)).toBeNull();
    expect(await me(`Basic ${accessToken}`)).toBeNull();
    expect(await me(`xBearer ${accessToken}`)).toBeNull();
    expect(await me(`Bearer`)).toBeNull();
    expect(await me(accessToken)).toBeNull();
  });
});

describe('refreshing an ended session', () => {
  it('is refused after a password change ended it, and does not count as a reuse', async () => {
    const first = await signUp(server);
    const other = await logIn(server, first.user.email);
    const changed = await server.gql(ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword: 'another long password' } }, { token: first.accessToken });
    expect(changed.data!.changePassword.revokedSessions).toBe(1);
    const res = await refresh(server, other.refreshToken);
    expect(onlyError(res).code).toBe('UNAUTHENTICATED');
    const [session] = await sql<{ revoked_reason: string }>(server, 'select revoked_reason from auth_sessions where id = ?', [jwtClaims(other.accessToken).sid]);
    expect(session.revoked_reason).toBe('PASSWORD_CHANGED');
    const [token] = await sql<{ used_at: Date | null }>(server, 'select used_at from refresh_tokens where session_id = ?', [jwtClaims(other.accessToken).sid]);
    expect(token.used_at).toBeNull();
  });
});

describe('sessions and passwords', () => {
  it('a sign-in without a User-Agent header opens a session that records none', async () => {
    const email = (await signUp(server)).user.email;
    const body = JSON.stringify({ query: print(LogInDocument), variables: { input: { email, password: PASSWORD } } });
    // node:http adds no User-Agent of its own (fetch would).
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(body);
    });
    const res = JSON.parse(answer) as { data?: { logIn: { accessToken: string } }; errors?: unknown };
    expect(res.errors, answer).toBeUndefined();
    const [session] = await sql<{ user_agent: string | null }>(server, 'select user_agent from auth_sessions where id = ?', [
      jwtClaims(res.data!.logIn.accessToken).sid,
    ]);
    expect(session.user_agent).toBeNull();
  });

  it("changing one's password leaves every other user's password as it was", async () => {
    const alice = await signUp(server);
    const bob = await signUp(server);
    const changed = await server.gql(ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword: 'alice has a new one' } }, { token: alice.accessToken });
    expect(changed.errors, JSON.stringify(changed.errors)).toBeUndefined();
    await logIn(server, bob.user.email, PASSWORD);
    await logIn(server, alice.user.email, 'alice has a new one');
    expect(onlyError(await server.gql(LogInDocument, { input: { email: bob.user.email, password: 'alice has a new one' } })).code).toBe('INVALID_CREDENTIALS');
  });

  it('a stored password hash argon2 cannot read refuses every password, without an internal error', async () => {
    const { user } = await signUp(server);
    await sql(server, "update users set password_hash = 'not-an-argon2-hash' where id = ?", [user.id]);
    for (const password of [PASSWORD, 'not-an-argon2-hash', '']) {
      const res = await server.gql(LogInDocument, { input: { email: user.email, password } });
      expect(onlyError(res).code).toBe('INVALID_CREDENTIALS');
    }
  });

  it('a sign-up that PostgreSQL fails for another reason than a taken email is no EMAIL_TAKEN, and leaves the email free', async () => {
    const email = uniqueEmail('faulty');
    const res = await withInsertFault(server.app, 'users', `new.email = '${email}'`, () =>
      signUpRaw({ email, password: PASSWORD, fullName: 'Unlucky' }),
    );
    expect(onlyError(res).code).toBe('INTERNAL_SERVER_ERROR');
    expect(await sql(server, 'select 1 from users where email = ?', [email])).toEqual([]);
    await signUp(server, { email });
  });

  it('reusing a refresh token of a logged-out session keeps the logout as the reason it ended, and its time', async () => {
    const login = await signUp(server);
    const rotated = await refresh(server, login.refreshToken);
    expect(rotated.errors, JSON.stringify(rotated.errors)).toBeUndefined();
    const out = await server.gql(LogOutDocument, {}, { token: rotated.data!.refreshToken.accessToken });
    expect(out.data!.logOut.revoked).toBe(true);
    const sid = jwtClaims(login.accessToken).sid;
    const [before] = await sql<{ revoked_at: Date; revoked_reason: string }>(server, 'select revoked_at, revoked_reason from auth_sessions where id = ?', [sid]);
    expect(before.revoked_reason).toBe('LOGOUT');
    // The first refresh token, already used: a reuse.
    expect(onlyError(await refresh(server, login.refreshToken)).code).toBe('UNAUTHENTICATED');
    const [after] = await sql<{ revoked_at: Date; revoked_reason: string }>(server, 'select revoked_at, revoked_reason from auth_sessions where id = ?', [sid]);
    expect(after).toEqual(before);
  });
});
