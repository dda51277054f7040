import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentRepository } from '../../src/domain/payments/payment.repository.js';
import { DepositDocument, TransactionDocument, TransferDocument, WalletDocument, WithdrawDocument } from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { errorCode, signedSum, sql, waitFor, walletHistory, httpClient } from './money-helpers.js';

/**
 * What a restart must not change: a replayed request returns what the first one did, from
 * PostgreSQL alone (each server here has Redis keys of its own), and money in flight (a
 * withdrawal's hold) is carried through by the new process's payment job, from stored rows.
 *
 * Every server in this file shares the worker database (reset() is never called) and one
 * DATA_DIR, so the JWT keys survive the restart and clients keep their tokens.
 */

let dataDir: string;
const servers: TestServer[] = [];
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'wallet-restart-'));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close().catch(() => undefined);
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startTestServer({ DATA_DIR: dataDir, ...env });
  servers.push(s);
  return s;
}

async function stop(s: TestServer): Promise<void> {
  servers.splice(servers.indexOf(s), 1);
  await s.close();
}

/** The payment job never runs on its own while this server lives (only at start-up). */
const NO_JOB = { PAYMENTS_JOB_INTERVAL_MS: '3600000' };

describe('idempotency and money in flight across a restart', () => {
  it('replays transfers, refusals, deposits and withdrawals by key after a restart, moving nothing', async () => {
    const first = await start({ ...NO_JOB, SANDBOX_PAYOUT_DELAY_MS: '600000' });
    const [alice, bob] = await seedUsers(first.app, 2, 'restart');
    const walletId = await createWallet(first.app, alice.id);
    await fund(first.app, walletId, 10_000n);

    const transfer = (amount: string, key: string, s: TestServer) =>
      s.gql(TransferDocument, { input: { fromWalletId: walletId, recipientEmail: bob.email, amount, idempotencyKey: key } }, { token: alice.token });
    const withdraw = (s: TestServer) =>
      s.gql(
        WithdrawDocument,
        { input: { walletId, amount: '1000', bankCode: '001', accountNumber: '0123456789', idempotencyKey: 'W' } },
        { token: alice.token },
      );
    const deposit = (s: TestServer) =>
      s.gql(DepositDocument, { input: { walletId, amount: '777', idempotencyKey: 'D' } }, { token: alice.token });

    const sent = await transfer('2500', 'K', first);
    expect(sent.errors).toBeUndefined();
    const refused = await transfer('1000000', 'K2', first);
    expect(errorCode(refused)).toBe('INSUFFICIENT_FUNDS');
    const held = await withdraw(first);
    expect(held.errors).toBeUndefined();
    expect(held.data!.withdraw.wallet.pendingDebits.amount).toBe('1000');
    const pending = await deposit(first);
    expect(pending.errors).toBeUndefined();
    const before = (await first.gql(WalletDocument, { id: walletId }, { token: alice.token })).data!.wallet!;
    expect(before).toMatchObject({ balance: { amount: '7500' }, availableBalance: { amount: '6500' }, pendingDebits: { amount: '1000' } });
    const c1 = httpClient(first.graphqlUrl, 1);
    const rowsBefore = await walletHistory(c1, alice.token, walletId);
    c1.close();

    await stop(first);
    const second = await start({ ...NO_JOB, SANDBOX_PAYOUT_DELAY_MS: '600000' });
    expect(second.url).not.toBe(first.url);
    expect(second.redisPrefix).not.toBe(first.redisPrefix);

    // The same transfer: the same transaction, nothing moved again.
    const replay = await transfer('2500', 'K', second);
    expect(replay.errors).toBeUndefined();
    expect(replay.data!.transfer.transaction.id).toBe(sent.data!.transfer.transaction.id);
    expect(replay.data!.transfer.wallet.balance.amount).toBe('7500');
    // Now alice could afford K2, yet its recorded answer stands.
    await fund(second.app, walletId, 1_000_000n);
    expect(errorCode(await transfer('1000000', 'K2', second))).toBe('INSUFFICIENT_FUNDS');
    // The same key for another amount or another operation is a reuse.
    expect(errorCode(await transfer('2501', 'K', second))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(
      errorCode(await second.gql(DepositDocument, { input: { walletId, amount: '2500', idempotencyKey: 'K' } }, { token: alice.token })),
    ).toBe('IDEMPOTENCY_KEY_REUSED');
    // The withdrawal and the deposit: the same transactions, no second hold, no second deposit.
    const heldAgain = await withdraw(second);
    expect(heldAgain.errors).toBeUndefined();
    expect(heldAgain.data!.withdraw.transaction.id).toBe(held.data!.withdraw.transaction.id);
    expect(heldAgain.data!.withdraw.wallet.pendingDebits.amount).toBe('1000');
    const depositAgain = await deposit(second);
    expect(depositAgain.errors).toBeUndefined();
    expect(depositAgain.data!.deposit.transaction.id).toBe(pending.data!.deposit.transaction.id);

    const after = (await second.gql(WalletDocument, { id: walletId }, { token: alice.token })).data!.wallet!;
    expect(after).toMatchObject({ balance: { amount: '1007500' }, pendingDebits: { amount: '1000' } });
    const bobs = await sql<{ b: string }>(
      second.app,
      `select credits_posted - debits_posted as b from ledger_accounts where user_id = ? and kind = 'WALLET'`,
      [bob.id],
    );
    expect(bobs[0].b).toBe('2500');
    // One more row (the funding after the restart), none from the replays.
    const c2 = httpClient(second.graphqlUrl, 1);
    const rowsAfter = await walletHistory(c2, alice.token, walletId);
    c2.close();
    expect(rowsAfter).toHaveLength(rowsBefore.length + 1);
    expect(signedSum(rowsAfter)).toBe(1_007_500n);
    // One hold, one payment, one payout for the withdrawal's key.
    const [counts] = await sql<{ payments: string; payouts: string; holds: string }>(
      second.app,
      `select (select count(*) from payments where user_id = ? and kind = 'WITHDRAWAL') as payments,
              (select count(*) from sandbox_payments where reference = ?) as payouts,
              (select count(*) from ledger_transfers where debit_account_id = ? and status = 'PENDING') as holds`,
      [alice.id, held.data!.withdraw.transaction.reference, walletId],
    );
    expect(counts).toEqual({ payments: '1', payouts: '1', holds: '1' });
    expect((await second.app.services.ledger.report(second.app.orm.em.fork())).balanced).toBe(true);
  });

  it('a payout sent before the restart settles after it, from its stored due time', async () => {
    // A payout that settles a second after it was sent, on a server whose job never gets to it.
    const first = await start({ ...NO_JOB, SANDBOX_PAYOUT_DELAY_MS: '1000' });
    const [carol] = await seedUsers(first.app, 1, 'inflight');
    const walletId = await createWallet(first.app, carol.id);
    await fund(first.app, walletId, 50_000n);
    const send = (accountNumber: string, amount: string, key: string) =>
      first.gql(WithdrawDocument, { input: { walletId, amount, bankCode: '001', accountNumber, idempotencyKey: key } }, { token: carol.token });
    const good = await send('0123456789', '20000', 'good');
    const bad = await send('0000000000', '5000', 'bad');
    expect(good.data!.withdraw.transaction.status).toBe('PENDING');
    expect(bad.data!.withdraw.wallet).toMatchObject({ availableBalance: { amount: '25000' }, pendingDebits: { amount: '25000' } });
    // Both were sent to the provider before the process stopped.
    const [{ sent }] = await sql<{ sent: string }>(first.app, 'select count(*) as sent from sandbox_payments where reference in (?, ?)', [
      good.data!.withdraw.transaction.reference,
      bad.data!.withdraw.transaction.reference,
    ]);
    expect(sent).toBe('2');
    await stop(first);
    // Its settlement time passes while no process runs.
    await new Promise((r) => setTimeout(r, 1_100));

    const second = await start({ PAYMENTS_JOB_INTERVAL_MS: '100', SANDBOX_PAYOUT_DELAY_MS: '100' });
    const status = (id: string) => second.gql(TransactionDocument, { id }, { token: carol.token }).then((r) => r.data!.transaction!.status);
    const settled = await waitFor(
      () => Promise.all([status(good.data!.withdraw.transaction.id), status(bad.data!.withdraw.transaction.id)]),
      ([g, b]) => g !== 'PENDING' && b !== 'PENDING',
      10_000,
    );
    expect(settled).toEqual(['COMPLETED', 'FAILED']);
    const w = await second.gql(WalletDocument, { id: walletId }, { token: carol.token });
    expect(w.data!.wallet).toMatchObject({ balance: { amount: '30000' }, availableBalance: { amount: '30000' }, pendingDebits: { amount: '0' } });
    // Each payout was sent once, with its own reference.
    const sentRows = await sql<{ n: string }>(second.app, 'select count(*) as n from sandbox_payments where reference in (?, ?)', [
      good.data!.withdraw.transaction.reference,
      bad.data!.withdraw.transaction.reference,
    ]);
    expect(sentRows[0].n).toBe('2');
    expect((await second.app.services.ledger.report(second.app.orm.em.fork())).balanced).toBe(true);
  });

  it('a withdrawal recorded but never sent (the process stopped before the provider call) is sent once after the restart', async () => {
    const first = await start({ ...NO_JOB, PAYMENTS_RECHECK_AFTER_SECONDS: '1' });
    // The process "dies" between the commit of the hold and the provider call: no request
    // claims the first attempt, so nothing is sent.
    const repo = (first.app.services.withdrawals as unknown as { payments: PaymentRepository }).payments;
    repo.claimFirstAttempt = async () => null;
    const [dave] = await seedUsers(first.app, 1, 'unsent');
    const walletId = await createWallet(first.app, dave.id);
    await fund(first.app, walletId, 9_000n);
    const res = await first.gql(
      WithdrawDocument,
      { input: { walletId, amount: '4000', bankCode: '002', accountNumber: '0987654321', idempotencyKey: 'unsent' } },
      { token: dave.token },
    );
    expect(res.errors).toBeUndefined();
    const transactionId = res.data!.withdraw.transaction.id;
    expect(res.data!.withdraw.wallet.pendingDebits.amount).toBe('4000');
    const reference = res.data!.withdraw.transaction.reference;
    const sandboxRows = () => sql<{ n: string }>(first.app, 'select count(*) as n from sandbox_payments where reference = ?', [reference]);
    expect((await sandboxRows())[0].n).toBe('0');
    const [{ attempts }] = await sql<{ attempts: number }>(first.app, 'select attempts from payments where reference = ?', [reference]);
    expect(attempts).toBe(0);
    await stop(first);

    const second = await start({ PAYMENTS_JOB_INTERVAL_MS: '100', SANDBOX_PAYOUT_DELAY_MS: '100', PAYMENTS_RECHECK_AFTER_SECONDS: '1' });
    const done = await waitFor(
      () => second.gql(TransactionDocument, { id: transactionId }, { token: dave.token }).then((r) => r.data!.transaction!.status),
      (s) => s !== 'PENDING',
      10_000,
    );
    expect(done).toBe('COMPLETED');
    const [row] = await sql<{ n: string }>(second.app, 'select count(*) as n from sandbox_payments where reference = ?', [reference]);
    expect(row.n).toBe('1');
    const w = await second.gql(WalletDocument, { id: walletId }, { token: dave.token });
    expect(w.data!.wallet).toMatchObject({ balance: { amount: '5000' }, pendingDebits: { amount: '0' } });
    // A replay of the request after all that: the same transaction, still one payout.
    const replay = await second.gql(
      WithdrawDocument,
      { input: { walletId, amount: '4000', bankCode: '002', accountNumber: '0987654321', idempotencyKey: 'unsent' } },
      { token: dave.token },
    );
    expect(replay.data!.withdraw.transaction).toMatchObject({ id: transactionId, status: 'COMPLETED' });
    expect(replay.data!.withdraw.wallet.balance.amount).toBe('5000');
    expect((await second.app.services.ledger.report(second.app.orm.em.fork())).balanced).toBe(true);
  });
});
