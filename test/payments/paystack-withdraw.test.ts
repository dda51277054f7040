import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BanksDocument, ResolveBankAccountDocument } from '../generated/graphql.js';
import { fund } from '../support/money.js';
import { admin, customer, errorCode, expectLedgerBalanced, history, lastAuditId, settled, jobOnlyPaystack, startPaystack, systemAccount, transaction, waitFor, wallet, withdraw, type PaystackEnv } from './payments-helpers.js';
import { sql } from '../support/helpers.js';

/**
 * Withdrawals with PAYMENT_PROVIDER=paystack over HTTP: transfer recipient + transfer through
 * the real adapter against the fake Paystack; outcomes from webhooks, or from the recovery
 * job's GET /transfer/verify when a call's outcome was unknown.
 */

async function ledgerTransfers(env: PaystackEnv, reference: string) {
  return sql<{ code: string; status: string; amount: string; debit_account_id: string; credit_account_id: string }>(
    env.server,
    `select code, status, amount::text, debit_account_id, credit_account_id from ledger_transfers
     where reference = ? order by created_at, code`,
    [reference],
  );
}

describe('Paystack withdrawals, settled by webhook', () => {
  let env: PaystackEnv;
  let adminToken: string;
  beforeAll(async () => {
    env = await startPaystack({ PAYMENTS_RECHECK_AFTER_SECONDS: '300' });
  });
  afterAll(() => env.close());
  beforeEach(async () => {
    await env.server.reset();
    env.fake.reset();
    adminToken = (await admin(env.server)).token;
  });
  afterEach(async () => {
    await expectLedgerBalanced(env.server, adminToken);
  });

  it('lists banks and resolves accounts from Paystack; an unknown account is BAD_USER_INPUT', async () => {
    const { server, fake } = env;
    const c = await customer(server);
    const ngn = await server.gql(BanksDocument, { currency: 'NGN' });
    expect(ngn.errors).toBeUndefined();
    // The inactive bank of the fake is left out.
    expect(ngn.data!.banks).toEqual([
      { code: '044', name: 'Access Bank', currency: 'NGN' },
      { code: '058', name: 'Guaranty Trust Bank', currency: 'NGN' },
      { code: '057', name: 'Zenith Bank', currency: 'NGN' },
    ]);
    const ghs = await server.gql(BanksDocument, { currency: 'GHS' });
    expect(ghs.data!.banks.map((b) => b.code)).toEqual(['040100', '130100']);
    expect(fake.requestsTo('GET', '/bank').map((r) => r.query.currency)).toEqual(['NGN', 'GHS']);

    fake.accountNames.set('0123456789', 'ADA LOVELACE');
    const ok = await server.gql(ResolveBankAccountDocument, { bankCode: '058', accountNumber: '0123456789' }, { token: c.token });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.resolveBankAccount).toEqual({ bankCode: '058', accountNumber: '0123456789', accountName: 'ADA LOVELACE' });
    const resolveCalls = fake.requestsTo('GET', '/bank/resolve');
    expect(resolveCalls.at(-1)!.query).toMatchObject({ bank_code: '058', account_number: '0123456789' });

    const unknown = await server.gql(ResolveBankAccountDocument, { bankCode: '058', accountNumber: '0000000000' }, { token: c.token });
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    const malformed = await server.gql(ResolveBankAccountDocument, { bankCode: '058', accountNumber: '12ab' }, { token: c.token });
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');

    // Paystack down is not the customer's mistake. (Another account: the answer above may be
    // served from the response cache for 30 s.)
    fake.failNext('GET /bank/resolve', 503);
    const down = await server.gql(ResolveBankAccountDocument, { bankCode: '058', accountNumber: '0123456780' }, { token: c.token });
    expect(errorCode(down)).toBe('PROVIDER_UNAVAILABLE');
  });

  it('holds at once, sends transferrecipient + transfer with our reference; transfer.success posts it', async () => {
    const { server, fake } = env;
    const c = await customer(server, { funds: 100_000n });
    fake.accountNames.set('0123456789', 'ADA LOVELACE');
    const res = await withdraw(server, c, '30000', 'w-ok');
    expect(res.errors).toBeUndefined();
    const { transaction: t, wallet: w } = res.data!.withdraw;
    expect(t).toMatchObject({ type: 'WITHDRAWAL', status: 'PENDING', direction: 'DEBIT' });
    expect(t.amount.amount).toBe('30000');
    expect(w.balance.amount).toBe('100000');
    expect(w.availableBalance.amount).toBe('70000');
    expect(w.pendingDebits.amount).toBe('30000');

    const recipients = fake.requestsTo('POST', '/transferrecipient');
    expect(recipients).toHaveLength(1);
    expect(recipients[0].body).toMatchObject({ type: 'nuban', account_number: '0123456789', bank_code: '058', currency: 'NGN', name: 'ADA LOVELACE' });
    const transfers = fake.requestsTo('POST', '/transfer');
    expect(transfers).toHaveLength(1);
    expect(transfers[0].body).toMatchObject({ reference: t.reference, amount: 30000, currency: 'NGN', source: 'balance' });
    expect((transfers[0].body as { recipient: string }).recipient).toMatch(/^RCP_/);
    expect(fake.transfers.get(t.reference)?.status).toBe('pending');
    expect(await ledgerTransfers(env, t.reference)).toMatchObject([{ code: 'WITHDRAWAL', status: 'PENDING', amount: '30000' }]);

    const { webhook } = await fake.settleTransfer(t.reference, 'success');
    expect(webhook!.status).toBe(200);
    expect(JSON.parse(webhook!.body)).toEqual({ outcome: 'PAYOUT_COMPLETED' });
    expect((await transaction(server, c, t.id)).status).toBe('COMPLETED');
    expect(await wallet(server, c)).toMatchObject({ balance: '70000', available: '70000', pending: '0' });
    expect(await ledgerTransfers(env, t.reference)).toMatchObject([{ code: 'WITHDRAWAL', status: 'POSTED', amount: '30000' }]);
    const settlement = await systemAccount(server, 'SETTLEMENT', 'paystack');
    expect(settlement).toMatchObject({ credits_posted: '30000', credits_pending: '0' });
  });

  it("books Paystack's transfer fee as a FEE transfer when transfer.success reports one", async () => {
    const { server, fake } = env;
    const c = await customer(server, { funds: 100_000n });
    // Paystack's settlement account as the funding deposit left it.
    const net = (a?: { credits_posted: string; debits_posted: string }) => (a ? BigInt(a.credits_posted) - BigInt(a.debits_posted) : 0n);
    const settlementBefore = net(await systemAccount(server, 'SETTLEMENT', 'paystack'));
    const t = (await withdraw(server, c, '30000', 'w-fee')).data!.withdraw.transaction;
    fake.webhookUrl = undefined;
    try {
      const { data } = await fake.settleTransfer(t.reference, 'success');
      const hook = await fake.sendWebhook(env.webhookUrl, 'transfer.success', { ...data, fee_charged: 2_500 });
      expect(hook.status).toBe(200);
    } finally {
      fake.webhookUrl = env.webhookUrl;
    }
    expect(await wallet(server, c)).toMatchObject({ balance: '70000' });
    const settlement = await systemAccount(server, 'SETTLEMENT', 'paystack');
    const fees = await systemAccount(server, 'FEES', 'paystack');
    // Paystack's balance went down by amount + fee; the settlement account mirrors it.
    expect(net(settlement) - settlementBefore).toBe(32_500n);
    expect(fees).toMatchObject({ debits_posted: '2500' });
  });

  it('transfer.failed voids the hold: money back, FAILED', async () => {
    const { server, fake } = env;
    const c = await customer(server, { funds: 100_000n });
    const t = (await withdraw(server, c, '30000', 'w-failed')).data!.withdraw.transaction;
    const { webhook } = await fake.settleTransfer(t.reference, 'failed');
    expect(JSON.parse(webhook!.body)).toEqual({ outcome: 'PAYOUT_FAILED' });
    const done = await transaction(server, c, t.id);
    expect(done.status).toBe('FAILED');
    expect(done.failureReason).toBeTruthy();
    expect(await wallet(server, c)).toMatchObject({ balance: '100000', available: '100000', pending: '0' });
    expect(await ledgerTransfers(env, t.reference)).toMatchObject([{ code: 'WITHDRAWAL', status: 'VOIDED' }]);
  });

  it('transfer.reversed after success: a REVERSAL credit, the original row REVERSED, the balance restored, once', async () => {
    const { server, fake } = env;
    const c = await customer(server, { funds: 100_000n });
    const t = (await withdraw(server, c, '30000', 'w-reversed')).data!.withdraw.transaction;
    await fake.settleTransfer(t.reference, 'success');
    expect(await wallet(server, c)).toMatchObject({ balance: '70000' });
    const { data, webhook } = await fake.settleTransfer(t.reference, 'reversed');
    expect(JSON.parse(webhook!.body)).toEqual({ outcome: 'PAYOUT_REVERSED' });
    // Delivered again: applied once.
    const again = await fake.sendWebhook(env.webhookUrl, 'transfer.reversed', data);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ outcome: 'DUPLICATE' });

    expect(await wallet(server, c)).toMatchObject({ balance: '100000', available: '100000', pending: '0' });
    const rows = (await history(server, c)).filter((r) => r.reference === t.reference);
    expect(rows.map((r) => [r.type, r.status, r.direction, r.amount.amount])).toEqual([
      ['REVERSAL', 'COMPLETED', 'CREDIT', '30000'],
      ['WITHDRAWAL', 'REVERSED', 'DEBIT', '30000'],
    ]);
    // The posted withdrawal never changed; the reversal is a new transfer the other way.
    const transfers = await ledgerTransfers(env, t.reference);
    expect(transfers.map((x) => [x.code, x.status])).toEqual([
      ['WITHDRAWAL', 'POSTED'],
      ['REVERSAL', 'POSTED'],
    ]);
    expect(transfers[1].debit_account_id).toBe(transfers[0].credit_account_id);
    expect(transfers[1].credit_account_id).toBe(c.walletId);
  });

  it('out of order: failed or reversed after success, and success after failed, are applied sensibly once', async () => {
    const { server, fake } = env;
    const c = await customer(server, { funds: 100_000n });
    // success, then a late transfer.failed: the payout stands.
    const a = (await withdraw(server, c, '10000', 'w-order-a')).data!.withdraw.transaction;
    await fake.settleTransfer(a.reference, 'success');
    const lateFail = await fake.settleTransfer(a.reference, 'failed');
    expect(lateFail.webhook!.status).toBe(200);
    expect(JSON.parse(lateFail.webhook!.body)).toEqual({ outcome: 'ALREADY_SETTLED' });
    expect((await transaction(server, c, a.id)).status).toBe('COMPLETED');
    expect(await wallet(server, c)).toMatchObject({ balance: '90000', pending: '0' });

    // failed, then a late transfer.success: the money stays returned, nothing is posted.
    const b = (await withdraw(server, c, '20000', 'w-order-b')).data!.withdraw.transaction;
    expect(await wallet(server, c)).toMatchObject({ available: '70000', pending: '20000' });
    await fake.settleTransfer(b.reference, 'failed');
    const lateOk = await fake.settleTransfer(b.reference, 'success');
    expect(lateOk.webhook!.status).toBe(200);
    expect(JSON.parse(lateOk.webhook!.body)).toEqual({ outcome: 'ALREADY_SETTLED' });
    expect((await transaction(server, c, b.id)).status).toBe('FAILED');
    expect(await wallet(server, c)).toMatchObject({ balance: '90000', available: '90000', pending: '0' });
    expect((await ledgerTransfers(env, b.reference)).map((x) => x.status)).toEqual(['VOIDED']);

    // reversed arriving before success (never posted): the hold is voided, the late success changes nothing.
    const d = (await withdraw(server, c, '5000', 'w-order-d')).data!.withdraw.transaction;
    fake.webhookUrl = undefined;
    let successData: unknown;
    let reversedData: unknown;
    try {
      successData = (await fake.settleTransfer(d.reference, 'success')).data;
      reversedData = (await fake.settleTransfer(d.reference, 'reversed')).data;
    } finally {
      fake.webhookUrl = env.webhookUrl;
    }
    const first = await fake.sendWebhook(env.webhookUrl, 'transfer.reversed', reversedData);
    expect(JSON.parse(first.body)).toEqual({ outcome: 'PAYOUT_FAILED' });
    const second = await fake.sendWebhook(env.webhookUrl, 'transfer.success', successData);
    expect(JSON.parse(second.body)).toEqual({ outcome: 'ALREADY_SETTLED' });
    expect((await transaction(server, c, d.id)).status).toBe('FAILED');
    expect(await wallet(server, c)).toMatchObject({ balance: '90000', available: '90000', pending: '0' });
    expect((await history(server, c)).filter((r) => r.type === 'REVERSAL')).toHaveLength(0);
  });

  it('a 4xx on POST /transfer is a definite failure: FAILED and the money back at once', async () => {
    const { server, fake } = env;
    const c = await customer(server, { funds: 100_000n });
    fake.failNext('POST /transfer', 400, { body: { status: false, message: 'Your balance is not enough to fulfil this request' } });
    const res = await withdraw(server, c, '30000', 'w-4xx');
    expect(res.errors).toBeUndefined();
    expect(res.data!.withdraw.transaction.status).toBe('FAILED');
    expect(res.data!.withdraw.transaction.failureReason).toBeTruthy();
    expect(res.data!.withdraw.wallet).toMatchObject({ balance: { amount: '100000' }, availableBalance: { amount: '100000' }, pendingDebits: { amount: '0' } });
    expect(fake.transfers.size).toBe(0);
    expect((await ledgerTransfers(env, res.data!.withdraw.transaction.reference)).map((x) => x.status)).toEqual(['VOIDED']);
    // The refusal is the recorded answer: a repeat replays it and sends nothing.
    const again = await withdraw(server, c, '30000', 'w-4xx');
    expect(again.data!.withdraw.transaction.id).toBe(res.data!.withdraw.transaction.id);
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(1);
  });

  it('is idempotent: the same key twice is one transfer, one hold', async () => {
    const { server, fake } = env;
    const c = await customer(server, { funds: 100_000n });
    const a = await withdraw(server, c, '30000', 'w-idem');
    const b = await withdraw(server, c, '30000', 'w-idem');
    expect(b.data!.withdraw.transaction.id).toBe(a.data!.withdraw.transaction.id);
    expect(b.data!.withdraw.wallet.availableBalance.amount).toBe('70000');
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(1);
    expect(fake.transfers.size).toBe(1);
    const other = await withdraw(server, c, '30001', 'w-idem');
    expect(errorCode(other)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(1);
  });

  it('refuses USD (UNSUPPORTED_CURRENCY), too much (INSUFFICIENT_FUNDS, replayed), unknown banks and accounts (BAD_USER_INPUT)', async () => {
    const { server, fake } = env;
    const usd = await customer(server, { currency: 'USD', funds: 100_000n });
    const r1 = await withdraw(server, usd, '1000', 'w-usd');
    expect(errorCode(r1)).toBe('UNSUPPORTED_CURRENCY');

    const c = await customer(server, { funds: 10_000n });
    const r2 = await withdraw(server, c, '10001', 'w-poor');
    expect(errorCode(r2)).toBe('INSUFFICIENT_FUNDS');
    const r3 = await withdraw(server, c, '10000', 'w-bank', { bankCode: '999' }); // inactive bank
    expect(errorCode(r3)).toBe('BAD_USER_INPUT');
    const r4 = await withdraw(server, c, '10000', 'w-account', { accountNumber: '0000000000' });
    expect(errorCode(r4)).toBe('BAD_USER_INPUT');
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(0);
    expect(fake.requestsTo('POST', '/transferrecipient')).toHaveLength(0);
    expect(await wallet(server, c)).toMatchObject({ balance: '10000', available: '10000', pending: '0' });
    expect(await wallet(server, usd)).toMatchObject({ balance: '100000', available: '100000', pending: '0' });

    // INSUFFICIENT_FUNDS is a business answer: replayed for the same key even once the money is there.
    await fund(server.app, c.walletId, 50_000n);
    const replay = await withdraw(server, c, '10001', 'w-poor');
    expect(errorCode(replay)).toBe('INSUFFICIENT_FUNDS');
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(0);
    expect(await history(server, c)).toHaveLength(2); // the two seeded deposits only
  });

  it('records withdrawals and their webhooks in the audit log', async () => {
    const { server, fake } = env;
    const c = await customer(server, { funds: 100_000n });
    const since = await lastAuditId(server);
    const t = (await withdraw(server, c, '30000', 'w-audit')).data!.withdraw.transaction;
    await fake.settleTransfer(t.reference, 'success');
    const rows = await sql<{ user_id: string | null; action: string; outcome: string; details: Record<string, unknown> }>(
      server,
      'select user_id, action, outcome, details from audit_log where id > ? order by id',
      [since],
    );
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([
      ['withdraw', 'PENDING'],
      ['webhook:paystack', 'PAYOUT_COMPLETED'],
    ]);
    expect(rows[0].user_id).toBe(c.id);
    expect(rows[1].details).toMatchObject({ type: 'transfer.success', reference: t.reference });
  });
});

