import { describe, expect, it } from 'vitest';
import { waitFor, withLedgerFault } from '../support/helpers.js';
import { FreezeCardDocument, SimulateCardPurchaseDocument, TerminateCardDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';
import { account, errorCode, expectBalanced, key, newCard, sql, userWithWallet } from './sandbox-support.js';

/**
 * The purchase path's rules one at a time (CardAuthorizationService): what a purchase row says
 * (merchant, description, reason), which decision a repeat gets, and which spending counts
 * towards a limit. The flows themselves are in purchases.test.ts and spending-intervals.test.ts.
 */

const server = useTestServer();

const purchases = () => server.app.services.cardPurchases;
const settlements = () => server.app.services.cardSettlements;
const em = () => server.app.orm.em.fork();
const track = <T>(fn: () => Promise<T>) => server.app.services.track(fn);

function buy(token: string, cardId: string, input: { amount: string; merchantName: string; merchantCategory?: string; merchantCountry?: string; idempotencyKey?: string }) {
  return server.gql(SimulateCardPurchaseDocument, { input: { cardId, ...input } }, { token });
}

async function loadedCard(load = 1_000n, extra: Record<string, unknown> = {}) {
  const { user, walletId } = await userWithWallet(server, 5_000n, 'rules');
  const { card } = await newCard(server, user.token, { walletId, initialAmount: load.toString(), ...extra });
  return { user, walletId, cardId: card.id };
}

const authorize = (cardId: string, issuerAuthorizationId: string, amount: bigint, name = 'Shop') =>
  track(() => purchases().authorize(em(), { cardId, issuerAuthorizationId, amount, merchant: { name } }));

async function rowsOf(reference: string) {
  return sql<{ account_id: string; type: string; description: string; failure_reason: string | null; merchant: unknown }>(
    server.app,
    'select account_id, type, description, failure_reason, merchant from transactions where reference = ? order by direction, account_id',
    [reference],
  );
}

/**
 * Runs `requests` while a transaction holds the card's row, and lets go once `waiting` of them
 * wait on a lock: what each then does is decided by the locks it takes, not by timing.
 */
async function whileCardHeld<T>(cardId: string, waiting: number, requests: (() => Promise<T>)[]): Promise<T[]> {
  let answers!: Promise<T[]>;
  await server.app.orm.em.fork().transactional(async (tx) => {
    await tx.execute('select id from cards where id = ? for update', [cardId]);
    answers = Promise.all(requests.map((r) => r()));
    await waitFor(
      () => sql<{ n: number }>(server.app, `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`),
      ([row]) => row.n >= waiting,
      8_000,
    );
  });
  return answers;
}

const REFERENCE = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{32}$`);

describe('simulateCardPurchase', () => {
  it('keeps merchant texts to 200 characters, trims the name, and names a blank merchant', async () => {
    const { user, cardId } = await loadedCard();
    const long = await buy(user.token, cardId, {
      amount: '10',
      merchantName: `  ${'m'.repeat(250)}  `,
      merchantCategory: 'c'.repeat(250),
      merchantCountry: 'k'.repeat(250),
    });
    expect(long.errors, JSON.stringify(long.errors)).toBeUndefined();
    expect(long.data!.simulateCardPurchase.transaction).toMatchObject({
      description: 'm'.repeat(200),
      merchant: { name: 'm'.repeat(200), category: 'c'.repeat(200), country: 'k'.repeat(200) },
    });
    const blank = await buy(user.token, cardId, { amount: '10', merchantName: '   ' });
    expect(blank.data!.simulateCardPurchase.transaction.merchant).toEqual({ name: 'Sandbox merchant', category: null, country: null });
  });

  it('a merchant named "decline" in any letter case is declined by the issuer', async () => {
    const { user, cardId } = await loadedCard();
    const res = await buy(user.token, cardId, { amount: '10', merchantName: 'Decline' });
    expect(res.data!.simulateCardPurchase.transaction).toMatchObject({ status: 'FAILED', failureReason: 'Declined by the issuer' });
  });

  it('a key reused for another amount or merchant is IDEMPOTENCY_KEY_REUSED and charges nothing more', async () => {
    const { user, cardId } = await loadedCard();
    const k = key('buy');
    expect((await buy(user.token, cardId, { amount: '100', merchantName: 'Bakery', idempotencyKey: k })).errors).toBeUndefined();
    expect(errorCode(await buy(user.token, cardId, { amount: '101', merchantName: 'Bakery', idempotencyKey: k }))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(errorCode(await buy(user.token, cardId, { amount: '100', merchantName: 'Butcher', idempotencyKey: k }))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await account(server, cardId)).balance).toBe(900n);
    expect(await sql(server.app, "select operation from idempotency_keys where key = ?", [k])).toEqual([{ operation: 'simulateCardPurchase' }]);
  });
});

describe('authorizations', () => {
  it('say why a frozen or terminated card declines, and hold nothing', async () => {
    const { user, cardId } = await loadedCard();
    await server.gql(FreezeCardDocument, { input: { cardId } }, { token: user.token });
    expect(await authorize(cardId, 'f-1', 10n)).toMatchObject({ approved: false, reason: 'The card is frozen', transaction: { status: 'FAILED' } });
    await server.gql(TerminateCardDocument, { input: { cardId } }, { token: user.token });
    expect(await authorize(cardId, 't-1', 10n)).toMatchObject({ approved: false, reason: 'The card is terminated', transaction: { status: 'FAILED' } });
    expect(await account(server, cardId)).toEqual({ balance: 0n, available: 0n, pending: 0n });
  });

  it('a repeat of an authorization gets the first decision and reason, and holds nothing more', async () => {
    const { cardId } = await loadedCard();
    const approved = await authorize(cardId, 'a-1', 300n);
    expect(await authorize(cardId, 'a-1', 300n)).toEqual({ approved: true, transaction: approved.transaction, reason: undefined });
    const declined = await authorize(cardId, 'a-2', 5_000n);
    expect(declined).toMatchObject({ approved: false, reason: 'Insufficient funds on the card' });
    expect(await authorize(cardId, 'a-2', 5_000n)).toEqual({ approved: false, transaction: declined.transaction, reason: 'Insufficient funds on the card' });
    expect(await account(server, cardId)).toEqual({ balance: 1000n, available: 700n, pending: 300n });
  });

  it('for a card that does not exist is an error, and records nothing', async () => {
    await expect(authorize('00000000-0000-4000-8000-000000000000', 'x-1', 10n)).rejects.toThrow(/unknown card/);
    expect(await sql(server.app, 'select id from card_authorizations')).toEqual([]);
  });

  it('a limit is reached exactly, not passed; held and spent money counts, released and declined does not', async () => {
    const { cardId } = await loadedCard(1_000n, { spendingLimit: { amount: '500', interval: 'DAILY' } });
    await authorize(cardId, 'l-1', 200n); // held
    await authorize(cardId, 'l-2', 100n);
    await track(() => settlements().capture(em(), cardId, 'l-2')); // spent
    await authorize(cardId, 'l-3', 150n);
    await track(() => settlements().reverse(em(), cardId, 'l-3')); // released
    expect(await authorize(cardId, 'l-4', 201n)).toMatchObject({ approved: false, reason: "The card's daily spending limit would be passed" });
    expect(await authorize(cardId, 'l-5', 200n)).toMatchObject({ approved: true });
    expect(await authorize(cardId, 'l-6', 1n)).toMatchObject({ approved: false });
  });

  it('name the interval of the limit they would pass in words', async () => {
    const { cardId } = await loadedCard(1_000n, { spendingLimit: { amount: '50', interval: 'PER_AUTHORIZATION' } });
    expect(await authorize(cardId, 'p-1', 51n)).toMatchObject({ approved: false, reason: "The card's per authorization spending limit would be passed" });
    expect(await authorize(cardId, 'p-2', 50n)).toMatchObject({ approved: true });
    expect(await authorize(cardId, 'p-3', 50n)).toMatchObject({ approved: true });
  });
});

describe('captures, reversals and refunds', () => {
  it('a capture with nothing held reads like a purchase; one after its hold was captured says so', async () => {
    const { cardId } = await loadedCard();
    const forced = await track(() => settlements().capture(em(), cardId, null, 100n, { name: 'Bus', category: '4111', country: 'NG' }));
    expect(forced).toMatchObject({ description: 'Bus', status: 'COMPLETED', amount: 100n });
    expect((await rowsOf(forced!.reference))[0].merchant).toEqual({ name: 'Bus', category: '4111', country: 'NG' });
    const unnamed = await track(() => settlements().capture(em(), cardId, 'never-authorized', 10n));
    expect(unnamed).toMatchObject({ description: 'Card purchase' });

    await authorize(cardId, 'c-1', 200n, 'Hotel');
    await track(() => settlements().capture(em(), cardId, 'c-1'));
    const again = await track(() => settlements().capture(em(), cardId, 'c-1', 50n, { name: 'Hotel' }));
    expect(again).toMatchObject({ description: 'Hotel (captured again)', amount: 50n, status: 'COMPLETED' });
    expect((await account(server, cardId)).balance).toBe(1000n - 100n - 10n - 200n - 50n);
    await expectBalanced(server);
  });

  it('a capture of nothing, or with no amount and no hold, moves nothing', async () => {
    const { cardId } = await loadedCard();
    expect(await track(() => settlements().capture(em(), cardId, null, 0n))).toBeNull();
    expect(await track(() => settlements().capture(em(), cardId, 'none'))).toBeNull();
    expect(await sql(server.app, "select id from transactions where type = 'CARD_PURCHASE'")).toEqual([]);
    expect((await account(server, cardId)).balance).toBe(1000n);
  });

  it('the wallet part of a capture beyond the card balance has a row that says where it came from', async () => {
    const { cardId, walletId } = await loadedCard(100n);
    const row = await track(() => settlements().capture(em(), cardId, null, 150n, { name: 'Toll' }));
    const rows = await rowsOf(row!.reference);
    expect(rows.find((r) => r.account_id === walletId)).toMatchObject({
      type: 'CARD_PURCHASE',
      description: 'Card capture beyond the card balance, taken from the wallet',
    });
    expect(await account(server, walletId)).toMatchObject({ balance: 4_850n });
    expect(await sql(server.app, 'select id from transaction_flags')).toEqual([]);
  });

  it('a reversal says the merchant let the authorization go; a refund names its merchant', async () => {
    const { cardId } = await loadedCard();
    const auth = await authorize(cardId, 'r-1', 300n);
    const reversed = await track(() => settlements().reverse(em(), cardId, 'r-1'));
    expect(reversed).toMatchObject({ id: auth.transaction.id, status: 'REVERSED', failureReason: 'The merchant released the authorization' });
    const refund = await track(() => settlements().refund(em(), cardId, 40n, { name: 'Cinema', category: '7832', country: 'NG' }));
    expect(refund).toMatchObject({ description: 'Refund from Cinema', amount: 40n });
    expect((await rowsOf(refund.reference))[0].merchant).toEqual({ name: 'Cinema', category: '7832', country: 'NG' });
    expect(await account(server, cardId)).toEqual({ balance: 1040n, available: 1040n, pending: 0n });
  });

  it('on a terminated card, a reversed hold goes straight back to the wallet', async () => {
    const { user, cardId, walletId } = await loadedCard();
    await authorize(cardId, 'tr-1', 300n);
    await server.gql(TerminateCardDocument, { input: { cardId } }, { token: user.token });
    expect((await account(server, walletId)).balance).toBe(4_700n);
    await track(() => settlements().reverse(em(), cardId, 'tr-1'));
    expect(await account(server, cardId)).toEqual({ balance: 0n, available: 0n, pending: 0n });
    expect((await account(server, walletId)).balance).toBe(5_000n);
    await expectBalanced(server);
  });
});

describe('what the ledger and the rows record', () => {
  it('every card movement is booked under its own code, with references of its kind', async () => {
    const { cardId } = await loadedCard(); // wallet 5,000, 1,000 of it on the card
    const auth = await authorize(cardId, 'b-1', 300n);
    expect(auth.transaction.reference).toMatch(REFERENCE('auth'));
    await track(() => settlements().capture(em(), cardId, 'b-1', 200n));
    const forced = await track(() => settlements().capture(em(), cardId, null, 6_000n, { name: 'Airline' }));
    expect(forced!.reference).toMatch(REFERENCE('cap'));
    const refund = await track(() => settlements().refund(em(), cardId, 40n, { name: 'Airline' }));
    expect(refund.reference).toMatch(REFERENCE('rfd'));
    // The hold (voided), the capture's post, the forced capture from the card, the wallet and
    // the receivable, the refund; and the deposit and the load before them.
    const codes = await sql<{ code: string; n: number }>(server.app, 'select code, count(*)::int as n from ledger_transfers group by code order by code');
    expect(codes).toEqual([
      { code: 'CARD_FUNDING', n: 1 },
      { code: 'CARD_PURCHASE', n: 5 },
      { code: 'CARD_REFUND', n: 1 },
      { code: 'DEPOSIT', n: 1 },
    ]);
    await expectBalanced(server);
  });

  it('a capture of the whole hold posts the hold itself', async () => {
    const { cardId } = await loadedCard();
    const auth = await authorize(cardId, 'w-1', 300n);
    const row = await track(() => settlements().capture(em(), cardId, 'w-1'));
    expect(row).toMatchObject({ id: auth.transaction.id, status: 'COMPLETED', amount: 300n });
    const transfers = await sql<{ id: string; status: string }>(server.app, 'select id, status from ledger_transfers where reference = ?', [auth.transaction.reference]);
    expect(transfers).toEqual([{ id: auth.transaction.transferId, status: 'POSTED' }]);
    expect(row!.transferId).toBe(auth.transaction.transferId);
  });

  it('a database failure while holding money is an error, not a decline, and records nothing', async () => {
    const { cardId } = await loadedCard();
    await withLedgerFault(server.app, 424n, () => expect(authorize(cardId, 'fault-1', 424n)).rejects.toThrow(/test fault/));
    expect(await sql(server.app, 'select id from card_authorizations')).toEqual([]);
    expect(await sql(server.app, "select id from transactions where type = 'CARD_PURCHASE'")).toEqual([]);
  });
});

describe('events about one authorization that arrive together', () => {
  it('two captures: one settles the hold, the other is a capture beyond it, each with its own row', async () => {
    const { cardId } = await loadedCard();
    await authorize(cardId, 'cc-1', 500n, 'Garage');
    const capture = () => track(() => settlements().capture(em(), cardId, 'cc-1', 300n, { name: 'Garage' }));
    const rows = await whileCardHeld(cardId, 2, [capture, capture]);
    expect(rows.map((r) => r!.description).sort()).toEqual(['Garage', 'Garage (captured again)']);
    expect(new Set(rows.map((r) => r!.id)).size).toBe(2);
    expect(await account(server, cardId)).toEqual({ balance: 400n, available: 400n, pending: 0n });
    await expectBalanced(server);
  });

  it('a capture and a reversal: whichever comes first decides, and the other changes nothing', async () => {
    const { cardId } = await loadedCard();
    const auth = await authorize(cardId, 'cr-1', 300n);
    const [captured, reversed] = await whileCardHeld(cardId, 2, [
      () => track(() => settlements().capture(em(), cardId, 'cr-1')),
      () => track(() => settlements().reverse(em(), cardId, 'cr-1')),
    ]);
    expect([captured, reversed].filter((r) => r !== null)).toHaveLength(1);
    const [state] = await sql<{ auth: string; row: string }>(
      server.app,
      'select a.status as auth, t.status as row from card_authorizations a join transactions t on t.id = a.transaction_id where a.issuer_authorization_id = ?',
      ['cr-1'],
    );
    expect(state).toEqual(captured ? { auth: 'CLOSED', row: 'COMPLETED' } : { auth: 'REVERSED', row: 'REVERSED' });
    expect((await account(server, cardId)).balance).toBe(captured ? 700n : 1000n);
    expect(auth.approved).toBe(true);
    await expectBalanced(server);
  });
});
