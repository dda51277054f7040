import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerReportDocument, MyWalletsDocument, TransactionDocument, TransferDocument, WalletDocument, WithdrawDocument } from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { errorCode, httpClient, pool, signedSum, sql, waitFor, walletHistory, type Client } from './money-helpers.js';

/**
 * Double spend: many concurrent debits of one wallet, over a handful of keep-alive HTTP
 * connections, can never take out more than it holds. Holds (withdrawals) count against
 * what is available exactly as posted debits do.
 */

const CONNECTIONS = 16;

const server = useTestServer({
  // Long enough that no payout settles (and no failed one gives money back) while a test runs.
  SANDBOX_PAYOUT_DELAY_MS: '600000',
  PAYMENTS_JOB_INTERVAL_MS: '100',
  PAYMENTS_RECHECK_AFTER_SECONDS: '1',
  DATABASE_POOL_MAX: '10',
});
let client: Client;
beforeAll(() => {
  client = httpClient(server.graphqlUrl, CONNECTIONS);
});
afterAll(() => client?.close());

async function makeAdmin(userId: string): Promise<void> {
  await sql(server.app, `update users set role = 'ADMIN' where id = ?`, [userId]);
}

/** Watches one wallet until stopped: PostgreSQL's counters and what the API shows. */
function watch(walletId: string, token: string) {
  const seen: string[] = [];
  let samples = 0;
  let running = true;
  const watcher = httpClient(server.graphqlUrl, 1);
  const done = (async () => {
    while (running) {
      const [row] = await sql<{ balance: string; available: string }>(
        server.app,
        'select credits_posted - debits_posted as balance, credits_posted - debits_posted - debits_pending as available from ledger_accounts where id = ?',
        [walletId],
      );
      if (BigInt(row.balance) < 0n || BigInt(row.available) < 0n) seen.push(`stored ${JSON.stringify(row)}`);
      const w = await watcher.gql(WalletDocument, { id: walletId }, token);
      const shown = w.data?.wallet;
      if (!shown) seen.push(`read failed: ${JSON.stringify(w.errors)}`);
      else if (BigInt(shown.balance.amount) < 0n || BigInt(shown.availableBalance.amount) < 0n) seen.push(`shown ${JSON.stringify(shown)}`);
      samples++;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      watcher.close();
      return { negatives: seen, samples };
    },
  };
}

describe('double spend', () => {
  it('1,000 concurrent debits of 1 from a wallet holding 100: exactly 100 succeed', { timeout: 60_000 }, async () => {
    const [alice, ...recipients] = await seedUsers(server.app, 4, 'spend');
    await makeAdmin(recipients[0].id);
    const walletId = await createWallet(server.app, alice.id);
    await fund(server.app, walletId, 100n);
    const watching = watch(walletId, alice.token);

    const results = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        client.gql(
          TransferDocument,
          { input: { fromWalletId: walletId, recipientEmail: recipients[i % 3].email, amount: '1', idempotencyKey: `spend-${i}` } },
          alice.token,
        ),
      ),
    );
    const { negatives, samples } = await watching.stop();

    const ok = results.filter((r) => !r.errors && r.data?.transfer.transaction.status === 'COMPLETED');
    const codes = results.filter((r) => r.errors).map((r) => errorCode(r));
    expect(ok).toHaveLength(100);
    expect(codes).toHaveLength(900);
    expect(codes.every((c) => c === 'INSUFFICIENT_FUNDS'), `other errors: ${[...new Set(codes)].join(', ')}`).toBe(true);
    expect(new Set(ok.map((r) => r.data!.transfer.transaction.id)).size).toBe(100);
    expect(negatives).toEqual([]);
    expect(samples).toBeGreaterThan(0);

    const w = await client.gql(WalletDocument, { id: walletId }, alice.token);
    expect(w.data!.wallet).toMatchObject({ balance: { amount: '0' }, availableBalance: { amount: '0' }, pendingDebits: { amount: '0' } });
    // The 100 went somewhere: the three recipients hold exactly them.
    let received = 0n;
    for (const r of recipients) {
      const mine = await client.gql(MyWalletsDocument, {}, r.token);
      received += BigInt(mine.data!.me!.wallets[0].balance.amount);
    }
    expect(received).toBe(100n);
    // Alice's history: the seed deposit and 100 debits, nothing for the refused 900.
    const rows = await walletHistory(client, alice.token, walletId);
    expect(rows.filter((r) => r.type === 'TRANSFER' && r.direction === 'DEBIT' && r.status === 'COMPLETED')).toHaveLength(100);
    expect(rows).toHaveLength(101);
    expect(signedSum(rows)).toBe(0n);
    const report = await client.gql(LedgerReportDocument, {}, recipients[0].token);
    expect(report.data!.ledgerReport).toMatchObject({ balanced: true, mismatchedAccountIds: [] });
  });

  it('transfers crossing between two wallets at once neither deadlock nor lose money', { timeout: 60_000 }, async () => {
    const [a, b] = await seedUsers(server.app, 2, 'cross');
    const wa = await createWallet(server.app, a.id);
    const wb = await createWallet(server.app, b.id);
    await fund(server.app, wa, 50n);
    await fund(server.app, wb, 50n);
    const results = await Promise.all(
      Array.from({ length: 600 }, (_, i) => {
        const [from, to, wallet] = i % 2 === 0 ? [a, b, wa] : [b, a, wb];
        return client.gql(
          TransferDocument,
          { input: { fromWalletId: wallet, recipientEmail: to.email, amount: String(1 + (i % 7)), idempotencyKey: `cross-${i}` } },
          from.token,
        );
      }),
    );
    const codes = new Set(results.filter((r) => r.errors).map((r) => errorCode(r)));
    expect([...codes].filter((c) => c !== 'INSUFFICIENT_FUNDS')).toEqual([]);
    expect(results.filter((r) => !r.errors).length).toBeGreaterThan(0);
    const [ra, rb] = await Promise.all([client.gql(WalletDocument, { id: wa }, a.token), client.gql(WalletDocument, { id: wb }, b.token)]);
    const ba = BigInt(ra.data!.wallet!.balance.amount);
    const bb = BigInt(rb.data!.wallet!.balance.amount);
    expect(ba >= 0n && bb >= 0n).toBe(true);
    expect(ba + bb).toBe(100n);
    expect(signedSum(await walletHistory(client, a.token, wa))).toBe(ba);
    expect(signedSum(await walletHistory(client, b.token, wb))).toBe(bb);
  });

  it('withdrawal holds and transfers mixed: 100 accepted out of 1,000, never below zero, holds settle or return', { timeout: 60_000 }, async () => {
    const [alice, bob] = await seedUsers(server.app, 2, 'hold');
    await makeAdmin(bob.id);
    const walletId = await createWallet(server.app, alice.id);
    await fund(server.app, walletId, 100n);
    const watching = watch(walletId, alice.token);

    type Outcome = { kind: 'transfer' | 'withdraw'; failing: boolean; id?: string; code?: string; availableAfter?: string };
    const outcomes = await pool(Array.from({ length: 1_000 }, (_, i) => i), 1_000, async (i): Promise<Outcome> => {
      if (i % 2 === 0) {
        const r = await client.gql(
          TransferDocument,
          { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '1', idempotencyKey: `mix-${i}` } },
          alice.token,
        );
        return { kind: 'transfer', failing: false, id: r.data?.transfer.transaction.id, code: errorCode(r) };
      }
      const failing = i % 4 === 1;
      const r = await client.gql(
        WithdrawDocument,
        {
          input: {
            walletId,
            amount: '1',
            bankCode: '001',
            accountNumber: failing ? '0000000000' : '0123456789',
            idempotencyKey: `mix-${i}`,
          },
        },
        alice.token,
      );
      const t = r.data?.withdraw;
      if (t && t.transaction.status !== 'PENDING') return { kind: 'withdraw', failing, code: `settled early: ${t.transaction.status}` };
      return { kind: 'withdraw', failing, id: t?.transaction.id, code: errorCode(r), availableAfter: t?.wallet.availableBalance.amount };
    });
    const { negatives, samples } = await watching.stop();

    const accepted = outcomes.filter((o) => o.id);
    const refused = outcomes.filter((o) => !o.id);
    expect(accepted).toHaveLength(100);
    expect(refused.filter((o) => o.code !== 'INSUFFICIENT_FUNDS')).toEqual([]);
    expect(negatives).toEqual([]);
    expect(samples).toBeGreaterThan(0);
    const withdrawals = accepted.filter((o) => o.kind === 'withdraw');
    const transfers = accepted.filter((o) => o.kind === 'transfer');
    // Both kinds won some of the race, so the holds really competed with the transfers.
    expect(withdrawals.length).toBeGreaterThan(0);
    expect(transfers.length).toBeGreaterThan(0);
    expect(withdrawals.every((o) => BigInt(o.availableAfter!) >= 0n)).toBe(true);

    // Everything is spoken for: the holds are pending, nothing is available.
    const held = await client.gql(WalletDocument, { id: walletId }, alice.token);
    expect(held.data!.wallet).toMatchObject({
      balance: { amount: String(100 - transfers.length) },
      availableBalance: { amount: '0' },
      pendingDebits: { amount: String(withdrawals.length) },
    });

    // Time passes: every payout reaches its settlement time; the job settles them.
    await sql(server.app, `update sandbox_payments set settle_at = now() where kind = 'WITHDRAWAL' and status = 'PENDING'`);
    await sql(server.app, `update payments set due_at = now() where kind = 'WITHDRAWAL' and status = 'PENDING'`);
    const left = await waitFor(
      async () => Number((await sql<{ n: string }>(server.app, `select count(*) as n from payments where status = 'PENDING'`))[0].n),
      (n) => n === 0,
      15_000,
    );
    expect(left).toBe(0);
    const statuses = await pool(withdrawals, 8, async (o) => {
      const t = await client.gql(TransactionDocument, { id: o.id! }, alice.token);
      return { failing: o.failing, status: t.data!.transaction!.status };
    });
    expect(statuses.filter((s) => s.status !== (s.failing ? 'FAILED' : 'COMPLETED'))).toEqual([]);
    const returned = statuses.filter((s) => s.failing).length;
    const final = await client.gql(WalletDocument, { id: walletId }, alice.token);
    expect(final.data!.wallet).toMatchObject({
      balance: { amount: String(returned) },
      availableBalance: { amount: String(returned) },
      pendingDebits: { amount: '0' },
    });
    expect(signedSum(await walletHistory(client, alice.token, walletId))).toBe(BigInt(returned));
    const report = await client.gql(LedgerReportDocument, {}, bob.token);
    expect(report.data!.ledgerReport).toMatchObject({ balanced: true, mismatchedAccountIds: [] });
  });
});
