import { describe, expect, it } from 'vitest';
import { payoutReference } from '../../src/domain/payments/withdrawal.service.js';
import { WithdrawDocument } from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

describe('payout references', () => {
  it('come from the idempotency key and the user, in characters every provider accepts', () => {
    const a = payoutReference('user-a', 'key with spaces/and ✓ symbols');
    expect(a).toMatch(/^wdr-[0-9a-f]{40}$/);
    expect(payoutReference('user-a', 'key with spaces/and ✓ symbols')).toBe(a);
    expect(payoutReference('user-b', 'key with spaces/and ✓ symbols')).not.toBe(a);
    expect(payoutReference('user-a', 'another key')).not.toBe(a);
  });

  describe('over HTTP', () => {
    const server = useTestServer({ SANDBOX_PAYOUT_DELAY_MS: '60000' }, { reset: false });

    it("a withdrawal's reference is its key's", async () => {
      const [u] = await seedUsers(server.app, 1);
      const walletId = await createWallet(server.app, u.id);
      await fund(server.app, walletId, 10_000n);
      const key = 'payout #1 (rent)';
      const res = await server.gql(
        WithdrawDocument,
        { input: { walletId, amount: '1000', bankCode: '001', accountNumber: '0123456789', idempotencyKey: key } },
        { token: u.token },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.withdraw.transaction.reference).toBe(payoutReference(u.id, key));
    });
  });
});
