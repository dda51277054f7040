import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../process/child.js';
import { BalanceUpdatedDocument, LogOutDocument, TransactionUpdatedDocument, TransferDocument, WalletDocument } from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { connectWs, describeClose, listen, ready, settle, startReplicaPair, type ReplicaPair } from './replica-support.js';

/**
 * Two replicas (this process and a child process of the built server) share PostgreSQL and
 * Redis: what happens on one reaches subscribers on the other, through Redis pub/sub only.
 */

let pair: ReplicaPair;
const clients: Client[] = [];
beforeAll(async () => {
  pair = await startReplicaPair();
}, 90_000);
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await pair?.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

describe('two replicas sharing PostgreSQL and Redis', () => {
  it('a transfer made on B reaches subscribers on A, for sender and recipient, and nothing of a third user', async () => {
    const { a, b } = pair;
    const [alice, bob, carol] = await seedUsers(a.app, 3, 'replica');
    const aliceWallet = await createWallet(a.app, alice.id);
    const bobWallet = await createWallet(a.app, bob.id);
    const carolWallet = await createWallet(a.app, carol.id);
    await fund(a.app, aliceWallet, 1_000n);
    await fund(a.app, carolWallet, 1_000n);

    // Tokens minted on A are accepted on B (same keys): B serves the wallet.
    const onB = await gql(b.graphqlUrl, WalletDocument, { id: aliceWallet }, alice.token);
    expect(onB.errors).toBeUndefined();
    expect(onB.data!.wallet?.balance.amount).toBe('1000');

    const ca = connectWs(a.graphqlUrl, alice.token, clients);
    const cb = connectWs(a.graphqlUrl, bob.token, clients);
    const cc = connectWs(a.graphqlUrl, carol.token, clients);
    const aBalance = listen(ca, print(BalanceUpdatedDocument), { walletId: aliceWallet });
    const aTx = listen(ca, print(TransactionUpdatedDocument));
    const bBalance = listen(cb, print(BalanceUpdatedDocument));
    const bTx = listen(cb, print(TransactionUpdatedDocument));
    const cBalance = listen(cc, print(BalanceUpdatedDocument));
    const cTx = listen(cc, print(TransactionUpdatedDocument));
    await Promise.all([ready(ca), ready(cb), ready(cc)]);
    await settle(300);

    const res = await gql(
      b.graphqlUrl,
      TransferDocument,
      { input: { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '250', idempotencyKey: 'replica-1' } },
      alice.token,
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();

    await Promise.all([aBalance.waitFor(1), aTx.waitFor(1), bBalance.waitFor(1), bTx.waitFor(1)]);
    await settle(500); // anything extra, or anything for carol, would have arrived by now
    expect(aBalance.events).toEqual([
      { balanceUpdated: { id: aliceWallet, version: 2, balance: { amount: '750' }, availableBalance: { amount: '750' } } },
    ]);
    expect(aTx.events).toEqual([
      {
        transactionUpdated: expect.objectContaining({ type: 'TRANSFER', direction: 'DEBIT', status: 'COMPLETED', amount: { amount: '250' } }),
      },
    ]);
    expect(bBalance.events).toEqual([
      { balanceUpdated: expect.objectContaining({ id: bobWallet, balance: { amount: '250' } }) },
    ]);
    expect(bTx.events).toEqual([
      { transactionUpdated: expect.objectContaining({ type: 'TRANSFER', direction: 'CREDIT', amount: { amount: '250' } }) },
    ]);
    expect(cBalance.events).toEqual([]);
    expect(cTx.events).toEqual([]);
    for (const l of [aBalance, aTx, bBalance, bTx, cBalance, cTx]) expect(l.closed(), describeClose(l.closed())).toBeUndefined();
  });

  it('and the other way round: a transfer on A reaches subscribers on B', async () => {
    const { a, b } = pair;
    const [dan, eve] = await seedUsers(a.app, 2, 'replica-rev');
    const danWallet = await createWallet(a.app, dan.id);
    const eveWallet = await createWallet(a.app, eve.id);
    await fund(a.app, danWallet, 500n);
    const cd = connectWs(b.graphqlUrl, dan.token, clients);
    const ce = connectWs(b.graphqlUrl, eve.token, clients);
    const dBalance = listen(cd, print(BalanceUpdatedDocument), { walletId: danWallet });
    const eBalance = listen(ce, print(BalanceUpdatedDocument), { walletId: eveWallet });
    await Promise.all([ready(cd), ready(ce)]);
    await settle(300);
    const res = await a.gql(
      TransferDocument,
      { input: { fromWalletId: danWallet, recipientEmail: eve.email, amount: '100', idempotencyKey: 'replica-2' } },
      { token: dan.token },
    );
    expect(res.errors).toBeUndefined();
    await Promise.all([dBalance.waitFor(1), eBalance.waitFor(1)]);
    expect(dBalance.events).toEqual([{ balanceUpdated: expect.objectContaining({ id: danWallet, balance: { amount: '400' } }) }]);
    expect(eBalance.events).toEqual([{ balanceUpdated: expect.objectContaining({ id: eveWallet, balance: { amount: '100' } }) }]);
  });

  it('a logout on B closes that session\'s open subscription on A, and only that one', async () => {
    const { a, b } = pair;
    const [frank, gina] = await seedUsers(a.app, 2, 'replica-logout');
    const cf = connectWs(a.graphqlUrl, frank.token, clients);
    const cg = connectWs(a.graphqlUrl, gina.token, clients);
    const fSub = listen(cf, print(TransactionUpdatedDocument));
    const gSub = listen(cg, print(TransactionUpdatedDocument));
    await Promise.all([ready(cf), ready(cg)]);

    const out = await gql(b.graphqlUrl, LogOutDocument, {}, frank.token);
    expect(out.errors).toBeUndefined();

    const closed = await fSub.waitForClose(5_000);
    expect(closed).toMatchObject({ code: 4401, reason: expect.stringMatching(/session ended/) });
    await settle(300);
    expect(gSub.closed()).toBeUndefined();
    // The logged-out token no longer opens a subscription on either replica.
    for (const url of [a.graphqlUrl, b.graphqlUrl]) {
      const again = listen(connectWs(url, frank.token, clients), print(TransactionUpdatedDocument));
      expect(await again.waitForClose(5_000)).toMatchObject({ code: 4401 });
    }
  });
});
