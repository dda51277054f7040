import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulateCardPurchaseDocument, TransferDocument, WalletDocument, WithdrawDocument } from '../generated/graphql.js';
import { account, newCard } from '../cards/sandbox-support.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { withInsertTrigger } from '../support/helpers.js';
import { errorCode, httpClient, sql, type Client } from './money-helpers.js';

/**
 * The daily outflow limit (MONITORING_DAILY_OUTFLOW) in the TypeScript paths, withdrawals and
 * card purchases: what left today plus what is still held (PENDING) plus this one may reach
 * the limit, never pass it, however many requests race. Transfers apply the limit in SQL;
 * here they only add to the day's outflow.
 */

const LIMIT = 100_000n;
const CONNECTIONS = 12;

const server = useTestServer({
  MONITORING_DAILY_OUTFLOW: `NGN=${LIMIT}`,
  // No payout settles (nor fails and gives its money back) while a test runs: withdrawals stay PENDING holds.
  SANDBOX_PAYOUT_DELAY_MS: '600000',
  DATABASE_POOL_MAX: '10',
});
let client: Client;
beforeAll(() => {
  client = httpClient(server.graphqlUrl, CONNECTIONS);
});
afterAll(() => client?.close());

let keys = 0;
const key = (prefix: string) => `${prefix}-${++keys}`;

function withdraw(token: string, walletId: string, amount: bigint) {
  return client.gql(
    WithdrawDocument,
    { input: { walletId, amount: amount.toString(), bankCode: '001', accountNumber: '0123456789', idempotencyKey: key('out') } },
    token,
  );
}

async function withdrawPending(token: string, walletId: string, amount: bigint): Promise<void> {
  const r = await withdraw(token, walletId, amount);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  expect(r.data!.withdraw.transaction.status).toBe('PENDING');
}

async function transfer(token: string, walletId: string, recipientEmail: string, amount: bigint): Promise<void> {
  const r = await client.gql(TransferDocument, { input: { fromWalletId: walletId, recipientEmail, amount: amount.toString(), idempotencyKey: key('tr') } }, token);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  expect(r.data!.transfer.transaction.status).toBe('COMPLETED');
}

function buy(token: string, cardId: string, amount: bigint) {
  return client.gql(SimulateCardPurchaseDocument, { input: { cardId, amount: amount.toString(), merchantName: 'Shop' } }, token);
}

/** An authorization the issuer has not captured yet: a PENDING hold on the card, as an issuer's webhook leaves it. */
async function cardHold(cardId: string, amount: bigint): Promise<void> {
  const result = await server.app.services.cardPurchases.authorize(server.app.orm.em.fork(), {
    cardId,
    issuerAuthorizationId: key('auth'),
    amount,
    merchant: { name: 'Hotel' },
  });
  expect(result).toMatchObject({ approved: true, transaction: { status: 'PENDING' } });
}

/** The user's outflow today as the limit counts it: DEBIT transfers, withdrawals and purchases, PENDING or COMPLETED. */
async function outflowToday(userId: string): Promise<bigint> {
  const [row] = await sql<{ total: string }>(
    server.app,
    `select coalesce(sum(amount), 0)::text as total from transactions
     where user_id = ? and currency = 'NGN' and direction = 'DEBIT' and type in ('TRANSFER', 'WITHDRAWAL', 'CARD_PURCHASE')
       and status in ('PENDING', 'COMPLETED')`,
    [userId],
  );
  return BigInt(row.total);
}

async function counts(userId: string) {
  const [row] = await sql<{ transactions: string; payments: string }>(
    server.app,
    `select (select count(*) from transactions where user_id = ?)::text as transactions,
            (select count(*) from payments where user_id = ?)::text as payments`,
    [userId, userId],
  );
  return row;
}

async function wallet(token: string, id: string) {
  const w = await client.gql(WalletDocument, { id }, token);
  expect(w.errors, JSON.stringify(w.errors)).toBeUndefined();
  return w.data!.wallet!;
}

