import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccountKind, LedgerAccount } from './ledger-account.js';
import { noteAccountState } from './ledger-changes.js';
import { LedgerRepository, toAccount, type SystemAccountTotal, type TransferInput } from './ledger.repository.js';

export type { AccountKind, LedgerAccount } from './ledger-account.js';

export type TransferStatus = 'PENDING' | 'POSTED' | 'VOIDED';
export type { SystemAccountTotal, TransferCode, TransferInput } from './ledger.repository.js';

/** Credit-normal accounts (users' wallets and cards): what can be spent now. */
export function available(a: LedgerAccount): bigint {
  return a.creditsPosted - a.debitsPosted - a.debitsPending;
}

export function balance(a: LedgerAccount): bigint {
  return a.creditsPosted - a.debitsPosted;
}

/** The shard of `key` among `shards` (0 to shards − 1): a 32-bit string hash, modulo; the same key always meets the same shard. */
export function shardOf(key: string, shards: number): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) >>> 0;
  return hash % shards;
}

/** A user-owned account would go below zero. */
export class InsufficientFundsError extends Error {
  constructor(readonly accountId: string) {
    super('insufficient funds');
  }
}

export interface LedgerReportResult {
  balanced: boolean;
  accountCount: number;
  transferCount: number;
  mismatchedAccountIds: string[];
  /** Each system account summed over its shards, in the same snapshot as the check. */
  systemAccounts: SystemAccountTotal[];
  checkedAt: Date;
}

/**
 * The double-entry ledger, in TigerBeetle's words: accounts keep debitsPosted,
 * creditsPosted, debitsPending and creditsPending; a transfer moves one amount from a debit
 * account to a credit account of the same currency. Every method here runs inside the
 * caller's database transaction (`tx`), so a movement is all or nothing. The statements are
 * `LedgerRepository`'s; here a refusal becomes an InsufficientFundsError, a missing account a
 * bug, and every account a movement changes is noted (`noteAccountState`) so its version is
 * announced once the work commits.
 */
export class LedgerService {
  private readonly repo = new LedgerRepository();

  /**
   * @param systemAccountShards how many rows each system account is spread over
   *   (LEDGER_SYSTEM_ACCOUNT_SHARDS); `systemAccount` picks one per movement.
   */
  constructor(private readonly systemAccountShards = 1) {}

  async findAccounts(em: EntityManager, ids: readonly string[]): Promise<LedgerAccount[]> {
    return this.repo.findAccounts(em, ids);
  }

  /**
   * Locks accounts for the rest of the transaction, in id order (rule 4, as every SQL function locks them: `order by id`): a path
   * that decides about several accounts (a balance, a limit) locks them all here, at once.
   */
  async lockAccounts(tx: EntityManager, ids: readonly string[]): Promise<void> {
    await this.repo.lockAccounts(tx, ids);
  }

  /**
   * The system account of a kind for a provider and currency (settlement, fees, ...), created
   * on first use. A system account is spread over shards (`ledger_accounts.shard`) so that
   * movements of different users do not all lock one row: given `spread` (the user's account
   * id), the shard is picked from it, so one user's movements always meet the same shard and
   * different users' mostly meet different ones. Without `spread`, shard 0. What the provider
   * holds is the sum over the shards (`report`).
   */
  async systemAccount(tx: EntityManager, kind: AccountKind, provider: string, currency: string, spread?: string): Promise<string> {
    return this.repo.systemAccount(tx, randomUUID(), { kind, provider, currency, shard: this.shard(spread) });
  }

  /** The shard of a system account that a movement spread by `spread` (a wallet's id) uses; 0 without one. */
  shard(spread?: string): number {
    return spread === undefined ? 0 : shardOf(spread, this.systemAccountShards);
  }

  /**
   * Writes one transfer and moves the counters of both accounts, in one statement: the SQL
   * function post_movement (src/db/functions/post_movement.v1.sql) is the one home of the
   * balance guard and the postings, for these paths and for wallet_transfer alike. A refusal
   * (InsufficientFundsError) changes nothing, so the caller may carry on in its transaction (a
   * declined authorization); a missing account or one in another currency is a bug and throws.
   */
  async transfer(tx: EntityManager, input: TransferInput): Promise<{ transferId: string; accounts: Map<string, LedgerAccount> }> {
    const transferId = randomUUID();
    const moved = await this.repo.postMovement(tx, { ...input, transferId, pending: input.pending ?? false });
    if ('refused' in moved) throw new InsufficientFundsError(input.debitAccountId);
    if ('missing' in moved) throw new Error(`ledger account ${moved.missing} does not exist in ${input.currency}`);
    const accounts = new Map([
      [input.debitAccountId, toAccount(moved.debit)],
      [input.creditAccountId, toAccount(moved.credit)],
    ]);
    for (const account of accounts.values()) noteAccountState(account);
    return { transferId, accounts };
  }

  /**
   * Posts or voids a pending transfer, exactly once: resolve_pending
   * (src/db/functions/resolve_pending.v1.sql, which payout_settle calls too). Returns false when
   * it was no longer pending (already resolved by someone else), changing nothing.
   */
  async resolvePending(
    tx: EntityManager,
    transferId: string,
    outcome: 'POST' | 'VOID',
  ): Promise<{ resolved: boolean; accounts: Map<string, LedgerAccount> }> {
    const rows = await this.repo.resolvePending(tx, transferId, outcome === 'POST');
    const accounts = new Map<string, LedgerAccount>();
    for (const row of rows ?? []) {
      const account = toAccount(row);
      accounts.set(account.id, account);
      noteAccountState(account);
    }
    return { resolved: rows !== null, accounts };
  }

  /**
   * Money rule 5 over the whole ledger: per currency, debits equal credits; every stored
   * counter equals the sum of its transfers.
   */
  async report(em: EntityManager): Promise<LedgerReportResult> {
    const r = await this.repo.reconcile(em);
    return {
      balanced: r.mismatchedAccountIds.length === 0 && r.unbalancedCurrencies === 0,
      accountCount: r.accountCount,
      transferCount: r.transferCount,
      mismatchedAccountIds: r.mismatchedAccountIds,
      systemAccounts: r.systemAccounts,
      checkedAt: new Date(),
    };
  }
}
