import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CardVersionsDocument,
  DepositDocument,
  FreezeCardDocument,
  FundCardDocument,
  SetCardSpendingLimitDocument,
  SimulateCardPurchaseDocument,
  TransactionUpdatedDocument,
  TransferDocument,
  UnfreezeCardDocument,
  WalletVersionsDocument,
  WithdrawDocument,
} from '../generated/graphql.js';
import { key, newCard, userWithWallet } from '../cards/sandbox-support.js';
import { REDIS_URL } from '../support/env.js';
import { errorCode } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { connectWs, listen, ready, settle, type Listener } from './replica-support.js';

/**
 * Issue 11: a wallet's or card's `version` steps by exactly one per change a client can see,
 * with one event for each and none without a change; a subscription to a wallet or card that
 * is not the viewer's, or to a malformed id, fails with an error message.
 */
const server = useTestServer({ SANDBOX_PAYOUT_DELAY_MS: '200', PAYMENTS_JOB_INTERVAL_MS: '100' });
let redis: Redis;
const clients: Client[] = [];
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(() => redis.disconnect());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

const em = () => server.app.orm.em.fork();
const services = () => server.app.services;

/**
 * Subscribes; resolves once the server listens on the user's channel for that kind of event
 * (graphql-ws acknowledges no subscription, and these first check the id they name).
 */
async function subscribed(client: Client, userId: string, topic: 'balance' | 'card', query: string, variables = {}): Promise<Listener> {
  const listener = listen(client, query, variables);
  await ready(client);
  const channel = `${server.redisPrefix}events:${topic}:${userId}`;
  while (Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]) === 0) await settle(20);
  // A second subscription on a channel already listened to joins it on its first pull.
  await settle(200);
  return listener;
}

type CardEvent = { cardUpdated: { version: number; status: string; balance: { amount: string }; availableBalance: { amount: string } } };
type WalletEvent = {
  balanceUpdated: { version: number; balance: { amount: string }; availableBalance: { amount: string }; pendingDebits: { amount: string } };
};

describe('card versions', () => {
  it('step by one per visible change, one cardUpdated each; a declined purchase sends none', async () => {
    const { user, walletId } = await userWithWallet(server, 10_000n);
    const { card } = await newCard(server, user.token, { walletId });
    expect(card.version).toBe(0);
    const client = connectWs(server.graphqlUrl, user.token, clients);
    const rows = listen(client, print(TransactionUpdatedDocument));
    const all = listen(client, print(CardVersionsDocument));
    const one = await subscribed(client, user.id, 'card', print(CardVersionsDocument), { cardId: card.id });

    const gql = async (run: () => Promise<{ errors?: unknown }>) => {
      const res = await run();
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    };
    const steps: [string, () => Promise<unknown>, Record<string, unknown>][] = [
      [
        'fund',
        () => gql(() => server.gql(FundCardDocument, { input: { cardId: card.id, amount: '1000', idempotencyKey: key() } }, { token: user.token })),
        { balance: { amount: '1000' }, availableBalance: { amount: '1000' } },
      ],
      [
        'authorization (hold)',
        () =>
          services().track(() =>
            services().cardPurchases.authorize(em(), { cardId: card.id, issuerAuthorizationId: 'v-1', amount: 300n, merchant: { name: 'Hotel' } }),
          ),
        { balance: { amount: '1000' }, availableBalance: { amount: '700' } },
      ],
      [
        // Less than held: the hold is voided and what was taken posted, in one transaction: one step.
        'capture',
        () => services().track(() => services().cardSettlements.capture(em(), card.id, 'v-1', 250n)),
        { balance: { amount: '750' }, availableBalance: { amount: '750' } },
      ],
      [
        'declined purchases, then freeze',
        async () => {
          const short = await server.gql(
            SimulateCardPurchaseDocument,
            { input: { cardId: card.id, amount: '5000', merchantName: 'Too much' } },
            { token: user.token },
          );
          expect(short.data?.simulateCardPurchase.transaction.status).toBe('FAILED');
          const issuer = await server.gql(
            SimulateCardPurchaseDocument,
            { input: { cardId: card.id, amount: '10', merchantName: 'DECLINE' } },
            { token: user.token },
          );
          expect(issuer.data?.simulateCardPurchase.transaction.status).toBe('FAILED');
          expect(issuer.data?.simulateCardPurchase.card.version).toBe(3);
          await gql(() => server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: user.token }));
        },
        { status: 'FROZEN', balance: { amount: '750' } },
      ],
      ['unfreeze', () => gql(() => server.gql(UnfreezeCardDocument, { input: { cardId: card.id } }, { token: user.token })), { status: 'ACTIVE' }],
      [
        'set limit (set twice: the second changes nothing)',
        async () => {
          const input = { cardId: card.id, limit: { amount: '500', interval: 'DAILY' as const } };
          await gql(() => server.gql(SetCardSpendingLimitDocument, { input }, { token: user.token }));
          await gql(() => server.gql(SetCardSpendingLimitDocument, { input }, { token: user.token }));
        },
        { spendingLimit: { amount: '500', interval: 'DAILY' } },
      ],
      [
        // The sandbox's purchase authorizes, then captures: two commits, two steps.
        'simulated purchase',
        () =>
          gql(() =>
            server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: '100', merchantName: 'Shop' } }, { token: user.token }),
          ),
        { balance: { amount: '650' }, availableBalance: { amount: '650' } },
      ],
    ];
    let expected = 0;
    for (const [name, step, shows] of steps) {
      await step();
      expected += name === 'simulated purchase' ? 2 : 1;
      const events = (await one.waitFor(expected)) as CardEvent[];
      expect(events.at(-1)!.cardUpdated, name).toMatchObject({ id: card.id, version: expected, ...shows });
    }
    await all.waitFor(expected);
    // The simulated purchase: first its hold, then its capture.
    expect((one.events as CardEvent[]).at(-2)!.cardUpdated).toMatchObject({ balance: { amount: '750' }, availableBalance: { amount: '650' } });
    // Versions 1, 2, 3, ... with no gap and no repeat, on both subscriptions; nothing for the declines.
    const versions = (one.events as CardEvent[]).map((e) => e.cardUpdated.version);
    expect(versions).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
    expect(all.events).toEqual(one.events);
    // The declined purchases are FAILED rows, announced as transactions.
    const failed = (rows.events as { transactionUpdated: { status: string } }[]).filter((e) => e.transactionUpdated.status === 'FAILED');
    expect(failed).toHaveLength(2);
  });
});

