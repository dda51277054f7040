import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PaymentRepository, type Payment } from '../../src/domain/payments/payment.repository.js';
import { sql } from '../support/helpers.js';
import { useTestServer } from '../support/server.js';
import { admin, customer, deposit, expectLedgerBalanced, wallet, withdraw, type Customer } from './payments-helpers.js';

/**
 * The payment functions (src/db/functions: deposit_settle, payout_settle, resolve_pending) refuse
 * what their callers must never ask, and change nothing when they do: the suites over HTTP drive
 * every path a provider can take; these are the calls no provider answer leads to.
 */

// Payouts stay PENDING for the whole test: the job never settles them meanwhile.
const server = useTestServer({ SANDBOX_PAYOUT_DELAY_MS: '600000', PAYMENTS_JOB_INTERVAL_MS: '600000' });
let adminToken: string;
beforeEach(async () => {
  adminToken = (await admin(server)).token;
});
afterEach(async () => {
  await expectLedgerBalanced(server, adminToken);
});

const payments = new PaymentRepository();
const em = () => server.app.orm.em.fork();

/** A customer with 100000 and a withdrawal of 40000 held, its payment PENDING. */
async function held(key: string): Promise<{ c: Customer; payment: Payment }> {
  const c = await customer(server, { funds: 100_000n });
  const res = await withdraw(server, c, '40000', key, { bankCode: '001' });
  expect(res.errors).toBeUndefined();
  const payment = (await payments.findByReference(em(), res.data!.withdraw.transaction.reference))!;
  expect(payment.status).toBe('PENDING');
  return { c, payment };
}

/** What a refused call must have left as it was. */
async function state(c: Customer, payment: Payment) {
  const [row] = await sql<{ status: string; failure_reason: string | null }>(server, 'select status, failure_reason from payments where id = ?', [payment.id]);
  const rows = await sql<{ type: string; status: string }>(server, 'select type, status from transactions where account_id = ? order by seq', [c.walletId]);
  return { payment: row, wallet: await wallet(server, c), rows };
}

describe('the payment functions refuse what no provider answer asks', () => {
  it('a payout settles only as SUCCEEDED, FAILED or REVERSED: PENDING or UNKNOWN is refused and changes nothing', async () => {
    const { c, payment } = await held('pf-status');
    const before = await state(c, payment);
    expect(before.wallet).toMatchObject({ balance: '100000', available: '60000', pending: '40000' });
    for (const status of ['PENDING', 'UNKNOWN'] as const) {
      await expect(server.app.services.withdrawals.settle(em(), payment, { status })).rejects.toThrow(
        `a payout settles only as SUCCEEDED, FAILED or REVERSED, not ${status}`,
      );
    }
    expect(await state(c, payment)).toEqual(before);
  });

  it('a deposit settles only as paid or not paid: a status it cannot read is refused, never credited', async () => {
    const c = await customer(server, { funds: 100_000n });
    const started = await deposit(server, c, '5000', 'pf-unread');
    expect(started.errors).toBeUndefined();
    const payment = (await payments.findByReference(em(), started.data!.deposit.transaction.reference))!;
    const before = await state(c, payment);
    const unread = { status: null, fee: 0n } as unknown as { status: 'SUCCEEDED'; fee: bigint };
    await expect(server.app.services.deposits.settle(em(), payment, unread)).rejects.toThrow('a deposit settles only as paid or not paid, not null');
    expect(await state(c, payment)).toEqual(before);
    expect(before.payment.status).toBe('PENDING');
  });

  it("a deposit's outcome for a withdrawal's payment is refused: the hold is never credited as a deposit", async () => {
    const { c, payment } = await held('pf-kind');
    const before = await state(c, payment);
    await expect(server.app.services.deposits.settle(em(), payment, { status: 'SUCCEEDED', fee: 0n })).rejects.toThrow(`no deposit ${payment.id}`);
    expect(await state(c, payment)).toEqual(before);
  });

  it('a settle function commits on its own: called inside a transaction it is refused before anything is sent', async () => {
    const { c, payment } = await held('pf-tx');
    const before = await state(c, payment);
    await expect(em().transactional((tx) => server.app.services.withdrawals.settle(tx, payment, { status: 'SUCCEEDED' }))).rejects.toThrow(
      'payout_settle commits on its own: call it outside a transaction',
    );
    await expect(em().transactional((tx) => server.app.services.deposits.settle(tx, payment, { status: 'SUCCEEDED', fee: 0n }))).rejects.toThrow(
      'deposit_settle commits on its own: call it outside a transaction',
    );
    expect(await state(c, payment)).toEqual(before);
  });

  it('a hold is resolved once: resolving it again answers false and moves nothing', async () => {
    const { c, payment } = await held('pf-once');
    expect(await server.app.services.withdrawals.settle(em(), payment, { status: 'SUCCEEDED' })).toBe('PAYOUT_COMPLETED');
    const after = await state(c, payment);
    expect(after.wallet).toMatchObject({ balance: '60000', available: '60000', pending: '0' });
    for (const outcome of ['POST', 'VOID'] as const) {
      const again = await em().transactional((tx) => server.app.services.ledger.resolvePending(tx, payment.transferId!, outcome));
      expect(again).toEqual({ resolved: false, accounts: new Map() });
    }
    expect(await server.app.services.withdrawals.settle(em(), payment, { status: 'FAILED', failureReason: 'late' })).toBe('ALREADY_SETTLED');
    expect(await state(c, payment)).toEqual(after);
  });
});