describe('daily outflow limit: withdrawals', () => {
  it('counts completed outflow and pending holds: refused past the limit with nothing held, allowed exactly at it', async () => {
    const [alice, bob] = await seedUsers(server.app, 2, 'outflow');
    const walletId = await createWallet(server.app, alice.id);
    await createWallet(server.app, bob.id);
    await fund(server.app, walletId, 1_000_000n);
    const { card } = await newCard(server, alice.token, { walletId, initialAmount: '50000' });

    await transfer(alice.token, walletId, bob.email, 20_000n); // COMPLETED
    await cardHold(card.id, 15_000n); // PENDING on the card
    await withdrawPending(alice.token, walletId, 40_000n); // PENDING on the wallet
    expect(await outflowToday(alice.id)).toBe(75_000n);

    const before = { wallet: await wallet(alice.token, walletId), rows: await counts(alice.id) };
    expect(before.wallet.pendingDebits.amount).toBe('40000');

    const over = await withdraw(alice.token, walletId, 25_001n);
    expect(errorCode(over), JSON.stringify(over.errors)).toBe('LIMIT_EXCEEDED');
    // Which limit, how high it is and how much of it today already used, for the client to say.
    expect(over.errors![0].extensions).toMatchObject({ limit: 'DAILY_OUTFLOW', max: '100000', usedToday: '75000' });
    expect(over.data?.withdraw ?? null).toBeNull();
    // Nothing held, nothing recorded.
    expect(await wallet(alice.token, walletId)).toEqual(before.wallet);
    expect(await counts(alice.id)).toEqual(before.rows);
    expect(await outflowToday(alice.id)).toBe(75_000n);

    await withdrawPending(alice.token, walletId, 25_000n);
    expect(await outflowToday(alice.id)).toBe(LIMIT);
    expect((await wallet(alice.token, walletId)).pendingDebits.amount).toBe('65000');

    const one = await withdraw(alice.token, walletId, 1n);
    expect(errorCode(one)).toBe('LIMIT_EXCEEDED');
    expect(await outflowToday(alice.id)).toBe(LIMIT);
  });

  it('another user\'s outflow does not count against this one', async () => {
    const [alice, carol] = await seedUsers(server.app, 2, 'separate');
    const wa = await createWallet(server.app, alice.id);
    const wc = await createWallet(server.app, carol.id);
    await fund(server.app, wa, 200_000n);
    await fund(server.app, wc, 200_000n);
    await withdrawPending(alice.token, wa, LIMIT);
    await withdrawPending(carol.token, wc, LIMIT);
    expect(errorCode(await withdraw(alice.token, wa, 1n))).toBe('LIMIT_EXCEEDED');
  });
});

describe('daily outflow limit: card purchases', () => {
  it('counts pending holds on the wallet and the card: declined past the limit with nothing held, approved exactly at it', async () => {
    const [alice, bob] = await seedUsers(server.app, 2, 'cardout');
    const walletId = await createWallet(server.app, alice.id);
    await createWallet(server.app, bob.id);
    await fund(server.app, walletId, 1_000_000n);
    const { card } = await newCard(server, alice.token, { walletId, initialAmount: '200000' });

    await transfer(alice.token, walletId, bob.email, 10_000n); // COMPLETED
    await withdrawPending(alice.token, walletId, 50_000n); // PENDING on the wallet
    await cardHold(card.id, 20_000n); // PENDING on the card
    expect(await outflowToday(alice.id)).toBe(80_000n);
    const cardBefore = await account(server, card.id);
    expect(cardBefore).toEqual({ balance: 200_000n, available: 180_000n, pending: 20_000n });

    // A limit decline is a FAILED purchase with a reason, not an error.
    const over = await buy(alice.token, card.id, 20_001n);
    expect(over.errors, JSON.stringify(over.errors)).toBeUndefined();
    expect(over.data!.simulateCardPurchase.transaction).toMatchObject({ status: 'FAILED', failureReason: 'A transaction limit would be exceeded' });
    expect(await account(server, card.id)).toEqual(cardBefore);
    expect(await outflowToday(alice.id)).toBe(80_000n);

    const exact = await buy(alice.token, card.id, 20_000n);
    expect(exact.errors, JSON.stringify(exact.errors)).toBeUndefined();
    expect(exact.data!.simulateCardPurchase.transaction).toMatchObject({ status: 'COMPLETED', failureReason: null });
    expect(await account(server, card.id)).toEqual({ balance: 180_000n, available: 160_000n, pending: 20_000n });
    expect(await outflowToday(alice.id)).toBe(LIMIT);

    const one = await buy(alice.token, card.id, 1n);
    expect(one.data!.simulateCardPurchase.transaction).toMatchObject({ status: 'FAILED', failureReason: 'A transaction limit would be exceeded' });
    // And the card's purchases count against a withdrawal too.
    expect(errorCode(await withdraw(alice.token, walletId, 1n))).toBe('LIMIT_EXCEEDED');
    expect(await outflowToday(alice.id)).toBe(LIMIT);
  });
});

