import type { EntityManager } from '@mikro-orm/postgresql';
import type { CardRepository } from '../domain/cards/card.repository.js';
import type { LedgerChanges } from '../domain/ledger/ledger-changes.js';
import type { LedgerService } from '../domain/ledger/ledger.service.js';
import type { TransactionRepository } from '../domain/transactions/transaction.repository.js';
import { Topic, type EventBus } from './pubsub.js';
import type { CacheGenerations } from './response-cache.js';

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
    private readonly generations: CacheGenerations,
  ) {}

  /**
   * After work that may have moved money: the owners' cached responses become unreachable
   * (always), and when the work finished, its changes are announced (never a rolled-back one),
   * only once the cache generations are bumped: a client that refetches on an event must not
   * be answered from a response cached before the change.
   */
  async afterCommit(em: EntityManager, changes: LedgerChanges, succeeded: boolean): Promise<void> {
    const sends: (() => Promise<void>)[] = [];
    const users = new Set<string>();
    // What the work already knows about its accounts and rows is not read again.
    const known = (id: string) => changes.owners.get(id);
    const accountIds = [...new Set([...changes.accounts.keys(), ...changes.histories])];
    const accounts: { id: string; userId: string | null; kind: string; version?: number }[] = [
      ...accountIds.flatMap((id) => {
        const owner = known(id);
        return owner?.kind ? [{ id, userId: owner.userId, kind: owner.kind, version: changes.accounts.get(id) }] : [];
      }),
      ...(await this.ledger.findAccounts(em, accountIds.filter((id) => !known(id)?.kind))),
    ];
    const cardIds = new Set(changes.cards);
    for (const a of accounts) {
      if (a.userId) users.add(a.userId);
      if (a.kind === 'CARD') cardIds.add(a.id);
      if (succeeded && a.kind === 'WALLET' && a.userId && changes.accounts.has(a.id)) {
        sends.push(() => this.bus.publish(Topic.BALANCE, a.userId!, { walletId: a.id, version: a.version ?? changes.accounts.get(a.id)! }));
      }
    }
    for (const card of await this.cards.findByIds(em, [...cardIds])) {
      users.add(card.userId);
      if (succeeded) sends.push(() => this.bus.publish(Topic.CARD, card.userId, { cardId: card.id }));
    }
    const rows = [...changes.transactions].flatMap((id) => {
      const userId = known(id)?.userId;
      return userId ? [{ id, userId }] : [];
    });
    rows.push(...(await this.transactions.findByIds(em, [...changes.transactions].filter((id) => !known(id)?.userId))));
    for (const t of rows) {
      users.add(t.userId);
      if (succeeded) sends.push(() => this.bus.publish(Topic.TRANSACTION, t.userId, { transactionId: t.id }));
    }
    await this.generations.bump(users);
    await Promise.all(sends.map((send) => send()));
  }
}
