import { describe, expect, it } from 'vitest';
import {
  CardDocument,
  CreateCardDocument,
  FreezeCardDocument,
  FundCardDocument,
  RevealCardDocument,
  SetCardSpendingLimitDocument,
  SimulateCardPurchaseDocument,
  TerminateCardDocument,
  TransactionsDocument,
  UnfreezeCardDocument,
  WalletDocument,
  WithdrawFromCardDocument,
} from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';
import { account, errorCode, expectBalanced, key, luhnValid, newCard, numberOnPage, sql, userWithWallet } from './sandbox-support.js';

const server = useTestServer();

async function walletBalance(token: string, walletId: string): Promise<string> {
  const w = await server.gql(WalletDocument, { id: walletId }, { token });
  return w.data!.wallet!.balance.amount;
}

async function cardNow(token: string, id: string) {
  const res = await server.gql(CardDocument, { id }, { token });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.card!;
}

describe('createCard', () => {
  it('creates an empty card with a label and spending limit, in the wallet currency', async () => {
    const { user, walletId } = await userWithWallet(server, 10_000n);
    const { card, fundingTransaction } = await newCard(server, user.token, {
      walletId,
      label: '  Travel  ',
      spendingLimit: { amount: '2500', interval: 'DAILY' },
    });
    expect(card).toMatchObject({
      provider: 'sandbox',
      brand: 'VISA',
      status: 'ACTIVE',
      currency: 'NGN',
      label: 'Travel',
      spendingLimit: { amount: '2500', interval: 'DAILY' },
      balance: { amount: '0' },
      availableBalance: { amount: '0' },
      wallet: { id: walletId },
    });
    expect(card.last4).toMatch(/^\d{4}$/);
    expect(card.expYear).toBeGreaterThanOrEqual(new Date().getUTCFullYear());
    expect(card.expMonth).toBeGreaterThanOrEqual(1);
    expect(card.expMonth).toBeLessThanOrEqual(12);
    expect(fundingTransaction).toBeNull();
    expect(await walletBalance(user.token, walletId)).toBe('10000');
  });

  it('loads the card at once with initialAmount: CARD_FUNDING rows on wallet and card, same reference', async () => {
    const { user, walletId } = await userWithWallet(server, 10_000n);
    const { card, fundingTransaction } = await newCard(server, user.token, { walletId, initialAmount: '4000' });
    expect(card.balance.amount).toBe('4000');
    expect(card.spendingLimit).toBeNull();
    expect(card.label).toBeNull();
    expect(fundingTransaction).toMatchObject({ type: 'CARD_FUNDING', direction: 'CREDIT', status: 'COMPLETED', amount: { amount: '4000' } });
    expect(await walletBalance(user.token, walletId)).toBe('6000');
    const rows = await sql<{ account_id: string; direction: string; type: string }>(
      server.app,
      'select account_id, direction, type from transactions where reference = ? order by direction',
      [fundingTransaction!.reference],
    );
    expect(rows).toEqual([
      { account_id: card.id, direction: 'CREDIT', type: 'CARD_FUNDING' },
      { account_id: walletId, direction: 'DEBIT', type: 'CARD_FUNDING' },
    ]);
    await expectBalanced(server);
  });

  it('refuses an initialAmount above the wallet balance and creates no card', async () => {
    const { user, walletId } = await userWithWallet(server, 100n);
    const res = await server.gql(CreateCardDocument, { input: { walletId, initialAmount: '101', idempotencyKey: key() } }, { token: user.token });
    expect(errorCode(res)).toBe('INSUFFICIENT_FUNDS');
    expect(await sql(server.app, 'select id from cards')).toHaveLength(0);
    expect(await walletBalance(user.token, walletId)).toBe('100');
  });

  it('is idempotent under concurrent repeats: one card, loaded once; another input under the key is refused', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const k = key('create');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => server.gql(CreateCardDocument, { input: { walletId, initialAmount: '100', idempotencyKey: k } }, { token: user.token })),
    );
    for (const r of results) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(new Set(results.map((r) => r.data!.createCard.card.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.data!.createCard.fundingTransaction!.id)).size).toBe(1);
    expect(await sql(server.app, 'select id from cards')).toHaveLength(1);
    expect((await account(server, walletId)).balance).toBe(4900n);
    const changed = await server.gql(CreateCardDocument, { input: { walletId, initialAmount: '200', idempotencyKey: k } }, { token: user.token });
    expect(errorCode(changed)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await sql(server.app, 'select id from cards')).toHaveLength(1);
  });

  it('version starts once and grows by exactly one per status, limit or balance change', async () => {
    const { user, walletId } = await userWithWallet(server, 10_000n);
    const { card } = await newCard(server, user.token, { walletId });
    const v0 = card.version;
    // A card loaded at creation starts one change further on.
    const { card: loaded } = await newCard(server, user.token, { walletId, initialAmount: '1' });
    expect(loaded.version).toBe(v0 + 1);
    const steps: [string, () => Promise<unknown>][] = [
      ['fund', () => server.gql(FundCardDocument, { input: { cardId: card.id, amount: '500', idempotencyKey: key() } }, { token: user.token })],
      ['freeze', () => server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: user.token })],
      ['unfreeze', () => server.gql(UnfreezeCardDocument, { input: { cardId: card.id } }, { token: user.token })],
      [
        'limit',
        () =>
          server.gql(
            SetCardSpendingLimitDocument,
            { input: { cardId: card.id, limit: { amount: '100', interval: 'PER_AUTHORIZATION' } } },
            { token: user.token },
          ),
      ],
      ['withdraw', () => server.gql(WithdrawFromCardDocument, { input: { cardId: card.id, amount: '200', idempotencyKey: key() } }, { token: user.token })],
    ];
    let expected = v0;
    for (const [name, step] of steps) {
      const res = (await step()) as { errors?: unknown };
      expect(res.errors, `${name}: ${JSON.stringify(res.errors)}`).toBeUndefined();
      expected += 1;
      expect((await cardNow(user.token, card.id)).version, name).toBe(expected);
    }
    // Freezing a frozen card changes nothing, so the version stays.
    await server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect((await cardNow(user.token, card.id)).version).toBe(expected + 1);
    await server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect((await cardNow(user.token, card.id)).version).toBe(expected + 1);
  });
});

