import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { untilListening } from '../client/apollo-support.js';
import { BalanceUpdatedDocument } from '../generated/graphql.js';
import { connectWs, listen, settle } from '../live/replica-support.js';
import { withInsertFault } from '../support/helpers.js';
import { customer, deposit, jobOnlyPaystack, transaction, wallet, waitFor } from './payments-helpers.js';

/**
 * The recovery job settles several payments in one piece of tracked work, each in its own
 * transaction, and goes on past one that fails. A settlement that moved a wallet and then rolled
 * back must never be announced: its owner's subscribers hear nothing, while the payment settled
 * beside it in the same work is announced as usual.
 */

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

describe('the recovery job, when one settlement rolls back', () => {
  const job = jobOnlyPaystack();

  it('announces the payment it settled and nothing of the one PostgreSQL refused', { timeout: 30_000 }, async () => {
    const { server, fake } = job.env;
    const [unlucky, lucky] = [await customer(server), await customer(server)];
    const heard = new Map<string, ReturnType<typeof listen>>();
    for (const c of [unlucky, lucky]) {
      heard.set(c.id, listen(connectWs(server.graphqlUrl, c.token, clients), print(BalanceUpdatedDocument)));
      await untilListening(server, c.id, ['balance']);
    }
    const failing = (await deposit(server, unlucky, '31337', 'rb-unlucky')).data!.deposit.transaction;
    const settling = (await deposit(server, lucky, '42000', 'rb-lucky')).data!.deposit.transaction;

    // PostgreSQL fails to record the fee of the 31337 kobo deposit (Paystack kept 999): after
    // the deposit moved the wallet's counters (and the work noted that state), before the
    // settlement could commit.
    await withInsertFault(server.app, 'ledger_transfers', "new.code = 'FEE' and new.amount = 999", async () => {
      const verifies = () => fake.requestsTo('GET', `/transaction/verify/${failing.reference}`).length;
      await fake.pay(failing.reference, { fees: 999 });
      await fake.pay(settling.reference);
      await waitFor(() => wallet(server, lucky), (w) => w.balance === '42000', 15_000);
      // The job has met the failing one too, at least once after paying, and let it go.
      const asked = verifies();
      await waitFor(async () => verifies(), (n) => n > asked, 15_000);
      await settle(300);
      expect(await wallet(server, unlucky)).toMatchObject({ balance: '0' });
      expect((await transaction(server, unlucky, failing.id)).status).toBe('PENDING');
      expect(heard.get(unlucky.id)!.events).toEqual([]);
    });
    const events = heard.get(lucky.id)!.events as { balanceUpdated: { balance: { amount: string } } }[];
    expect(events.map((e) => e.balanceUpdated.balance.amount)).toEqual(['42000']);
    // Without the fault the next run settles it, and that is announced.
    await waitFor(() => wallet(server, unlucky), (w) => w.balance === '31337', 15_000);
    await heard.get(unlucky.id)!.waitFor(1, 5_000);
  });
});
