import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ACCOUNT_COLUMNS, toAccount, type LedgerAccount } from '../ledger/ledger.service.js';
import { noteAccountState } from '../ledger/ledger-changes.js';
import { WalletError, WalletException } from './wallets.errors.js';

/** Where reads may find a wallet without asking PostgreSQL (src/cache/wallet-cache.ts). */
export interface WalletReadCache {
  getAccount(id: string): Promise<LedgerAccount | null>;
  putAccount(account: LedgerAccount): Promise<void>;
}

/** A wallet is a user's credit-normal ledger account in one currency; its id is the account's. */
export class WalletService {
  constructor(private readonly cache?: WalletReadCache) {}

  /**
   * For showing a wallet only: may come from the cache. Money decisions use findOwned or
   * getOwned, which always read PostgreSQL.
   */
  async readOwned(em: EntityManager, userId: string, walletId: string): Promise<LedgerAccount | null> {
    const cached = await this.cache?.getAccount(walletId);
    if (cached) return cached.userId === userId && cached.kind === 'WALLET' ? cached : null;
    const wallet = await this.findOwned(em, userId, walletId);
    if (wallet) await this.cache?.putAccount(wallet);
    return wallet;
  }

  /** Opens the user's wallet in a currency (open_wallet, the one home of it); one per currency. */
  async create(em: EntityManager, userId: string, currency: string): Promise<LedgerAccount> {
    const [{ r }] = await em.execute<{ r: { opened: boolean; wallet: Parameters<typeof toAccount>[0] } }[]>(
      'select open_wallet(?, ?, ?) as r',
      [randomUUID(), userId, currency],
    );
    if (!r.opened) throw new WalletException(WalletError.WalletExists);
    const wallet = toAccount(r.wallet);
    noteAccountState(wallet);
    return wallet;
  }

  async listForUser(em: EntityManager, userId: string): Promise<LedgerAccount[]> {
    const rows = await em.execute<Parameters<typeof toAccount>[0][]>(
      `select ${ACCOUNT_COLUMNS} from ledger_accounts where user_id = ? and kind = 'WALLET' order by created_at, id`,
      [userId],
    );
    return rows.map(toAccount);
  }

  /** The viewer's wallet, or null: another user's wallet looks exactly like a missing one. */
  async findOwned(em: EntityManager, userId: string, walletId: string): Promise<LedgerAccount | null> {
    if (!isUuid(walletId)) return null;
    const rows = await em.execute<Parameters<typeof toAccount>[0][]>(
      `select ${ACCOUNT_COLUMNS} from ledger_accounts where id = ? and user_id = ? and kind = 'WALLET'`,
      [walletId, userId],
    );
    return rows.length > 0 ? toAccount(rows[0]) : null;
  }

  async getOwned(em: EntityManager, userId: string, walletId: string): Promise<LedgerAccount> {
    const wallet = await this.findOwned(em, userId, walletId);
    if (!wallet) throw new WalletException(WalletError.WalletNotFound);
    return wallet;
  }

  /** getOwned, but an id that is not a UUID is the caller's mistake: BAD_USER_INPUT on `field`. */
  async getOwnedById(em: EntityManager, userId: string, walletId: string, field: string): Promise<LedgerAccount> {
    if (!isUuid(walletId)) throw new WalletException(WalletError.MalformedId, { field });
    return this.getOwned(em, userId, walletId);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