describe('fundCard and withdrawFromCard', () => {
  it('move money wallet to card and back, each with a row on both sides sharing a reference', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId });

    const funded = await server.gql(FundCardDocument, { input: { cardId: card.id, amount: '3000', idempotencyKey: key() } }, { token: user.token });
    expect(funded.errors, JSON.stringify(funded.errors)).toBeUndefined();
    expect(funded.data!.fundCard.transaction).toMatchObject({ type: 'CARD_FUNDING', direction: 'CREDIT', status: 'COMPLETED', amount: { amount: '3000' } });
    expect(funded.data!.fundCard.card.balance.amount).toBe('3000');
    expect(funded.data!.fundCard.wallet).toMatchObject({ id: walletId, balance: { amount: '2000' } });

    const back = await server.gql(WithdrawFromCardDocument, { input: { cardId: card.id, amount: '1200', idempotencyKey: key() } }, { token: user.token });
    expect(back.errors, JSON.stringify(back.errors)).toBeUndefined();
    expect(back.data!.withdrawFromCard.transaction).toMatchObject({ type: 'CARD_WITHDRAWAL', direction: 'DEBIT', status: 'COMPLETED', amount: { amount: '1200' } });
    expect(back.data!.withdrawFromCard.card.balance.amount).toBe('1800');
    expect(back.data!.withdrawFromCard.wallet.balance.amount).toBe('3200');

    for (const [t, cardDirection, walletDirection] of [
      [funded.data!.fundCard.transaction, 'CREDIT', 'DEBIT'],
      [back.data!.withdrawFromCard.transaction, 'DEBIT', 'CREDIT'],
    ] as const) {
      const rows = await sql<{ account_id: string; direction: string; type: string; amount: string }>(
        server.app,
        'select account_id, direction, type, amount::text as amount from transactions where reference = ?',
        [t.reference],
      );
      expect(rows).toHaveLength(2);
      expect(rows.find((r) => r.account_id === card.id)).toMatchObject({ direction: cardDirection, type: t.type, amount: t.amount.amount });
      expect(rows.find((r) => r.account_id === walletId)).toMatchObject({ direction: walletDirection, type: t.type, amount: t.amount.amount });
    }

    // The card's history through transactions(filter: { cardId }) has the card's rows only.
    const history = await server.gql(TransactionsDocument, { filter: { cardId: card.id } }, { token: user.token });
    expect(history.data!.transactions.edges.map((e) => [e.node.type, e.node.direction])).toEqual([
      ['CARD_WITHDRAWAL', 'DEBIT'],
      ['CARD_FUNDING', 'CREDIT'],
    ]);
    await expectBalanced(server);
  });

  it('INSUFFICIENT_FUNDS from the wallet (funding) or the card (withdrawing), and nothing moves', async () => {
    const { user, walletId } = await userWithWallet(server, 1_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '600' });
    const tooMuch = await server.gql(FundCardDocument, { input: { cardId: card.id, amount: '401', idempotencyKey: key() } }, { token: user.token });
    expect(errorCode(tooMuch)).toBe('INSUFFICIENT_FUNDS');
    const tooMuchBack = await server.gql(WithdrawFromCardDocument, { input: { cardId: card.id, amount: '601', idempotencyKey: key() } }, { token: user.token });
    expect(errorCode(tooMuchBack)).toBe('INSUFFICIENT_FUNDS');
    expect((await account(server, card.id)).balance).toBe(600n);
    expect((await account(server, walletId)).balance).toBe(400n);
    const [{ n }] = await sql<{ n: string }>(server.app, `select count(*)::text as n from transactions where type in ('CARD_FUNDING', 'CARD_WITHDRAWAL')`);
    expect(n).toBe('2'); // the initial load only
    // Exactly what is there can move.
    const all = await server.gql(WithdrawFromCardDocument, { input: { cardId: card.id, amount: '600', idempotencyKey: key() } }, { token: user.token });
    expect(all.errors).toBeUndefined();
    expect(all.data!.withdrawFromCard.card.balance.amount).toBe('0');
  });

  it('is idempotent: the same key replays the same transaction, another amount is IDEMPOTENCY_KEY_REUSED', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId });
    const k = key('fund');
    const first = await server.gql(FundCardDocument, { input: { cardId: card.id, amount: '1000', idempotencyKey: k } }, { token: user.token });
    const again = await server.gql(FundCardDocument, { input: { cardId: card.id, amount: '1000', idempotencyKey: k } }, { token: user.token });
    expect(first.errors).toBeUndefined();
    expect(again.errors).toBeUndefined();
    expect(again.data!.fundCard.transaction.id).toBe(first.data!.fundCard.transaction.id);
    expect((await account(server, card.id)).balance).toBe(1000n);
    const changed = await server.gql(FundCardDocument, { input: { cardId: card.id, amount: '1001', idempotencyKey: k } }, { token: user.token });
    expect(errorCode(changed)).toBe('IDEMPOTENCY_KEY_REUSED');
    // The same key on the other operation is another fingerprint too.
    const other = await server.gql(WithdrawFromCardDocument, { input: { cardId: card.id, amount: '1000', idempotencyKey: k } }, { token: user.token });
    expect(errorCode(other)).toBe('IDEMPOTENCY_KEY_REUSED');

    const wk = key('withdraw');
    const w1 = await server.gql(WithdrawFromCardDocument, { input: { cardId: card.id, amount: '300', idempotencyKey: wk } }, { token: user.token });
    const w2 = await server.gql(WithdrawFromCardDocument, { input: { cardId: card.id, amount: '300', idempotencyKey: wk } }, { token: user.token });
    expect(w2.data!.withdrawFromCard.transaction.id).toBe(w1.data!.withdrawFromCard.transaction.id);
    expect((await account(server, card.id)).balance).toBe(700n);
    expect((await account(server, walletId)).balance).toBe(4300n);
    await expectBalanced(server);
  });
});