describe('daily outflow limit under concurrency', () => {
  it('10 concurrent withdrawals of 20,000 against a 100,000 limit: exactly 5 held, never more, in every round', { timeout: 60_000 }, async () => {
    const users = await seedUsers(server.app, 4, 'race');
    for (const [round, user] of users.entries()) {
      const walletId = await createWallet(server.app, user.id);
      await fund(server.app, walletId, 1_000_000n);
      const results = await Promise.all(Array.from({ length: 10 }, () => withdraw(user.token, walletId, 20_000n)));

      const ok = results.filter((r) => !r.errors);
      const codes = results.filter((r) => r.errors).map((r) => errorCode(r));
      expect(await outflowToday(user.id), `round ${round}`).toBe(LIMIT);
      expect(ok, `round ${round}`).toHaveLength(5);
      expect(codes, `round ${round}`).toEqual(Array(5).fill('LIMIT_EXCEEDED'));
      for (const r of ok) expect(r.data!.withdraw.transaction.status).toBe('PENDING');
      const w = await wallet(user.token, walletId);
      expect(w).toMatchObject({ balance: { amount: '1000000' }, pendingDebits: { amount: '100000' }, availableBalance: { amount: '900000' } });
    }
  });
});

describe('daily outflow limit under concurrent card purchases', () => {
  it('10 concurrent purchases of 20,000 on one card against a 100,000 limit: exactly 5 approved, in every round', { timeout: 60_000 }, async () => {
    const users = await seedUsers(server.app, 3, 'cardrace');
    for (const [round, user] of users.entries()) {
      const walletId = await createWallet(server.app, user.id);
      await fund(server.app, walletId, 1_000_000n);
      const { card } = await newCard(server, user.token, { walletId, initialAmount: '500000' });
      const results = await Promise.all(Array.from({ length: 10 }, () => buy(user.token, card.id, 20_000n)));

      for (const r of results) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      const txs = results.map((r) => r.data!.simulateCardPurchase.transaction);
      expect(await outflowToday(user.id), `round ${round}`).toBe(LIMIT);
      expect(txs.filter((t) => t.status === 'COMPLETED'), `round ${round}`).toHaveLength(5);
      expect(txs.filter((t) => t.status === 'FAILED').map((t) => t.failureReason), `round ${round}`).toEqual(Array(5).fill('A transaction limit would be exceeded'));
      expect(await account(server, card.id)).toEqual({ balance: 400_000n, available: 400_000n, pending: 0n });
    }
  });
});

describe('daily outflow limit across every kind of outflow', () => {
  it('a card purchase, a transfer and a withdrawal racing for the last 40,000: one passes, the day never goes past the limit', { timeout: 60_000 }, async () => {
    const [alice, bob] = await seedUsers(server.app, 2, 'mixed');
    const walletId = await createWallet(server.app, alice.id);
    await createWallet(server.app, bob.id);
    await fund(server.app, walletId, 1_000_000n);
    const { card } = await newCard(server, alice.token, { walletId, initialAmount: '500000' });
    await withdrawPending(alice.token, walletId, 60_000n);
    // Every outflow row of Alice's takes 300 ms to write: each request has read the day's total
    // and is still writing its row when the others read theirs. Only a decision taken under one
    // lock per user and currency makes the others wait for the first to commit.
    const results = await withInsertTrigger(
      server.app,
      'transactions',
      `new.user_id = '${alice.id}' and new.direction = 'DEBIT'`,
      'perform pg_sleep(0.3)',
      () =>
        Promise.all([
          buy(alice.token, card.id, 30_000n).then((r) => {
            expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
            const t = r.data!.simulateCardPurchase.transaction;
            return t.status === 'COMPLETED' ? 'ok' : t.failureReason;
          }),
          client
            .gql(TransferDocument, { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '30000', idempotencyKey: key('tr') } }, alice.token)
            .then((r) => (r.errors ? errorCode(r) : 'ok')),
          withdraw(alice.token, walletId, 30_000n).then((r) => (r.errors ? errorCode(r) : 'ok')),
        ]),
    );
    expect(results.filter((r) => r === 'ok'), JSON.stringify(results)).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok').sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(LIMIT_EXCEEDED|A transaction limit would be exceeded)$/)]),
    );
    for (const r of results) expect(['ok', 'LIMIT_EXCEEDED', 'A transaction limit would be exceeded']).toContain(r);
    expect(await outflowToday(alice.id)).toBe(90_000n);
  });
});
