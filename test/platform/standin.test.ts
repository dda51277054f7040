import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  BalanceUpdatedDocument,
  CardDocument,
  CreateCardDocument,
  DepositDocument,
  FundCardDocument,
  SimulateCardPurchaseDocument,
  TransactionDocument,
  TransferDocument,
  WalletDocument,
  WithdrawDocument,
} from '../generated/graphql.js';
import { statementsDuring, waitFor } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

/**
 * The quick start's Redis: without REDIS_URL the server uses the in-process stand-in
 * (ioredis-mock). Money flows there must invalidate the caches as they do on a real Redis:
 * nothing logged, nothing left pending, and every balance read after a mutation fresh while
 * the caches still answer repeated reads.
 */

const server = useTestServer({ REDIS_URL: undefined, SANDBOX_PAYOUT_DELAY_MS: '200', PAYMENTS_JOB_INTERVAL_MS: '100' }, { reset: false });

type User = { id: string; email: string; token: string };

/** The wallet through the response cache (same text every time), as a client polls it. */
async function balances(user: User, walletId: string) {
  const res = await server.gql(WalletDocument, { id: walletId }, { token: user.token });
  expect(res.errors).toBeUndefined();
  const w = res.data!.wallet!;
  return { balance: w.balance.amount, available: w.availableBalance.amount };
}

let fresh = 0;
/** A read the response cache has never seen (a new alias), so only the wallet cache can answer it. */
async function accountReadsOfNewQuery(user: User, walletId: string): Promise<number> {
  const query = `query W($id: ID!) { w${++fresh}: wallet(id: $id) { balance { amount } } }`;
  const seen = await statementsDuring(server.app, async () => {
    const res = await server.raw(query, { id: walletId }, { token: user.token });
    expect(res.errors).toBeUndefined();
  });
  return seen.filter((s) => /\bledger_accounts\b/.test(s)).length;
}

/**
 * Warms both caches, checks the wallet cache answers without PostgreSQL (it is not
 * bypassed), runs the mutation, then expects the new balances on the very next read.
 */
async function freshAfter(user: User, walletId: string, mutate: () => Promise<void>, expected: { balance: string; available: string }) {
  await balances(user, walletId);
  expect(await accountReadsOfNewQuery(user, walletId)).toBe(0);
  await mutate();
  expect(await balances(user, walletId)).toEqual(expected);
}

function warnings(): { level: number; msg?: string; err?: unknown }[] {
  return server.logs.map((l) => JSON.parse(l) as { level: number; msg?: string; err?: unknown }).filter((l) => l.level >= 40);
}