describe('freeze, unfreeze, terminate', () => {
  it('a frozen card declines purchases (FAILED with a reason) and refuses funding; unfreezing restores it', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '2000' });
    const frozen = await server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect(frozen.data!.freezeCard.card.status).toBe('FROZEN');

    const buy = await server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: '100', merchantName: 'Cafe' } }, { token: user.token });
    expect(buy.errors).toBeUndefined();
    expect(buy.data!.simulateCardPurchase.transaction).toMatchObject({ type: 'CARD_PURCHASE', status: 'FAILED' });
    expect(buy.data!.simulateCardPurchase.transaction.failureReason).toMatch(/frozen/i);
    expect(buy.data!.simulateCardPurchase.card.balance.amount).toBe('2000');

    const fundFrozen = await server.gql(FundCardDocument, { input: { cardId: card.id, amount: '100', idempotencyKey: key() } }, { token: user.token });
    expect(errorCode(fundFrozen)).toBe('CARD_NOT_ACTIVE');
    expect((await account(server, card.id)).balance).toBe(2000n);

    const active = await server.gql(UnfreezeCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect(active.data!.unfreezeCard.card.status).toBe('ACTIVE');
    const ok = await server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: '100', merchantName: 'Cafe' } }, { token: user.token });
    expect(ok.data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
    expect(ok.data!.simulateCardPurchase.card.balance.amount).toBe('1900');
    const fundOk = await server.gql(FundCardDocument, { input: { cardId: card.id, amount: '100', idempotencyKey: key() } }, { token: user.token });
    expect(fundOk.errors).toBeUndefined();
  });

  it('terminate returns the available balance at once; a pending hold returns when voided; terminated is final', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
    const hold = await server.app.services.track(() =>
      server.app.services.cardPurchases.authorize(server.app.orm.em.fork(), {
        cardId: card.id,
        issuerAuthorizationId: 'auth-hold-1',
        amount: 300n,
        merchant: { name: 'Hotel' },
      }),
    );
    expect(hold.approved).toBe(true);
    expect(hold.transaction.status).toBe('PENDING');

    const t = await server.gql(TerminateCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect(t.errors, JSON.stringify(t.errors)).toBeUndefined();
    expect(t.data!.terminateCard.card).toMatchObject({ status: 'TERMINATED', availableBalance: { amount: '0' }, balance: { amount: '300' } });
    expect(await walletBalance(user.token, walletId)).toBe('4700');
    const sweep = await sql<{ account_id: string; direction: string; amount: string }>(
      server.app,
      `select account_id, direction, amount::text as amount from transactions where type = 'CARD_WITHDRAWAL' order by direction`,
    );
    expect(sweep).toEqual([
      { account_id: walletId, direction: 'CREDIT', amount: '700' },
      { account_id: card.id, direction: 'DEBIT', amount: '700' },
    ]);

    // Terminating again returns it unchanged.
    const again = await server.gql(TerminateCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect(again.errors).toBeUndefined();
    expect(again.data!.terminateCard.card).toEqual(t.data!.terminateCard.card);

    // Never reopened, never loaded, never revealed.
    expect(errorCode(await server.gql(UnfreezeCardDocument, { input: { cardId: card.id } }, { token: user.token }))).toBe('CARD_NOT_ACTIVE');
    expect(errorCode(await server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: user.token }))).toBe('CARD_NOT_ACTIVE');
    expect(
      errorCode(await server.gql(FundCardDocument, { input: { cardId: card.id, amount: '10', idempotencyKey: key() } }, { token: user.token })),
    ).toBe('CARD_NOT_ACTIVE');
    expect(
      errorCode(
        await server.gql(SetCardSpendingLimitDocument, { input: { cardId: card.id, limit: { amount: '1', interval: 'DAILY' } } }, { token: user.token }),
      ),
    ).toBe('CARD_NOT_ACTIVE');
    expect(errorCode(await server.gql(RevealCardDocument, { input: { cardId: card.id } }, { token: user.token }))).toBe('CARD_NOT_ACTIVE');
    const buy = await server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: '1', merchantName: 'Cafe' } }, { token: user.token });
    expect(buy.data!.simulateCardPurchase.transaction).toMatchObject({ status: 'FAILED' });
    expect(buy.data!.simulateCardPurchase.transaction.failureReason).toMatch(/terminated/i);
    expect((await cardNow(user.token, card.id)).status).toBe('TERMINATED');

    // The merchant lets the hold go: its money goes straight back to the wallet.
    const reversed = await server.app.services.track(() =>
      server.app.services.cardSettlements.reverse(server.app.orm.em.fork(), card.id, 'auth-hold-1'),
    );
    expect(reversed?.status).toBe('REVERSED');
    expect(await walletBalance(user.token, walletId)).toBe('5000');
    expect(await account(server, card.id)).toEqual({ balance: 0n, available: 0n, pending: 0n });
    expect((await cardNow(user.token, card.id)).balance.amount).toBe('0');
    await expectBalanced(server);
  });

  it('funding racing a termination never leaves money on the terminated card', async () => {
    for (let round = 0; round < 5; round++) {
      const { user, walletId } = await userWithWallet(server, 100_000n);
      const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
      const funds = Array.from({ length: 20 }, () =>
        server.gql(FundCardDocument, { input: { cardId: card.id, amount: '10', idempotencyKey: key() } }, { token: user.token }),
      );
      await new Promise((r) => setTimeout(r, round * 3));
      const terminated = server.gql(TerminateCardDocument, { input: { cardId: card.id } }, { token: user.token });
      const results = await Promise.all(funds);
      expect((await terminated).data!.terminateCard.card.status).toBe('TERMINATED');
      for (const r of results) expect([undefined, 'CARD_NOT_ACTIVE'], JSON.stringify(r.errors)).toContain(errorCode(r));
      expect(await account(server, card.id), `round ${round}`).toEqual({ balance: 0n, available: 0n, pending: 0n });
      expect((await account(server, walletId)).balance).toBe(100_000n);
    }
    await expectBalanced(server);
  });

  it('setCardSpendingLimit sets, replaces and (with null) removes the limit', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
    const set = await server.gql(
      SetCardSpendingLimitDocument,
      { input: { cardId: card.id, limit: { amount: '100', interval: 'PER_AUTHORIZATION' } } },
      { token: user.token },
    );
    expect(set.data!.setCardSpendingLimit.card.spendingLimit).toEqual({ amount: '100', interval: 'PER_AUTHORIZATION' });
    const over = await server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: '101', merchantName: 'Shop' } }, { token: user.token });
    expect(over.data!.simulateCardPurchase.transaction.status).toBe('FAILED');
    const replaced = await server.gql(
      SetCardSpendingLimitDocument,
      { input: { cardId: card.id, limit: { amount: '700', interval: 'MONTHLY' } } },
      { token: user.token },
    );
    expect(replaced.data!.setCardSpendingLimit.card.spendingLimit).toEqual({ amount: '700', interval: 'MONTHLY' });
    const removed = await server.gql(SetCardSpendingLimitDocument, { input: { cardId: card.id, limit: null } }, { token: user.token });
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.setCardSpendingLimit.card.spendingLimit).toBeNull();
    expect((await cardNow(user.token, card.id)).spendingLimit).toBeNull();
    const big = await server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: '900', merchantName: 'Shop' } }, { token: user.token });
    expect(big.data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
  });

  it('freezing and unfreezing change the status alone: the limit and label stay, the row records when', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, label: 'Groceries', spendingLimit: { amount: '300', interval: 'WEEKLY' } });
    const stamp = async () =>
      Number((await sql<{ ms: string }>(server.app, 'select (extract(epoch from updated_at) * 1000000)::bigint::text as ms from cards where id = ?', [card.id]))[0].ms);
    const created = await stamp();
    await new Promise((r) => setTimeout(r, 20));
    const frozen = await server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect(frozen.errors).toBeUndefined();
    const frozenAt = await stamp();
    expect(frozenAt).toBeGreaterThan(created);
    expect(await cardNow(user.token, card.id)).toMatchObject({
      status: 'FROZEN',
      label: 'Groceries',
      spendingLimit: { amount: '300', interval: 'WEEKLY' },
    });
    await new Promise((r) => setTimeout(r, 20));
    await server.gql(UnfreezeCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect(await stamp()).toBeGreaterThan(frozenAt);
    expect(await cardNow(user.token, card.id)).toMatchObject({ status: 'ACTIVE', label: 'Groceries', spendingLimit: { amount: '300', interval: 'WEEKLY' } });
  });
});