describe('Paystack withdrawals with unknown outcomes, resolved by the recovery job', () => {
  const TIMEOUT_MS = 300;
  // No webhooks here: only the job's GET /transfer/verify can learn the outcome.
  const job = jobOnlyPaystack({ PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS) });

  const verifies = (reference: string) => job.env.fake.requestsTo('GET', `/transfer/verify/${reference}`).length;

  /** The hold as it must stay while the outcome is unknown. */
  async function expectHeld(c: Awaited<ReturnType<typeof customer>>, id: string, amount: bigint, funds: bigint) {
    expect((await transaction(job.env.server, c, id)).status).toBe('PENDING');
    expect(await wallet(job.env.server, c)).toMatchObject({
      balance: String(funds),
      available: String(funds - amount),
      pending: String(amount),
    });
  }

  it('a timeout on POST /transfer keeps the hold; the job asks /transfer/verify, waits while pending, posts on success; paid once', async () => {
    const { server, fake } = job.env;
    const c = await customer(server, { funds: 100_000n });
    fake.delayNext('POST /transfer', TIMEOUT_MS * 6);
    const res = await withdraw(server, c, '30000', 'w-timeout');
    expect(res.errors).toBeUndefined();
    const t = res.data!.withdraw.transaction;
    expect(t.status).toBe('PENDING');
    expect(res.data!.withdraw.wallet.pendingDebits.amount).toBe('30000');
    // Paystack did take the transfer (it answered too late).
    expect(fake.transfers.get(t.reference)?.status).toBe('pending');

    // The job asks, hears "pending", and decides nothing.
    await waitFor(async () => verifies(t.reference), (n) => n >= 2, 10_000);
    expect(verifies(t.reference)).toBeGreaterThanOrEqual(2);
    await expectHeld(c, t.id, 30_000n, 100_000n);
    // A repeat of the mutation replays; it does not send the transfer again.
    const repeat = await withdraw(server, c, '30000', 'w-timeout');
    expect(repeat.data!.withdraw.transaction.id).toBe(t.id);

    await fake.settleTransfer(t.reference, 'success');
    const done = await settled(server, c, t.id);
    expect(done.status).toBe('COMPLETED');
    expect(await wallet(server, c)).toMatchObject({ balance: '70000', available: '70000', pending: '0' });
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(1);
    expect(fake.transfers.size).toBe(1);
    expect(await ledgerTransfers(job.env, t.reference)).toMatchObject([{ code: 'WITHDRAWAL', status: 'POSTED' }]);
  });

  it('a timeout, then the bank fails it: the job voids the hold and the money comes back', async () => {
    const { server, fake } = job.env;
    const c = await customer(server, { funds: 100_000n });
    fake.delayNext('POST /transfer', TIMEOUT_MS * 6);
    const t = (await withdraw(server, c, '25000', 'w-timeout-fail')).data!.withdraw.transaction;
    expect(t.status).toBe('PENDING');
    await expectHeld(c, t.id, 25_000n, 100_000n);
    await fake.settleTransfer(t.reference, 'failed');
    const done = await settled(server, c, t.id);
    expect(done.status).toBe('FAILED');
    expect(await wallet(server, c)).toMatchObject({ balance: '100000', available: '100000', pending: '0' });
    expect(fake.transfers.size).toBe(1);
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(1);
  });

  it('a 5xx after Paystack took the transfer: the hold stays, nothing refunded; the job posts it when verify says success', async () => {
    const { server, fake } = job.env;
    const c = await customer(server, { funds: 100_000n });
    fake.failNext('POST /transfer', 502, { afterProcessing: true });
    const res = await withdraw(server, c, '40000', 'w-5xx-taken');
    expect(res.errors).toBeUndefined();
    const t = res.data!.withdraw.transaction;
    expect(t.status).toBe('PENDING');
    expect(res.data!.withdraw.wallet.availableBalance.amount).toBe('60000');
    await waitFor(async () => verifies(t.reference), (n) => n >= 1, 10_000);
    await expectHeld(c, t.id, 40_000n, 100_000n);
    await fake.settleTransfer(t.reference, 'success');
    expect((await settled(server, c, t.id)).status).toBe('COMPLETED');
    expect(await wallet(server, c)).toMatchObject({ balance: '60000', pending: '0' });
    expect(fake.transfers.size).toBe(1);
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(1);
  });

  it('a 5xx before Paystack took anything: the hold stays; when verify says Paystack never got it, the same transfer is sent again', async () => {
    const { server, fake } = job.env;
    const c = await customer(server, { funds: 100_000n });
    fake.failNext('POST /transfer', 500);
    const res = await withdraw(server, c, '40000', 'w-5xx-lost');
    expect(res.errors).toBeUndefined();
    const t = res.data!.withdraw.transaction;
    // Unknown, not failed: nothing refunded yet.
    expect(t.status).toBe('PENDING');
    expect(res.data!.withdraw.wallet).toMatchObject({ availableBalance: { amount: '60000' }, pendingDebits: { amount: '40000' } });
    expect(fake.transfers.size).toBe(0);
    // The recovery job asks, hears 404, and sends the payout again with our reference (rule 8).
    await waitFor(async () => fake.transfers.size, (n) => n === 1, 10_000);
    expect(verifies(t.reference)).toBeGreaterThanOrEqual(1);
    expect(fake.requestsTo('POST', '/transfer').map((r) => (r.body as { reference?: string }).reference)).toEqual([
      t.reference,
      t.reference,
    ]);
    await expectHeld(c, t.id, 40_000n, 100_000n);
    await fake.settleTransfer(t.reference, 'success');
    expect((await settled(server, c, t.id)).status).toBe('COMPLETED');
    expect(await wallet(server, c)).toMatchObject({ balance: '60000', available: '60000', pending: '0' });
    expect(fake.transfers.size).toBe(1);
  });

  it('keeps the hold while /transfer/verify itself times out or answers 5xx', async () => {
    const { server, fake } = job.env;
    const c = await customer(server, { funds: 100_000n });
    fake.delayNext('POST /transfer', TIMEOUT_MS * 6);
    const t = (await withdraw(server, c, '15000', 'w-verify-down')).data!.withdraw.transaction;
    // Paystack actually failed it, but cannot tell us yet.
    await fake.settleTransfer(t.reference, 'failed');
    fake.delayNext(`GET /transfer/verify/${t.reference}`, TIMEOUT_MS * 6);
    fake.failNext(`GET /transfer/verify/${t.reference}`, 503);
    await waitFor(async () => verifies(t.reference), (n) => n >= 2, 10_000);
    expect(verifies(t.reference)).toBeLessThan(3);
    await expectHeld(c, t.id, 15_000n, 100_000n);
    // The third ask gets an answer.
    const done = await settled(server, c, t.id);
    expect(done.status).toBe('FAILED');
    expect(await wallet(server, c)).toMatchObject({ balance: '100000', available: '100000', pending: '0' });
  });

  it('a reversal learned by the job after success still becomes a REVERSAL', async () => {
    const { server, fake } = job.env;
    const c = await customer(server, { funds: 100_000n });
    const t = (await withdraw(server, c, '30000', 'w-job-reversal')).data!.withdraw.transaction;
    await fake.settleTransfer(t.reference, 'success');
    expect((await settled(server, c, t.id)).status).toBe('COMPLETED');
    await fake.settleTransfer(t.reference, 'reversed');
    // The job only asks about PENDING payments: a reversal after success arrives by webhook.
    const hook = await fake.sendWebhook(job.env.webhookUrl, 'transfer.reversed', fake.transferWithRecipient(fake.transfers.get(t.reference)!));
    expect(JSON.parse(hook.body)).toEqual({ outcome: 'PAYOUT_REVERSED' });
    expect((await transaction(server, c, t.id)).status).toBe('REVERSED');
    expect(await wallet(server, c)).toMatchObject({ balance: '100000' });
  });
});