describe('wallet versions', () => {
  it('step by one per movement, one balanceUpdated each; refusals send none', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const walletId = await createWallet(server.app, alice.id);
    const bobWallet = await createWallet(server.app, bob.id);
    await fund(server.app, bobWallet, 5_000n);
    const client = connectWs(server.graphqlUrl, alice.token, clients);
    const all = listen(client, print(WalletVersionsDocument));
    const one = await subscribed(client, alice.id, 'balance', print(WalletVersionsDocument), { walletId });

    const ok = (res: { errors?: unknown }) => expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const pay = async (outcome: 'success' | 'failed', amount: string) => {
      const res = await server.gql(DepositDocument, { input: { walletId, amount, idempotencyKey: key('dep') } }, { token: alice.token });
      ok(res);
      const paid = await fetch(res.data!.deposit.checkoutUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome }),
      });
      expect(paid.status).toBe(200);
    };
    const transfer = (token: string, fromWalletId: string, recipientEmail: string, amount: string) =>
      server.gql(TransferDocument, { input: { fromWalletId, recipientEmail, amount, idempotencyKey: key('trf') } }, { token });
    const steps: [string, () => Promise<unknown>, WalletEvent['balanceUpdated'] extends infer W ? Partial<Record<keyof W, unknown>> : never][] = [
      [
        'a declined deposit, then a deposit',
        async () => {
          await pay('failed', '9999');
          await pay('success', '2000');
        },
        { balance: { amount: '2000' }, availableBalance: { amount: '2000' }, pendingDebits: { amount: '0' } },
      ],
      [
        'a refused transfer, then a transfer out',
        async () => {
          expect(errorCode(await transfer(alice.token, walletId, bob.email, '999999'))).toBe('INSUFFICIENT_FUNDS');
          ok(await transfer(alice.token, walletId, bob.email, '500'));
        },
        { balance: { amount: '1500' } },
      ],
      ['transfer in', async () => ok(await transfer(bob.token, bobWallet, alice.email, '300')), { balance: { amount: '1800' } }],
      [
        'withdrawal hold',
        async () =>
          ok(
            await server.gql(
              WithdrawDocument,
              { input: { walletId, amount: '800', bankCode: '001', accountNumber: '0123456789', idempotencyKey: key('wdr') } },
              { token: alice.token },
            ),
          ),
        { balance: { amount: '1800' }, availableBalance: { amount: '1000' }, pendingDebits: { amount: '800' } },
      ],
      // The sandbox settles the payout by itself a moment later (the payments job).
      ['payout settlement', async () => undefined, { balance: { amount: '1000' }, availableBalance: { amount: '1000' }, pendingDebits: { amount: '0' } }],
      [
        'card funding',
        async () => ok(await server.gql(FundCardDocument, { input: { cardId: (await newCard(server, alice.token, { walletId })).card.id, amount: '400', idempotencyKey: key() } }, { token: alice.token })),
        { balance: { amount: '600' }, availableBalance: { amount: '600' } },
      ],
    ];
    for (const [i, [name, step, shows]] of steps.entries()) {
      await step();
      const events = (await one.waitFor(i + 1)) as WalletEvent[];
      expect(events.at(-1)!.balanceUpdated, name).toMatchObject({ id: walletId, version: i + 1, ...shows });
    }
    await all.waitFor(steps.length);
    expect((one.events as WalletEvent[]).map((e) => e.balanceUpdated.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.events).toEqual(one.events);
  });
});

