import type { EntityManager } from '@mikro-orm/postgresql';
import type { CardRepository } from '../domain/cards/card.repository.js';
import type { LedgerChanges } from '../domain/ledger/ledger-changes.js';
import type { LedgerService } from '../domain/ledger/ledger.service.js';
import type { TransactionRepository } from '../domain/transactions/transaction.repository.js';
import { Topic, type EventBus } from './pubsub.js';

/**
 * Turns what committed work changed into events for its owners: balanceUpdated for wallets,
 * cardUpdated for cards (balance, status or limit), transactionUpdated for rows.
 */
export class ChangeEvents {
  constructor(
    private readonly bus: EventBus,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
    private readonly cards: CardRepository,
  ) {}

  async publish(em: EntityManager, changes: LedgerChanges): Promise<void> {
    const sends: Promise<void>[] = [];
    const accounts = await this.ledger.findAccounts(em, [...changes.accounts.keys()]);
    const cardIds = new Set(changes.cards);
    for (const a of accounts) {
      if (a.kind === 'WALLET' && a.userId) sends.push(this.bus.publish(Topic.BALANCE, a.userId, { walletId: a.id, version: a.version }));
      if (a.kind === 'CARD') cardIds.add(a.id);
    }
    for (const card of await this.cards.findByIds(em, [...cardIds])) {
      sends.push(this.bus.publish(Topic.CARD, card.userId, { cardId: card.id }));
    }
    for (const t of await this.transactions.findByIds(em, [...changes.transactions])) {
      sends.push(this.bus.publish(Topic.TRANSACTION, t.userId, { transactionId: t.id }));
    }
    await Promise.all(sends);
  }
}