describe('money flows on the in-process Redis stand-in', () => {
  it('delivers subscription events in-process: a transfer reaches the recipient\'s open balanceUpdated', async () => {
    const [ada, bob] = await seedUsers(server.app, 2, 'standin-live');
    const adaWallet = await createWallet(server.app, ada.id);
    const bobWallet = await createWallet(server.app, bob.id);
    await fund(server.app, adaWallet, 1_000n);
    const client = createClient({
      url: server.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${bob.token}` },
      retryAttempts: 0,
    });
    const amounts: string[] = [];
    try {
      const subscribed = new Promise<void>((resolve) => client.on('connected', () => resolve()));
      client.subscribe(
        { query: print(BalanceUpdatedDocument), variables: { walletId: bobWallet } },
        { next: (v) => void amounts.push((v.data as { balanceUpdated: { balance: { amount: string } } }).balanceUpdated.balance.amount), error: () => undefined, complete: () => undefined },
      );
      await subscribed;
      // The subscription is registered once the server has seen it: send until one arrives.
      for (let i = 1; amounts.length === 0 && i <= 20; i++) {
        const res = await server.gql(TransferDocument, { input: { fromWalletId: adaWallet, recipientEmail: bob.email, amount: '1', idempotencyKey: `live-${i}` } }, { token: ada.token });
        expect(res.errors).toBeUndefined();
        await waitFor(async () => amounts.length, (n) => n > 0, 200);
      }
      expect(amounts.length).toBeGreaterThan(0);
      expect(Number(amounts.at(-1))).toBeGreaterThan(0);
    } finally {
      await client.dispose();
    }
  });

  it('runs on the stand-in', () => {
    expect(server.app.redis.mode).toBe('in-process');
  });

  it('deposit, transfer, withdrawal and cards: balances fresh after each, nothing pending, no cache warnings', async () => {
    const [ada, bob] = await seedUsers(server.app, 2, 'standin');
    const adaWallet = await createWallet(server.app, ada.id);
    const bobWallet = await createWallet(server.app, bob.id);

    // Deposit through the sandbox checkout page.
    await freshAfter(
      ada,
      adaWallet,
      async () => {
        const res = await server.gql(DepositDocument, { input: { walletId: adaWallet, amount: '500000', idempotencyKey: 'dep' } }, { token: ada.token });
        expect(res.errors).toBeUndefined();
        const paid = await fetch(res.data!.deposit.checkoutUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"outcome":"success"}',
        });
        expect(paid.status).toBe(200);
      },
      { balance: '500000', available: '500000' },
    );

    // Transfer: both sides fresh.
    await balances(bob, bobWallet);
    await freshAfter(
      ada,
      adaWallet,
      async () => {
        const res = await server.gql(
          TransferDocument,
          { input: { fromWalletId: adaWallet, recipientEmail: bob.email, amount: '100000', idempotencyKey: 'tr' } },
          { token: ada.token },
        );
        expect(res.errors).toBeUndefined();
      },
      { balance: '400000', available: '400000' },
    );
    expect(await balances(bob, bobWallet)).toEqual({ balance: '100000', available: '100000' });

    // Withdrawal: held at once, posted by the payment job a little later.
    let payoutId = '';
    await freshAfter(
      ada,
      adaWallet,
      async () => {
        const res = await server.gql(
          WithdrawDocument,
          { input: { walletId: adaWallet, amount: '50000', bankCode: '001', accountNumber: '0123456789', idempotencyKey: 'wd' } },
          { token: ada.token },
        );
        expect(res.errors).toBeUndefined();
        payoutId = res.data!.withdraw.transaction.id;
      },
      { balance: '400000', available: '350000' },
    );
    const payout = await waitFor(
      () => server.gql(TransactionDocument, { id: payoutId }, { token: ada.token }),
      (r) => r.data?.transaction?.status !== 'PENDING',
    );
    expect(payout.data!.transaction!.status).toBe('COMPLETED');
    expect(await balances(ada, adaWallet)).toEqual({ balance: '350000', available: '350000' });

    // Cards: create with a load, fund, purchase; the wallet and the card read fresh after each.
    let cardId = '';
    await freshAfter(
      ada,
      adaWallet,
      async () => {
        const res = await server.gql(CreateCardDocument, { input: { walletId: adaWallet, initialAmount: '20000', idempotencyKey: 'card' } }, { token: ada.token });
        expect(res.errors).toBeUndefined();
        cardId = res.data!.createCard.card.id;
      },
      { balance: '330000', available: '330000' },
    );
    const cardBalance = async () => {
      const res = await server.gql(CardDocument, { id: cardId }, { token: ada.token });
      expect(res.errors).toBeUndefined();
      return res.data!.card!.balance.amount;
    };
    expect(await cardBalance()).toBe('20000');
    await freshAfter(
      ada,
      adaWallet,
      async () => {
        const res = await server.gql(FundCardDocument, { input: { cardId, amount: '5000', idempotencyKey: 'fund' } }, { token: ada.token });
        expect(res.errors).toBeUndefined();
      },
      { balance: '325000', available: '325000' },
    );
    expect(await cardBalance()).toBe('25000');
    const purchase = await server.gql(
      SimulateCardPurchaseDocument,
      { input: { cardId, amount: '4500', merchantName: 'Shoprite', idempotencyKey: 'buy' } },
      { token: ada.token },
    );
    expect(purchase.errors).toBeUndefined();
    expect(purchase.data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
    expect(await cardBalance()).toBe('20500');

    // Every invalidation was delivered: nothing waits to be sent again, nothing was logged.
    expect(server.app.walletCache!.pendingInvalidations).toBe(0);
    expect(server.app.generations.pendingBumps).toBe(0);
    const aboutCaches = warnings().filter((l) => /cache|invalidat|generation/i.test(`${l.msg} ${JSON.stringify(l.err ?? '')}`));
    expect(aboutCaches).toEqual([]);
  });
});
