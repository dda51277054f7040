import { describe, expect, it } from 'vitest';
import { SimulateCardPurchaseDocument, WithdrawDocument } from '../generated/graphql.js';
import { account, newCard } from '../cards/sandbox-support.js';
import { errorCode } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

/**
 * The largest single transaction (MONITORING_MAX_TRANSACTION) in the TypeScript paths,
 * withdrawals and card purchases: exactly the limit goes through, one minor unit more is
 * refused and holds nothing. (Transfers apply it in SQL: test/wallets/transfer.test.ts.)
 */
const MAX = 30_000n;

const server = useTestServer({ MONITORING_MAX_TRANSACTION: `NGN=${MAX}`, SANDBOX_PAYOUT_DELAY_MS: '600000' });

async function funded() {
  const [user] = await seedUsers(server.app, 1, 'max');
  const walletId = await createWallet(server.app, user.id);
  await fund(server.app, walletId, 500_000n);
  return { ...user, walletId };
}

describe('largest single transaction', () => {
  it('a withdrawal of exactly the limit is held; one unit more is LIMIT_EXCEEDED naming the limit, and holds nothing', async () => {
    const u = await funded();
    const withdraw = (amount: bigint, idempotencyKey: string) =>
      server.gql(
        WithdrawDocument,
        { input: { walletId: u.walletId, amount: amount.toString(), bankCode: '001', accountNumber: '0123456789', idempotencyKey } },
        { token: u.token },
      );
    const over = await withdraw(MAX + 1n, 'over');
    expect(errorCode(over)).toBe('LIMIT_EXCEEDED');
    expect(over.errors![0].extensions).toMatchObject({ limit: 'MAX_TRANSACTION', max: '30000' });
    expect(await account(server, u.walletId)).toEqual({ balance: 500_000n, available: 500_000n, pending: 0n });

    const exact = await withdraw(MAX, 'exact');
    expect(exact.errors).toBeUndefined();
    expect(await account(server, u.walletId)).toEqual({ balance: 500_000n, available: 470_000n, pending: 30_000n });
  });

  it('a card purchase of exactly the limit is approved; one unit more is declined with the reason and holds nothing', async () => {
    const u = await funded();
    // Loading a card is not spending: the limit does not apply to it.
    const { card } = await newCard(server, u.token, { walletId: u.walletId, initialAmount: '40000' });
    const buy = (amount: bigint) =>
      server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: amount.toString(), merchantName: 'Shop' } }, { token: u.token });
    const over = await buy(MAX + 1n);
    expect(over.errors).toBeUndefined();
    expect(over.data!.simulateCardPurchase.transaction).toMatchObject({ status: 'FAILED', failureReason: 'A transaction limit would be exceeded' });
    expect(await account(server, card.id)).toEqual({ balance: 40_000n, available: 40_000n, pending: 0n });

    const exact = await buy(MAX);
    expect(exact.data!.simulateCardPurchase.transaction).toMatchObject({ status: 'COMPLETED', failureReason: null });
    expect(await account(server, card.id)).toEqual({ balance: 10_000n, available: 10_000n, pending: 0n });
  });
});
