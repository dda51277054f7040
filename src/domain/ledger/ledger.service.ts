import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { pgDate, uuidArray } from '../shared/pg.js';
import type { AccountKind, LedgerAccount } from './ledger-account.js';
import { noteAccountState } from './ledger-changes.js';

export type { AccountKind, LedgerAccount } from './ledger-account.js';

/**
 * The double-entry ledger, in TigerBeetle's words: accounts keep debitsPosted,
 * creditsPosted, debitsPending and creditsPending; a transfer moves one amount from a debit
 * account to a credit account of the same currency. Every method here runs inside the
 * caller's database transaction (`tx`), so a movement is all or nothing.
 */

export type TransferStatus = 'PENDING' | 'POSTED' | 'VOIDED';
export type TransferCode =
  | 'DEPOSIT'
  | 'WITHDRAWAL'
  | 'TRANSFER'
  | 'FEE'
  | 'REVERSAL'
  | 'CARD_FUNDING'
  | 'CARD_WITHDRAWAL'
  | 'CARD_PURCHASE'
  | 'CARD_REFUND';


/** Credit-normal accounts (users' wallets and cards): what can be spent now. */
export function available(a: LedgerAccount): bigint {
  return a.creditsPosted - a.debitsPosted - a.debitsPending;
}

export function balance(a: LedgerAccount): bigint {
  return a.creditsPosted - a.debitsPosted;
}

