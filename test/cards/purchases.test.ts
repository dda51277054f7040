import { describe, expect, it } from 'vitest';
import { CardDocument, LedgerReportDocument, SimulateCardPurchaseDocument, TerminateCardDocument, TransactionsDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';
import { account, errorCode, expectBalanced, key, newCard, sql, userWithWallet } from './sandbox-support.js';

const server = useTestServer();

const services = () => server.app.services;
const em = () => server.app.orm.em.fork();

function buy(token: string, cardId: string, amount: string, merchantName = 'Shop', idempotencyKey?: string) {
  return server.gql(SimulateCardPurchaseDocument, { input: { cardId, amount, merchantName, idempotencyKey } }, { token });
}

/** ledgerReport over HTTP, as an ADMIN (the user is promoted for it). */
async function expectLedgerReportBalanced(user: { id: string; token: string }) {
  await sql(server.app, `update users set role = 'ADMIN' where id = ?`, [user.id]);
  const report = await server.gql(LedgerReportDocument, {}, { token: user.token });
  expect(report.errors, JSON.stringify(report.errors)).toBeUndefined();
  expect(report.data!.ledgerReport).toMatchObject({ balanced: true, mismatchedAccountIds: [] });
}

describe('overspend under concurrency', () => {
  it('100 concurrent purchases of 50 on a card holding 1,000: exactly 20 approved, never negative, ledger balanced', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });

    // Watch the card's account while the purchases run.
    let lowest = 1000n;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const a = await account(server, card.id);
        if (a.available < lowest) lowest = a.available;
        if (a.balance < lowest) lowest = a.balance;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => buy(user.token, card.id, '50', `Shop ${i}`)));
    watching = false;
    await watcher;

    for (const r of results) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const txs = results.map((r) => r.data!.simulateCardPurchase.transaction);
    const approved = txs.filter((t) => t.status === 'COMPLETED');
    const failed = txs.filter((t) => t.status === 'FAILED');
    expect(approved).toHaveLength(20);
    expect(failed).toHaveLength(80);
    for (const t of failed) expect(t.failureReason).toMatch(/insufficient/i);
    for (const t of approved) expect(t.failureReason).toBeNull();
    expect(new Set(txs.map((t) => t.id)).size).toBe(100);
    for (const r of results) expect(BigInt(r.data!.simulateCardPurchase.card.balance.amount)).toBeGreaterThanOrEqual(0n);
    expect(lowest).toBeGreaterThanOrEqual(0n);

    expect(await account(server, card.id)).toEqual({ balance: 0n, available: 0n, pending: 0n });
    const [counts] = await sql<{ completed: string; failed: string; pending: string }>(
      server.app,
      `select count(*) filter (where status = 'COMPLETED')::text as completed, count(*) filter (where status = 'FAILED')::text as failed,
              count(*) filter (where status = 'PENDING')::text as pending
       from transactions where account_id = ? and type = 'CARD_PURCHASE'`,
      [card.id],
    );
    expect(counts).toEqual({ completed: '20', failed: '80', pending: '0' });
    // The wallet was never touched by the purchases.
    expect((await account(server, walletId)).balance).toBe(4000n);
    await expectBalanced(server);
    await expectLedgerReportBalanced(user);
  });
});