describe('the recovery job works on several payments at once', () => {
  // Nothing becomes due by itself within the test (60 s): the test makes them due together.
  const job = jobOnlyPaystack({ PROVIDER_TIMEOUT_MS: '300', PAYMENTS_RECHECK_AFTER_SECONDS: '60', PAYMENTS_JOB_CONCURRENCY: '3' });

  it('asks Paystack about due payouts side by side (at most PAYMENTS_JOB_CONCURRENCY), and settles each once', async () => {
    const { server, fake } = job.env;
    const customers = await Promise.all(Array.from({ length: 5 }, () => customer(server, { funds: 10_000n })));
    const started = [];
    for (const [i, c] of customers.entries()) {
      // Each POST /transfer answers too late: the outcome is unknown and the hold stays.
      fake.delayNext('POST /transfer', 900);
      const res = await withdraw(server, c, '1000', `side-by-side-${i}`);
      expect(res.errors).toBeUndefined();
      started.push(res.data!.withdraw.transaction);
    }
    for (const t of started) await fake.settleTransfer(t.reference, 'success');
    // Each answer to the job's question comes 200 ms late (within the 300 ms timeout).
    for (let i = 0; i < started.length; i++) fake.delayNext('GET /transfer/verify/*', 200);
    await sql(server, `update payments set due_at = now() where reference in (${started.map(() => '?').join(', ')})`, started.map((t) => t.reference));
    for (const [i, t] of started.entries()) expect((await settled(server, customers[i], t.id)).status).toBe('COMPLETED');
    const asked = fake.requestsTo('GET', '/transfer/verify/*');
    expect(new Set(asked.map((r) => r.path))).toEqual(new Set(started.map((t) => `/transfer/verify/${t.reference}`)));
    // One at a time, no question would arrive while another is unanswered; at most three are.
    expect(Math.max(...asked.map((r) => r.othersInFlight))).toBe(2);
    for (const [i, c] of customers.entries()) expect(await wallet(server, c), `customer ${i}`).toMatchObject({ balance: '9000', pending: '0' });
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(5);
    await expectLedgerBalanced(server, (await admin(server)).token);
  });
});
