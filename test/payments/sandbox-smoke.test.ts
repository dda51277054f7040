import { describe, expect, it } from 'vitest';
import { DepositDocument, TransactionDocument, WalletDocument, WithdrawDocument } from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer({ SANDBOX_PAYOUT_DELAY_MS: '200', PAYMENTS_JOB_INTERVAL_MS: '100' });

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sandbox deposits and withdrawals', () => {
  it('deposits through the checkout page', async () => {
    const [u] = await seedUsers(server.app, 1);
    const walletId = await createWallet(server.app, u.id);
    const res = await server.gql(DepositDocument, { input: { walletId, amount: '250000', idempotencyKey: 'd1' } }, { token: u.token });
    expect(res.errors).toBeUndefined();
    const { transaction, checkoutUrl } = res.data!.deposit;
    expect(transaction.status).toBe('PENDING');
    const page = await fetch(checkoutUrl);
    expect(await page.text()).toContain('NGN 2,500.00');
    const paid = await fetch(checkoutUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=success',
    });
    expect(paid.status).toBe(200);
    expect(await paid.text()).toContain('Payment received');
    const w = await server.gql(WalletDocument, { id: walletId }, { token: u.token });
    expect(w.data!.wallet!.balance.amount).toBe('250000');
    const t = await server.gql(TransactionDocument, { id: transaction.id }, { token: u.token });
    expect(t.data!.transaction!.status).toBe('COMPLETED');
    // Paying again changes nothing.
    const again = await fetch(checkoutUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"success"}' });
    expect(again.status).toBe(409);
  });

  it('withdraws: hold at once, settles later; the failing account gets its money back', async () => {
    const [u] = await seedUsers(server.app, 1);
    const walletId = await createWallet(server.app, u.id);
    await fund(server.app, walletId, 100_000n);
    const ok = await server.gql(
      WithdrawDocument,
      { input: { walletId, amount: '30000', bankCode: '001', accountNumber: '0123456789', idempotencyKey: 'w1' } },
      { token: u.token },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.withdraw.transaction.status).toBe('PENDING');
    expect(ok.data!.withdraw.wallet.availableBalance.amount).toBe('70000');
    expect(ok.data!.withdraw.wallet.pendingDebits.amount).toBe('30000');
    const done = await waitFor(
      () => server.gql(TransactionDocument, { id: ok.data!.withdraw.transaction.id }, { token: u.token }),
      (r) => r.data!.transaction!.status !== 'PENDING',
    );
    expect(done.data!.transaction!.status).toBe('COMPLETED');

    const bad = await server.gql(
      WithdrawDocument,
      { input: { walletId, amount: '20000', bankCode: '001', accountNumber: '0000000000', idempotencyKey: 'w2' } },
      { token: u.token },
    );
    const failed = await waitFor(
      () => server.gql(TransactionDocument, { id: bad.data!.withdraw.transaction.id }, { token: u.token }),
      (r) => r.data!.transaction!.status !== 'PENDING',
    );
    expect(failed.data!.transaction!.status).toBe('FAILED');
    const w = await server.gql(WalletDocument, { id: walletId }, { token: u.token });
    expect(w.data!.wallet!.balance.amount).toBe('70000');
    expect(w.data!.wallet!.pendingDebits.amount).toBe('0');
    const report = await server.app.services.ledger.report(server.app.orm.em.fork());
    expect(report).toMatchObject({ balanced: true, mismatchedAccountIds: [] });
  });
});
