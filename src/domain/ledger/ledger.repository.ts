import type { EntityManager } from '@mikro-orm/postgresql';
import { pgDate, uuidArray } from '../shared/pg.js';
import type { AccountKind, LedgerAccount } from './ledger-account.js';

/**
 * Every statement over `ledger_accounts` and `ledger_transfers` but the users' wallets
 * (`WalletRepository`) and the card join (`CardRepository`): rows in, rows out. What a result
 * means (a refusal, a version to announce) is `LedgerService`'s to say.
 */

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

export interface AccountRow {
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

/** A transfer as post_movement takes it: with its id, and whether it is a hold said. */
export interface Movement extends TransferInput {
  transferId: string;
  pending: boolean;
}

/** What post_movement answers: a refusal, an account it could not find, or both accounts as they now are. */
export type Posting = { refused: 'INSUFFICIENT_FUNDS' } | { missing: string } | { debit: AccountRow; credit: AccountRow };

/** Which system account: a kind for a provider and currency, and which of its shards. */
export interface SystemAccountKey {
  kind: AccountKind;
  provider: string;
  currency: string;
  shard: number;
}

/** A system account summed over its shards: what the ledger says the provider or issuer holds. */
export interface SystemAccountTotal {
  kind: AccountKind;
  provider: string;
  currency: string;
  shards: number;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

/** A row of the reconciliation's system-account totals, as json_agg gives it. */
interface SystemTotalRow {
  kind: AccountKind;
  provider: string;
  currency: string;
  shards: number;
  dp: string;
  cp: string;
  dpend: string;
  cpend: string;
}

/** What the reconciliation query counts (money rule 5), and the system accounts' totals in the same snapshot. */
export interface Reconciliation {
  mismatchedAccountIds: string[];
  unbalancedCurrencies: number;
  accountCount: number;
  transferCount: number;
  systemAccounts: SystemAccountTotal[];
}

export class LedgerRepository {
  async findAccounts(em: EntityManager, ids: readonly string[]): Promise<LedgerAccount[]> {
    if (ids.length === 0) return [];
    const rows = await em.execute<AccountRow[]>(`select ${ACCOUNT_COLUMNS} from ledger_accounts where id = any(?::uuid[])`, [
      uuidArray(ids),
    ]);
    return rows.map(toAccount);
  }

  /** Locks the accounts for the rest of the transaction, in id order (rule 4). */
  async lockAccounts(tx: EntityManager, ids: readonly string[]): Promise<void> {
    await tx.execute('select id from ledger_accounts where id = any(?::uuid[]) order by id for update', [uuidArray(ids)]);
  }

  /**
   * The id of a system account's shard, inserted with `newId` when there is none: system_account
   * (src/db/functions/system_account.v1.sql), one round trip, which deposit_settle calls too.
   */
  async systemAccount(tx: EntityManager, newId: string, account: SystemAccountKey): Promise<string> {
    const { kind, provider, currency, shard } = account;
    const [{ id }] = await tx.execute<{ id: string }[]>('select system_account(?, ?, ?, ?, ?) as id', [newId, kind, provider, currency, shard]);
    return id;
  }

  /** post_movement (src/db/functions/post_movement.v1.sql): the balance guard, the postings and the transfer row. */
  async postMovement(tx: EntityManager, m: Movement): Promise<Posting> {
    const [{ moved }] = await tx.execute<{ moved: Posting }[]>('select post_movement(?, ?, ?, ?::bigint, ?, ?, ?, ?) as moved', [
      m.transferId,
      m.debitAccountId,
      m.creditAccountId,
      m.amount.toString(),
      m.currency,
      m.code,
      m.reference,
      m.pending,
    ]);
    return moved;
  }

  /**
   * resolve_pending (src/db/functions/resolve_pending.v1.sql): marks a pending transfer POSTED
   * (`post`) or VOIDED and takes its hold off both accounts; the accounts as they now are, in id
   * order, or null when it was no longer pending (nothing changes).
   */
  async resolvePending(tx: EntityManager, transferId: string, post: boolean): Promise<AccountRow[] | null> {
    const [{ accounts }] = await tx.execute<{ accounts: AccountRow[] | null }[]>('select resolve_pending(?, ?) as accounts', [transferId, post]);
    return accounts;
  }

  /**
   * Money rule 5 over the whole ledger, in one statement, so one snapshot: a movement committing
   * meanwhile is either wholly in it or not at all.
   */
  async reconcile(em: EntityManager): Promise<Reconciliation> {
    const [row] = await em.execute<
      { mismatched: string[]; unbalanced: string; accounts: string; transfers: string; system: SystemTotalRow[] }[]
    >(`
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
             (select count(*) from ledger_transfers) as transfers,
             (select coalesce(json_agg(t order by t.kind, t.provider, t.currency), '[]') from (
                select kind, provider, currency, count(*)::int as shards,
                       sum(debits_posted)::text as dp, sum(credits_posted)::text as cp,
                       sum(debits_pending)::text as dpend, sum(credits_pending)::text as cpend
                from ledger_accounts where user_id is null group by kind, provider, currency
              ) t) as system`);
    return {
      mismatchedAccountIds: row.mismatched,
      unbalancedCurrencies: Number(row.unbalanced),
      accountCount: Number(row.accounts),
      transferCount: Number(row.transfers),
      systemAccounts: row.system.map((t) => ({
        kind: t.kind,
        provider: t.provider,
        currency: t.currency,
        shards: t.shards,
        debitsPosted: BigInt(t.dp),
        creditsPosted: BigInt(t.cp),
        debitsPending: BigInt(t.dpend),
        creditsPending: BigInt(t.cpend),
      })),
    };
  }
}