interface AccountRow {
  id: string;
  kind: AccountKind;
  user_id: string | null;
  currency: string;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

/** What post_movement answers. */
type Movement = { refused: 'INSUFFICIENT_FUNDS' } | { missing: string } | { debit: AccountRow; credit: AccountRow };

export const ACCOUNT_COLUMNS =
  'id, kind, user_id, currency, debits_posted, credits_posted, debits_pending, credits_pending, version, created_at, updated_at';

/**
 * The SET clause that moves an account to its next version: once per transaction, however
 * many statements of it touch the account (a capture that voids its hold and posts what was
 * taken, a card terminated and swept), so a version steps by exactly one per committed change
 * a client can see. `version_xid` is the transaction that made the current version
 * (pg_current_xact_id() is the top-level one, also inside a savepoint). post_movement
 * (src/db/functions) steps versions by the same formula.
 */
export const NEXT_VERSION =
  'version = version + (version_xid is distinct from pg_current_xact_id())::int, version_xid = pg_current_xact_id()';

export function toAccount(r: AccountRow): LedgerAccount {
  return {
    id: r.id,
    kind: r.kind,
    userId: r.user_id,
    currency: r.currency,
    debitsPosted: BigInt(r.debits_posted),
    creditsPosted: BigInt(r.credits_posted),
    debitsPending: BigInt(r.debits_pending),
    creditsPending: BigInt(r.credits_pending),
    version: r.version,
    createdAt: pgDate(r.created_at),
    updatedAt: pgDate(r.updated_at),
  };
}

/**
 * The order in which a movement locks its two accounts: by id, everywhere (here, and the
 * `wallet_transfer` function's `order by id`), so two movements over the same pair of accounts
 * wait for each other instead of deadlocking.
 */
export function lockOrder(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/** A user-owned account would go below zero. */
export class InsufficientFundsError extends Error {
  constructor(readonly accountId: string) {
    super('insufficient funds');
  }
}

export interface TransferInput {
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  code: TransferCode;
  reference: string;
  /** A hold: counted in the pending counters until posted or voided. */
  pending?: boolean;
}

export interface LedgerReportResult {
  balanced: boolean;
  accountCount: number;
  transferCount: number;
  mismatchedAccountIds: string[];
  checkedAt: Date;
}

export class LedgerService {
  async findAccounts(em: EntityManager, ids: readonly string[]): Promise<LedgerAccount[]> {
    if (ids.length === 0) return [];
    const rows = await em.execute<AccountRow[]>(`select ${ACCOUNT_COLUMNS} from ledger_accounts where id = any(?::uuid[])`, [
      uuidArray(ids),
    ]);
    return rows.map(toAccount);
  }

  /**
   * Locks accounts for the rest of the transaction, in id order (`lockOrder`, rule 4): a path
   * that decides about several accounts (a balance, a limit) locks them all here, at once.
   */
  async lockAccounts(tx: EntityManager, ids: readonly string[]): Promise<void> {
    await tx.execute('select id from ledger_accounts where id = any(?::uuid[]) order by id for update', [uuidArray(ids)]);
  }

  /**
   * The system account of a kind for a provider and currency (settlement, fees, ...),
   * created on first use.
   */
  async systemAccount(tx: EntityManager, kind: AccountKind, provider: string, currency: string): Promise<string> {
    const inserted = await tx.execute<{ id: string }[]>(
      `insert into ledger_accounts (id, kind, provider, currency) values (?, ?, ?, ?)
       on conflict ("kind", "provider", "currency") where "user_id" is null do nothing returning id`,
      [randomUUID(), kind, provider, currency],
    );
    if (inserted.length > 0) return inserted[0].id;
    const [row] = await tx.execute<{ id: string }[]>(
      'select id from ledger_accounts where kind = ? and provider = ? and currency = ? and user_id is null',
      [kind, provider, currency],
    );
    return row.id;
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
    const [{ moved }] = await tx.execute<{ moved: Movement }[]>('select post_movement(?, ?, ?, ?::bigint, ?, ?, ?, ?) as moved', [
      transferId,
      input.debitAccountId,
      input.creditAccountId,
      input.amount.toString(),
      input.currency,
      input.code,
      input.reference,
      input.pending ?? false,
    ]);
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
   * Posts or voids a pending transfer, exactly once: returns false when it was no longer
   * pending (already resolved by someone else), changing nothing.
   */
  async resolvePending(
    tx: EntityManager,
    transferId: string,
    outcome: 'POST' | 'VOID',
  ): Promise<{ resolved: boolean; accounts: Map<string, LedgerAccount> }> {
    const [transfer] = await tx.execute<
      { debit_account_id: string; credit_account_id: string; amount: string }[]
    >(
      `update ledger_transfers set status = ?, resolved_at = now() where id = ? and status = 'PENDING'
       returning debit_account_id, credit_account_id, amount`,
      [outcome === 'POST' ? 'POSTED' : 'VOIDED', transferId],
    );
    const accounts = new Map<string, LedgerAccount>();
    if (!transfer) return { resolved: false, accounts };
    for (const id of lockOrder(transfer.debit_account_id, transfer.credit_account_id)) {
      const side = id === transfer.debit_account_id ? 'debits' : 'credits';
      const move = outcome === 'POST' ? `, ${side}_posted = ${side}_posted + ?::bigint` : '';
      const rows = await tx.execute<AccountRow[]>(
        `update ledger_accounts set ${side}_pending = ${side}_pending - ?::bigint${move}, ${NEXT_VERSION}, updated_at = now()
         where id = ? returning ${ACCOUNT_COLUMNS}`,
        outcome === 'POST' ? [transfer.amount, transfer.amount, id] : [transfer.amount, id],
      );
      accounts.set(id, toAccount(rows[0]));
      noteAccountState(accounts.get(id)!);
    }
    return { resolved: true, accounts };
  }

  /**
   * Money rule 5 over the whole ledger: per currency, debits equal credits; every stored
   * counter equals the sum of its transfers.
   */
  async report(em: EntityManager): Promise<LedgerReportResult> {
    // One statement, so one snapshot: a movement committing meanwhile is either wholly in it or not at all.
    const [row] = await em.execute<{ mismatched: string[]; unbalanced: string; accounts: string; transfers: string }[]>(`
      with sums as (
        select account_id,
               sum(case when side = 'D' and status = 'POSTED' then amount else 0 end) as dp,
               sum(case when side = 'C' and status = 'POSTED' then amount else 0 end) as cp,
               sum(case when side = 'D' and status = 'PENDING' then amount else 0 end) as dpend,
               sum(case when side = 'C' and status = 'PENDING' then amount else 0 end) as cpend
        from (
          select debit_account_id as account_id, 'D' as side, status, amount from ledger_transfers
          union all
          select credit_account_id, 'C', status, amount from ledger_transfers
        ) t group by account_id
      )
      select array(
               select a.id::text from ledger_accounts a left join sums s on s.account_id = a.id
               where a.debits_posted <> coalesce(s.dp, 0) or a.credits_posted <> coalesce(s.cp, 0)
                  or a.debits_pending <> coalesce(s.dpend, 0) or a.credits_pending <> coalesce(s.cpend, 0)
               order by a.id
             ) as mismatched,
             (select count(*) from (
                select currency from ledger_accounts group by currency
                having sum(debits_posted) <> sum(credits_posted) or sum(debits_pending) <> sum(credits_pending)
              ) u) as unbalanced,
             (select count(*) from ledger_accounts) as accounts,
             (select count(*) from ledger_transfers) as transfers`);
    return {
      balanced: row.mismatched.length === 0 && Number(row.unbalanced) === 0,
      accountCount: Number(row.accounts),
      transferCount: Number(row.transfers),
      mismatchedAccountIds: row.mismatched,
      checkedAt: new Date(),
    };
  }
}
