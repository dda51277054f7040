import { beforeEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/domain/idempotency/idempotency.service.js';
import { ResolveBankAccountDocument, BanksDocument } from '../generated/graphql.js';
import { customer, deposit, errorCode, history, jobOnlyPaystack, paystackSuite, settled, transaction, waitFor, wallet, withdraw, type PaystackEnv } from './payments-helpers.js';
import { sql } from '../support/helpers.js';

/**
 * The edges of deposits and withdrawals that the journeys in paystack-deposit.test.ts and
 * paystack-withdraw.test.ts pass by (found by mutation testing, docs/testing.md): a second
 * outcome for a payment already settled, events and verify answers that disagree in one field
 * only, a duplicate that arrives while the first copy is being applied, and what each movement
 * records (descriptions, reasons, audit details, idempotency rows) for the people who read them.
 */

const outcome = (webhook: { body: string } | undefined) => (JSON.parse(webhook!.body) as { outcome: string }).outcome;

describe('Paystack payments: second outcomes, disagreeing fields, records', () => {
  // Webhooks decide here: nothing is due for the recovery job for five minutes.
  const suite = paystackSuite({ PAYMENTS_RECHECK_AFTER_SECONDS: '300' });
  let env: PaystackEnv;
  beforeEach(() => {
    env = suite.env;
  });

  /** A deposit of `amount` and its reference, not yet paid. */
  async function pendingDeposit(amount = '50000') {
    const c = await customer(env.server);
    const res = await deposit(env.server, c, amount, `dep-${Math.random()}`);
    expect(res.errors).toBeUndefined();
    return { c, t: res.data!.deposit.transaction };
  }

  it('a credited deposit answers a second charge.success (another event id) ALREADY_SETTLED and is credited once', async () => {
    const { fake } = env;
    const { c, t } = await pendingDeposit('50000');
    const { data, webhook } = await fake.pay(t.reference, { fees: 0 });
    expect(outcome(webhook)).toBe('DEPOSIT_CREDITED');
    const again = await fake.sendWebhook(env.webhookUrl, 'charge.success', { ...data, id: data.id + 1_000_000 });
    expect(again.status).toBe(200);
    expect(outcome(again)).toBe('ALREADY_SETTLED');
    expect(await wallet(env.server, c)).toMatchObject({ balance: '50000' });
  });

  it('a declined deposit stays FAILED: a charge.success that verify contradicts, even for another amount, fails it once', async () => {
    const { fake } = env;
    const { c, t } = await pendingDeposit('50000');
    const data = fake.decline(t.reference);
    // Verify says failed, for an amount that is not ours: a failure is a failure, not a mismatch.
    fake.transactions.get(t.reference)!.amount = 99_999;
    const first = await fake.sendWebhook(env.webhookUrl, 'charge.success', data);
    expect(outcome(first)).toBe('DEPOSIT_FAILED');
    const second = await fake.sendWebhook(env.webhookUrl, 'charge.success', { ...data, id: data.id + 1_000_000 });
    expect(outcome(second)).toBe('ALREADY_SETTLED');
    expect(await transaction(env.server, c, t.id)).toMatchObject({ status: 'FAILED', failureReason: 'The payment was declined' });
    expect(await wallet(env.server, c)).toMatchObject({ balance: '0' });
    expect(await sql(env.server, 'select rule from transaction_flags')).toEqual([]);
  });

  it('verify answering for another reference is a mismatch: nothing credited, 422', async () => {
    const { fake } = env;
    const { c, t } = await pendingDeposit('50000');
    fake.webhookUrl = undefined;
    const { data } = await fake.pay(t.reference, { fees: 0 });
    fake.webhookUrl = env.webhookUrl;
    fake.transactions.get(t.reference)!.reference = `${t.reference}-other`;
    const res = await fake.sendWebhook(env.webhookUrl, 'charge.success', data);
    expect(res.status).toBe(422);
    expect(outcome(res)).toBe('AMOUNT_MISMATCH');
    expect(await wallet(env.server, c)).toMatchObject({ balance: '0' });
  });

  it("compares the event's own amount and currency with verify only when the event carries them", async () => {
    const { fake } = env;
    fake.webhookUrl = undefined;
    // No amount and no currency in the event: verify alone decides, and it agrees.
    const bare = await pendingDeposit('10000');
    const { data: bareData } = await fake.pay(bare.t.reference, { fees: 0 });
    const { amount: _a, currency: _c, ...withoutAmount } = bareData;
    const credited = await fake.sendWebhook(env.webhookUrl, 'charge.success', withoutAmount);
    expect(outcome(credited)).toBe('DEPOSIT_CREDITED');
    expect(await wallet(env.server, bare.c)).toMatchObject({ balance: '10000' });

    // The event names another currency than verify (and we) do: refused.
    const other = await pendingDeposit('20000');
    const { data: otherData } = await fake.pay(other.t.reference, { fees: 0 });
    const refused = await fake.sendWebhook(env.webhookUrl, 'charge.success', { ...otherData, currency: 'GHS' });
    expect(refused.status).toBe(422);
    expect(outcome(refused)).toBe('AMOUNT_MISMATCH');
    expect(await wallet(env.server, other.c)).toMatchObject({ balance: '0' });
  });

  it('answers 503 VERIFY_UNAVAILABLE while transaction/verify is down', async () => {
    const { fake } = env;
    const { c, t } = await pendingDeposit('30000');
    fake.failNext('GET /transaction/verify/*', 500);
    const { webhook } = await fake.pay(t.reference);
    expect(webhook!.status).toBe(503);
    expect(outcome(webhook)).toBe('VERIFY_UNAVAILABLE');
    expect(await wallet(env.server, c)).toMatchObject({ balance: '0' });
  });

  it('a copy of an applied event is DUPLICATE without asking Paystack again', async () => {
    const { fake } = env;
    const { c, t } = await pendingDeposit('30000');
    const { data } = await fake.pay(t.reference, { fees: 0 });
    const verifies = fake.requestsTo('GET', `/transaction/verify/${t.reference}`).length;
    const copy = await fake.sendWebhook(env.webhookUrl, 'charge.success', data);
    expect(outcome(copy)).toBe('DUPLICATE');
    expect(fake.requestsTo('GET', `/transaction/verify/${t.reference}`)).toHaveLength(verifies);
    expect(await wallet(env.server, c)).toMatchObject({ balance: '30000' });
  });

  it('a copy applied by someone else while this one waits on the event row is DUPLICATE, and nothing is applied twice', async () => {
    const { fake, server } = env;
    const { c, t } = await pendingDeposit('30000');
    fake.webhookUrl = undefined;
    const { data } = await fake.pay(t.reference, { fees: 0 });
    fake.webhookUrl = env.webhookUrl;
    // Another copy holds the event's row, not yet committed, when this one comes to record it.
    const holder = server.app.orm.em.fork();
    let delivery: Promise<{ status: number; body: string }> | undefined;
    await holder.transactional(async (tx) => {
      await tx.execute(
        `insert into webhook_events (event_key, provider, type, reference, outcome) values (?, 'paystack', 'charge.success', ?, 'APPLIED')`,
        [`paystack:charge.success:${data.id}`, t.reference],
      );
      delivery = fake.sendWebhook(env.webhookUrl, 'charge.success', data);
      await waitFor(
        () => sql<{ n: number }>(server, `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like 'insert into webhook_events%'`),
        ([row]) => row.n > 0,
        8_000,
      );
    });
    const res = await delivery!;
    expect(res.status).toBe(200);
    expect(outcome(res)).toBe('DUPLICATE');
    // The holder stood for the copy that applied it: this one credited nothing.
    expect(await wallet(env.server, c)).toMatchObject({ balance: '0' });
  });

  it("an event for a payment made through another provider is not this provider's: 404, nothing credited", async () => {
    const { fake } = env;
    const { c, t } = await pendingDeposit('30000');
    // The payment was made before the operator switched providers.
    await sql(env.server, `update payments set provider = 'sandbox' where reference = ?`, [t.reference]);
    const { webhook } = await fake.pay(t.reference);
    expect(webhook!.status).toBe(404);
    expect(outcome(webhook)).toBe('UNKNOWN_REFERENCE');
    expect(await wallet(env.server, c)).toMatchObject({ balance: '0' });
    await sql(env.server, `update payments set provider = 'paystack' where reference = ?`, [t.reference]);
  });

  it('a payout that failed stays failed when transfer.reversed follows: the money comes back once', async () => {
    const { fake, server } = env;
    const c = await customer(server, { funds: 100_000n });
    const w = (await withdraw(server, c, '40000', 'w-fail-rev')).data!.withdraw.transaction;
    const failed = await fake.settleTransfer(w.reference, 'failed');
    expect(outcome(failed.webhook)).toBe('PAYOUT_FAILED');
    expect(await transaction(server, c, w.id)).toMatchObject({ status: 'FAILED', failureReason: 'The bank refused the payout' });
    const reversed = await fake.settleTransfer(w.reference, 'reversed');
    expect(outcome(reversed.webhook)).toBe('ALREADY_SETTLED');
    expect(await wallet(server, c)).toMatchObject({ balance: '100000', available: '100000', pending: '0' });
    expect((await history(server, c)).filter((r) => r.type === 'REVERSAL')).toHaveLength(0);
  });

  it('records what each movement is: descriptions, masked account, reasons, payment rows, audit details', async () => {
    const { fake, server } = env;
    const c = await customer(server, { funds: 100_000n });
    fake.accountNames.set('0123456789', 'ADA OBI');

    // A deposit: its description, its expiry a day away, Paystack's access code kept for support.
    const d = (await deposit(server, c, '25000', 'dep-record')).data!.deposit.transaction;
    expect(d.description).toBe('Deposit via paystack');
    const [dep] = await sql<{ expires_in: number; provider_ref: string | null; kind: string }>(
      server,
      `select extract(epoch from expires_at - now())::int as expires_in, provider_ref, kind from payments where reference = ?`,
      [d.reference],
    );
    expect(dep.expires_in).toBeGreaterThan(24 * 3600 - 120);
    expect(dep.expires_in).toBeLessThanOrEqual(24 * 3600);
    expect(dep.provider_ref).toBe(fake.transactions.get(d.reference)!.accessCode);
    await fake.pay(d.reference, { fees: 0 });
    const [credited] = await sql<{ payment: string | null; ledger: string | null }>(
      server,
      `select p.transfer_id as payment, t.transfer_id as ledger from payments p join transactions t on t.id = p.transaction_id where p.reference = ?`,
      [d.reference],
    );
    expect(credited.payment).toBeTruthy();
    expect(credited.payment).toBe(credited.ledger);

    // A withdrawal: the account holder's name and only the last four digits of the account.
    const w = (await withdraw(server, c, '30000', 'w-record')).data!.withdraw.transaction;
    expect(w.description).toBe('Withdrawal to ADA OBI (058 ••••6789)');
    expect(w.description).not.toContain('0123456789');
    const [payout] = fake.requestsTo('POST', '/transfer');
    expect(payout.body).toMatchObject({ reason: 'Wallet withdrawal', reference: w.reference });
    const [wd] = await sql<{ expires_at: Date | null }>(server, 'select expires_at from payments where reference = ?', [w.reference]);
    expect(wd.expires_at).toBeNull();
    await fake.settleTransfer(w.reference, 'success');
    await fake.settleTransfer(w.reference, 'reversed');
    const reversal = (await history(server, c)).find((r) => r.type === 'REVERSAL')!;
    expect(reversal.description).toBe('Withdrawal returned by the bank');
    const [rev] = await sql<{ status: string; failure_reason: string }>(server, 'select status, failure_reason from payments where reference = ?', [
      w.reference,
    ]);
    expect(rev).toEqual({ status: 'REVERSED', failure_reason: 'The bank sent the payout back' });

    // The audit log: what was asked, with its amounts and where the money went.
    const audit = await sql<{ action: string; outcome: string; details: Record<string, unknown> }>(
      server,
      // What came through the API (the seeding deposit of `customer` has no request id).
      `select action, outcome, details from audit_log
        where user_id = ? and action in ('deposit', 'withdraw') and request_id is not null order by id`,
      [c.id],
    );
    expect(audit).toEqual([
      { action: 'deposit', outcome: 'PENDING', details: { reference: d.reference, amount: '25000', currency: 'NGN' } },
      { action: 'withdraw', outcome: 'PENDING', details: { reference: w.reference, amount: '30000', currency: 'NGN', bankCode: '058' } },
    ]);
  });

  it('records refusals in the audit log under the operation refused, with the wallet and amount asked for', async () => {
    const { server } = env;
    const c = await customer(server, { funds: 1_000n });
    const other = await customer(server);
    expect(errorCode(await deposit(server, { ...c, walletId: other.walletId }, '5000', 'dep-refused'))).toBe('NOT_FOUND');
    expect(errorCode(await withdraw(server, c, '5000', 'w-refused'))).toBe('INSUFFICIENT_FUNDS');
    const refusals = await sql<{ action: string; outcome: string; details: Record<string, unknown> }>(
      server,
      `select action, outcome, details from audit_log where user_id = ? and outcome <> 'PENDING' order by id`,
      [c.id],
    );
    expect(refusals).toEqual([
      { action: 'deposit', outcome: 'NOT_FOUND', details: expect.objectContaining({ walletId: other.walletId, amount: '5000' }) },
      { action: 'withdraw', outcome: 'INSUFFICIENT_FUNDS', details: expect.objectContaining({ walletId: c.walletId, amount: '5000' }) },
    ]);
  });

  it('stores idempotency keys under their operation with the fingerprint of what was asked', async () => {
    const { server } = env;
    const c = await customer(server, { funds: 100_000n });
    await deposit(server, c, '7000', 'k-dep');
    await withdraw(server, c, '8000', 'k-wd');
    const rows = await sql<{ key: string; operation: string; fingerprint: string }>(
      server,
      // Not the seeding deposit's key (`customer` funds the wallet through the deposit service).
      "select key, operation, fingerprint from idempotency_keys where user_id = ? and key not like 'seed-%' order by key",
      [c.id],
    );
    expect(rows).toEqual([
      { key: 'k-dep', operation: 'deposit', fingerprint: fingerprint('deposit', { walletId: c.walletId, amount: '7000' }) },
      {
        key: 'k-wd',
        operation: 'withdraw',
        fingerprint: fingerprint('withdraw', { walletId: c.walletId, amount: '8000', bankCode: '058', accountNumber: '0123456789' }),
      },
    ]);
  });

  it('a deposit whose initialize failed keeps why on its payment row', async () => {
    const { fake, server } = env;
    const c = await customer(server);
    fake.failNext('POST /transaction/initialize', 500);
    expect(errorCode(await deposit(server, c, '5000', 'dep-init-down'))).toBe('PROVIDER_UNAVAILABLE');
    const rows = await sql<{ status: string; failure_reason: string }>(server, 'select status, failure_reason from payments where user_id = ?', [c.id]);
    expect(rows).toEqual([{ status: 'FAILED', failure_reason: 'The payment provider could not be reached' }]);
  });

  it('takes only ten-digit account numbers, before asking Paystack anything', async () => {
    const { fake, server } = env;
    const c = await customer(server, { funds: 100_000n });
    for (const accountNumber of ['01234567890', 'x0123456789', '0123456789x']) {
      const res = await server.gql(ResolveBankAccountDocument, { bankCode: '058', accountNumber }, { token: c.token });
      expect(errorCode(res), accountNumber).toBe('BAD_USER_INPUT');
      expect(errorCode(await withdraw(server, c, '1000', `w-${accountNumber}`, { accountNumber })), accountNumber).toBe('BAD_USER_INPUT');
    }
    expect(fake.requestsTo('GET', '/bank/resolve')).toHaveLength(0);
  });

  it("answers PROVIDER_UNAVAILABLE when Paystack's bank list is down", async () => {
    const { fake, server } = env;
    const c = await customer(server);
    fake.failNext('GET /bank', 500);
    fake.failNext('GET /bank', 500);
    fake.failNext('GET /bank', 500);
    const res = await server.gql(BanksDocument, { currency: 'KES' }, { token: c.token });
    expect(errorCode(res)).toBe('PROVIDER_UNAVAILABLE');
  });

  it("replays a recorded withdrawal while Paystack's bank endpoints are down: validation is not asked again", async () => {
    const { fake, server } = env;
    const c = await customer(server, { funds: 100_000n });
    const first = await withdraw(server, c, '10000', 'w-replay-down');
    expect(first.errors).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      fake.failNext('GET /bank', 500);
      fake.failNext('GET /bank/resolve', 500);
    }
    const again = await withdraw(server, c, '10000', 'w-replay-down');
    expect(again.errors).toBeUndefined();
    expect(again.data!.withdraw.transaction.id).toBe(first.data!.withdraw.transaction.id);
  });
});

