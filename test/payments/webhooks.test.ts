import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { admin, customer, deposit, expectLedgerBalanced, startPaystack, transaction, wallet, withdraw, type PaystackEnv } from './payments-helpers.js';
import { sql } from '../support/helpers.js';

/**
 * POST /webhooks/paystack on the real server (rule 7): verified over the raw body, deduplicated,
 * applied once, safe to replay and to receive out of order; unknown references answered non-2xx.
 */

let env: PaystackEnv;
let adminToken: string;
beforeAll(async () => {
  // The recovery job stays out of the way: nothing becomes due during a test.
  env = await startPaystack({ PAYMENTS_RECHECK_AFTER_SECONDS: '300' });
});
afterAll(() => env.close());
beforeEach(async () => {
  await env.server.reset();
  env.fake.reset();
  env.fake.webhookUrl = env.webhookUrl;
  adminToken = (await admin(env.server)).token;
});
afterEach(async () => {
  await expectLedgerBalanced(env.server, adminToken);
});

/** A deposit the customer paid at Paystack, whose webhook we deliver ourselves. */
async function paidDeposit(amount = '250000') {
  const { server, fake } = env;
  const c = await customer(server);
  const t = (await deposit(server, c, amount, `dep-${Math.random()}`)).data!.deposit.transaction;
  fake.webhookUrl = undefined;
  const { data } = await fake.pay(t.reference, { fees: 1_000 });
  fake.webhookUrl = env.webhookUrl;
  return { c, t, data };
}

