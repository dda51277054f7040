import type { EntityManager } from '@mikro-orm/postgresql';
import type { LedgerAccount } from '../ledger/ledger-account.js';
import { ACCOUNT_COLUMNS, toAccount, type AccountRow } from '../ledger/ledger.repository.js';

/** Users' wallets: their ledger accounts of kind WALLET, one per user and currency. */
export class WalletRepository {
  /** open_wallet (src/db/functions/open_wallet.v1.sql); `opened` is false when the user had it already. */
  async open(em: EntityManager, newId: string, userId: string, currency: string): Promise<{ opened: boolean; wallet: LedgerAccount }> {
    const [{ r }] = await em.execute<{ r: { opened: boolean; wallet: AccountRow } }[]>('select open_wallet(?, ?, ?) as r', [
      newId,
      userId,
      currency,
    ]);
    return { opened: r.opened, wallet: toAccount(r.wallet) };
  }

  async listForUser(em: EntityManager, userId: string): Promise<LedgerAccount[]> {
    const rows = await em.execute<AccountRow[]>(
      `select ${ACCOUNT_COLUMNS} from ledger_accounts where user_id = ? and kind = 'WALLET' order by created_at, id`,
      [userId],
    );
    return rows.map(toAccount);
  }

  async findOwned(em: EntityManager, userId: string, walletId: string): Promise<LedgerAccount | null> {
    const rows = await em.execute<AccountRow[]>(`select ${ACCOUNT_COLUMNS} from ledger_accounts where id = ? and user_id = ? and kind = 'WALLET'`, [
      walletId,
      userId,
    ]);
    return rows.length > 0 ? toAccount(rows[0]) : null;
  }
}
