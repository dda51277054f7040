import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '../wallets/wallet.service.js';
import type { CardRepository } from './card.repository.js';
import type { Card } from './card.js';
import { CardError, CardException } from './cards.errors.js';

/** The viewer's card, or null: another user's card looks exactly like a missing one. */
export async function findOwnedCard(cards: CardRepository, em: EntityManager, userId: string, cardId: string): Promise<Card | null> {
  if (!isUuid(cardId)) return null;
  const card = await cards.find(em, cardId);
  return card && card.userId === userId ? card : null;
}

/** The viewer's card, or NOT_FOUND. */
export async function getOwnedCard(cards: CardRepository, em: EntityManager, userId: string, cardId: string): Promise<Card> {
  const card = await findOwnedCard(cards, em, userId, cardId);
  if (!card) throw new CardException(CardError.CardNotFound);
  return card;
}