async function post(body: string, headers: Record<string, string>, path = '/webhooks/paystack') {
  const res = await fetch(`${env.server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: await res.text() };
}

async function auditOutcomes(action = 'webhook:paystack') {
  const rows = await sql<{ outcome: string }>(env.server, 'select outcome from audit_log where action = ? order by id', [action]);
  return rows.map((r) => r.outcome);
}

describe('signatures', () => {
  it('refuses a bad or missing x-paystack-signature with 401 and changes nothing', async () => {
    const { server, fake } = env;
    const { c, t, data } = await paidDeposit();
    const body = JSON.stringify({ event: 'charge.success', data });
    const attempts: Record<string, string>[] = [
      {}, // missing
      { 'x-paystack-signature': '' },
      { 'x-paystack-signature': 'not-hex' },
      { 'x-paystack-signature': 'ab'.repeat(64) }, // well-formed, wrong
      { 'x-paystack-signature': createHmac('sha512', 'sk_test_someone_else').update(body).digest('hex') },
      // Fake's key, but over another body (the amount changed in transit).
      { 'x-paystack-signature': fake.sign(body.replace('"amount":250000', '"amount":250001')) },
      // Right HMAC, wrong algorithm.
      { 'x-paystack-signature': createHmac('sha256', fake.secretKey).update(body).digest('hex') },
    ];
    for (const headers of attempts) {
      const res = await post(body, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
    }
    // Through the fake's own sender too: a wrong and a missing signature.
    expect((await fake.sendWebhook(env.webhookUrl, 'charge.success', data, { signature: 'cd'.repeat(64) })).status).toBe(401);
    expect((await fake.sendWebhook(env.webhookUrl, 'charge.success', data, { signature: null })).status).toBe(401);

    // Nothing was asked, applied or recorded as seen.
    expect(fake.requestsTo('GET', '/transaction/verify/*')).toHaveLength(0);
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
    expect((await transaction(server, c, t.id)).status).toBe('PENDING');
    expect(await sql(server, 'select 1 from webhook_events')).toHaveLength(0);
    expect(await sql(server, 'select 1 from ledger_transfers where reference = ?', [t.reference])).toHaveLength(0);
    expect(await auditOutcomes()).toEqual(Array(attempts.length + 2).fill('BAD_SIGNATURE'));

    // The genuine delivery still works afterwards.
    const ok = await post(body, { 'x-paystack-signature': fake.sign(body) });
    expect(ok.status).toBe(200);
    expect(await wallet(server, c)).toMatchObject({ balance: '250000' });
  });

  it('verifies the raw bytes as sent (whitespace and key order kept), whatever the content type', async () => {
    const { server, fake } = env;
    const { c, data } = await paidDeposit('10000');
    const body = `{\n  "data": ${JSON.stringify(data, null, 4)},\n  "event": "charge.success"\n}\n`;
    const res = await post(body, { 'x-paystack-signature': fake.sign(body), 'content-type': 'text/plain' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ outcome: 'DEPOSIT_CREDITED' });
    expect(await wallet(server, c)).toMatchObject({ balance: '10000' });
  });

  it('refuses a bad signature on transfer events too: the hold stays', async () => {
    const { server, fake } = env;
    const c = await customer(server, { funds: 50_000n });
    const t = (await withdraw(server, c, '20000', 'w-sig')).data!.withdraw.transaction;
    fake.webhookUrl = undefined;
    const { data } = await fake.settleTransfer(t.reference, 'failed');
    const res = await fake.sendWebhook(env.webhookUrl, 'transfer.failed', data, { signature: 'ef'.repeat(64) });
    expect(res.status).toBe(401);
    expect((await transaction(server, c, t.id)).status).toBe('PENDING');
    expect(await wallet(server, c)).toMatchObject({ available: '30000', pending: '20000' });
    // Settle it so the ledger ends without a hold either way.
    expect((await fake.sendWebhook(env.webhookUrl, 'transfer.failed', data)).status).toBe(200);
    expect(await wallet(server, c)).toMatchObject({ available: '50000', pending: '0' });
  });

  it('answers a signed body that is not JSON with 400', async () => {
    const body = 'event=charge.success';
    const res = await post(body, { 'x-paystack-signature': env.fake.sign(body) });
    expect(res.status).toBe(400);
    expect(await auditOutcomes()).toEqual(['MALFORMED']);
  });
});

describe('unknown references and other events', () => {
  it('answers an event for a reference we do not know non-2xx, so Paystack retries; nothing moves', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const t = (await deposit(server, c, '5000', 'dep-known')).data!.deposit.transaction;
    const known = fake.transactions.get(t.reference)!;
    const data = { id: 987654, reference: 'dep-nobody-knows', amount: 5000, currency: 'NGN', status: 'success', fees: 75 };
    const res = await fake.sendWebhook(env.webhookUrl, 'charge.success', data);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(res.body)).toEqual({ outcome: 'UNKNOWN_REFERENCE' });
    const transfer = await fake.sendWebhook(env.webhookUrl, 'transfer.success', { id: 55, reference: 'wdr-nobody', amount: 100, status: 'success' });
    expect(transfer.status).toBeGreaterThanOrEqual(400);
    expect(fake.requestsTo('GET', '/transaction/verify/*')).toHaveLength(0);
    expect(await sql(server, 'select 1 from webhook_events')).toHaveLength(0);
    expect(await sql(server, 'select 1 from ledger_transfers')).toHaveLength(0);
    expect(await auditOutcomes()).toEqual(['UNKNOWN_REFERENCE', 'UNKNOWN_REFERENCE']);
    expect(known.status).toBe('abandoned');
    expect((await transaction(server, c, t.id)).status).toBe('PENDING');
  });

  it('accepts and ignores verified events that move no money', async () => {
    const res = await env.fake.sendWebhook(env.webhookUrl, 'customeridentification.success', { customer_code: 'CUS_1' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ outcome: 'IGNORED' });
    expect(await sql(env.server, 'select 1 from ledger_transfers')).toHaveLength(0);
  });

  it('has no route for providers that are not configured', async () => {
    const res = await post('{}', {}, '/webhooks/sandbox');
    expect(res.status).toBe(404);
  });
});

describe('duplicates and races', () => {
  it('applies the same charge.success once, delivered again later', async () => {
    const { server, fake } = env;
    const { c, t, data } = await paidDeposit('30000');
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(JSON.parse((await fake.sendWebhook(env.webhookUrl, 'charge.success', data)).body).outcome);
    expect(outcomes).toEqual(['DEPOSIT_CREDITED', 'DUPLICATE', 'DUPLICATE']);
    expect(await wallet(server, c)).toMatchObject({ balance: '30000' });
    expect(await sql(server, `select 1 from ledger_transfers where reference = ? and code = 'DEPOSIT'`, [t.reference])).toHaveLength(1);
  });

  it('applies the same charge.success once when ten copies arrive at the same moment', async () => {
    const { server, fake } = env;
    const { c, t, data } = await paidDeposit('40000');
    const results = await Promise.all(Array.from({ length: 10 }, () => fake.sendWebhook(env.webhookUrl, 'charge.success', data)));
    for (const r of results) expect(r.status).toBe(200);
    const outcomes = results.map((r) => JSON.parse(r.body).outcome as string);
    expect(outcomes.filter((o) => o === 'DEPOSIT_CREDITED')).toHaveLength(1);
    expect(await wallet(server, c)).toMatchObject({ balance: '40000' });
    expect(await sql(server, `select 1 from ledger_transfers where reference = ? and code = 'DEPOSIT'`, [t.reference])).toHaveLength(1);
    expect(await sql(server, `select 1 from ledger_transfers where reference = ? and code = 'FEE'`, [t.reference])).toHaveLength(1);
  });

  it('transfer.success and transfer.failed racing for one payout: exactly one applies', async () => {
    const { server, fake } = env;
    const c = await customer(server, { funds: 100_000n });
    const t = (await withdraw(server, c, '30000', 'w-race')).data!.withdraw.transaction;
    fake.webhookUrl = undefined;
    const success = (await fake.settleTransfer(t.reference, 'success')).data;
    const failed = (await fake.settleTransfer(t.reference, 'failed')).data;
    const [a, b] = await Promise.all([
      fake.sendWebhook(env.webhookUrl, 'transfer.success', success),
      fake.sendWebhook(env.webhookUrl, 'transfer.failed', failed),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const outcomes = [JSON.parse(a.body).outcome, JSON.parse(b.body).outcome].sort();
    const final = await transaction(server, c, t.id);
    const w = await wallet(server, c);
    expect(w.pending).toBe('0');
    if (final.status === 'COMPLETED') {
      expect(outcomes).toEqual(['ALREADY_SETTLED', 'PAYOUT_COMPLETED']);
      expect(w.balance).toBe('70000');
    } else {
      expect(final.status).toBe('FAILED');
      expect(outcomes).toEqual(['ALREADY_SETTLED', 'PAYOUT_FAILED']);
      expect(w.balance).toBe('100000');
    }
  });

  it('records every webhook in the audit log with its outcome', async () => {
    const { fake } = env;
    const { data } = await paidDeposit('20000');
    await fake.sendWebhook(env.webhookUrl, 'charge.success', data, { signature: null });
    await fake.sendWebhook(env.webhookUrl, 'charge.success', data);
    await fake.sendWebhook(env.webhookUrl, 'charge.success', data);
    await fake.sendWebhook(env.webhookUrl, 'charge.success', { ...data, id: 1, reference: 'dep-unknown' });
    const rows = await sql<{ outcome: string; request_id: string | null; ip: string | null; details: Record<string, unknown> }>(
      env.server,
      `select outcome, request_id, ip, details from audit_log where action = 'webhook:paystack' order by id`,
    );
    expect(rows.map((r) => r.outcome)).toEqual(['BAD_SIGNATURE', 'DEPOSIT_CREDITED', 'DUPLICATE', 'UNKNOWN_REFERENCE']);
    for (const r of rows) {
      expect(r.request_id).toBeTruthy();
      expect(r.ip).toBeTruthy();
    }
    expect(rows[1].details).toMatchObject({ type: 'charge.success', reference: data.reference });
  });
});
