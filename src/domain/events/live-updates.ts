import type { EntityManager } from '@mikro-orm/postgresql';
import type { CardService } from '../cards/card.service.js';
import type { WalletService } from '../wallets/wallet.service.js';
import { filterEvents } from '../../cache/pubsub.js';
import { Topic, type PlatformEvents, type TopicPayloads } from './topics.js';

/**
 * What subscriptions listen to. A wallet or card named by a subscription is checked once, when
 * it starts: a malformed id is BAD_USER_INPUT (extensions.field), and one that is not the
 * viewer's NOT_FOUND, exactly like one that does not exist, instead of a stream that stays silent.
 */
export class LiveUpdates {
  constructor(
    private readonly bus: PlatformEvents,
    private readonly wallets: WalletService,
    private readonly cards: CardService,
    /** A throwaway EntityManager for the check: a subscription's own context lives as long as it does (B10). */
    private readonly fork: () => EntityManager,
  ) {}

  async balances(userId: string, walletId: string | null): Promise<AsyncIterableIterator<TopicPayloads[Topic.BALANCE]>> {
    if (walletId === null) return this.bus.subscribe(Topic.BALANCE, userId);
    const wallet = await this.wallets.getOwnedById(this.fork(), userId, walletId, 'walletId');
    return filterEvents(this.bus.subscribe(Topic.BALANCE, userId), (e) => e.walletId === wallet.id);
  }

  async cardChanges(userId: string, cardId: string | null): Promise<AsyncIterableIterator<TopicPayloads[Topic.CARD]>> {
    if (cardId === null) return this.bus.subscribe(Topic.CARD, userId);
    const card = await this.cards.getOwnedById(this.fork(), userId, cardId, 'cardId');
    return filterEvents(this.bus.subscribe(Topic.CARD, userId), (e) => e.cardId === card.id);
  }

  transactions(userId: string): AsyncIterableIterator<TopicPayloads[Topic.TRANSACTION]> {
    return this.bus.subscribe(Topic.TRANSACTION, userId);
  }
}
