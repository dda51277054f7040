import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/helpers.js';
import { useTestServer } from '../support/server.js';
import { account, expectBalanced, newCard, sql, userWithWallet } from './sandbox-support.js';

/**
 * A capture beyond what its card holds takes the rest from the wallet, and books what is still
 * short as a receivable (CardSettlementService.coverShortfall). It decides how much each source
 * gives from their balances, so it reads them only once it holds their locks: a movement of the
 * wallet that is still committing when the capture starts is waited for, and counted.
 */
const server = useTestServer();

describe('a capture beyond the card balance', () => {
  it('waits for a movement of the wallet that is committing, and takes what is left after it', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n, 'short');
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '1000' }); // wallet 4,000, card 1,000
    const ledger = server.app.services.ledger;

    let capture!: Promise<unknown>;
    await server.app.orm.em.fork().transactional(async (tx) => {
      // Another movement of the wallet, not yet committed: it holds the wallet's row.
      const settlement = await ledger.systemAccount(tx, 'SETTLEMENT', 'sandbox', 'NGN');
      await ledger.transfer(tx, { debitAccountId: walletId, creditAccountId: settlement, amount: 3_900n, currency: 'NGN', code: 'WITHDRAWAL', reference: 'wdr-elsewhere' });
      capture = server.app.services.track(() =>
        server.app.services.cardSettlements.capture(server.app.orm.em.fork(), card.id, null, 1_500n, { name: 'Airline' }),
      );
      capture.catch(() => undefined);
      await waitFor(
        () => sql<{ n: number }>(server.app, `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`),
        ([row]) => row.n >= 1,
        8_000,
      );
    });

    // 1,000 from the card, the 100 the wallet has left, 400 booked as owed.
    await expect(capture).resolves.toMatchObject({ type: 'CARD_PURCHASE', status: 'COMPLETED', amount: 1_500n });
    expect(await account(server, card.id)).toEqual({ balance: 0n, available: 0n, pending: 0n });
    expect((await account(server, walletId)).balance).toBe(0n);
    const flags = await sql<{ rule: string; details: Record<string, string> }>(server.app, 'select rule, details from transaction_flags');
    expect(flags).toEqual([{ rule: 'CARD_RECEIVABLE', details: { cardId: card.id, unpaid: '400' } }]);
    await expectBalanced(server);
  });
});
