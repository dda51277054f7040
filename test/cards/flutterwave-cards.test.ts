import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CardDocument,
  CreateCardDocument,
  FreezeCardDocument,
  FundCardDocument,
  RevealCardDocument,
  TerminateCardDocument,
  UnfreezeCardDocument,
  WalletDocument,
  WithdrawFromCardDocument,
} from '../generated/graphql.js';
import { FakeFlutterwave } from '../fakes/flutterwave-server.js';
import { errorCode, expectBalanced, sql } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

/** Flutterwave cards end to end: the real server and adapter against the local fake of Flutterwave. */

let fake: FakeFlutterwave;
beforeAll(async () => {
  fake = await FakeFlutterwave.start();
});
afterAll(() => fake?.close());
const server = useTestServer(() => fake.serverEnv(500));
beforeAll(() => {
  fake.webhookUrl = `${server.url}/webhooks/flutterwave`;
});
beforeEach(() => fake.reset());

const balanced = (): Promise<void> => expectBalanced(server);

async function issuerId(cardId: string): Promise<string> {
  const [row] = await sql<{ issuer_card_id: string }>(server.app, 'select issuer_card_id from cards where id = ?', [cardId]);
  return row.issuer_card_id;
}

async function cardBalance(token: string, cardId: string): Promise<bigint> {
  const res = await server.gql(CardDocument, { id: cardId }, { token });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return BigInt(res.data!.card!.balance.amount);
}

async function walletBalance(token: string, walletId: string): Promise<bigint> {
  const res = await server.gql(WalletDocument, { id: walletId }, { token });
  return BigInt(res.data!.wallet!.balance.amount);
}

/** A user with an NGN wallet holding `amount`, and a Flutterwave card loaded with `load`. */
async function setup(amount = 10_000n, load = 5_000n) {
  const [u] = await seedUsers(server.app, 1, 'flw');
  const walletId = await createWallet(server.app, u.id);
  await fund(server.app, walletId, amount);
  const created = await server.gql(CreateCardDocument, { input: { walletId, initialAmount: load.toString(), idempotencyKey: 'create-1' } }, { token: u.token });
  expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
  const cardId = created.data!.createCard.card.id;
  return { u, walletId, cardId, flwId: await issuerId(cardId), created };
}

