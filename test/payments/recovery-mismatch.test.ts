import { describe, expect, it } from 'vitest';
import { FlaggedTransactionsDocument } from '../generated/graphql.js';
import { customer, deposit, errorCode, history, jobOnlyPaystack, transaction, wallet, waitFor, type Customer } from './payments-helpers.js';
import { sql } from '../support/helpers.js';

/**
 * The recovery job (rule 8) asks Paystack's transaction/verify about PENDING deposits whose
 * webhook never came. A payment verified as successful but for another amount or in another
 * currency is refused as the webhook path refuses it: nothing credited, flagged for an ADMIN.
 */

describe('Paystack deposits verified by the recovery job with another amount or currency', () => {
  // No webhooks: only the job's GET /transaction/verify can learn of the payment.
  const job = jobOnlyPaystack();

  const verifies = (reference: string) => job.env.fake.requestsTo('GET', `/transaction/verify/${reference}`).length;

  /** Waits until the job decided something about the deposit: a flag, or a status other than PENDING. */
  async function decided(c: Customer, id: string) {
    return waitFor(
      async () => ({
        flags: await sql<{ rule: string; details: Record<string, string> }>(
          job.env.server,
          'select rule, details from transaction_flags where transaction_id = ?',
          [id],
        ),
        status: (await transaction(job.env.server, c, id)).status,
      }),
      (s) => s.flags.length > 0 || s.status !== 'PENDING',
      10_000,
    );
  }

  async function expectRefusedAndFlagged(c: Customer, t: { id: string; reference: string }, details: Record<string, string>) {
    const { server } = job.env;
    const seen = await decided(c, t.id);
    expect(verifies(t.reference)).toBeGreaterThanOrEqual(1);
    expect(seen.status).toBe('PENDING');
    expect(seen.flags).toEqual([{ rule: 'DEPOSIT_AMOUNT_MISMATCH', details: expect.objectContaining(details) }]);

    // Visible to an ADMIN, not to the customer.
    const flagged = await server.gql(FlaggedTransactionsDocument, { first: 10 }, { token: job.adminToken });
    expect(flagged.errors).toBeUndefined();
    expect(flagged.data!.flaggedTransactions!.edges.map((e) => e.node.id)).toEqual([t.id]);
    expect(errorCode(await server.gql(FlaggedTransactionsDocument, { first: 10 }, { token: c.token }))).toBe('FORBIDDEN');

    // The job asks again later and still credits nothing (and flags once).
    const asked = verifies(t.reference);
    await waitFor(async () => verifies(t.reference), (n) => n > asked, 10_000);
    expect(verifies(t.reference)).toBeGreaterThan(asked);
    expect(await wallet(server, c)).toMatchObject({ balance: '0', available: '0', pending: '0' });
    expect((await transaction(server, c, t.id)).status).toBe('PENDING');
    expect((await history(server, c)).map((r) => r.id)).toEqual([t.id]);
    expect(await sql(server, 'select id from ledger_transfers where reference = ?', [t.reference])).toEqual([]);
    expect(await sql(server, 'select rule from transaction_flags where transaction_id = ?', [t.id])).toHaveLength(1);
  }

  it('a payment verified for another amount credits nothing and is flagged DEPOSIT_AMOUNT_MISMATCH', async () => {
    const { server, fake } = job.env;
    const c = await customer(server);
    const t = (await deposit(server, c, '250000', 'rec-amount')).data!.deposit.transaction;
    // The customer paid 100 kobo on a 2,500 naira checkout; no webhook reaches us.
    const { webhook } = await fake.pay(t.reference, { amount: 100 });
    expect(webhook).toBeUndefined();
    await expectRefusedAndFlagged(c, t, { expected: '250000', verified: '100' });
  });

  it('a payment verified in another currency credits nothing and is flagged DEPOSIT_AMOUNT_MISMATCH', async () => {
    const { server, fake } = job.env;
    const c = await customer(server);
    const t = (await deposit(server, c, '250000', 'rec-currency')).data!.deposit.transaction;
    const { webhook } = await fake.pay(t.reference, { currency: 'GHS' });
    expect(webhook).toBeUndefined();
    await expectRefusedAndFlagged(c, t, { expectedCurrency: 'NGN', verifiedCurrency: 'GHS' });
  });
});
