import { describe, expect, it } from 'vitest';
import { CreateWalletDocument, DepositDocument, SignUpDocument, WalletDocument } from '../generated/graphql.js';
import { sql } from '../support/helpers.js';
import { useTestServer } from '../support/server.js';
import { PaymentRepository } from '../../src/domain/payments/payment.repository.js';

/**
 * Deposits had no upper bound: two paid 18-digit deposits made a balance MinorUnits cannot
 * show, and about ten overflowed the currency's settlement account. Now a deposit is capped
 * (LIMIT_DEPOSIT_MAX), a wallet's balance with its pending deposits is capped
 * (LIMIT_BALANCE_MAX), and the database refuses any stored amount MinorUnits cannot show.
 */
const server = useTestServer({ LIMIT_DEPOSIT_MAX: 'NGN=100000', LIMIT_BALANCE_MAX: 'NGN=250000' });

let n = 0;
async function wallet() {
  n += 1;
  const res = await server.gql(SignUpDocument, { input: { email: `caps${n}@example.com`, password: 'k3#Lp9!q', fullName: 'Caps' } });
  const token = res.data!.signUp.accessToken;
  const w = await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token });
  return { token, walletId: w.data!.createWallet.wallet.id };
}

const deposit = (token: string, walletId: string, amount: string, key = `k-${Math.random()}`) =>
  server.gql(DepositDocument, { input: { walletId, amount, idempotencyKey: key } }, { token });

/** Settles a started deposit as the provider's verified webhook would. */
async function pay(reference: string) {
  const em = server.app.orm.em.fork();
  const payment = (await new PaymentRepository().findByReference(em, reference))!;
  await server.app.services.track(() => server.app.services.deposits.settle(em, payment, { status: 'SUCCEEDED', fee: 0n }));
}

describe('amount caps', () => {
  it('refuses the attack: an 18-digit deposit is LIMIT_EXCEEDED on amount, and nothing is started', async () => {
    const { token, walletId } = await wallet();
    const res = await deposit(token, walletId, '999999999999999999');
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', field: 'input.amount', limit: '100000' });
    expect(await sql(server, 'select count(*)::int as n from payments where account_id = ?', [walletId])).toEqual([{ n: 0 }]);
    // The cap itself is allowed.
    expect((await deposit(token, walletId, '100000')).errors).toBeUndefined();
  });

  it('keeps a wallet within its balance cap, counting deposits still pending, and says how much still fits', async () => {
    const { token, walletId } = await wallet();
    const first = await deposit(token, walletId, '100000');
    const second = await deposit(token, walletId, '100000');
    await pay(first.data!.deposit.transaction.reference);
    // 100000 paid + 100000 pending: 50000 still fit.
    const third = await deposit(token, walletId, '50001');
    expect(third.errors?.[0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', field: 'input.amount', limit: '250000', room: '50000' });
    expect((await deposit(token, walletId, '50000')).errors).toBeUndefined();
    await pay(second.data!.deposit.transaction.reference);
    const full = await deposit(token, walletId, '1');
    expect(full.errors?.[0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', room: '0' });
    const w = await server.gql(WalletDocument, { id: walletId }, { token });
    expect(w.data!.wallet!.balance.amount).toBe('200000');
  });

  it('makes every stored amount showable: the database refuses a counter or amount past 18 digits', async () => {
    const { walletId } = await wallet();
    await expect(sql(server, 'update ledger_accounts set credits_posted = 1000000000000000000 where id = ?', [walletId])).rejects.toThrow(
      /ledger_accounts_representable/,
    );
    for (const [table, column] of [
      ['ledger_transfers', 'amount'],
      ['transactions', 'amount'],
      ['payments', 'amount'],
      ['card_authorizations', 'captured'],
      ['cards', 'spending_limit_amount'],
    ]) {
      const [constraint] = await sql<{ def: string }>(
        server,
        `select pg_get_constraintdef(oid) as def from pg_constraint where conname = ?`,
        [`${table}_representable`],
      );
      expect(constraint.def).toContain(`${column} <= '999999999999999999'`);
    }
  });
});
