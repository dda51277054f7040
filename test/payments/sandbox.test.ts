import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BanksDocument, ResolveBankAccountDocument, WalletDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';
import { admin, customer, deposit, errorCode, expectLedgerBalanced, lastAuditId, settled, transaction, wallet, withdraw } from './payments-helpers.js';
import { queriesDuring, sql } from '../support/helpers.js';

/** The built-in sandbox provider (the default) over HTTP: checkout page, signed webhooks, payouts on a timetable. */

const PAYOUT_DELAY_MS = 1_000;
const server = useTestServer({ SANDBOX_PAYOUT_DELAY_MS: String(PAYOUT_DELAY_MS), PAYMENTS_JOB_INTERVAL_MS: '100' });
let adminToken: string;
beforeEach(async () => {
  adminToken = (await admin(server)).token;
});
afterEach(async () => {
  await expectLedgerBalanced(server, adminToken);
});

const form = (outcome: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: `outcome=${outcome}`,
});

describe('sandbox checkout', () => {
  it('shows the amount on the checkout page; Decline marks the deposit FAILED and credits nothing', async () => {
    const c = await customer(server);
    const res = await deposit(server, c, '123456', 'sb-decline');
    expect(res.errors).toBeUndefined();
    const { transaction: t, checkoutUrl } = res.data!.deposit;
    expect(t.status).toBe('PENDING');
    expect(checkoutUrl).toBe(`${server.url}/sandbox/checkout/${t.reference}`);

    const page = await fetch(checkoutUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('NGN 1,234.56');
    expect(html).toContain('value="success"');
    expect(html).toContain('value="failed"');

    const declined = await fetch(checkoutUrl, form('failed'));
    expect(declined.status).toBe(200);
    expect(await declined.text()).toContain('Payment declined');
    const done = await transaction(server, c, t.id);
    expect(done.status).toBe('FAILED');
    expect(done.failureReason).toBeTruthy();
    expect(await wallet(server, c)).toMatchObject({ balance: '0', available: '0' });

    // Completed: the page says so, and it cannot be paid any more.
    expect(await (await fetch(checkoutUrl)).text()).toMatch(/already failed/);
    const payLater = await fetch(checkoutUrl, form('success'));
    expect(payLater.status).toBe(409);
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
    expect(await sql(server, 'select 1 from ledger_transfers where reference = ?', [t.reference])).toHaveLength(0);
  });

  it('pays with a JSON outcome; refuses other outcomes; unknown checkouts are 404', async () => {
    const c = await customer(server);
    const { transaction: t, checkoutUrl } = (await deposit(server, c, '5000', 'sb-json')).data!.deposit;
    const bad = await fetch(checkoutUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"maybe"}' });
    expect(bad.status).toBe(400);
    expect((await transaction(server, c, t.id)).status).toBe('PENDING');
    const paid = await fetch(checkoutUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"success"}' });
    expect(paid.status).toBe(200);
    expect(await paid.json()).toEqual({ outcome: 'DEPOSIT_CREDITED' });
    expect((await transaction(server, c, t.id)).status).toBe('COMPLETED');
    expect(await wallet(server, c)).toMatchObject({ balance: '5000' });
    expect((await fetch(`${server.url}/sandbox/checkout/dep-unknown`)).status).toBe(404);
  });

  it('the same deposit key twice gives the same transaction and checkout page', async () => {
    const c = await customer(server);
    const a = (await deposit(server, c, '7000', 'sb-idem')).data!.deposit;
    const b = (await deposit(server, c, '7000', 'sb-idem')).data!.deposit;
    expect(b.transaction.id).toBe(a.transaction.id);
    expect(b.checkoutUrl).toBe(a.checkoutUrl);
    expect(await sql(server, 'select 1 from sandbox_payments')).toHaveLength(1);
  });

  it("a repeat of a deposit whose checkout was never opened (the process stopped before the provider call) opens it, answering the first request's row", async () => {
    const c = await customer(server);
    const first = (await deposit(server, c, '6000', 'sb-unopened')).data!.deposit;
    // As a process stopped between the commit and the provider call leaves it.
    await sql(server, `update payments set checkout_url = null where transaction_id = ?`, [first.transaction.id]);
    await sql(server, `delete from sandbox_payments where reference = ?`, [first.transaction.reference]);
    const repeat = await deposit(server, c, '6000', 'sb-unopened');
    expect(repeat.errors).toBeUndefined();
    expect(repeat.data!.deposit.transaction).toEqual(await transaction(server, c, first.transaction.id));
    expect(repeat.data!.deposit.checkoutUrl).toBe(first.checkoutUrl);
    expect(await sql(server, 'select status from sandbox_payments where reference = ?', [first.transaction.reference])).toEqual([{ status: 'PENDING' }]);
  });
});

describe('sandbox webhooks', () => {
  it('refuses POST /webhooks/sandbox with a bad or missing signature (401): nothing credited', async () => {
    const c = await customer(server);
    const t = (await deposit(server, c, '9000', 'sb-forged')).data!.deposit.transaction;
    const body = JSON.stringify({ event: 'deposit.success', data: { reference: t.reference, amount: '9000', currency: 'NGN' } });
    const send = (headers: Record<string, string>) =>
      fetch(`${server.url}/webhooks/sandbox`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const forged = createHmac('sha256', 'not-the-server-secret').update(body).digest('hex');
    expect((await send({ 'x-sandbox-signature': forged })).status).toBe(401);
    expect((await send({ 'x-sandbox-signature': 'short' })).status).toBe(401);
    expect((await send({})).status).toBe(401);
    expect((await transaction(server, c, t.id)).status).toBe('PENDING');
    expect(await wallet(server, c)).toMatchObject({ balance: '0' });
    expect(await sql(server, 'select 1 from webhook_events')).toHaveLength(0);
    const audit = await sql<{ outcome: string }>(server, `select outcome from audit_log where action = 'webhook:sandbox' order by id`);
    expect(audit.map((r) => r.outcome)).toEqual(['BAD_SIGNATURE', 'BAD_SIGNATURE', 'BAD_SIGNATURE']);
    // Paystack's route does not exist while the sandbox is the provider.
    expect((await fetch(`${server.url}/webhooks/paystack`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

describe('sandbox payouts', () => {
  it('lists its fixed banks and resolves any 10-digit number, 0000000000 included', async () => {
    const c = await customer(server);
    const banks = await server.gql(BanksDocument, { currency: 'NGN' });
    expect(banks.data!.banks.map((b) => b.code)).toEqual(['001', '002', '003']);
    const r = await server.gql(ResolveBankAccountDocument, { bankCode: '001', accountNumber: '0000000000' }, { token: c.token });
    expect(r.errors).toBeUndefined();
    expect(r.data!.resolveBankAccount.accountName).toBeTruthy();
    const bad = await server.gql(ResolveBankAccountDocument, { bankCode: '001', accountNumber: '123' }, { token: c.token });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  });

  it('a withdrawal to 0000000000 holds the money, then fails after SANDBOX_PAYOUT_DELAY_MS and returns it', async () => {
    const c = await customer(server, { funds: 100_000n });
    const started = Date.now();
    const res = await withdraw(server, c, '40000', 'sb-fail', { bankCode: '001', accountNumber: '0000000000' });
    expect(res.errors).toBeUndefined();
    const t = res.data!.withdraw.transaction;
    expect(t.status).toBe('PENDING');
    expect(res.data!.withdraw.wallet).toMatchObject({ availableBalance: { amount: '60000' }, pendingDebits: { amount: '40000' } });
    // Its settlement is a stored row with a due time, not a timer.
    const [row] = await sql<{ status: string; due_ms: string }>(
      server,
      `select p.status, (extract(epoch from (p.due_at - p.created_at)) * 1000)::bigint::text as due_ms
       from payments p where p.reference = ?`,
      [t.reference],
    );
    expect(row.status).toBe('PENDING');
    expect(Number(row.due_ms)).toBeGreaterThanOrEqual(PAYOUT_DELAY_MS - 100);
    expect(await sql(server, `select 1 from sandbox_payments where reference = ? and settle_at is not null`, [t.reference])).toHaveLength(1);

    const done = await settled(server, c, t.id, PAYOUT_DELAY_MS + 8_000);
    const elapsed = Date.now() - started;
    expect(done.status).toBe('FAILED');
    expect(done.failureReason).toBeTruthy();
    // Not before its time (the job ticks every 100 ms).
    expect(elapsed).toBeGreaterThanOrEqual(PAYOUT_DELAY_MS * 0.9);
    expect(await wallet(server, c)).toMatchObject({ balance: '100000', available: '100000', pending: '0' });
    expect(await sql(server, `select status from ledger_transfers where reference = ?`, [t.reference])).toEqual([{ status: 'VOIDED' }]);
  });

  it('deposit and withdraw answer with the rows they wrote, as a later read shows them, without reading them back', async () => {
    const c = await customer(server, { funds: 100_000n });
    let started!: Awaited<ReturnType<typeof deposit>>;
    const depositSql = await queriesDuring(server.app, async () => (started = await deposit(server, c, '5000', 'answer-d')));
    expect(started.errors).toBeUndefined();
    let held!: Awaited<ReturnType<typeof withdraw>>;
    const withdrawSql = await queriesDuring(server.app, async () => (held = await withdraw(server, c, '40000', 'answer-w', { bankCode: '001' })));
    expect(held.errors).toBeUndefined();
    // What a later read shows is what the mutations answered.
    expect(started.data!.deposit.transaction).toEqual(await transaction(server, c, started.data!.deposit.transaction.id));
    expect(held.data!.withdraw.transaction).toEqual(await transaction(server, c, held.data!.withdraw.transaction.id));
    const now = await server.gql(WalletDocument, { id: c.walletId }, { token: c.token });
    expect(held.data!.withdraw.wallet).toEqual({ ...now.data!.wallet, transactions: undefined, ...held.data!.withdraw.wallet });
    expect(held.data!.withdraw.wallet).toMatchObject({ balance: { amount: '100000' }, availableBalance: { amount: '60000' }, pendingDebits: { amount: '40000' } });
    // Neither read its payment, its transaction row or the wallet back after writing them: their
    // functions (deposit_open, withdraw_hold) answer with the rows and tell the events whose they
    // are. The withdrawal's one read of the wallet is the ownership check before the provider is
    // asked about the bank account.
    const count = (sent: { sql: string }[], pattern: RegExp) => sent.filter((q) => pattern.test(q.sql.replace(/\s+/g, ' '))).length;
    const reads = (sent: { sql: string }[]) => ({
      payment: count(sent, /^select .* from payments where id = \S+$/),
      transaction: count(sent, /^select .* from transactions where id = any/),
      wallet: count(sent, /^select .* from ledger_accounts where id = \S+ and user_id = \S+ and kind = 'WALLET'/),
    });
    expect(reads(depositSql)).toEqual({ payment: 0, transaction: 0, wallet: 0 });
    expect(reads(withdrawSql)).toEqual({ payment: 0, transaction: 0, wallet: 1 });
    // A repeat is answered from what was recorded, read afresh: the same rows.
    const again = await withdraw(server, c, '40000', 'answer-w', { bankCode: '001' });
    expect(again.data!.withdraw.transaction).toEqual(held.data!.withdraw.transaction);
  });

  it('moves money in one statement per step, like a transfer: no transaction of several statements anywhere', async () => {
    const c = await customer(server, { funds: 100_000n });
    // What the app sends meanwhile, less the background jobs' look for due work (their leases: `skip locked`).
    const texts = async (fn: () => Promise<unknown>) =>
      (await queriesDuring(server.app, fn)).map((q) => q.sql.replace(/\s+/g, ' ')).filter((q) => !q.includes('for update skip locked'));
    let checkoutUrl = '';
    const open = await texts(async () => ({ checkoutUrl } = (await deposit(server, c, '5000', 'steps-d')).data!.deposit));
    const credit = await texts(() => fetch(checkoutUrl, form('success')));
    let withdrawal = '';
    const hold = await texts(async () => (withdrawal = (await withdraw(server, c, '4000', 'steps-w', { bankCode: '001' })).data!.withdraw.transaction.id));
    const ours = (step: string[]) => step.flatMap((q) => /^select (deposit_open|deposit_settle|withdraw_hold|payout_settle)\(/.exec(q)?.[1] ?? []);
    expect([ours(open), ours(credit), ours(hold)]).toEqual([['deposit_open'], ['deposit_settle'], ['withdraw_hold']]);
    for (const step of [open, credit, hold]) expect(step.filter((q) => /^(begin|savepoint|commit)\b/i.test(q))).toEqual([]);
    // Everything else each request sends, so a statement creeping back in shows here. The deposit:
    // the user's email (for the provider), the sandbox's own row and the checkout page's address;
    // the answer's `transaction { wallet }` is the wallet deposit_open read. The checkout: the
    // sandbox's own row, the payment with "was this event applied?", the provider's verification
    // (the sandbox's row). The withdrawal: the wallet (its currency, before the bank account is
    // resolved), "was this key answered?", the first attempt claimed, the sandbox's own row and
    // the payout's due time.
    expect([open.length, credit.length, hold.length]).toEqual([4, 4, 6]);
    // And the payout's outcome is one statement too, when the job finds its time has come.
    const job = await texts(async () => expect((await settled(server, c, withdrawal)).status).toBe('COMPLETED'));
    expect(job.filter((q) => /payout_settle|resolve_pending|update (ledger_|transactions)|insert into transactions|^(begin|commit)\b/i.test(q)).map((q) => q.slice(0, 20))).toEqual([
      'select payout_settle',
    ]);
  });

  it('writes audit_log rows for deposits, withdrawals and webhooks, with their outcome', async () => {
    const c = await customer(server, { funds: 100_000n });
    const since = await lastAuditId(server);
    const { checkoutUrl } = (await deposit(server, c, '15000', 'sb-audit-dep')).data!.deposit;
    await fetch(checkoutUrl, form('success'));
    const { checkoutUrl: second } = (await deposit(server, c, '16000', 'sb-audit-dep2')).data!.deposit;
    await fetch(second, form('failed'));
    const w = (await withdraw(server, c, '20000', 'sb-audit-wdr', { bankCode: '001', accountNumber: '0123456789' })).data!.withdraw.transaction;
    const insufficient = await withdraw(server, c, '200000', 'sb-audit-poor', { bankCode: '001', accountNumber: '0123456789' });
    expect(errorCode(insufficient)).toBe('INSUFFICIENT_FUNDS');
    expect((await settled(server, c, w.id)).status).toBe('COMPLETED');

    const rows = await sql<{ user_id: string | null; action: string; outcome: string; request_id: string | null; ip: string | null }>(
      server,
      'select user_id, action, outcome, request_id, ip from audit_log where id > ? order by id',
      [since],
    );
    const byAction = (action: string) => rows.filter((r) => r.action === action);
    expect(byAction('deposit').map((r) => r.outcome)).toEqual(['PENDING', 'PENDING']);
    expect(byAction('webhook:sandbox').map((r) => r.outcome)).toEqual(['DEPOSIT_CREDITED', 'DEPOSIT_FAILED']);
    expect(byAction('withdraw').map((r) => r.outcome)).toContain('PENDING');
    for (const r of [...byAction('deposit'), ...byAction('withdraw')]) {
      expect(r.user_id).toBe(c.id);
      expect(r.request_id).toBeTruthy();
      expect(r.ip).toBeTruthy();
    }
    for (const r of byAction('webhook:sandbox')) expect(r.request_id).toBeTruthy();
  });
});