describe('Flutterwave cards over HTTP', () => {
  it('createCard with initialAmount funds the Flutterwave card too', async () => {
    const { u, walletId, cardId, flwId, created } = await setup();
    expect(created.data!.createCard.card).toMatchObject({ provider: 'flutterwave', brand: 'MASTERCARD', status: 'ACTIVE', currency: 'NGN' });
    expect(created.data!.createCard.card.last4).toBe(fake.cards.get(flwId)!.pan.slice(-4));
    expect(created.data!.createCard.fundingTransaction).toMatchObject({ type: 'CARD_FUNDING', direction: 'CREDIT', amount: { amount: '5000' } });
    expect(fake.balanceOf(flwId)).toBe(5_000n);
    expect(await cardBalance(u.token, cardId)).toBe(5_000n);
    expect(await walletBalance(u.token, walletId)).toBe(5_000n);
    await balanced();
  });

  it('fundCard and withdrawFromCard keep our card account equal to the issuer balance, idempotently', async () => {
    const { u, walletId, cardId, flwId } = await setup();
    const funded = await server.gql(FundCardDocument, { input: { cardId, amount: '2000', idempotencyKey: 'f1' } }, { token: u.token });
    expect(funded.errors, JSON.stringify(funded.errors)).toBeUndefined();
    expect(funded.data!.fundCard.card.balance.amount).toBe('7000');
    expect(fake.balanceOf(flwId)).toBe(7_000n);

    const again = await server.gql(FundCardDocument, { input: { cardId, amount: '2000', idempotencyKey: 'f1' } }, { token: u.token });
    expect(again.data!.fundCard.transaction.id).toBe(funded.data!.fundCard.transaction.id);
    expect(fake.balanceOf(flwId)).toBe(7_000n);
    expect(fake.requests.filter((r) => r.path.endsWith('/fund'))).toHaveLength(2); // creation + f1 once

    const out = await server.gql(WithdrawFromCardDocument, { input: { cardId, amount: '1500', idempotencyKey: 'w1' } }, { token: u.token });
    expect(out.errors, JSON.stringify(out.errors)).toBeUndefined();
    expect(out.data!.withdrawFromCard.card.balance.amount).toBe('5500');
    expect(out.data!.withdrawFromCard.wallet.balance.amount).toBe('4500');
    expect(fake.balanceOf(flwId)).toBe(5_500n);
    await balanced();

    // Business refusals never reach the issuer.
    const before = fake.requests.length;
    const short = await server.gql(FundCardDocument, { input: { cardId, amount: '999999', idempotencyKey: 'f2' } }, { token: u.token });
    expect(errorCode(short)).toBe('INSUFFICIENT_FUNDS');
    const tooMuch = await server.gql(WithdrawFromCardDocument, { input: { cardId, amount: '999999', idempotencyKey: 'w2' } }, { token: u.token });
    expect(errorCode(tooMuch)).toBe('INSUFFICIENT_FUNDS');
    expect(fake.requests.length).toBe(before);
    expect(await cardBalance(u.token, cardId)).toBe(fake.balanceOf(flwId));
    expect(await walletBalance(u.token, walletId)).toBe(4_500n);
    await balanced();
  });

  it('an issuer failure gives PROVIDER_UNAVAILABLE and moves nothing; a retry with the key then works', async () => {
    const { u, walletId, cardId, flwId } = await setup();
    fake.fail(/\/fund$/, { status: 503 });
    const failed = await server.gql(FundCardDocument, { input: { cardId, amount: '1000', idempotencyKey: 'f1' } }, { token: u.token });
    expect(errorCode(failed)).toBe('PROVIDER_UNAVAILABLE');
    fake.fail(/\/withdraw$/, { delayMs: 1_500 });
    const timedOut = await server.gql(WithdrawFromCardDocument, { input: { cardId, amount: '1000', idempotencyKey: 'w1' } }, { token: u.token });
    expect(errorCode(timedOut)).toBe('PROVIDER_UNAVAILABLE');
    fake.fail(/\/fund$/, { status: 400, body: { status: 'error', message: 'Insufficient balance in your wallet', data: null } });
    const refused = await server.gql(FundCardDocument, { input: { cardId, amount: '1000', idempotencyKey: 'f2' } }, { token: u.token });
    expect(errorCode(refused)).toBe('PROVIDER_UNAVAILABLE');
    expect(await cardBalance(u.token, cardId)).toBe(5_000n);
    expect(await walletBalance(u.token, walletId)).toBe(5_000n);
    expect(fake.balanceOf(flwId)).toBe(5_000n);
    await balanced();

    const retried = await server.gql(FundCardDocument, { input: { cardId, amount: '1000', idempotencyKey: 'f1' } }, { token: u.token });
    expect(retried.errors, JSON.stringify(retried.errors)).toBeUndefined();
    expect(fake.balanceOf(flwId)).toBe(6_000n);
    expect(await cardBalance(u.token, cardId)).toBe(6_000n);
    await balanced();
  });

  it('createCard whose funding fails at Flutterwave creates nothing of ours and moves nothing', async () => {
    const [u] = await seedUsers(server.app, 1, 'flw');
    const walletId = await createWallet(server.app, u.id);
    await fund(server.app, walletId, 10_000n);
    fake.fail(/\/fund$/, { status: 502 });
    const res = await server.gql(CreateCardDocument, { input: { walletId, initialAmount: '3000', idempotencyKey: 'c1' } }, { token: u.token });
    expect(errorCode(res)).toBe('PROVIDER_UNAVAILABLE');
    expect(await sql(server.app, 'select id from cards')).toHaveLength(0);
    expect(await walletBalance(u.token, walletId)).toBe(10_000n);
    await balanced();
  });

  it('concurrent repeats of one funding move money once, at Flutterwave too', async () => {
    const { u, cardId, flwId } = await setup();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => server.gql(FundCardDocument, { input: { cardId, amount: '500', idempotencyKey: 'same' } }, { token: u.token })),
    );
    const ids = new Set(results.filter((r) => !r.errors).map((r) => r.data!.fundCard.transaction.id));
    expect(ids.size).toBe(1);
    expect(await cardBalance(u.token, cardId)).toBe(5_500n);
    expect(fake.balanceOf(flwId)).toBe(5_500n);
    await balanced();
  });

  it('webhooks: purchases, declines and refunds are recorded once and the card keeps mirroring the issuer', async () => {
    const { u, cardId, flwId } = await setup();
    const bought = await fake.spend(flwId, 1_200n, 'Shoprite');
    expect(bought.delivery).toMatchObject({ status: 200 });
    expect(fake.balanceOf(flwId)).toBe(3_800n);
    expect(await cardBalance(u.token, cardId)).toBe(3_800n);
    await balanced();

    // The same event again (Flutterwave retries): recorded once.
    const dup = await fake.deliver(fake.eventFor(bought.transaction));
    expect(dup.status).toBe(200);
    expect(dup.body).toContain('DUPLICATE');
    expect(await cardBalance(u.token, cardId)).toBe(3_800n);

    const declined = await fake.spend(flwId, 999_999n, 'Jeweller');
    expect(declined.transaction.status).toBe('failed');
    expect(declined.delivery).toMatchObject({ status: 200 });
    await fake.deliver(fake.eventFor(declined.transaction));
    const refunded = await fake.refund(flwId, 200n, 'Shoprite');
    expect(refunded.delivery).toMatchObject({ status: 200 });
    await fake.deliver(fake.eventFor(refunded.transaction));
    expect(fake.balanceOf(flwId)).toBe(4_000n);
    expect(await cardBalance(u.token, cardId)).toBe(4_000n);

    const card = await server.gql(CardDocument, { id: cardId }, { token: u.token });
    const rows = card.data!.card!.transactions.edges.map((e) => e.node);
    expect(rows.filter((t) => t.type === 'CARD_PURCHASE' && t.status === 'COMPLETED')).toHaveLength(1);
    expect(rows.filter((t) => t.type === 'CARD_PURCHASE' && t.status === 'FAILED')).toHaveLength(1);
    expect(rows.filter((t) => t.type === 'CARD_REFUND')).toHaveLength(1);
    await balanced();
  });

  it('webhooks out of order still leave the card mirroring the issuer', async () => {
    const { u, cardId, flwId } = await setup();
    const url = fake.webhookUrl;
    fake.webhookUrl = undefined; // Flutterwave's notifications held back, then sent newest first
    const first = await fake.spend(flwId, 1_000n, 'A');
    const refund = await fake.refund(flwId, 300n, 'A');
    const second = await fake.spend(flwId, 4_000n, 'B');
    fake.webhookUrl = url;
    for (const tx of [second.transaction, refund.transaction, first.transaction, second.transaction]) {
      expect((await fake.deliver(fake.eventFor(tx))).status).toBe(200);
    }
    expect(fake.balanceOf(flwId)).toBe(300n);
    expect(await cardBalance(u.token, cardId)).toBe(300n);
    await balanced();
  });

  it('when the undo at Flutterwave fails too, the difference is written to the audit log', async () => {
    const { u, cardId, flwId } = await setup();
    fake.fail(/\/withdraw$/, { status: 500, times: 100 });
    await Promise.all(
      Array.from({ length: 4 }, () => server.gql(FundCardDocument, { input: { cardId, amount: '500', idempotencyKey: 'k' } }, { token: u.token })),
    );
    const mismatches = await sql(server.app, "select details from audit_log where action = 'card:issuer-mismatch'");
    expect(fake.balanceOf(flwId) - (await cardBalance(u.token, cardId))).toBe(500n * BigInt(mismatches.length));
    expect(await cardBalance(u.token, cardId)).toBe(5_500n);
    await balanced();
  });

  it('webhooks with a bad or missing verif-hash, or for an unknown card, change nothing', async () => {
    const { u, cardId, flwId } = await setup();
    const event = { event: 'card.transaction', data: { id: 77, card_id: flwId, amount: 10, currency: 'NGN', type: 'debit', status: 'successful' } };
    expect((await fake.deliver(event, { hash: 'wrong' })).status).toBe(401);
    expect((await fake.deliver(event, { hash: null })).status).toBe(401);
    const unknown = { event: 'card.transaction', data: { ...event.data, card_id: 'not-ours' } };
    expect((await fake.deliver(unknown)).status).toBe(404);
    expect((await fake.deliver('{not json')).status).toBe(400);
    expect(await cardBalance(u.token, cardId)).toBe(5_000n);
    await balanced();
  });

  it('freeze blocks at Flutterwave, terminate returns the balance, and reveal says it is not offered', async () => {
    const { u, walletId, cardId, flwId } = await setup();
    const frozen = await server.gql(FreezeCardDocument, { input: { cardId } }, { token: u.token });
    expect(frozen.data!.freezeCard.card.status).toBe('FROZEN');
    expect(fake.cards.get(flwId)!.status).toBe('blocked');
    const refusedSpend = await fake.spend(flwId, 100n, 'Shop');
    expect(refusedSpend.transaction.status).toBe('failed');
    expect(await cardBalance(u.token, cardId)).toBe(5_000n);

    fake.fail(/\/status\/unblock$/, { status: 500 });
    const notYet = await server.gql(UnfreezeCardDocument, { input: { cardId } }, { token: u.token });
    expect(errorCode(notYet)).toBe('PROVIDER_UNAVAILABLE');
    const still = await server.gql(CardDocument, { id: cardId }, { token: u.token });
    expect(still.data!.card!.status).toBe('FROZEN');
    const unfrozen = await server.gql(UnfreezeCardDocument, { input: { cardId } }, { token: u.token });
    expect(unfrozen.data!.unfreezeCard.card.status).toBe('ACTIVE');
    expect(fake.cards.get(flwId)!.status).toBe('active');

    const reveal = await server.gql(RevealCardDocument, { input: { cardId } }, { token: u.token });
    expect(errorCode(reveal)).toBe('BAD_USER_INPUT');

    const terminated = await server.gql(TerminateCardDocument, { input: { cardId } }, { token: u.token });
    expect(terminated.data!.terminateCard.card).toMatchObject({ status: 'TERMINATED', balance: { amount: '0' } });
    expect(fake.cards.get(flwId)!.status).toBe('terminated');
    expect(fake.balanceOf(flwId)).toBe(0n);
    expect(await walletBalance(u.token, walletId)).toBe(10_000n);
    await balanced();

    // Nothing the fake handed out (full numbers, CVVs) is stored or logged.
    const dump = JSON.stringify(await sql(server.app, 'select * from cards')) + server.logs.join('\n');
    for (const secret of fake.handedOut.filter((s) => s.length > 4)) expect(dump).not.toContain(secret);
  });
});
