import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { LedgerAccount } from '../ledger/ledger-account.js';
import { noteAccountState } from '../ledger/ledger-changes.js';
import { WalletRepository } from './wallet.repository.js';
import { WalletError, WalletException } from './wallets.errors.js';

/** Where reads may find a wallet without asking PostgreSQL (src/cache/wallet-cache.ts). */
export interface WalletReadCache {
  getAccount(id: string): Promise<LedgerAccount | null>;
  putAccount(account: LedgerAccount): Promise<void>;
}

/** A wallet is a user's credit-normal ledger account in one currency; its id is the account's. */
export class WalletService {
  private readonly repo = new WalletRepository();

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
    const { opened, wallet } = await this.repo.open(em, randomUUID(), userId, currency);
    if (!opened) throw new WalletException(WalletError.WalletExists);
    noteAccountState(wallet);
    return wallet;
  }

  async listForUser(em: EntityManager, userId: string): Promise<LedgerAccount[]> {
    return this.repo.listForUser(em, userId);
  }

  /** The viewer's wallet, or null: another user's wallet looks exactly like a missing one. */
  async findOwned(em: EntityManager, userId: string, walletId: string): Promise<LedgerAccount | null> {
    return isUuid(walletId) ? this.repo.findOwned(em, userId, walletId) : null;
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