describe('Paystack payments the recovery job finishes: never sent, expired with verify gone, declined', () => {
  const suite = jobOnlyPaystack();

  it('sends a withdrawal recorded but never sent (the process stopped in between) at once, without asking first', async () => {
    const { server, fake } = suite.env;
    const c = await customer(server, { funds: 100_000n });
    const w = (await withdraw(server, c, '20000', 'w-never-sent')).data!.withdraw.transaction;
    // As if the process had stopped after recording the payout and before sending it.
    await sql(server, 'update payments set attempts = 0, due_at = now() where reference = ?', [w.reference]);
    fake.transfers.clear();
    fake.requests.length = 0;
    await waitFor(
      async () => fake.requestsTo('POST', '/transfer').length,
      (n) => n > 0,
      8_000,
    );
    expect(fake.requestsTo('GET', '/transfer/verify/*')).toHaveLength(0);
    expect(fake.transfers.get(w.reference)).toBeDefined();
    const [row] = await sql<{ attempts: number; status: string }>(server, 'select attempts, status from payments where reference = ?', [w.reference]);
    expect(row).toEqual({ attempts: 1, status: 'PENDING' });
    await fake.settleTransfer(w.reference, 'success');
    await sql(server, 'update payments set due_at = now() where reference = ?', [w.reference]);
    expect((await settled(server, c, w.id)).status).toBe('COMPLETED');
  });

  it('expires a checkout whose payment Paystack no longer knows (verify answers 404)', async () => {
    const { server, fake } = suite.env;
    const c = await customer(server);
    const t = (await deposit(server, c, '15000', 'dep-gone')).data!.deposit.transaction;
    for (let i = 0; i < 50; i++) fake.failNext(`GET /transaction/verify/${t.reference}`, 404);
    await sql(server, `update payments set expires_at = now() - interval '1 second', due_at = now() where reference = ?`, [t.reference]);
    const done = await settled(server, c, t.id);
    expect(done).toMatchObject({ status: 'FAILED', failureReason: 'The checkout expired unpaid' });
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
  });

  it('leaves an unpaid checkout that has not expired PENDING, asking again each time it is due', async () => {
    const { server, fake } = suite.env;
    const c = await customer(server);
    const t = (await deposit(server, c, '15000', 'dep-waiting')).data!.deposit.transaction;
    await sql(server, 'update payments set due_at = now() where reference = ?', [t.reference]);
    await waitFor(
      async () => fake.requestsTo('GET', `/transaction/verify/${t.reference}`).length,
      (n) => n >= 2,
      8_000,
    );
    expect(await transaction(server, c, t.id)).toMatchObject({ status: 'PENDING' });
  });

  it('fails a declined deposit the job learns of, although verify names another amount; nothing flagged', async () => {
    const { server, fake } = suite.env;
    const c = await customer(server);
    const t = (await deposit(server, c, '15000', 'dep-declined-other')).data!.deposit.transaction;
    fake.decline(t.reference);
    fake.transactions.get(t.reference)!.amount = 1;
    await sql(server, 'update payments set due_at = now() where reference = ?', [t.reference]);
    expect(await settled(server, c, t.id)).toMatchObject({ status: 'FAILED', failureReason: 'The payment was declined' });
    expect(await sql(server, 'select rule from transaction_flags')).toEqual([]);
  });
});
