import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/** An issuer's authorization of a purchase on one of our cards, and what became of it. */
export interface AuthorizationRow {
  id: string;
  card_id: string;
  status: 'PENDING' | 'CLOSED' | 'REVERSED' | 'DECLINED';
  amount: string;
  transfer_id: string | null;
  transaction_id: string;
}

/** SQL for card authorizations and the spending they count; every write runs in the caller's transaction. */
export class CardAuthorizationRepository {
  async find(tx: EntityManager, cardId: string, issuerAuthorizationId: string, lock = false): Promise<AuthorizationRow | undefined> {
    const [row] = await tx.execute<AuthorizationRow[]>(
      `select id, card_id, status, amount, transfer_id, transaction_id from card_authorizations
       where card_id = ? and issuer_authorization_id = ?${lock ? ' for update' : ''}`,
      [cardId, issuerAuthorizationId],
    );
    return row;
  }

  async insert(
    tx: EntityManager,
    a: {
      cardId: string;
      issuerAuthorizationId: string;
      declined: boolean;
      amount: bigint;
      transferId: string | null;
      transactionId: string;
    },
  ): Promise<void> {
    await tx.execute(
      `insert into card_authorizations (id, card_id, issuer_authorization_id, status, amount, transfer_id, transaction_id)
       values (?, ?, ?, ?, ?::bigint, ?, ?)`,
      [
        randomUUID(),
        a.cardId,
        a.issuerAuthorizationId,
        a.declined ? 'DECLINED' : 'PENDING',
        a.amount.toString(),
        a.transferId,
        a.transactionId,
      ],
    );
  }

  /** The merchant captured `captured` of it (all, less or more than the hold). */
  async close(tx: EntityManager, id: string, captured: bigint): Promise<void> {
    await tx.execute(`update card_authorizations set status = 'CLOSED', captured = ?::bigint, updated_at = now() where id = ?`, [
      captured.toString(),
      id,
    ]);
  }

  async markReversed(tx: EntityManager, id: string): Promise<void> {
    await tx.execute(`update card_authorizations set status = 'REVERSED', updated_at = now() where id = ?`, [id]);
  }

  /** What a card's purchases held or spent since `since`: what its spending limit counts. */
  async spentSince(tx: EntityManager, cardId: string, since: Date): Promise<bigint> {
    const [row] = await tx.execute<{ spent: string }[]>(
      `select coalesce(sum(amount), 0) as spent from transactions
       where account_id = ? and type = 'CARD_PURCHASE' and status in ('PENDING', 'COMPLETED') and created_at >= ?`,
      [cardId, since],
    );
    return BigInt(row.spent);
  }
}
