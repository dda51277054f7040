import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  BalanceUpdatedDocument,
  FreezeCardDocument,
  CreateCardDocument,
  CardUpdatedDocument,
  LogOutDocument,
  TransactionUpdatedDocument,
  TransferDocument,
} from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

const clients: Client[] = [];
const server = useTestServer({}, { reset: false });
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

function connect(token: string): Client {
  const client = createClient({
    url: server.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
}

/** Collects what a subscription delivers; `ready` resolves once the server acknowledged it. */
function listen(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const events: Array<Record<string, unknown>> = [];
  let closed: unknown;
  client.subscribe({ query, variables }, { next: (v) => events.push(v.data as Record<string, unknown>), error: (e) => (closed = e), complete: () => undefined });
  return { events, closed: () => closed };
}

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

describe('subscriptions', () => {
  it('deliver balance and transaction events to both sides of a transfer, after commit, and nothing of others', async () => {
    const [alice, bob, carol] = await seedUsers(server.app, 3);
    const aliceWallet = await createWallet(server.app, alice.id);
    await fund(server.app, aliceWallet, 1_000n);
    const a = connect(alice.token);
    const b = connect(bob.token);
    const c = connect(carol.token);
    const aBalance = listen(a, print(BalanceUpdatedDocument), { walletId: aliceWallet });
    const aTx = listen(a, print(TransactionUpdatedDocument));
    const bTx = listen(b, print(TransactionUpdatedDocument));
    const cAll = listen(c, print(BalanceUpdatedDocument));
    await settle();

    const res = await server.gql(
      TransferDocument,
      { input: { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '250', idempotencyKey: 's1' } },
      { token: alice.token },
    );
    expect(res.errors).toBeUndefined();
    // A refused (rolled-back) transfer announces nothing.
    const refused = await server.gql(
      TransferDocument,
      { input: { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '999999', idempotencyKey: 's2' } },
      { token: alice.token },
    );
    expect(refused.errors?.[0].extensions?.code).toBe('INSUFFICIENT_FUNDS');
    await settle();

    expect(aBalance.events).toEqual([
      { balanceUpdated: { id: aliceWallet, version: 2, balance: { amount: '750' }, availableBalance: { amount: '750' } } },
    ]);
    expect(aTx.events).toEqual([
      { transactionUpdated: expect.objectContaining({ type: 'TRANSFER', direction: 'DEBIT', status: 'COMPLETED', amount: { amount: '250' } }) },
    ]);
    expect(bTx.events).toEqual([{ transactionUpdated: expect.objectContaining({ direction: 'CREDIT', amount: { amount: '250' } }) }]);
    expect(cAll.events).toEqual([]);
  });

  it('announce a new card once: empty at version 0, loaded at the balance of its first load', async () => {
    const [u] = await seedUsers(server.app, 1);
    const walletId = await createWallet(server.app, u.id);
    await fund(server.app, walletId, 1_000n);
    const cards = listen(connect(u.token), print(CardUpdatedDocument));
    await settle();
    const empty = await server.gql(CreateCardDocument, { input: { walletId, idempotencyKey: 'empty' } }, { token: u.token });
    await settle();
    expect(cards.events).toEqual([
      { cardUpdated: expect.objectContaining({ id: empty.data!.createCard.card.id, version: 0, balance: expect.objectContaining({ amount: '0' }) }) },
    ]);
    const loaded = await server.gql(CreateCardDocument, { input: { walletId, initialAmount: '300', idempotencyKey: 'loaded' } }, { token: u.token });
    await settle();
    expect(cards.events.slice(1)).toEqual([
      { cardUpdated: expect.objectContaining({ id: loaded.data!.createCard.card.id, version: 1, balance: expect.objectContaining({ amount: '300' }) }) },
    ]);
  });

  it('announce card changes, and a logout closes the session\'s open subscriptions at once', async () => {
    const [u] = await seedUsers(server.app, 1);
    const walletId = await createWallet(server.app, u.id);
    await fund(server.app, walletId, 1_000n);
    const created = await server.gql(CreateCardDocument, { input: { walletId, idempotencyKey: 'c' } }, { token: u.token });
    const cardId = created.data!.createCard.card.id;
    const client = connect(u.token);
    const cards = listen(client, print(CardUpdatedDocument));
    await settle();
    await server.gql(FreezeCardDocument, { input: { cardId } }, { token: u.token });
    await settle();
    expect(cards.events).toEqual([{ cardUpdated: expect.objectContaining({ id: cardId, status: 'FROZEN' }) }]);

    await server.gql(LogOutDocument, {}, { token: u.token });
    await settle();
    expect(cards.closed()).toMatchObject({ code: 4401, reason: expect.stringMatching(/session ended/) });
  });
});
