import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BalanceUpdatedDocument, LogOutDocument, TransactionUpdatedDocument } from '../generated/graphql.js';
import { seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { connectWs, listen, ready, settle } from './replica-support.js';

/**
 * WebSocket auth for subscriptions: a connection with credentials needs a live access token;
 * bad, expired and logged-out ones close with 4401 and a reason that says why. One without
 * credentials is acknowledged, and its subscriptions fail with UNAUTHENTICATED (sandbox-ws.test.ts).
 */

const server = useTestServer({}, { reset: false });
/** Access tokens live two seconds here (JWT_ACCESS_TTL_SECONDS=2). */
const shortLived = useTestServer({ JWT_ACCESS_TTL_SECONDS: '2' }, { reset: false });
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

const REQUIRED = { code: 4401, reason: expect.stringMatching(/^Unauthorized: .*token/) };

/** Subscribes and resolves with how the connection ended (bounded). */
async function refused(client: Client): Promise<unknown> {
  const sub = listen(client, print(TransactionUpdatedDocument));
  const closed = await sub.waitForClose(5_000);
  expect(sub.events).toEqual([]);
  return closed;
}

describe('WebSocket auth', () => {
  it('no token: acknowledged, and a subscription fails with UNAUTHENTICATED on its own', async () => {
    const bare = createClient({ url: server.graphqlUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    clients.push(bare);
    for (const client of [bare, connectWs(server.graphqlUrl, undefined, clients)]) {
      const ended = await refused(client);
      expect(ended).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })]);
    }
  });

  it('bad tokens: garbage, a tampered signature, a token of another deployment, no Bearer scheme', async () => {
    const [u] = await seedUsers(server.app, 1, 'ws-bad');
    const [foreign] = await seedUsers(shortLived.app, 1, 'ws-foreign'); // signed with another key pair
    const [header, payload, signature] = u.token.split('.');
    const tampered = `${header}.${payload}.${signature.slice(0, -4)}${signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    for (const token of ['garbage', 'a.b.c', tampered, foreign.token]) {
      expect(await refused(connectWs(server.graphqlUrl, token, clients)), token).toMatchObject(REQUIRED);
    }
    const noScheme = createClient({
      url: server.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: u.token },
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(noScheme);
    expect(await refused(noScheme)).toMatchObject(REQUIRED);
    // The same token, sent properly, is accepted: the refusals above are about the token.
    const ok = connectWs(server.graphqlUrl, u.token, clients);
    const sub = listen(ok, print(BalanceUpdatedDocument));
    await ready(ok);
    expect(sub.closed()).toBeUndefined();
    // Connection params are not HTTP headers: nobody trims them. Whitespace after the token is fine.
    const padded = createClient({
      url: server.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `bearer  ${u.token} \t ` },
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(padded);
    const paddedSub = listen(padded, print(BalanceUpdatedDocument));
    await ready(padded);
    expect(paddedSub.closed()).toBeUndefined();
  });

  it('expired token: refused at connect, and an open subscription is closed when its token expires', async () => {
    const [early, late] = await seedUsers(shortLived.app, 2, 'ws-expiry');
    // Connected while the token is fresh: closed once it expires.
    const open = connectWs(shortLived.graphqlUrl, late.token, clients);
    const sub = listen(open, print(TransactionUpdatedDocument));
    await ready(open);
    const startedAt = Date.now();
    expect(await sub.waitForClose(6_000)).toMatchObject({ code: 4401, reason: expect.stringMatching(/token expired/) });
    expect(Date.now() - startedAt).toBeLessThan(4_000);
    // A token already expired never gets a connection.
    await settle(Math.max(0, 2_300 - (Date.now() - startedAt)));
    expect(await refused(connectWs(shortLived.graphqlUrl, early.token, clients))).toMatchObject({ code: 4401, reason: 'Unauthorized: token expired' });
  });

  it('logged-out session: its open subscription is closed, other sessions stay, and the token is refused afterwards', async () => {
    const [u, other] = await seedUsers(server.app, 2, 'ws-logout');
    const c1 = connectWs(server.graphqlUrl, u.token, clients);
    const c2 = connectWs(server.graphqlUrl, other.token, clients);
    const s1 = listen(c1, print(TransactionUpdatedDocument));
    const s1b = listen(c1, print(BalanceUpdatedDocument));
    const s2 = listen(c2, print(TransactionUpdatedDocument));
    await Promise.all([ready(c1), ready(c2)]);

    const out = await server.gql(LogOutDocument, {}, { token: u.token });
    expect(out.errors).toBeUndefined();
    const ended = { code: 4401, reason: expect.stringMatching(/session ended/) };
    expect(await s1.waitForClose(5_000)).toMatchObject(ended);
    expect(await s1b.waitForClose(5_000)).toMatchObject(ended);
    await settle(300);
    expect(s2.closed()).toBeUndefined();
    expect(await refused(connectWs(server.graphqlUrl, u.token, clients))).toMatchObject({ code: 4401, reason: 'Unauthorized: session ended' });
  });
});
