import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LogOutDocument, MeDocument, SignUpDocument, TransactionUpdatedDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer({ JWT_ACCESS_TTL_SECONDS: '3' });
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

function connect(authorization?: string): Client {
  const client = createClient({
    url: server.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
    lazy: true,
    // Keep the socket open between operations, so the same connection is reused.
    lazyCloseTimeout: 60_000,
  });
  clients.push(client);
  return client;
}

/** Runs `me` over the socket: resolves with the result, or rejects with the close event. */
function me(client: Client): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let result: unknown;
    client.subscribe(
      { query: print(MeDocument) },
      {
        next: (value) => (result = value),
        error: (err) => reject(err),
        complete: () => resolve(result),
      },
    );
  });
}

async function signUp(email: string) {
  const res = await server.gql(SignUpDocument, { input: { email, password: 'password-1', fullName: 'Socket User' } });
  return res.data!.signUp;
}

describe('graphql-ws on /graphql', () => {
  it('serves operations to a connection with a valid access token', async () => {
    const { accessToken, user } = await signUp('ws@example.com');
    const result = await me(connect(`Bearer ${accessToken}`));
    expect(result).toEqual({ data: { me: expect.objectContaining({ id: user.id, email: 'ws@example.com' }) } });
  });

  it('serves a connection without a token as anonymous (me is null), and closes one with a bad token with 4401', async () => {
    expect(await me(connect())).toEqual({ data: { me: null } });
    await expect(me(connect('Bearer not-a-token'))).rejects.toMatchObject({ code: 4401 });
  });

  it('stops serving a session at once after logOut, on open and new connections', async () => {
    const { accessToken } = await signUp('ws-out@example.com');
    const open = connect(`Bearer ${accessToken}`);
    expect(await me(open)).toMatchObject({ data: { me: { email: 'ws-out@example.com' } } });

    const out = await server.gql(LogOutDocument, {}, { token: accessToken });
    expect(out.data!.logOut.revoked).toBe(true);

    await expect(me(open)).rejects.toMatchObject({ code: 4401, reason: expect.stringMatching(/session ended/) });
    await expect(me(connect(`Bearer ${accessToken}`))).rejects.toMatchObject({ code: 4401 });
  });

  it('closes an open connection, subscriptions and all, when its access token expires', async () => {
    const { accessToken } = await signUp('ws-exp@example.com');
    const open = connect(`Bearer ${accessToken}`);
    expect(await me(open)).toMatchObject({ data: { me: { email: 'ws-exp@example.com' } } });
    // A subscription that would otherwise stay open: the server ends it when the token expires.
    const closed = new Promise((resolve) => {
      open.subscribe({ query: print(TransactionUpdatedDocument) }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
    });
    expect(await closed).toMatchObject({ code: 4401, reason: expect.stringMatching(/expired/) });
  });
});