describe('spending limits per interval', () => {
  it('PER_AUTHORIZATION: one purchase at most the limit, however many', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '3000', spendingLimit: { amount: '500', interval: 'PER_AUTHORIZATION' } });
    const over = await buy(user.token, card.id, '501');
    expect(over.data!.simulateCardPurchase.transaction.status).toBe('FAILED');
    expect(over.data!.simulateCardPurchase.transaction.failureReason).toMatch(/per authorization spending limit/i);
    for (let i = 0; i < 3; i++) expect((await buy(user.token, card.id, '500')).data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
    expect((await account(server, card.id)).balance).toBe(1500n);
  });

  it('DAILY: purchases (and holds) of the UTC day count; yesterday does not', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '3000', spendingLimit: { amount: '1000', interval: 'DAILY' } });
    expect((await buy(user.token, card.id, '600')).data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
    // A pending hold counts too.
    const hold = await services().track(() =>
      services().cardPurchases.authorize(em(), { cardId: card.id, issuerAuthorizationId: 'daily-hold', amount: 300n, merchant: { name: 'Hotel' } }),
    );
    expect(hold.approved).toBe(true);
    const over = await buy(user.token, card.id, '101');
    expect(over.data!.simulateCardPurchase.transaction).toMatchObject({ status: 'FAILED' });
    expect(over.data!.simulateCardPurchase.transaction.failureReason).toMatch(/daily spending limit/i);
    expect((await buy(user.token, card.id, '100')).data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
    // Yesterday's spending is another day.
    await sql(server.app, `update transactions set created_at = now() - interval '2 days' where account_id = ? and type = 'CARD_PURCHASE'`, [card.id]);
    expect((await buy(user.token, card.id, '1000')).data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
  });

  it('ALL_TIME: everything ever spent counts, declined attempts do not', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '3000', spendingLimit: { amount: '1000', interval: 'ALL_TIME' } });
    expect((await buy(user.token, card.id, '700')).data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
    await sql(server.app, `update transactions set created_at = now() - interval '400 days' where account_id = ? and type = 'CARD_PURCHASE'`, [card.id]);
    const over = await buy(user.token, card.id, '301');
    expect(over.data!.simulateCardPurchase.transaction.status).toBe('FAILED');
    expect(over.data!.simulateCardPurchase.transaction.failureReason).toMatch(/all time spending limit/i);
    expect((await buy(user.token, card.id, '300')).data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
    const done = await buy(user.token, card.id, '1');
    expect(done.data!.simulateCardPurchase.transaction.failureReason).toMatch(/all time spending limit/i);
    expect((await account(server, card.id)).balance).toBe(2000n);
  });

  it('a limit is enforced under concurrency too', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '3000', spendingLimit: { amount: '500', interval: 'DAILY' } });
    const results = await Promise.all(Array.from({ length: 20 }, () => buy(user.token, card.id, '100')));
    const statuses = results.map((r) => r.data!.simulateCardPurchase.transaction.status);
    expect(statuses.filter((s) => s === 'COMPLETED')).toHaveLength(5);
    expect((await account(server, card.id)).balance).toBe(2500n);
  });
});