describe('revealCard (sandbox page)', () => {
  it('serves a one-time page with a Luhn-valid number ending in last4, the same number on every reveal', async () => {
    const { user, walletId } = await userWithWallet(server, 0n);
    const { card } = await newCard(server, user.token, { walletId });
    const r1 = await server.gql(RevealCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect(r1.errors, JSON.stringify(r1.errors)).toBeUndefined();
    const { url, expiresAt, ephemeralKeySecret } = r1.data!.revealCard;
    expect(url).toMatch(/\/sandbox\/cards\/[A-Za-z0-9_-]{20,}$/);
    expect(ephemeralKeySecret).toBeNull();
    const ttl = new Date(expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000); // short-lived

    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const number = numberOnPage(await page.text());
    expect(number).not.toBeNull();
    expect(number).toHaveLength(16);
    expect(number!.startsWith('4')).toBe(true);
    expect(luhnValid(number!)).toBe(true);
    expect(number!.endsWith(card.last4)).toBe(true);

    // One time only.
    const second = await fetch(url!);
    expect(second.status).toBe(404);
    expect(numberOnPage(await second.text())).toBeNull();

    // A new reveal of the same card shows the same number (derived, not random).
    const r2 = await server.gql(RevealCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect(r2.data!.revealCard.url).not.toBe(url);
    const again = numberOnPage(await (await fetch(r2.data!.revealCard.url!)).text());
    expect(again).toBe(number);

    // Another card has another number.
    const { card: other } = await newCard(server, user.token, { walletId });
    const r3 = await server.gql(RevealCardDocument, { input: { cardId: other.id } }, { token: user.token });
    const otherNumber = numberOnPage(await (await fetch(r3.data!.revealCard.url!)).text());
    expect(luhnValid(otherNumber!)).toBe(true);
    expect(otherNumber).not.toBe(number);
    expect(otherNumber!.endsWith(other.last4)).toBe(true);
  });

  it('an expired token shows nothing (404)', async () => {
    const { user, walletId } = await userWithWallet(server, 0n);
    const { card } = await newCard(server, user.token, { walletId });
    const r = await server.gql(RevealCardDocument, { input: { cardId: card.id } }, { token: user.token });
    const changed = await sql<{ card_id: string }>(
      server.app,
      `update card_reveal_tokens set expires_at = now() - interval '1 second' where card_id = ? returning card_id`,
      [card.id],
    );
    expect(changed).toHaveLength(1);
    const page = await fetch(r.data!.revealCard.url!);
    expect(page.status).toBe(404);
    expect(numberOnPage(await page.text())).toBeNull();
    // A made-up token too.
    expect((await fetch(`${server.url}/sandbox/cards/not-a-real-token`)).status).toBe(404);
  });
});
