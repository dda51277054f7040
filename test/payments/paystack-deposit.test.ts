import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FlaggedTransactionsDocument } from '../generated/graphql.js';
import { admin, customer, deposit, errorCode, expectLedgerBalanced, history, settled, startPaystack, systemAccount, transaction, wallet, waitFor, type PaystackEnv } from './payments-helpers.js';
import { deferred, sql } from '../support/helpers.js';
import type { IdempotencyService } from '../../src/domain/idempotency/idempotency.service.js';

/**
 * Deposits with PAYMENT_PROVIDER=paystack over HTTP: the real PaystackProvider (paystack-sdk
 * modules over our client) against the local fake Paystack, webhooks signed by the fake.
 */

describe('Paystack deposits, completed by webhook', () => {
  let env: PaystackEnv;
  let adminToken: string;
  // The recovery job must not race the webhooks here: nothing is due for five minutes.
  beforeAll(async () => {
    env = await startPaystack({ PAYMENTS_RECHECK_AFTER_SECONDS: '300' });
  });
  afterAll(() => env.close());
  beforeEach(async () => {
    await env.server.reset();
    env.fake.reset();
    adminToken = (await admin(env.server)).token;
  });

  it("returns PENDING and Paystack's authorization_url; charge.success credits only after transaction/verify agrees; the fee is a FEE transfer", async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const res = await deposit(server, c, '250000', 'dep-1');
    expect(res.errors).toBeUndefined();
    const { transaction: t, checkoutUrl } = res.data!.deposit;
    expect(t.status).toBe('PENDING');
    expect(t.type).toBe('DEPOSIT');
    expect(t.direction).toBe('CREDIT');
    expect(t.amount.amount).toBe('250000');

    // The deposit went to Paystack as transaction/initialize with our reference, amount and email.
    const inits = fake.requestsTo('POST', '/transaction/initialize');
    expect(inits).toHaveLength(1);
    expect(inits[0].authorization).toBe(`Bearer ${fake.secretKey}`);
    expect(inits[0].body).toMatchObject({ reference: t.reference, email: c.email, currency: 'NGN' });
    expect(String((inits[0].body as { amount: unknown }).amount)).toBe('250000');
    const paystackTx = fake.transactions.get(t.reference)!;
    expect(checkoutUrl).toBe(`${fake.url}/checkout/${paystackTx.accessCode}`);
    // The checkout page is Paystack's, not ours.
    expect(await (await fetch(checkoutUrl)).text()).toContain(t.reference);

    // Nothing is credited before the customer pays.
    expect(await wallet(server, c)).toMatchObject({ balance: '0', available: '0' });
    expect(fake.requestsTo('GET', '/transaction/verify/*')).toHaveLength(0);

    const { webhook } = await fake.pay(t.reference, { fees: 13_750 });
    expect(webhook!.status).toBe(200);
    expect(JSON.parse(webhook!.body)).toEqual({ outcome: 'DEPOSIT_CREDITED' });
    // The webhook alone was not trusted: Paystack was asked.
    expect(fake.requestsTo('GET', `/transaction/verify/${t.reference}`)).toHaveLength(1);

    expect(await wallet(server, c)).toMatchObject({ balance: '250000', available: '250000', pending: '0' });
    const done = await transaction(server, c, t.id);
    expect(done.status).toBe('COMPLETED');

    // Rule 11: settlement mirrors what Paystack holds for us (amount - fee); the fee is a FEE transfer.
    const settlement = await systemAccount(server, 'SETTLEMENT', 'paystack');
    const fees = await systemAccount(server, 'FEES', 'paystack');
    expect(settlement).toBeDefined();
    expect(fees).toBeDefined();
    expect(BigInt(settlement!.debits_posted) - BigInt(settlement!.credits_posted)).toBe(250_000n - 13_750n);
    expect(settlement!.debits_pending).toBe('0');
    expect(fees).toMatchObject({ debits_posted: '13750', credits_posted: '0' });
    const transfers = await sql<{ code: string; amount: string; debit_account_id: string; credit_account_id: string; status: string }>(
      server,
      'select code, amount::text, debit_account_id, credit_account_id, status from ledger_transfers where reference = ? order by code',
      [t.reference],
    );
    // One shard of each, the wallet's: the fee locks no row the deposit did not.
    expect(settlement!.ids).toHaveLength(1);
    expect(fees!.ids).toHaveLength(1);
    expect(transfers).toEqual([
      { code: 'DEPOSIT', amount: '250000', debit_account_id: settlement!.ids[0], credit_account_id: c.walletId, status: 'POSTED' },
      { code: 'FEE', amount: '13750', debit_account_id: fees!.ids[0], credit_account_id: settlement!.ids[0], status: 'POSTED' },
    ]);
    // The fee is the platform's: the customer sees one row, the full amount.
    const rows = await history(server, c);
    expect(rows.filter((r) => r.reference === t.reference)).toHaveLength(1);
    await expectLedgerBalanced(server, adminToken);
  });

  it('applies the same charge.success twice only once', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const t = (await deposit(server, c, '50000', 'dep-twice')).data!.deposit.transaction;
    const { data, webhook } = await fake.pay(t.reference, { fees: 750 });
    expect(webhook!.status).toBe(200);
    const again = await fake.sendWebhook(env.webhookUrl, 'charge.success', data);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ outcome: 'DUPLICATE' });
    expect(await wallet(server, c)).toMatchObject({ balance: '50000' });
    const transfers = await sql(server, 'select id from ledger_transfers where reference = ?', [t.reference]);
    expect(transfers).toHaveLength(2); // DEPOSIT + FEE, once
    expect(await sql(server, 'select 1 from webhook_events where reference = ?', [t.reference])).toHaveLength(1);
    await expectLedgerBalanced(server, adminToken);
  });

  it('refuses a payment whose verified amount disagrees: nothing credited, DEPOSIT_AMOUNT_MISMATCH flagged for an ADMIN', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const t = (await deposit(server, c, '250000', 'dep-mismatch')).data!.deposit.transaction;
    // The customer paid 100 kobo on a 2,500 naira checkout (verify says 100).
    const { webhook } = await fake.pay(t.reference, { amount: 100 });
    expect(webhook!.status).toBeGreaterThanOrEqual(400);
    expect(fake.requestsTo('GET', `/transaction/verify/${t.reference}`)).toHaveLength(1);
    expect(await wallet(server, c)).toMatchObject({ balance: '0', available: '0' });
    expect((await transaction(server, c, t.id)).status).toBe('PENDING');
    expect(await sql(server, 'select id from ledger_transfers where reference = ?', [t.reference])).toHaveLength(0);

    const flags = await sql<{ rule: string; details: Record<string, string> }>(
      server,
      'select rule, details from transaction_flags where transaction_id = ?',
      [t.id],
    );
    expect(flags).toHaveLength(1);
    expect(flags[0].rule).toBe('DEPOSIT_AMOUNT_MISMATCH');
    expect(flags[0].details).toMatchObject({ expected: '250000', verified: '100' });

    // Visible to an ADMIN, not to the customer.
    const seen = await server.gql(FlaggedTransactionsDocument, { first: 10 }, { token: adminToken });
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.flaggedTransactions!.edges.map((e) => e.node.id)).toEqual([t.id]);
    const denied = await server.gql(FlaggedTransactionsDocument, { first: 10 }, { token: c.token });
    expect(errorCode(denied)).toBe('FORBIDDEN');

    // A signed webhook that repeats our amount does not help: verify still disagrees.
    const forged = await fake.sendWebhook(env.webhookUrl, 'charge.success', {
      ...fake.transactions.get(t.reference),
      reference: t.reference,
      amount: 250_000,
      currency: 'NGN',
      status: 'success',
    });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
    await expectLedgerBalanced(server, adminToken);
  });

  it('refuses a charge.success whose own amount disagrees with transaction/verify, even when verify matches us', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const t = (await deposit(server, c, '70000', 'dep-event-amount')).data!.deposit.transaction;
    fake.webhookUrl = undefined;
    let data;
    try {
      ({ data } = await fake.pay(t.reference));
    } finally {
      fake.webhookUrl = env.webhookUrl;
    }
    const odd = await fake.sendWebhook(env.webhookUrl, 'charge.success', { ...data, amount: 7_000_000 });
    expect(odd.status).toBe(422);
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
    // The genuine event is still applied.
    const genuine = await fake.sendWebhook(env.webhookUrl, 'charge.success', data);
    expect(genuine.status).toBe(200);
    expect(await wallet(server, c)).toMatchObject({ balance: '70000' });
  });

  it('refuses a payment verified in another currency', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const t = (await deposit(server, c, '250000', 'dep-currency')).data!.deposit.transaction;
    const { webhook } = await fake.pay(t.reference, { currency: 'GHS' });
    expect(webhook!.status).toBeGreaterThanOrEqual(400);
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
    const flags = await sql<{ rule: string }>(server, 'select rule from transaction_flags where transaction_id = ?', [t.id]);
    expect(flags.map((f) => f.rule)).toEqual(['DEPOSIT_AMOUNT_MISMATCH']);
    await expectLedgerBalanced(server, adminToken);
  });

  it('answers a charge.success non-2xx when transaction/verify is unavailable, and applies the retry', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const t = (await deposit(server, c, '40000', 'dep-verify-down')).data!.deposit.transaction;
    fake.failNext(`GET /transaction/verify/${t.reference}`, 503);
    const { data, webhook } = await fake.pay(t.reference, { fees: 600 });
    expect(webhook!.status).toBeGreaterThanOrEqual(500);
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
    // Paystack retries the event; now verify answers.
    const retry = await fake.sendWebhook(env.webhookUrl, 'charge.success', data);
    expect(retry.status).toBe(200);
    expect(await wallet(server, c)).toMatchObject({ balance: '40000' });
    await expectLedgerBalanced(server, adminToken);
  });

  it('initialize answering 5xx: PROVIDER_UNAVAILABLE, the PENDING row becomes FAILED, the same key runs again', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    fake.failNext('POST /transaction/initialize', 500);
    const first = await deposit(server, c, '30000', 'dep-5xx');
    expect(errorCode(first)).toBe('PROVIDER_UNAVAILABLE');
    expect(first.data?.deposit ?? null).toBeNull();
    const afterFailure = await history(server, c);
    expect(afterFailure).toHaveLength(1);
    expect(afterFailure[0]).toMatchObject({ type: 'DEPOSIT', status: 'FAILED' });
    expect(afterFailure[0].failureReason).toBeTruthy();

    // Not replayed: the retry reaches Paystack again and succeeds.
    const retry = await deposit(server, c, '30000', 'dep-5xx');
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.deposit.transaction.status).toBe('PENDING');
    expect(retry.data!.deposit.transaction.id).not.toBe(afterFailure[0].id);
    expect(fake.requestsTo('POST', '/transaction/initialize')).toHaveLength(2);
    expect(fake.transactions.has(retry.data!.deposit.transaction.reference)).toBe(true);
    // And now it is recorded: a third call replays the second.
    const third = await deposit(server, c, '30000', 'dep-5xx');
    expect(third.data!.deposit.transaction.id).toBe(retry.data!.deposit.transaction.id);
    expect(fake.requestsTo('POST', '/transaction/initialize')).toHaveLength(2);
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
    await expectLedgerBalanced(server, adminToken);
  });

  it('a process that stopped between failing a deposit and forgetting its key: the repeat answers PROVIDER_UNAVAILABLE and forgets it, the next runs again', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const idempotency = (server.app.services.deposits as unknown as { idempotency: IdempotencyService }).idempotency;
    const forget = idempotency.forget;
    // The first attempt marks its payment FAILED, then "stops" before the key is forgotten.
    idempotency.forget = async () => {
      throw new Error('the process stopped here');
    };
    fake.failNext('POST /transaction/initialize', 500);
    try {
      expect(errorCode(await deposit(server, c, '30000', 'dep-stopped'))).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      idempotency.forget = forget;
    }
    const [failed] = await history(server, c);
    expect(failed).toMatchObject({ type: 'DEPOSIT', status: 'FAILED' });

    // The key still names the failed payment: a repeat is told the provider failed, not that the
    // key is busy (it would be until the key expired), and the key goes.
    const repeat = await deposit(server, c, '30000', 'dep-stopped');
    expect(errorCode(repeat)).toBe('PROVIDER_UNAVAILABLE');
    expect(fake.requestsTo('POST', '/transaction/initialize')).toHaveLength(1);
    const keys = await sql<{ n: number }>(server, `select count(*)::int as n from idempotency_keys where key = 'dep-stopped'`);
    expect(keys[0].n).toBe(0);

    const retry = await deposit(server, c, '30000', 'dep-stopped');
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.deposit.transaction).toMatchObject({ status: 'PENDING' });
    expect(retry.data!.deposit.transaction.id).not.toBe(failed.id);
    expect(fake.requestsTo('POST', '/transaction/initialize')).toHaveLength(2);
    await expectLedgerBalanced(server, adminToken);
  });

  /**
   * Holds IdempotencyService.forget's calls with the given numbers (1 = the first call) until
   * released, so requests sharing a key can be put in an exact order.
   */
  function holdForgets(server: PaystackEnv['server'], held: number[]) {
    const idempotency = (server.app.services.deposits as unknown as { idempotency: IdempotencyService }).idempotency;
    const forget = idempotency.forget;
    const gates = new Map(held.map((n) => [n, { reached: deferred(), release: deferred() }]));
    let calls = 0;
    idempotency.forget = async (...args) => {
      const gate = gates.get(++calls);
      if (gate) {
        gate.reached.resolve();
        await gate.release.promise;
      }
      return forget.apply(idempotency, args);
    };
    return {
      reached: (n: number) => gates.get(n)!.reached.promise,
      release: (n: number) => gates.get(n)!.release.resolve(),
      restore: () => {
        idempotency.forget = forget;
      },
    };
  }

  for (const [late, order] of [
    ['the failed attempt', 'its repeat forgot the key first'],
    ['a repeat', 'the failed attempt forgot the key first'],
  ] as const) {
    it(`${late} forgetting the key late leaves a new attempt's claim of it alone (${order})`, async () => {
      const { server, fake } = env;
      const c = await customer(server);
      // Call 1 is the failed attempt's, call 2 its repeat's.
      const forgets = holdForgets(server, late === 'a repeat' ? [1, 2] : [1]);
      try {
        fake.failNext('POST /transaction/initialize', 500);
        const failed = deposit(server, c, '30000', 'dep-race');
        await forgets.reached(1);
        // The key still names the failed payment: the repeat is told the provider failed.
        const repeat = deposit(server, c, '30000', 'dep-race');
        if (late === 'a repeat') {
          await forgets.reached(2);
          forgets.release(1);
          expect(errorCode(await failed)).toBe('PROVIDER_UNAVAILABLE');
        } else {
          expect(errorCode(await repeat)).toBe('PROVIDER_UNAVAILABLE');
        }
        // The key is free: a new attempt claims it and opens a checkout.
        const fresh = await deposit(server, c, '30000', 'dep-race');
        expect(fresh.data!.deposit.transaction.status).toBe('PENDING');
        // Now the late forget runs: it names the failed payment, not the fresh one.
        if (late === 'a repeat') {
          forgets.release(2);
          expect(errorCode(await repeat)).toBe('PROVIDER_UNAVAILABLE');
        } else {
          forgets.release(1);
          expect(errorCode(await failed)).toBe('PROVIDER_UNAVAILABLE');
        }
        const again = await deposit(server, c, '30000', 'dep-race');
        expect(again.data!.deposit.transaction.id).toBe(fresh.data!.deposit.transaction.id);
        expect(fake.requestsTo('POST', '/transaction/initialize')).toHaveLength(2);
      } finally {
        forgets.restore();
      }
    });
  }

  it('initialize refused with a 4xx is PROVIDER_UNAVAILABLE too, and nothing is credited', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    fake.failNext('POST /transaction/initialize', 400, { body: { status: false, message: 'Invalid Amount Sent' } });
    const refused = await deposit(server, c, '30000', 'dep-4xx');
    expect(errorCode(refused)).toBe('PROVIDER_UNAVAILABLE');
    expect((await history(server, c))[0]).toMatchObject({ status: 'FAILED' });
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
  });

  it('is idempotent: the same key twice gives the same transaction and checkout URL after one initialize', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const a = await deposit(server, c, '70000', 'dep-idem');
    const b = await deposit(server, c, '70000', 'dep-idem');
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(b.data!.deposit.transaction.id).toBe(a.data!.deposit.transaction.id);
    expect(b.data!.deposit.checkoutUrl).toBe(a.data!.deposit.checkoutUrl);
    expect(fake.requestsTo('POST', '/transaction/initialize')).toHaveLength(1);
    // Another amount under the same key is refused.
    const other = await deposit(server, c, '70001', 'dep-idem');
    expect(errorCode(other)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(fake.requestsTo('POST', '/transaction/initialize')).toHaveLength(1);
    expect(await history(server, c)).toHaveLength(1);
  });

  it('records deposits and webhooks in the audit log', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const t = (await deposit(server, c, '20000', 'dep-audit')).data!.deposit.transaction;
    await fake.pay(t.reference);
    const rows = await sql<{ user_id: string | null; action: string; outcome: string; request_id: string | null; ip: string | null }>(
      server,
      'select user_id, action, outcome, request_id, ip from audit_log order by id',
    );
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([
      ['deposit', 'PENDING'],
      ['webhook:paystack', 'DEPOSIT_CREDITED'],
    ]);
    expect(rows[0].user_id).toBe(c.id);
    for (const r of rows) {
      expect(r.request_id).toBeTruthy();
      expect(r.ip).toBeTruthy();
    }
  });
});

