import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MeDocument, SignUpDocument } from '../generated/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

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
});