describe('declines and two-phase purchases', () => {
  it('merchant "DECLINE" is an issuer decline: FAILED with a reason, nothing held', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
    const res = await buy(user.token, card.id, '100', 'DECLINE');
    expect(res.errors).toBeUndefined();
    expect(res.data!.simulateCardPurchase.transaction).toMatchObject({
      type: 'CARD_PURCHASE',
      status: 'FAILED',
      failureReason: 'Declined by the issuer',
      merchant: { name: 'DECLINE' },
      card: { id: card.id },
    });
    expect(await account(server, card.id)).toEqual({ balance: 1000n, available: 1000n, pending: 0n });
    // Declines are history rows, returned with the card's transactions.
    const c = await server.gql(CardDocument, { id: card.id }, { token: user.token });
    expect(c.data!.card!.transactions.edges.map((e) => [e.node.type, e.node.status])).toEqual([
      ['CARD_PURCHASE', 'FAILED'],
      ['CARD_FUNDING', 'COMPLETED'],
    ]);
  });

  it('simulateCardPurchase charges only cards the sandbox issued (FORBIDDEN otherwise, nothing recorded)', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
    await sql(server.app, `update cards set issuer = 'stripe' where id = ?`, [card.id]);
    expect(errorCode(await buy(user.token, card.id, '10'))).toBe('FORBIDDEN');
    expect(await sql(server.app, `select id from transactions where type = 'CARD_PURCHASE'`)).toEqual([]);
    expect((await account(server, card.id)).balance).toBe(1000n);
  });

  it('partial capture posts what was captured and releases the rest', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
    const auth = await services().track(() =>
      services().cardPurchases.authorize(em(), { cardId: card.id, issuerAuthorizationId: 'p-1', amount: 500n, merchant: { name: 'Fuel' } }),
    );
    expect(auth).toMatchObject({ approved: true, transaction: { status: 'PENDING' } });
    expect(await account(server, card.id)).toEqual({ balance: 1000n, available: 500n, pending: 500n });
    const c1 = await server.gql(CardDocument, { id: card.id }, { token: user.token });
    expect(c1.data!.card).toMatchObject({ balance: { amount: '1000' }, availableBalance: { amount: '500' } });

    const row = await services().track(() => services().cardSettlements.capture(em(), card.id, 'p-1', 300n));
    expect(row).toMatchObject({ id: auth.transaction.id, status: 'COMPLETED' });
    expect(await account(server, card.id)).toEqual({ balance: 700n, available: 700n, pending: 0n });
    const history = await server.gql(TransactionsDocument, { filter: { cardId: card.id, types: ['CARD_PURCHASE'] } }, { token: user.token });
    expect(history.data!.transactions.edges.map((e) => e.node)).toMatchObject([{ id: auth.transaction.id, status: 'COMPLETED', amount: { amount: '300' } }]);
    // A repeated capture of the same authorization is not a second charge of the hold.
    expect(await services().track(() => services().cardSettlements.capture(em(), card.id, 'p-1'))).toBeNull();
    expect((await account(server, card.id)).balance).toBe(700n);
    await expectBalanced(server);
  });

  it('a reversal voids the hold and marks the row REVERSED; a refund credits the card', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
    const auth = await services().track(() =>
      services().cardPurchases.authorize(em(), { cardId: card.id, issuerAuthorizationId: 'r-1', amount: 400n, merchant: { name: 'Cinema' } }),
    );
    expect(await account(server, card.id)).toMatchObject({ available: 600n, pending: 400n });
    const reversed = await services().track(() => services().cardSettlements.reverse(em(), card.id, 'r-1'));
    expect(reversed).toMatchObject({ id: auth.transaction.id, status: 'REVERSED' });
    expect(await account(server, card.id)).toEqual({ balance: 1000n, available: 1000n, pending: 0n });
    // Reversing again, or capturing after the reversal with no amount, moves nothing.
    expect(await services().track(() => services().cardSettlements.reverse(em(), card.id, 'r-1'))).toBeNull();
    expect(await services().track(() => services().cardSettlements.capture(em(), card.id, 'r-1'))).toBeNull();
    expect((await account(server, card.id)).balance).toBe(1000n);

    // A purchase, then its refund.
    expect((await buy(user.token, card.id, '250', 'Cinema')).data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
    const refund = await services().track(() => services().cardSettlements.refund(em(), card.id, 250n, { name: 'Cinema' }));
    expect(refund).toMatchObject({ type: 'CARD_REFUND', direction: 'CREDIT', status: 'COMPLETED', accountId: card.id });
    expect(await account(server, card.id)).toEqual({ balance: 1000n, available: 1000n, pending: 0n });
    const history = await server.gql(TransactionsDocument, { filter: { cardId: card.id } }, { token: user.token });
    expect(history.data!.transactions.edges.map((e) => [e.node.type, e.node.status, e.node.direction, e.node.amount.amount])).toEqual([
      ['CARD_REFUND', 'COMPLETED', 'CREDIT', '250'],
      ['CARD_PURCHASE', 'COMPLETED', 'DEBIT', '250'],
      ['CARD_PURCHASE', 'REVERSED', 'DEBIT', '400'],
      ['CARD_FUNDING', 'COMPLETED', 'CREDIT', '1000'],
    ]);
    await expectBalanced(server);
  });

  it('a forced capture beyond the card balance takes the rest from the wallet, then books a flagged receivable', async () => {
    const { user, walletId } = await userWithWallet(server, 1_200n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
    const row = await services().track(() => services().cardSettlements.capture(em(), card.id, null, 1500n, { name: 'Airline' }));
    expect(row).toMatchObject({ type: 'CARD_PURCHASE', status: 'COMPLETED', amount: 1500n, accountId: card.id });
    expect(await account(server, card.id)).toEqual({ balance: 0n, available: 0n, pending: 0n });
    expect(await account(server, walletId)).toEqual({ balance: 0n, available: 0n, pending: 0n });
    const rows = await sql<{ account_id: string; direction: string; amount: string; status: string }>(
      server.app,
      'select account_id, direction, amount::text as amount, status from transactions where reference = ? order by account_id = ? desc',
      [row!.reference, card.id],
    );
    expect(rows).toEqual([
      { account_id: card.id, direction: 'DEBIT', amount: '1500', status: 'COMPLETED' },
      { account_id: walletId, direction: 'DEBIT', amount: '200', status: 'COMPLETED' },
    ]);
    const flags = await sql<{ rule: string; details: { cardId: string; unpaid: string } }>(
      server.app,
      'select rule, details from transaction_flags where transaction_id = ?',
      [row!.id],
    );
    expect(flags).toEqual([{ rule: 'CARD_RECEIVABLE', details: { cardId: card.id, unpaid: '300' } }]);
    const [receivable] = await sql<{ debits_posted: string }>(
      server.app,
      `select debits_posted::text as debits_posted from ledger_accounts where kind = 'CARD_RECEIVABLE'`,
    );
    expect(receivable?.debits_posted).toBe('300');
    await expectBalanced(server);
    await expectLedgerReportBalanced(user);
  });

  it('on a terminated card, a partial capture sends the released rest, and a refund, straight to the wallet', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
    await services().track(() =>
      services().cardPurchases.authorize(em(), { cardId: card.id, issuerAuthorizationId: 'late-1', amount: 600n, merchant: { name: 'Car rental' } }),
    );
    const t = await server.gql(TerminateCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect(t.data!.terminateCard.card).toMatchObject({ status: 'TERMINATED', balance: { amount: '600' }, availableBalance: { amount: '0' } });
    expect((await account(server, walletId)).balance).toBe(4400n);
    const captured = await services().track(() => services().cardSettlements.capture(em(), card.id, 'late-1', 450n));
    expect(captured).toMatchObject({ status: 'COMPLETED', amount: 450n });
    expect(await account(server, card.id)).toEqual({ balance: 0n, available: 0n, pending: 0n });
    expect((await account(server, walletId)).balance).toBe(4550n);
    await services().track(() => services().cardSettlements.refund(em(), card.id, 450n, { name: 'Car rental' }));
    expect(await account(server, card.id)).toEqual({ balance: 0n, available: 0n, pending: 0n });
    expect((await account(server, walletId)).balance).toBe(5000n);
    // Every sweep is a CARD_WITHDRAWAL, newest first.
    const history = await server.gql(TransactionsDocument, { filter: { cardId: card.id } }, { token: user.token });
    expect(history.data!.transactions.edges.map((e) => [e.node.type, e.node.direction, e.node.amount.amount])).toEqual([
      ['CARD_WITHDRAWAL', 'DEBIT', '450'],
      ['CARD_REFUND', 'CREDIT', '450'],
      ['CARD_WITHDRAWAL', 'DEBIT', '150'],
      ['CARD_WITHDRAWAL', 'DEBIT', '400'],
      ['CARD_PURCHASE', 'DEBIT', '450'], // its row dates from the authorization, before the termination
      ['CARD_FUNDING', 'CREDIT', '1000'],
    ]);
    await expectBalanced(server);
  });

  it('a capture above the hold takes the extra from the card first', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
    await services().track(() =>
      services().cardPurchases.authorize(em(), { cardId: card.id, issuerAuthorizationId: 'tip-1', amount: 400n, merchant: { name: 'Restaurant' } }),
    );
    const row = await services().track(() => services().cardSettlements.capture(em(), card.id, 'tip-1', 460n));
    expect(row).toMatchObject({ status: 'COMPLETED', amount: 460n });
    expect(await account(server, card.id)).toEqual({ balance: 540n, available: 540n, pending: 0n });
    expect((await account(server, walletId)).balance).toBe(4000n);
    await expectBalanced(server);
  });
});

