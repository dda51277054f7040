import type { EntityManager } from '@mikro-orm/postgresql';
import type { LedgerAccount } from '../ledger/ledger-account.js';
import { ACCOUNT_COLUMNS, NEXT_VERSION, toAccount } from '../ledger/ledger.repository.js';
import { noteAccountState, noteCardRow } from '../ledger/ledger-changes.js';
import type { Card, CardRow, CardStatus, SpendingInterval } from './card.js';
import { pgDate, uuidArray } from '../shared/pg.js';

export type { Card, CardRow, CardStatus, SpendingInterval } from './card.js';

/** A card row with its account as one version of it stands. */
export function withAccount(row: CardRow, account: LedgerAccount): Card {
  return { ...row, version: account.version, updatedAt: row.updatedAt > account.updatedAt ? row.updatedAt : account.updatedAt, account };
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
  card_created_at: Date | string;
  card_updated_at: Date | string;
}

const CARD_COLUMNS = `c.id, c.user_id, c.wallet_id, c.issuer, c.issuer_card_id, c.brand, c.last4, c.exp_month, c.exp_year,
  c.label, c.status, c.spending_limit_amount, c.spending_limit_interval,
  c.created_at as card_created_at, c.updated_at as card_updated_at`;
const ACCOUNT_OF_CARD = ACCOUNT_COLUMNS.split(', ').map((col) => `a.${col}`).join(', ');

const SELECT = `select ${CARD_COLUMNS}, ${ACCOUNT_OF_CARD} from cards c join ledger_accounts a on a.id = c.id`;

function toCard(r: Row & Parameters<typeof toAccount>[0]): Card {
  const row: CardRow = {
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
    createdAt: pgDate(r.card_created_at),
    updatedAt: pgDate(r.card_updated_at),
  };
  return withAccount(row, toAccount(r));
}

function rowOf(card: Card): CardRow {
  const { account: _account, version: _version, ...row } = card;
  return row;
}

/** A card as issued: its row without what the database decides, and the currency of its account. */
export type NewCard = Omit<CardRow, 'status' | 'createdAt' | 'updatedAt'> & { currency: string };

export class CardRepository {
  /** The new card, at version 0 (a first load in the same transaction is its next version). */
  async insert(tx: EntityManager, c: NewCard): Promise<Card> {
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
    const card = (await this.find(tx, c.id))!;
    noteCardRow(rowOf(card));
    return card;
  }

  async find(em: EntityManager, id: string): Promise<Card | null> {
    const [row] = await em.execute<(Row & Parameters<typeof toAccount>[0])[]>(`${SELECT} where c.id = ?`, [id]);
    return row ? toCard(row) : null;
  }

  /**
   * The card row locked (its account is locked separately, in id order, by the caller). Every
   * change of a card's account happens under this lock, so the row read here is the one each
   * new state of the account goes with.
   */
  async lock(tx: EntityManager, id: string): Promise<Card | null> {
    await tx.execute('select id from cards where id = ? for update', [id]);
    const card = await this.find(tx, id);
    if (card) noteCardRow(rowOf(card));
    return card;
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

  /**
   * Changes the card's status or its spending limit; the card's account steps to its next version
   * with it, in the same statement. A value equal to the stored one changes nothing (no version,
   * no event).
   */
  async update(
    tx: EntityManager,
    id: string,
    change: { status: CardStatus } | { spendingLimit: { amount: bigint; interval: SpendingInterval } | null },
  ): Promise<void> {
    const [set, differs, values] =
      'status' in change
        ? ['status = ?', 'status is distinct from ?', [change.status]]
        : [
            'spending_limit_amount = ?::bigint, spending_limit_interval = ?',
            '(spending_limit_amount, spending_limit_interval) is distinct from (?::bigint, ?)',
            [change.spendingLimit?.amount.toString() ?? null, change.spendingLimit?.interval ?? null],
          ];
    const rows = await tx.execute<(Row & Parameters<typeof toAccount>[0])[]>(
      `with c as (
         update cards set ${set}, updated_at = now() where id = ? and ${differs}
         returning id, user_id, wallet_id, issuer, issuer_card_id, brand, last4, exp_month, exp_year, label, status,
                   spending_limit_amount, spending_limit_interval, created_at as card_created_at, updated_at as card_updated_at
       )
       update ledger_accounts a set ${NEXT_VERSION}, updated_at = now() from c where a.id = c.id
       returning c.*, ${ACCOUNT_OF_CARD}`,
      [...values, id, ...values],
    );
    if (rows.length === 0) return;
    const card = toCard(rows[0]);
    noteCardRow(rowOf(card));
    noteAccountState(card.account);
  }
}
