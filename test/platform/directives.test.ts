import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

/** GraphQL's built-in directives, as every client sends them, over HTTP and WebSocket. */
const server = useTestServer({}, { reset: false });
let token: string;
let walletId: string;
const clients: Client[] = [];
beforeAll(async () => {
  const [ada] = await seedUsers(server.app, 1);
  token = ada.token;
  walletId = await createWallet(server.app, ada.id);
  await fund(server.app, walletId, 2_500n);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
});

const QUERY = /* GraphQL */ `
  query Me($full: Boolean!, $brief: Boolean!) {
    me {
      id
      email @include(if: $full)
      fullName @skip(if: $brief)
      wallets { ...WalletBits }
    }
  }
  fragment WalletBits on Wallet { id balance @include(if: $full) { amount } }
`;

describe('@include and @skip', () => {
  it('work over HTTP in both directions', async () => {
    const full = await server.raw(QUERY, { full: true, brief: false }, { token });
    expect(full.errors).toBeUndefined();
    expect(full.data).toMatchObject({
      me: { email: expect.any(String), fullName: expect.any(String), wallets: [{ id: walletId, balance: { amount: '2500' } }] },
    });
    const brief = await server.raw(QUERY, { full: false, brief: true }, { token });
    expect(brief.errors).toBeUndefined();
    expect(brief.data).toEqual({ me: { id: expect.any(String), wallets: [{ id: walletId }] } });
  });

  it('are listed by introspection with the rest of the specified directives', async () => {
    const res = await server.raw('{ __schema { directives { name locations args { name } } } }');
    const names = (res.data as { __schema: { directives: { name: string }[] } }).__schema.directives.map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['include', 'skip', 'deprecated', 'specifiedBy', 'oneOf', 'cacheControl']));
  });

  it('work in a subscription over WebSocket', async () => {
    const client = createClient({
      url: server.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    clients.push(client);
    // A query over the socket runs once and completes: the quickest round trip through validation.
    const result = await new Promise<unknown>((resolve, reject) => {
      let value: unknown;
      client.subscribe(
        { query: QUERY, variables: { full: false, brief: false } },
        { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
      );
    });
    expect(result).toEqual({ data: { me: { id: expect.any(String), fullName: expect.any(String), wallets: [{ id: walletId }] } } });
  });
});
