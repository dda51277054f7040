import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CardDocument,
  CreateCardDocument,
  FreezeCardDocument,
  FundCardDocument,
  SetCardSpendingLimitDocument,
  TerminateCardDocument,
  UnfreezeCardDocument,
  WalletDocument,
  WithdrawFromCardDocument,
} from '../generated/graphql.js';
import { FakeFlutterwave } from '../fakes/flutterwave-server.js';
import { errorCode, expectBalanced, sql, waitFor, withLedgerFault } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { type TestServer, useTestServer } from '../support/server.js';

/**
 * The card service's rules one at a time, where the broader card suites pass either way:
 * boundaries, idempotency fingerprints, the audit trail, and what happens when the card or the
 * wallet changes between the check made before calling an issuer and the ledger step after it.
 * Those races are made deterministic by a transaction that holds the row the request will lock,
 * changes it, and commits only once the request waits on that lock (or has already answered).
 */

let fake: FakeFlutterwave;
beforeAll(async () => {
  fake = await FakeFlutterwave.start();
});
afterAll(() => fake?.close());
const sandbox = useTestServer();
const flw = useTestServer(() => fake.serverEnv(1000));
beforeAll(() => {
  fake.webhookUrl = `${flw.url}/webhooks/flutterwave`;
});
beforeEach(() => fake.reset());

type User = { id: string; email: string; token: string };

async function userWithWallet(server: TestServer, amount: bigint): Promise<{ u: User; walletId: string }> {
  const [u] = await seedUsers(server.app, 1, 'rules');
  const walletId = await createWallet(server.app, u.id);
  if (amount > 0n) await fund(server.app, walletId, amount);
  return { u, walletId };
}

async function createCard(server: TestServer, u: User, input: Record<string, unknown>) {
  return server.gql(CreateCardDocument, { input: input as never }, { token: u.token });
}

async function newCard(server: TestServer, u: User, walletId: string, initialAmount?: string): Promise<string> {
  const res = await createCard(server, u, { walletId, idempotencyKey: `card-${Math.random()}`, ...(initialAmount ? { initialAmount } : {}) });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.createCard.card.id;
}

async function cardOf(server: TestServer, u: User, id: string) {
  const res = await server.gql(CardDocument, { id }, { token: u.token });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.card!;
}

async function walletBalance(server: TestServer, u: User, id: string): Promise<string> {
  return (await server.gql(WalletDocument, { id }, { token: u.token })).data!.wallet!.balance.amount;
}

const fundCard = (server: TestServer, u: User, cardId: string, amount: string, idempotencyKey: string) =>
  server.gql(FundCardDocument, { input: { cardId, amount, idempotencyKey } }, { token: u.token });
const withdrawFromCard = (server: TestServer, u: User, cardId: string, amount: string, idempotencyKey: string) =>
  server.gql(WithdrawFromCardDocument, { input: { cardId, amount, idempotencyKey } }, { token: u.token });

async function issuerId(cardId: string): Promise<string> {
  const [row] = await sql<{ issuer_card_id: string }>(flw.app, 'select issuer_card_id from cards where id = ?', [cardId]);
  return row.issuer_card_id;
}

/** A Flutterwave card loaded with `load` from a wallet that held `amount`. */
async function flwCard(amount: bigint, load: bigint) {
  const { u, walletId } = await userWithWallet(flw, amount);
  const cardId = await newCard(flw, u, walletId, load.toString());
  return { u, walletId, cardId, flwId: await issuerId(cardId) };
}

const flwRequests = (pattern: RegExp) => fake.requests.filter((r) => pattern.test(`${r.method} ${r.path}`));

const balanced = (server: TestServer): Promise<void> => expectBalanced(server);

/**
 * Sends `request` while a transaction that ran `hold` (locking, and perhaps changing, the rows
 * the request will lock) is open; commits once the request waits on a lock or has answered.
 */
async function whileHeld<T>(server: TestServer, hold: (tx: EntityManager) => Promise<unknown>, request: () => Promise<T>): Promise<T> {
  let answer!: Promise<T>;
  await server.app.orm.em.fork().transactional(async (tx) => {
    await hold(tx);
    let answered = false;
    answer = request().finally(() => {
      answered = true;
    });
    await waitFor(
      async () =>
        answered ||
        (await sql<{ n: number }>(server.app, `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`))[0].n > 0,
      (done) => done,
      8_000,
    );
  });
  return answer;
}