describe('Paystack deposits, resolved by the recovery job', () => {
  let env: PaystackEnv;
  let adminToken: string;
  beforeAll(async () => {
    env = await startPaystack({
      PAYMENTS_RECHECK_AFTER_SECONDS: '1',
      PAYMENTS_JOB_INTERVAL_MS: '100',
      // Checkouts expire only when a test says so (expire() below): with a short expiry the job
      // could fail a deposit before the test paid or declined it, on a loaded machine.
      DEPOSIT_EXPIRY_SECONDS: '3600',
    });
  });
  afterAll(() => env.close());
  beforeEach(async () => {
    await env.server.reset();
    env.fake.reset();
    adminToken = (await admin(env.server)).token;
  });

  /** The checkout's time is up; `dueNow: false` keeps the job away until due() says so. */
  const expire = (reference: string, { dueNow = true } = {}) =>
    sql(
      env.server,
      `update payments set expires_at = now() - interval '1 second', due_at = now() + interval '${dueNow ? 0 : 3600} seconds'
       where reference = ?`,
      [reference],
    );
  const due = (reference: string) => sql(env.server, 'update payments set due_at = now() where reference = ?', [reference]);

  it('credits a paid deposit whose webhook never came, after transaction/verify', async () => {
    const { server, fake } = env;
    fake.webhookUrl = undefined; // the webhook is lost
    try {
      const c = await customer(server);
      const t = (await deposit(server, c, '120000', 'dep-lost-hook')).data!.deposit.transaction;
      const { webhook } = await fake.pay(t.reference, { fees: 1_800 });
      expect(webhook).toBeUndefined();
      const done = await settled(server, c, t.id);
      expect(done.status).toBe('COMPLETED');
      expect(fake.requestsTo('GET', `/transaction/verify/${t.reference}`).length).toBeGreaterThanOrEqual(1);
      expect(await wallet(server, c)).toMatchObject({ balance: '120000', available: '120000' });
      const fees = await systemAccount(server, 'FEES', 'paystack');
      expect(fees).toMatchObject({ debits_posted: '1800' });
      await expectLedgerBalanced(server, adminToken);
    } finally {
      fake.webhookUrl = env.webhookUrl;
    }
  });

  it('expires an unpaid checkout: FAILED, nothing credited', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const t = (await deposit(server, c, '90000', 'dep-expire')).data!.deposit.transaction;
    await expire(t.reference);
    const done = await settled(server, c, t.id);
    expect(done.status).toBe('FAILED');
    expect(done.failureReason).toMatch(/expired/i);
    // Paystack was asked first (verify said "abandoned", which alone decides nothing).
    expect(fake.requestsTo('GET', `/transaction/verify/${t.reference}`).length).toBeGreaterThanOrEqual(1);
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
    const [payment] = await sql<{ status: string; due_at: Date | null }>(server, 'select status, due_at from payments where reference = ?', [
      t.reference,
    ]);
    expect(payment).toMatchObject({ status: 'FAILED', due_at: null });
    await expectLedgerBalanced(server, adminToken);
  });

  it('still credits a payment made after its checkout expired (the money reached Paystack)', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const t = (await deposit(server, c, '45000', 'dep-late')).data!.deposit.transaction;
    await expire(t.reference);
    expect((await settled(server, c, t.id)).status).toBe('FAILED');
    // The payer finishes on Paystack's page anyway; its charge.success arrives late.
    const { webhook } = await fake.pay(t.reference);
    expect(webhook?.status).toBe(200);
    const done = await transaction(server, c, t.id);
    expect(done).toMatchObject({ status: 'COMPLETED', failureReason: null });
    expect(await wallet(server, c)).toMatchObject({ balance: '45000' });
    await expectLedgerBalanced(server, adminToken);
  });

  it('marks a declined charge FAILED (Paystack sends no webhook for it)', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const t = (await deposit(server, c, '60000', 'dep-declined')).data!.deposit.transaction;
    fake.decline(t.reference);
    const done = await settled(server, c, t.id);
    expect(done.status).toBe('FAILED');
    expect(done.failureReason).not.toMatch(/expired/i);
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
    await expectLedgerBalanced(server, adminToken);
  });

  it('keeps a deposit PENDING while verify answers 5xx, and credits it once verify answers', async () => {
    const { server, fake } = env;
    fake.webhookUrl = undefined;
    try {
      const c = await customer(server);
      const t = (await deposit(server, c, '80000', 'dep-verify-5xx')).data!.deposit.transaction;
      // Any verify from here answers 502 first (one the job may have in flight included).
      for (let i = 0; i < 3; i++) fake.failNext(`GET /transaction/verify/${t.reference}`, 502);
      // Expired, and kept from the job until it is paid: then the 502s meet an expired checkout.
      await expire(t.reference, { dueNow: false });
      await fake.pay(t.reference, { fees: 1_200 });
      await due(t.reference);
      // While Paystack cannot answer, nothing is decided (and the checkout's expiry does not fail it).
      const verifies = () => fake.requestsTo('GET', `/transaction/verify/${t.reference}`).length;
      await waitFor(async () => verifies(), (n) => n >= 2, 10_000);
      expect(verifies()).toBeLessThan(4);
      expect((await transaction(server, c, t.id)).status).toBe('PENDING');
      expect(await wallet(server, c)).toMatchObject({ balance: '0' });
      const done = await settled(server, c, t.id, 15_000);
      expect(done.status).toBe('COMPLETED');
      // Three 502s were answered before the one that decided.
      expect(fake.requestsTo('GET', `/transaction/verify/${t.reference}`).length).toBeGreaterThanOrEqual(4);
      expect(await wallet(server, c)).toMatchObject({ balance: '80000' });
      await expectLedgerBalanced(server, adminToken);
    } finally {
      fake.webhookUrl = env.webhookUrl;
    }
  });
});