describe('simulateCardPurchase idempotency', () => {
  it('10 concurrent repeats with one key charge once and all return the same transaction', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
    const k = key('buy');
    const results = await Promise.all(Array.from({ length: 10 }, () => buy(user.token, card.id, '150', 'Bakery', k)));
    for (const r of results) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const ids = new Set(results.map((r) => r.data!.simulateCardPurchase.transaction.id));
    expect(ids.size).toBe(1);
    expect(results[0].data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
    expect((await account(server, card.id)).balance).toBe(850n);
    const [{ n }] = await sql<{ n: string }>(server.app, `select count(*)::text as n from transactions where account_id = ? and type = 'CARD_PURCHASE'`, [
      card.id,
    ]);
    expect(n).toBe('1');
    // Another amount under the same key is refused.
    expect(errorCode(await buy(user.token, card.id, '151', 'Bakery', k))).toBe('IDEMPOTENCY_KEY_REUSED');
    // A declined purchase is a business answer: replayed, not retried.
    const dk = key('decline');
    const d1 = await buy(user.token, card.id, '5000', 'Bakery', dk);
    const d2 = await buy(user.token, card.id, '5000', 'Bakery', dk);
    expect(d1.data!.simulateCardPurchase.transaction.status).toBe('FAILED');
    expect(d2.data!.simulateCardPurchase.transaction.id).toBe(d1.data!.simulateCardPurchase.transaction.id);
    await expectBalanced(server);
  });
});