describe('subscribing to an id', () => {
  it("hears only the named wallet's and the named card's changes, none of the viewer's other wallets and cards", async () => {
    const { user, walletId } = await userWithWallet(server, 1_000n);
    const usdWallet = await createWallet(server.app, user.id, 'USD');
    const { card } = await newCard(server, user.token, { walletId });
    const { card: otherCard } = await newCard(server, user.token, { walletId });
    const client = connectWs(server.graphqlUrl, user.token, clients);
    const wallet = await subscribed(client, user.id, 'balance', print(WalletVersionsDocument), { walletId: usdWallet });
    const cards = await subscribed(client, user.id, 'card', print(CardVersionsDocument), { cardId: otherCard.id });
    const load = (cardId: string) =>
      server.gql(FundCardDocument, { input: { cardId, amount: '100', idempotencyKey: key() } }, { token: user.token });
    // The NGN wallet and the first card move first: events of the same user, on the same channels ...
    expect((await load(card.id)).errors).toBeUndefined();
    // ... then the named ones; each subscription's first event is its own thing's.
    await fund(server.app, usdWallet, 500n);
    expect((await load(otherCard.id)).errors).toBeUndefined();
    expect(await wallet.waitFor(1)).toEqual([{ balanceUpdated: expect.objectContaining({ id: usdWallet, balance: { amount: '500' } }) }]);
    expect(await cards.waitFor(1)).toEqual([{ cardUpdated: expect.objectContaining({ id: otherCard.id, balance: { amount: '100' } }) }]);
    await settle(300);
    expect(wallet.events).toHaveLength(1);
    expect(cards.events).toHaveLength(1);
  });

  it("of another user's wallet or card, an unknown one or a malformed one fails with an error message; the connection goes on", async () => {
    const { user, walletId } = await userWithWallet(server, 1_000n);
    const { user: other, walletId: otherWallet } = await userWithWallet(server, 1_000n, 'other');
    const { card: otherCard } = await newCard(server, other.token, { walletId: otherWallet });
    const { card } = await newCard(server, user.token, { walletId });
    const client = connectWs(server.graphqlUrl, user.token, clients);
    const unknown = '6f1c2a9e-3b5d-4e7f-8a1b-2c3d4e5f6a7b';
    const cases: [string, string, Record<string, unknown>, string, string][] = [
      ["another user's wallet", print(WalletVersionsDocument), { walletId: otherWallet }, 'NOT_FOUND', 'walletId'],
      ['an unknown wallet', print(WalletVersionsDocument), { walletId: unknown }, 'NOT_FOUND', 'walletId'],
      ['a malformed wallet id', print(WalletVersionsDocument), { walletId: 'wallet-1' }, 'BAD_USER_INPUT', 'walletId'],
      ["another user's card", print(CardVersionsDocument), { cardId: otherCard.id }, 'NOT_FOUND', 'cardId'],
      ['an unknown card', print(CardVersionsDocument), { cardId: unknown }, 'NOT_FOUND', 'cardId'],
      ['a malformed card id', print(CardVersionsDocument), { cardId: "1' or '1'='1" }, 'BAD_USER_INPUT', 'cardId'],
    ];
    for (const [name, query, variables, code, field] of cases) {
      const refused = listen(client, query, variables);
      const error = await refused.waitForClose();
      expect(refused.events, name).toEqual([]);
      // graphql-ws hands an `error` message to the sink's error() as the list of errors.
      expect(Array.isArray(error), `${name}: ${JSON.stringify(error)}`).toBe(true);
      const [first] = error as { message: string; extensions: Record<string, unknown> }[];
      expect(first.extensions.code, name).toBe(code);
      expect(first.extensions.field, name).toBe(field);
      // Not found looks the same whether the thing exists (someone else's) or not.
      if (code === 'NOT_FOUND') expect(first.message).toMatch(/^No such (wallet|card)$/);
    }
    // The same connection still serves the viewer's own wallet and card.
    const wallet = await subscribed(client, user.id, 'balance', print(WalletVersionsDocument), { walletId });
    const cards = await subscribed(client, user.id, 'card', print(CardVersionsDocument), { cardId: card.id });
    const res = await server.gql(FundCardDocument, { input: { cardId: card.id, amount: '100', idempotencyKey: key() } }, { token: user.token });
    expect(res.errors).toBeUndefined();
    expect(await wallet.waitFor(1)).toEqual([{ balanceUpdated: expect.objectContaining({ id: walletId, balance: { amount: '900' } }) }]);
    expect(await cards.waitFor(1)).toEqual([{ cardUpdated: expect.objectContaining({ id: card.id, version: 1, balance: { amount: '100' } }) }]);
  });
});
