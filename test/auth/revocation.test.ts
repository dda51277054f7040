import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogOutDocument, MeDocument, SignUpDocument } from '../generated/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

async function signUp(server: TestServer, email: string) {
  const res = await server.gql(SignUpDocument, { input: { email, password: 'password-1', fullName: 'Rev' } });
  return res.data!.signUp;
}

async function me(server: TestServer, token: string) {
  return (await server.gql(MeDocument, {}, { token })).data!.me;
}

/** With Redis working, see test/security/sessions.test.ts. */
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
