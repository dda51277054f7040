import type { EntityManager } from '@mikro-orm/postgresql';
import { ACCOUNT_COLUMNS, toAccount, type LedgerAccount } from '../ledger/ledger.service.js';
import { noteCardChanged } from '../ledger/ledger-changes.js';
import { pgDate, uuidArray } from '../shared/pg.js';

export type CardStatus = 'ACTIVE' | 'FROZEN' | 'TERMINATED';
export type SpendingInterval = 'PER_AUTHORIZATION' | 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'ALL_TIME';

/** A card and the ledger account (same id) that holds its money. */
export interface Card {
  id: string;
  userId: string;
  walletId: string;
  issuer: string;
  issuerCardId: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  label: string | null;
  status: CardStatus;
  spendingLimit: { amount: bigint; interval: SpendingInterval } | null;
  /** Grows with every change of status, limit or balance (card row plus account). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  account: LedgerAccount;
}

interface Row {
  id: string;
  user_id: string;
  wallet_id: string;
  issuer: string;
  issuer_card_id: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  label: string | null;
  status: CardStatus;
  spending_limit_amount: string | null;
  spending_limit_interval: SpendingInterval | null;
  card_version: number;
  card_created_at: Date | string;
  card_updated_at: Date | string;
}

const SELECT = `select c.id, c.user_id, c.wallet_id, c.issuer, c.issuer_card_id, c.brand, c.last4, c.exp_month, c.exp_year,
  c.label, c.status, c.spending_limit_amount, c.spending_limit_interval, c.version as card_version,
  c.created_at as card_created_at, c.updated_at as card_updated_at,
  ${ACCOUNT_COLUMNS.split(', ').map((col) => `a.${col}`).join(', ')}
  from cards c join ledger_accounts a on a.id = c.id`;

function toCard(r: Row & Parameters<typeof toAccount>[0]): Card {
  const account = toAccount(r);
  return {
    id: r.id,
    userId: r.user_id,
    walletId: r.wallet_id,
    issuer: r.issuer,
    issuerCardId: r.issuer_card_id,
    brand: r.brand,
    last4: r.last4,
    expMonth: r.exp_month,
    expYear: r.exp_year,
    label: r.label,
    status: r.status,
    spendingLimit:
      r.spending_limit_amount !== null && r.spending_limit_interval !== null
        ? { amount: BigInt(r.spending_limit_amount), interval: r.spending_limit_interval }
        : null,
    version: r.card_version + account.version,
    createdAt: pgDate(r.card_created_at),
    updatedAt: pgDate(r.card_updated_at) > account.updatedAt ? pgDate(r.card_updated_at) : account.updatedAt,
    account,
  };
}

export interface NewCard {
  id: string;
  userId: string;
  walletId: string;
  issuer: string;
  issuerCardId: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  label: string | null;
  currency: string;
  spendingLimit: { amount: bigint; interval: SpendingInterval } | null;
}

export class CardRepository {
  async insert(tx: EntityManager, c: NewCard): Promise<void> {
    await tx.execute(`insert into ledger_accounts (id, kind, user_id, currency) values (?, 'CARD', ?, ?)`, [c.id, c.userId, c.currency]);
    await tx.execute(
      `insert into cards (id, user_id, wallet_id, issuer, issuer_card_id, brand, last4, exp_month, exp_year, label, status,
                          spending_limit_amount, spending_limit_interval)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?::bigint, ?)`,
      [
        c.id,
        c.userId,
        c.walletId,
        c.issuer,
        c.issuerCardId,
        c.brand,
        c.last4,
        c.expMonth,
        c.expYear,
        c.label,
        c.spendingLimit?.amount.toString() ?? null,
        c.spendingLimit?.interval ?? null,
      ],
    );
    noteCardChanged(c.id);
  }

  async find(em: EntityManager, id: string): Promise<Card | null> {
    const [row] = await em.execute<(Row & Parameters<typeof toAccount>[0])[]>(`${SELECT} where c.id = ?`, [id]);
    return row ? toCard(row) : null;
  }

  /** The card row locked (its account is locked separately, in id order, by the caller). */
  async lock(tx: EntityManager, id: string): Promise<Card | null> {
    await tx.execute('select id from cards where id = ? for update', [id]);
    return this.find(tx, id);
  }

  async findByIssuerId(em: EntityManager, issuer: string, issuerCardId: string): Promise<Card | null> {
    const [row] = await em.execute<(Row & Parameters<typeof toAccount>[0])[]>(`${SELECT} where c.issuer = ? and c.issuer_card_id = ?`, [
      issuer,
      issuerCardId,
    ]);
    return row ? toCard(row) : null;
  }

  async findByIds(em: EntityManager, ids: readonly string[]): Promise<Card[]> {
    if (ids.length === 0) return [];
    const rows = await em.execute<(Row & Parameters<typeof toAccount>[0])[]>(`${SELECT} where c.id = any(?::uuid[])`, [uuidArray(ids)]);
    return rows.map(toCard);
  }

  async listForUser(em: EntityManager, userId: string): Promise<Card[]> {
    const rows = await em.execute<(Row & Parameters<typeof toAccount>[0])[]>(`${SELECT} where c.user_id = ? order by c.created_at, c.id`, [
      userId,
    ]);
    return rows.map(toCard);
  }

  async update(
    tx: EntityManager,
    id: string,
    change: { status?: CardStatus; spendingLimit?: { amount: bigint; interval: SpendingInterval } | null },
  ): Promise<void> {
    const sets: string[] = ['version = version + 1', 'updated_at = now()'];
    const params: unknown[] = [];
    if (change.status) {
      sets.push('status = ?');
      params.push(change.status);
    }
    if (change.spendingLimit !== undefined) {
      sets.push('spending_limit_amount = ?::bigint', 'spending_limit_interval = ?');
      params.push(change.spendingLimit?.amount.toString() ?? null, change.spendingLimit?.interval ?? null);
    }
    await tx.execute(`update cards set ${sets.join(', ')} where id = ?`, [...params, id]);
    noteCardChanged(id);
  }
}
