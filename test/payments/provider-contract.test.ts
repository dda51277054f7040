import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, type PaymentProvider } from '../../src/providers/payment-provider.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { admin, customer, expectLedgerBalanced, settled, transaction, waitFor, wallet, withdraw as withdrawTo, type Customer } from './payments-helpers.js';
import { sql } from '../support/helpers.js';

/**
 * What deposits and withdrawals do when a payment provider breaks its contract. Adapters answer
 * payouts and payout checks with a status (UNKNOWN when they cannot tell) and do not throw;
 * none here does. A new adapter might, so the service must stay safe anyway: a definite refusal
 * voids the hold, anything else keeps it, and the recovery job goes on past a payment it cannot
 * settle. The sandbox provider's own methods are swapped for throwing ones on the running
 * server, one test at a time.
 */

let server: TestServer;
const withdraw = (s: TestServer, c: Customer, amount: string, key: string) =>
  withdrawTo(s, c, amount, key, { bankCode: '001', accountNumber: '0123456789' });
let adminToken: string;
let provider: PaymentProvider;
let original: Pick<PaymentProvider, 'payout' | 'checkPayout'>;

beforeAll(async () => {
  // Sandbox payouts never settle by themselves here; the job runs every 100 ms.
  server = await startTestServer({ SANDBOX_PAYOUT_DELAY_MS: '3600000', PAYMENTS_JOB_INTERVAL_MS: '100', PAYMENTS_RECHECK_AFTER_SECONDS: '1' });
  provider = (server.app.services.withdrawals as unknown as { provider: PaymentProvider }).provider;
  original = { payout: provider.payout, checkPayout: provider.checkPayout };
});
afterAll(() => server.close());
beforeEach(async () => {
  await server.reset();
  adminToken = (await admin(server)).token;
});
afterEach(async () => {
  Object.assign(provider, original);
  await expectLedgerBalanced(server, adminToken);
});

describe('a payment provider that throws', () => {
  it('a payout refused definitely (a thrown ProviderError marked definite) fails at once and returns the money', async () => {
    const c = await customer(server, { funds: 100_000n });
    provider.payout = async () => {
      throw new ProviderError('account closed', true, 422);
    };
    const res = await withdraw(server, c, '30000', 'w-refused-throw');
    expect(res.errors).toBeUndefined();
    expect(res.data!.withdraw.transaction).toMatchObject({ status: 'FAILED', failureReason: 'The provider refused the payout: account closed' });
    expect(await wallet(server, c)).toMatchObject({ balance: '100000', available: '100000', pending: '0' });
  });

  it('a payout that throws anything else keeps the hold: the money may have left', async () => {
    const c = await customer(server, { funds: 100_000n });
    for (const error of [new ProviderError('timed out', false), new TypeError('adapter bug')]) {
      provider.payout = async () => {
        throw error;
      };
      const res = await withdraw(server, c, '10000', `w-unknown-${error.name}`);
      expect(res.errors).toBeUndefined();
      expect(res.data!.withdraw.transaction.status).toBe('PENDING');
    }
    expect(await wallet(server, c)).toMatchObject({ balance: '100000', available: '80000', pending: '20000' });
    // Left for the job, which must not run into these while this test's hooks clean up.
    await sql(server, `update payments set due_at = now() + interval '1 hour'`);
  });

  it('a payout check that throws keeps the hold, however often the job asks', async () => {
    const c = await customer(server, { funds: 100_000n });
    const w = (await withdraw(server, c, '25000', 'w-check-throws')).data!.withdraw.transaction;
    let asked = 0;
    provider.checkPayout = async () => {
      asked++;
      throw new ProviderError('verify endpoint down', true, 404);
    };
    await sql(server, 'update payments set due_at = now() where reference = ?', [w.reference]);
    await waitFor(
      async () => asked,
      (n) => n >= 2,
      8_000,
    );
    expect(await transaction(server, c, w.id)).toMatchObject({ status: 'PENDING' });
    expect(await wallet(server, c)).toMatchObject({ balance: '100000', available: '75000', pending: '25000' });
    await sql(server, `update payments set due_at = now() + interval '1 hour'`);
  });

  it('the job goes on past a payment it cannot settle, and tries that one again later', async () => {
    const c = await customer(server, { funds: 100_000n });
    const bad = (await withdraw(server, c, '10000', 'w-unsettleable')).data!.withdraw.transaction;
    const good = (await withdraw(server, c, '20000', 'w-settleable')).data!.withdraw.transaction;
    // A fee the ledger cannot book (beyond bigint) makes settling the first payment fail.
    provider.checkPayout = async (reference) =>
      reference === bad.reference ? { status: 'SUCCEEDED', fee: 2n ** 70n } : { status: 'SUCCEEDED', fee: 0n };
    // The unsettleable one comes first in the job's batch.
    await sql(server, `update payments set due_at = now() - interval '1 minute' where reference = ?`, [bad.reference]);
    await sql(server, 'update payments set due_at = now() where reference = ?', [good.reference]);
    expect((await settled(server, c, good.id)).status).toBe('COMPLETED');
    expect(await transaction(server, c, bad.id)).toMatchObject({ status: 'PENDING' });
    const [row] = await sql<{ status: string }>(server, 'select status from payments where reference = ?', [bad.reference]);
    expect(row.status).toBe('PENDING');
    await sql(server, `update payments set due_at = now() + interval '1 hour'`);
    expect(await wallet(server, c)).toMatchObject({ balance: '80000', available: '70000', pending: '10000' });
  });
});
