import type { EntityManager } from '@mikro-orm/postgresql';
import { withAccount } from '../cards/card.repository.js';
import type { LedgerChanges } from '../ledger/ledger-changes.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { TransactionRepository } from '../transactions/transaction.repository.js';
import { accountToJson, cardToJson } from './event-payloads.js';
import { Topic, type PlatformEvents } from './topics.js';
import type { CacheGenerations } from '../../cache/response-cache.js';

/**
 * Turns what committed work changed into events for its owners: balanceUpdated for wallets,
 * cardUpdated for cards (balance, status, limit or label), transactionUpdated for rows. A
 * wallet or card gets one event per version the work made, carrying that version's state, so
 * its subscribers see versions step by one; work that moved nothing of theirs (a declined
 * authorization) makes no version and sends no wallet or card event.
 */
export class ChangeEvents {
  /**
   * @param inOrder true when the bus publishes on the connection the generations are bumped on
   *   (EventBus.create with the app's client): then the bumps and the events leave together, in
   *   one round trip, and Redis still applies the bumps first. Otherwise the events wait for the
   *   bumps' answer.
   */
  constructor(
    private readonly bus: PlatformEvents,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
    private readonly generations: CacheGenerations,
    private readonly inOrder: boolean,
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
    for (const id of accountIds) {
      const userId = known(id)?.kind ? known(id)!.userId : null;
      if (userId) users.add(userId);
    }
    // The others are read: their owners, and the version that committed (a state noted by a
    // transaction that rolled back while the work carried on is never announced).
    const committed = new Map(
      (
        await this.ledger.findAccounts(
          em,
          accountIds.filter((id) => !known(id)?.kind),
        )
      ).map((a) => [a.id, a]),
    );
    for (const a of committed.values()) if (a.userId) users.add(a.userId);
    if (succeeded) {
      const states = [...changes.states].flatMap(([id, versions]) => {
        const newest = known(id)?.kind ? Infinity : (committed.get(id)?.version ?? -1);
        return [...versions.entries()]
          .filter(([version]) => version <= newest)
          .sort(([a], [b]) => a - b)
          .map(([, state]) => state);
      });
      for (const { account, userId, card } of states) {
        users.add(userId);
        if (account.kind === 'WALLET') {
          const payload = { walletId: account.id, version: account.version, wallet: accountToJson(account) };
          sends.push(() => this.bus.publish(Topic.BALANCE, userId, payload));
        } else if (card) {
          // The card as that version of its account left it: its row with that balance.
          const whole = withAccount(card, account);
          const payload = { cardId: whole.id, version: whole.version, card: cardToJson(whole) };
          sends.push(() => this.bus.publish(Topic.CARD, userId, payload));
        }
      }
    }
    const rows = [...changes.transactions].flatMap((id) => {
      const userId = known(id)?.userId;
      return userId ? [{ id, userId }] : [];
    });
    rows.push(
      ...(await this.transactions.findByIds(
        em,
        [...changes.transactions].filter((id) => !known(id)?.userId),
      )),
    );
    for (const t of rows) {
      users.add(t.userId);
      if (succeeded) sends.push(() => this.bus.publish(Topic.TRANSACTION, t.userId, { transactionId: t.id }));
    }
    if (this.inOrder) {
      // One connection, one socket write: Redis applies the bumps before it delivers the events.
      const bumped = this.generations.bump(users);
      await Promise.all([bumped, ...sends.map((send) => send())]);
    } else {
      await this.generations.bump(users);
      await Promise.all(sends.map((send) => send()));
    }
  }
}
