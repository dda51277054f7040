import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChangePasswordDocument, MeDocument, SignUpDocument } from '../generated/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { jwtClaims, logIn, onlyError, PASSWORD, refresh, signUp, sql, uniqueEmail } from './auth-helpers.js';

/**
 * The auth service's rules at their edges: the longest accepted inputs, how an Authorization
 * header is read, what a session records, and refreshing a session that has ended.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const signUpRaw = (input: { email: string; password: string; fullName: string }, headers?: Record<string, string>) =>
  server.gql(SignUpDocument, { input }, { headers });

describe('the longest inputs', () => {
  it('a password of 256 characters is accepted, at sign-up and as a new password; 257 are not', async () => {
    const long = 'p'.repeat(256);
    const res = await signUpRaw({ email: uniqueEmail(), password: long, fullName: 'Long Password' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const token = res.data!.signUp.accessToken;
    const changed = await server.gql(ChangePasswordDocument, { input: { currentPassword: long, newPassword: 'q'.repeat(256) } }, { token });
    expect(changed.errors, JSON.stringify(changed.errors)).toBeUndefined();
    const tooLong = await server.gql(ChangePasswordDocument, { input: { currentPassword: 'q'.repeat(256), newPassword: 'r'.repeat(257) } }, { token });
    expect(onlyError(tooLong)).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.newPassword' } });
    await logIn(server, res.data!.signUp.user.email, 'q'.repeat(256));
  });

  it('a new password of 7 characters is too short, on the newPassword field', async () => {
    const { accessToken } = await signUp(server);
    const res = await server.gql(ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword: 'x'.repeat(7) } }, { token: accessToken });
    expect(onlyError(res)).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.newPassword' } });
  });

  it('a full name of 200 characters is kept; a blank one is refused', async () => {
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