const lockCard = (tx: EntityManager, cardId: string, status?: string) =>
  tx.execute(status ? 'update cards set status = ? where id = ?' : 'select id from cards where id = ? for update', status ? [status, cardId] : [cardId]);

describe('card rules on any issuer', () => {
  it('a label of 64 characters is kept; 65 are refused on the label field', async () => {
    const { u, walletId } = await userWithWallet(sandbox, 0n);
    const ok = await createCard(sandbox, u, { walletId, label: 'x'.repeat(64), idempotencyKey: 'l64' });
    expect(ok.errors, JSON.stringify(ok.errors)).toBeUndefined();
    expect(ok.data!.createCard.card.label).toBe('x'.repeat(64));
    const long = await createCard(sandbox, u, { walletId, label: 'x'.repeat(65), idempotencyKey: 'l65' });
    expect(errorCode(long)).toBe('BAD_USER_INPUT');
    expect(long.errors![0].extensions!.field).toBe('input.label');
  });

  it('a createCard key reused with another spending limit or billing address is IDEMPOTENCY_KEY_REUSED', async () => {
    const { u, walletId } = await userWithWallet(sandbox, 0n);
    const address = { line1: '1 Marina', city: 'Lagos', postalCode: '101001', country: 'NG' };
    const first = await createCard(sandbox, u, { walletId, spendingLimit: { amount: '1000', interval: 'DAILY' }, billingAddress: address, idempotencyKey: 'k' });
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    const same = await createCard(sandbox, u, { walletId, spendingLimit: { amount: '1000', interval: 'DAILY' }, billingAddress: address, idempotencyKey: 'k' });
    expect(same.data!.createCard.card.id).toBe(first.data!.createCard.card.id);
    // Recorded under its operation's name: a key is never shared between kinds of request.
    expect(await sql(sandbox.app, 'select operation from idempotency_keys where user_id = ?', [u.id])).toEqual([{ operation: 'createCard' }]);
    const otherLimit = await createCard(sandbox, u, { walletId, spendingLimit: { amount: '2000', interval: 'DAILY' }, billingAddress: address, idempotencyKey: 'k' });
    expect(errorCode(otherLimit)).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherAddress = await createCard(sandbox, u, {
      walletId,
      spendingLimit: { amount: '1000', interval: 'DAILY' },
      billingAddress: { ...address, line1: '2 Marina' },
      idempotencyKey: 'k',
    });
    expect(errorCode(otherAddress)).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a fundCard key reused for withdrawFromCard is IDEMPOTENCY_KEY_REUSED, and nothing moves', async () => {
    const { u, walletId } = await userWithWallet(sandbox, 1_000n);
    const cardId = await newCard(sandbox, u, walletId, '500');
    expect((await fundCard(sandbox, u, cardId, '100', 'k')).errors).toBeUndefined();
    expect(errorCode(await withdrawFromCard(sandbox, u, cardId, '100', 'k'))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await cardOf(sandbox, u, cardId)).balance.amount).toBe('600');
  });

  it('money comes off a frozen card but not onto it; a terminated card is refused as terminated', async () => {
    const { u, walletId } = await userWithWallet(sandbox, 1_000n);
    const cardId = await newCard(sandbox, u, walletId, '500');
    await sandbox.gql(FreezeCardDocument, { input: { cardId } }, { token: u.token });
    const out = await withdrawFromCard(sandbox, u, cardId, '200', 'w1');
    expect(out.errors, JSON.stringify(out.errors)).toBeUndefined();
    expect(out.data!.withdrawFromCard.card.balance.amount).toBe('300');
    const onto = await fundCard(sandbox, u, cardId, '100', 'f1');
    expect(errorCode(onto)).toBe('CARD_NOT_ACTIVE');
    expect(onto.errors![0].message).toBe('The card is not active');

    await sandbox.gql(TerminateCardDocument, { input: { cardId } }, { token: u.token });
    for (const res of [await withdrawFromCard(sandbox, u, cardId, '1', 'w2'), await fundCard(sandbox, u, cardId, '1', 'f2')]) {
      expect(errorCode(res)).toBe('CARD_NOT_ACTIVE');
      expect(res.errors![0].message).toMatch(/terminated/);
    }
    expect(await walletBalance(sandbox, u, walletId)).toBe('1000');
  });

  it('terminating an empty card moves nothing and writes no row; a loaded one returns its balance in a cwd- row', async () => {
    const { u, walletId } = await userWithWallet(sandbox, 1_000n);
    const empty = await newCard(sandbox, u, walletId);
    const done = await sandbox.gql(TerminateCardDocument, { input: { cardId: empty } }, { token: u.token });
    expect(done.errors, JSON.stringify(done.errors)).toBeUndefined();
    expect(done.data!.terminateCard.card.status).toBe('TERMINATED');
    expect(await sql(sandbox.app, 'select id from transactions where account_id = ?', [empty])).toEqual([]);

    const loaded = await newCard(sandbox, u, walletId, '400');
    await sandbox.gql(TerminateCardDocument, { input: { cardId: loaded } }, { token: u.token });
    const rows = await sql<{ type: string; direction: string; amount: string; reference: string }>(
      sandbox.app,
      `select type, direction, amount::text, reference from transactions where account_id = ? order by created_at, direction`,
      [loaded],
    );
    expect(rows).toEqual([
      { type: 'CARD_FUNDING', direction: 'CREDIT', amount: '400', reference: expect.stringMatching(/^cfd-[0-9a-f]{32}$/) },
      { type: 'CARD_WITHDRAWAL', direction: 'DEBIT', amount: '400', reference: expect.stringMatching(/^cwd-[0-9a-f]{32}$/) },
    ]);
    expect(await walletBalance(sandbox, u, walletId)).toBe('1000');
  });

  it('every card change is audited with its action, outcome and details; a repeated freeze changes and audits nothing', async () => {
    const { u, walletId } = await userWithWallet(sandbox, 1_000n);
    const cardId = await newCard(sandbox, u, walletId, '500');
    await fundCard(sandbox, u, cardId, '100', 'f');
    await withdrawFromCard(sandbox, u, cardId, '50', 'w');
    await sandbox.gql(FreezeCardDocument, { input: { cardId } }, { token: u.token });
    const version = (await cardOf(sandbox, u, cardId)).version;
    const again = await sandbox.gql(FreezeCardDocument, { input: { cardId } }, { token: u.token });
    expect(again.data!.freezeCard.card).toMatchObject({ status: 'FROZEN', version });
    await sandbox.gql(UnfreezeCardDocument, { input: { cardId } }, { token: u.token });
    await sandbox.gql(TerminateCardDocument, { input: { cardId } }, { token: u.token });
    const audit = await sql<{ action: string; outcome: string; details: unknown }>(
      sandbox.app,
      "select action, outcome, details from audit_log where user_id = ? and action like '%Card' order by id",
      [u.id],
    );
    expect(audit).toEqual([
      { action: 'createCard', outcome: 'COMPLETED', details: { cardId, issuer: 'sandbox', initialAmount: '500' } },
      { action: 'fundCard', outcome: 'COMPLETED', details: { cardId, amount: '100' } },
      { action: 'withdrawFromCard', outcome: 'COMPLETED', details: { cardId, amount: '50' } },
      { action: 'freezeCard', outcome: 'COMPLETED', details: { cardId } },
      { action: 'unfreezeCard', outcome: 'COMPLETED', details: { cardId } },
      { action: 'terminateCard', outcome: 'COMPLETED', details: { cardId } },
    ]);
  });

  it("a card's updatedAt is its last change, of the card or of its balance; an unchanged limit changes nothing", async () => {
    const { u, walletId } = await userWithWallet(sandbox, 1_000n);
    const cardId = await newCard(sandbox, u, walletId);
    const created = await cardOf(sandbox, u, cardId);
    await new Promise((r) => setTimeout(r, 20));
    await fundCard(sandbox, u, cardId, '100', 'f');
    const loaded = await cardOf(sandbox, u, cardId);
    expect(Date.parse(loaded.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    await new Promise((r) => setTimeout(r, 20));
    const limit = { amount: '500', interval: 'WEEKLY' as const };
    const set = await sandbox.gql(SetCardSpendingLimitDocument, { input: { cardId, limit } }, { token: u.token });
    expect(set.errors, JSON.stringify(set.errors)).toBeUndefined();
    const limited = await cardOf(sandbox, u, cardId);
    expect(Date.parse(limited.updatedAt)).toBeGreaterThan(Date.parse(loaded.updatedAt));
    expect(limited.version).toBe(loaded.version + 1);
    const same = await sandbox.gql(SetCardSpendingLimitDocument, { input: { cardId, limit } }, { token: u.token });
    expect(same.errors, JSON.stringify(same.errors)).toBeUndefined();
    expect(await cardOf(sandbox, u, cardId)).toMatchObject({ version: limited.version, updatedAt: limited.updatedAt, spendingLimit: limit });
  });

  it('a freeze that meets a termination committed meanwhile leaves the card terminated', async () => {
    const { u, walletId } = await userWithWallet(sandbox, 1_000n);
    const cardId = await newCard(sandbox, u, walletId);
    const res = await whileHeld(
      sandbox,
      (tx) => lockCard(tx, cardId, 'TERMINATED'),
      () => sandbox.gql(FreezeCardDocument, { input: { cardId } }, { token: u.token }),
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.freezeCard.card.status).toBe('TERMINATED');
    expect(await sql(sandbox.app, "select action from audit_log where action = 'freezeCard'")).toEqual([]);
  });

  it('a database failure while loading a card is an internal error, not INSUFFICIENT_FUNDS, and moves nothing', async () => {
    const { u, walletId } = await userWithWallet(sandbox, 10_000n);
    const cardId = await newCard(sandbox, u, walletId);
    const res = await withLedgerFault(sandbox.app, 4242n, () => fundCard(sandbox, u, cardId, '4242', 'f'));
    expect(errorCode(res)).toBe('INTERNAL_SERVER_ERROR');
    expect((await cardOf(sandbox, u, cardId)).balance.amount).toBe('0');
    expect(await walletBalance(sandbox, u, walletId)).toBe('10000');
  });
});

describe('cards whose issuer keeps the balance (Flutterwave)', () => {
  it('a repeated createCard replays without asking Flutterwave for another card or another load', async () => {
    const { u, walletId } = await userWithWallet(flw, 10_000n);
    const first = await createCard(flw, u, { walletId, initialAmount: '3000', idempotencyKey: 'c' });
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    const again = await createCard(flw, u, { walletId, initialAmount: '3000', idempotencyKey: 'c' });
    expect(again.errors, JSON.stringify(again.errors)).toBeUndefined();
    expect(again.data!.createCard.card.id).toBe(first.data!.createCard.card.id);
    expect(flwRequests(/^POST \/v3\/virtual-cards$/)).toHaveLength(1);
    expect(flwRequests(/\/fund$/)).toHaveLength(1);
    expect(fake.balanceOf(await issuerId(first.data!.createCard.card.id))).toBe(3_000n);
  });

  it('concurrent repeats of one createCard load Flutterwave once: the loser takes its load back', async () => {
    const { u, walletId } = await userWithWallet(flw, 10_000n);
    // Both copies are past their "seen before?" check before either reaches our ledger.
    fake.fail(/^\/v3\/virtual-cards$/, { method: 'POST', delayMs: 200, afterProcessing: true, times: 2 });
    const results = await Promise.all(
      [1, 2].map(() => createCard(flw, u, { walletId, initialAmount: '3000', idempotencyKey: 'same' })),
    );
    // The loser replays the winner's card, or (if it came while the winner was still at work) is told to retry.
    for (const r of results) if (r.errors) expect(errorCode(r)).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
    const ids = new Set(results.filter((r) => !r.errors).map((r) => r.data!.createCard.card.id));
    expect(ids.size).toBe(1);
    const [cardId] = ids;
    expect(flwRequests(/^POST \/v3\/virtual-cards$/)).toHaveLength(2);
    const atFlutterwave = [...fake.cards.values()].reduce((sum, c) => sum + c.balance, 0n);
    expect(atFlutterwave).toBe(3_000n);
    expect(fake.balanceOf(await issuerId(cardId))).toBe(3_000n);
    expect((await cardOf(flw, u, cardId)).balance.amount).toBe('3000');
    expect(await walletBalance(flw, u, walletId)).toBe('7000');
  });

  it('createCard may load the whole wallet; one minor unit more is refused before Flutterwave hears of it', async () => {
    const { u, walletId } = await userWithWallet(flw, 10_000n);
    const short = await createCard(flw, u, { walletId, initialAmount: '10001', idempotencyKey: 'short' });
    expect(errorCode(short)).toBe('INSUFFICIENT_FUNDS');
    expect(flwRequests(/\/fund$/)).toHaveLength(0);
    const all = await createCard(flw, u, { walletId, initialAmount: '10000', idempotencyKey: 'all' });
    expect(all.errors, JSON.stringify(all.errors)).toBeUndefined();
    expect(fake.balanceOf(await issuerId(all.data!.createCard.card.id))).toBe(10_000n);
    expect(await walletBalance(flw, u, walletId)).toBe('0');
    await balanced(flw);
  });

  it('loads are checked against the right side, up to the whole balance, before Flutterwave is told', async () => {
    const { u, walletId, cardId, flwId } = await flwCard(10_000n, 1000n);
    const before = fake.requests.length;
    // More than the card holds (though the wallet has it): refused, Flutterwave not asked.
    expect(errorCode(await withdrawFromCard(flw, u, cardId, '1001', 'w-short'))).toBe('INSUFFICIENT_FUNDS');
    expect(fake.requests.length).toBe(before);
    // More than the card holds is fine for a load from the wallet; the whole wallet too.
    const load = await fundCard(flw, u, cardId, '9000', 'f-all');
    expect(load.errors, JSON.stringify(load.errors)).toBeUndefined();
    expect(fake.balanceOf(flwId)).toBe(10_000n);
    const out = await withdrawFromCard(flw, u, cardId, '10000', 'w-all');
    expect(out.errors, JSON.stringify(out.errors)).toBeUndefined();
    expect(fake.balanceOf(flwId)).toBe(0n);
    expect(await walletBalance(flw, u, walletId)).toBe('10000');
    await balanced(flw);
  });

  it('a frozen card is unloaded through Flutterwave, and a load onto it never reaches Flutterwave', async () => {
    const { u, cardId, flwId } = await flwCard(10_000n, 5000n);
    await flw.gql(FreezeCardDocument, { input: { cardId } }, { token: u.token });
    const before = flwRequests(/\/(fund|withdraw)$/).length;
    expect(errorCode(await fundCard(flw, u, cardId, '100', 'f'))).toBe('CARD_NOT_ACTIVE');
    expect(flwRequests(/\/(fund|withdraw)$/)).toHaveLength(before);
    const out = await withdrawFromCard(flw, u, cardId, '2000', 'w');
    expect(out.errors, JSON.stringify(out.errors)).toBeUndefined();
    expect(fake.balanceOf(flwId)).toBe(3_000n);
    expect((await cardOf(flw, u, cardId)).balance.amount).toBe('3000');
  });

  it('money arriving in the wallet after the check does not load a card Flutterwave was not told to load', async () => {
    const { u, walletId } = await userWithWallet(flw, 1_000n);
    const cardId = await newCard(flw, u, walletId);
    // The wallet row is held; money arrives in it in the same transaction, committed only once
    // the load has decided (it found the wallet short, so Flutterwave was not told).
    const settlement = await flw.app.services.ledger.systemAccount(flw.app.orm.em.fork(), 'SETTLEMENT', 'sandbox', 'NGN');
    const arrive = async (tx: EntityManager, lock: () => Promise<unknown>) => {
      await lock();
      await flw.app.services.ledger.transfer(tx, { debitAccountId: settlement, creditAccountId: walletId, amount: 9_000n, currency: 'NGN', code: 'DEPOSIT', reference: `late-${Math.random()}` });
    };
    const load = await whileHeld(
      flw,
      (tx) => arrive(tx, () => lockCard(tx, cardId)),
      () => fundCard(flw, u, cardId, '5000', 'f'),
    );
    expect(errorCode(load)).toBe('INSUFFICIENT_FUNDS');
    const created = await whileHeld(
      flw,
      (tx) => arrive(tx, () => tx.execute('select id from ledger_accounts where id = ? for update', [walletId])),
      () => createCard(flw, u, { walletId, initialAmount: '15000', idempotencyKey: 'c' }),
    );
    expect(errorCode(created)).toBe('INSUFFICIENT_FUNDS');
    expect(flwRequests(/\/fund$/)).toHaveLength(0);
    expect((await cardOf(flw, u, cardId)).balance.amount).toBe('0');
    expect(await walletBalance(flw, u, walletId)).toBe('19000');
    expect(await sql(flw.app, 'select id from cards')).toHaveLength(1);
  });

  it('a card frozen or terminated after Flutterwave was told: refused, and Flutterwave is set back', async () => {
    const { u, walletId, cardId, flwId } = await flwCard(10_000n, 5000n);
    const load = await whileHeld(
      flw,
      (tx) => lockCard(tx, cardId, 'FROZEN'),
      () => fundCard(flw, u, cardId, '1000', 'f'),
    );
    expect(errorCode(load)).toBe('CARD_NOT_ACTIVE');
    expect(flwRequests(/\/fund$/).length).toBe(2); // the creation's, and this one's
    expect(fake.balanceOf(flwId)).toBe(5_000n);
    await lockCard(flw.app.orm.em.fork(), cardId, 'ACTIVE');

    const unload = await whileHeld(
      flw,
      (tx) => lockCard(tx, cardId, 'TERMINATED'),
      () => withdrawFromCard(flw, u, cardId, '1000', 'w'),
    );
    expect(errorCode(unload)).toBe('CARD_NOT_ACTIVE');
    expect(flwRequests(/\/withdraw$/).length).toBeGreaterThan(0);
    expect(fake.balanceOf(flwId)).toBe(5_000n);
    expect(await walletBalance(flw, u, walletId)).toBe('5000');
    await balanced(flw);
  });

  it('an undo Flutterwave refuses is written to the audit log with what an operator needs', async () => {
    const { u, cardId, flwId } = await flwCard(10_000n, 5000n);
    fake.fail(/\/withdraw$/, { status: 500, times: 5 });
    const load = await whileHeld(
      flw,
      (tx) => lockCard(tx, cardId, 'FROZEN'),
      () => fundCard(flw, u, cardId, '700', 'f'),
    );
    expect(errorCode(load)).toBe('CARD_NOT_ACTIVE');
    expect(fake.balanceOf(flwId)).toBe(5_700n);
    const audit = await sql<{ outcome: string; details: unknown }>(flw.app, "select outcome, details from audit_log where action = 'card:issuer-mismatch'");
    expect(audit).toEqual([
      {
        outcome: 'FAILED',
        details: {
          cardId,
          issuer: 'flutterwave',
          direction: 'CARD_FUNDING',
          amount: '700',
          note: 'issuer was told, ledger did not move, undo failed',
          // Why the undo failed, for whoever reconciles it.
          cause: expect.stringMatching(/Flutterwave POST \/virtual-cards\/[^/]+\/withdraw: /),
        },
      },
    ]);
  });

  it("Flutterwave's clear refusals of a new card are the caller's input; throttling, timeouts and odd answers are not", async () => {
    const { u, walletId } = await userWithWallet(flw, 0n);
    const cases: Array<[Parameters<FakeFlutterwave['fail']>[1], string]> = [
      [{ status: 400, body: { status: 'error', message: 'billing_name is invalid', data: null } }, 'BAD_USER_INPUT'],
      // A 200 whose body says "error" is a refusal too.
      [{ status: 200, body: { status: 'error', message: 'Card creation is not enabled', data: null } }, 'BAD_USER_INPUT'],
      // A 200 that cannot be read may have made a card: not a refusal.
      [{ status: 200, body: 'Service temporarily degraded' }, 'PROVIDER_UNAVAILABLE'],
      [{ status: 429 }, 'PROVIDER_UNAVAILABLE'],
      [{ status: 408 }, 'PROVIDER_UNAVAILABLE'],
      [{ status: 304 }, 'PROVIDER_UNAVAILABLE'],
      [{ status: 503 }, 'PROVIDER_UNAVAILABLE'],
    ];
    for (const [i, [failure, code]] of cases.entries()) {
      fake.fail(/^\/v3\/virtual-cards$/, { method: 'POST', ...failure });
      const res = await createCard(flw, u, { walletId, idempotencyKey: `k${i}` });
      expect(errorCode(res), JSON.stringify([failure, res.errors])).toBe(code);
      if (code === 'BAD_USER_INPUT') expect(res.errors![0].extensions!.issuerMessage).toContain((failure!.body as { message: string }).message);
    }
    expect(await sql(flw.app, 'select id from cards')).toEqual([]);
  });
});
