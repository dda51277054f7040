import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { noteHistoryChanged } from '../ledger/ledger-changes.js';
import { pgDate, uuidArray } from '../shared/pg.js';

export type TransactionType =
  'DEPOSIT' | 'WITHDRAWAL' | 'TRANSFER' | 'CARD_FUNDING' | 'CARD_WITHDRAWAL' | 'CARD_PURCHASE' | 'CARD_REFUND' | 'FEE' | 'REVERSAL';
export type TransactionStatus = 'PENDING' | 'COMPLETED' | 'FAILED' | 'REVERSED';
export type TransactionDirection = 'CREDIT' | 'DEBIT';

/** One user-facing row: one per user-owned account a movement touches (money rule 12). */
export interface TransactionRecord {
  id: string;
  seq: bigint;
  userId: string;
  accountId: string;
  transferId: string | null;
  type: TransactionType;
  status: TransactionStatus;
  direction: TransactionDirection;
  amount: bigint;
  currency: string;
  description: string | null;
  reference: string;
  counterpartyUserId: string | null;
  merchant: { name: string; category?: string | null; country?: string | null } | null;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TransactionRow {
  id: string;
  seq: string;
  user_id: string;
  account_id: string;
  transfer_id: string | null;
  type: TransactionType;
  status: TransactionStatus;
  direction: TransactionDirection;
  amount: string;
  currency: string;
  description: string | null;
  reference: string;
  counterparty_user_id: string | null;
  merchant: TransactionRecord['merchant'];
  failure_reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export const TRANSACTION_COLUMNS =
  'id, seq, user_id, account_id, transfer_id, type, status, direction, amount, currency, description, reference, counterparty_user_id, merchant, failure_reason, created_at, updated_at';

export function toTransaction(r: TransactionRow): TransactionRecord {
  return {
    id: r.id,
    seq: BigInt(r.seq),
    userId: r.user_id,
    accountId: r.account_id,
    transferId: r.transfer_id,
    type: r.type,
    status: r.status,
    direction: r.direction,
    amount: BigInt(r.amount),
    currency: r.currency,
    description: r.description,
    reference: r.reference,
    counterpartyUserId: r.counterparty_user_id,
    merchant: r.merchant,
    failureReason: r.failure_reason,
    createdAt: pgDate(r.created_at),
    updatedAt: pgDate(r.updated_at),
  };
}

export interface NewTransaction {
  userId: string;
  accountId: string;
  transferId?: string | null;
  type: TransactionType;
  status: TransactionStatus;
  direction: TransactionDirection;
  amount: bigint;
  currency: string;
  description?: string | null;
  reference: string;
  counterpartyUserId?: string | null;
  merchant?: TransactionRecord['merchant'];
  failureReason?: string | null;
}

export interface HistoryFilter {
  types?: TransactionType[] | null;
  statuses?: TransactionStatus[] | null;
  /** Account ids (a wallet, a card) the rows must belong to. */
  accountIds?: string[] | null;
  from?: Date | null;
  to?: Date | null;
}

/** SQL for the user-facing transaction rows; every write runs in the caller's transaction. */
/** Why monitoring flagged a row for an ADMIN (one flag per row and rule). */
export type FlagRule = 'BURST' | 'UNUSUAL_AMOUNT' | 'NEW_RECIPIENT' | 'DEPOSIT_AMOUNT_MISMATCH' | 'CARD_RECEIVABLE';

export class TransactionRepository {
  async insert(tx: EntityManager, rows: NewTransaction[]): Promise<TransactionRecord[]> {
    const out: TransactionRecord[] = [];
    for (const t of rows) {
      const [row] = await tx.execute<TransactionRow[]>(
        `insert into transactions (id, user_id, account_id, transfer_id, type, status, direction, amount, currency,
                                   description, reference, counterparty_user_id, merchant, failure_reason)
         values (?, ?, ?, ?, ?, ?, ?, ?::bigint, ?, ?, ?, ?, ?::jsonb, ?) returning ${TRANSACTION_COLUMNS}`,
        [
          randomUUID(),
          t.userId,
          t.accountId,
          t.transferId ?? null,
          t.type,
          t.status,
          t.direction,
          t.amount.toString(),
          t.currency,
          t.description ?? null,
          t.reference,
          t.counterpartyUserId ?? null,
          t.merchant ? JSON.stringify(t.merchant) : null,
          t.failureReason ?? null,
        ],
      );
      out.push(toTransaction(row));
      noteHistoryChanged(t.accountId, row.id);
    }
    return out;
  }

  /** Flags a row for an ADMIN; a second flag of the same rule on the row changes nothing. */
  async flag(tx: EntityManager, transactionId: string, rule: FlagRule, details: Record<string, unknown>): Promise<void> {
    await tx.execute(
      `insert into transaction_flags (id, transaction_id, rule, details) values (?, ?, ?, ?::jsonb)
       on conflict (transaction_id, rule) do nothing`,
      [randomUUID(), transactionId, rule, JSON.stringify(details)],
    );
  }

  /** Moves rows of a movement (by transfer or reference) from one status to another. */
  async setStatus(
    tx: EntityManager,
    where: { transferId?: string; id?: string },
    from: TransactionStatus,
    to: TransactionStatus,
    failureReason?: string | null,
  ): Promise<TransactionRecord[]> {
    const [column, value] = where.transferId ? ['transfer_id', where.transferId] : ['id', where.id];
    const rows = await tx.execute<TransactionRow[]>(
      `update transactions set status = ?, failure_reason = coalesce(?, failure_reason), updated_at = now()
       where ${column} = ? and status = ? returning ${TRANSACTION_COLUMNS}`,
      [to, failureReason ?? null, value, from],
    );
    for (const r of rows) noteHistoryChanged(r.account_id, r.id);
    return rows.map(toTransaction);
  }

  /** A FAILED row whose money arrived after all (a late deposit): PENDING again, its failure reason gone. */
  async reopen(tx: EntityManager, id: string): Promise<TransactionRecord[]> {
    const rows = await tx.execute<TransactionRow[]>(
      `update transactions set status = 'PENDING', failure_reason = null, updated_at = now()
       where id = ? and status = 'FAILED' returning ${TRANSACTION_COLUMNS}`,
      [id],
    );
    for (const r of rows) noteHistoryChanged(r.account_id, r.id);
    return rows.map(toTransaction);
  }

  /**
   * Sets a row's movement once the ledger has posted it: the transfer it now stands for and, when
   * given, the amount (a capture smaller or larger than its hold), and the status it moves to.
   * Only a row in the status `from` changes, so a row settled elsewhere is left alone.
   */
  async attachTransfer(
    tx: EntityManager,
    id: string,
    change: { transferId: string; amount?: bigint; from: TransactionStatus; to?: TransactionStatus },
  ): Promise<TransactionRecord[]> {
    const sets = ['transfer_id = ?', 'updated_at = now()'];
    const params: unknown[] = [change.transferId];
    if (change.amount !== undefined) {
      sets.push('amount = ?::bigint');
      params.push(change.amount.toString());
    }
    if (change.to) {
      sets.push('status = ?');
      params.push(change.to);
    }
    params.push(id, change.from);
    const rows = await tx.execute<TransactionRow[]>(
      `update transactions set ${sets.join(', ')} where id = ? and status = ? returning ${TRANSACTION_COLUMNS}`,
      params,
    );
    for (const r of rows) noteHistoryChanged(r.account_id, r.id);
    return rows.map(toTransaction);
  }

  async findByIds(em: EntityManager, ids: readonly string[]): Promise<TransactionRecord[]> {
    if (ids.length === 0) return [];
    const rows = await em.execute<TransactionRow[]>(`select ${TRANSACTION_COLUMNS} from transactions where id = any(?::uuid[])`, [
      uuidArray(ids),
    ]);
    return rows.map(toTransaction);
  }

  /**
   * One page of a user's rows: keyset pagination on (user_id, seq) over transactions_user_page
   * (or transactions_account_page), never OFFSET. See `PageWindow` for what comes back.
   */
  async page(em: EntityManager, userId: string, filter: HistoryFilter, window: PageWindow): Promise<WindowRows> {
    const where = ['user_id = ?'];
    const params: unknown[] = [userId];
    if (filter.types?.length) {
      where.push('type = any(?::text[])');
      params.push(`{${filter.types.join(',')}}`);
    }
    if (filter.statuses?.length) {
      where.push('status = any(?::text[])');
      params.push(`{${filter.statuses.join(',')}}`);
    }
    if (filter.accountIds) {
      where.push('account_id = any(?::uuid[])');
      params.push(`{${filter.accountIds.join(',')}}`);
    }
    if (filter.from) {
      where.push('created_at >= ?');
      params.push(filter.from);
    }
    if (filter.to) {
      where.push('created_at < ?');
      params.push(filter.to);
    }
    return this.window(em, 'transactions', where, params, window);
  }

  /** Every user's rows that monitoring flagged (an ADMIN view), in the same windows. */
  async pageFlagged(em: EntityManager, window: PageWindow): Promise<WindowRows> {
    return this.window(em, 'transactions t', ['exists (select 1 from transaction_flags f where f.transaction_id = t.id)'], [], window);
  }

  /**
   * One statement: the page, read from the cursor in the page's direction with one extra row
   * (to tell whether more follow), and, when a cursor opens the window on the other side, the
   * one row nearest to it there (to tell whether the list goes on beyond the cursor).
   */
  private async window(em: EntityManager, from: string, where: string[], params: unknown[], w: PageWindow): Promise<WindowRows> {
    const bounds = [...where];
    const boundParams = [...params];
    if (w.olderThan !== null) {
      bounds.push('seq < ?::bigint');
      boundParams.push(w.olderThan.toString());
    }
    if (w.newerThan !== null) {
      bounds.push('seq > ?::bigint');
      boundParams.push(w.newerThan.toString());
    }
    const newestFirst = w.start === 'newest';
    let text = `(select ${TRANSACTION_COLUMNS}, false as beyond from ${from} where ${bounds.join(' and ')}
                 order by seq ${newestFirst ? 'desc' : 'asc'} limit ?)`;
    const all = [...boundParams, w.limit + 1];
    const edge = newestFirst ? w.olderThan : w.newerThan;
    if (edge !== null) {
      text += ` union all
               (select ${TRANSACTION_COLUMNS}, true as beyond from ${from}
                where ${[...where, newestFirst ? 'seq >= ?::bigint' : 'seq <= ?::bigint'].join(' and ')}
                order by seq ${newestFirst ? 'asc' : 'desc'} limit 1)`;
      all.push(...params, edge.toString());
    }
    const rows = await em.execute<(TransactionRow & { beyond: boolean })[]>(text, all);
    const page = rows.filter((r) => !r.beyond).map(toTransaction);
    // union all promises no order across its parts: put the page back in reading order.
    page.sort((a, b) => (a.seq === b.seq ? 0 : a.seq < b.seq === newestFirst ? 1 : -1));
    return { rows: page, beyond: rows.some((r) => r.beyond) };
  }
}

/**
 * Which rows a page reads, in sequence terms (a higher seq is newer; lists are newest first, so
 * `after` a cursor means older than its row and `before` means newer).
 */
export interface PageWindow {
  /** Only rows older than this one (`after`). */
  olderThan: bigint | null;
  /** Only rows newer than this one (`before`). */
  newerThan: bigint | null;
  /** `newest`: the page is the newest rows of the window (`first`); `oldest`: the oldest (`last`). */
  start: 'newest' | 'oldest';
  limit: number;
}

export interface WindowRows {
  /** Up to limit + 1 rows, from the window's `start` inwards (newest first for `newest`). */
  rows: TransactionRecord[];
  /**
   * Whether the list has rows on the far side of the cursor the window starts at (`olderThan`
   * for `newest`, `newerThan` for `oldest`), the cursor's own row included; false without one.
   */
  beyond: boolean;
}
