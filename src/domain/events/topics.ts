import type { EventBus } from '../../cache/pubsub.js';
import type { AccountJson, CardJson } from './event-payloads.js';

/**
 * What the platform announces, per user: ids and versions, and for wallets and cards the state
 * of that version (event-payloads.ts). The states are optional only for events sent by a
 * replica that predates them: those are read when they arrive.
 */
export enum Topic {
  BALANCE = 'balance',
  TRANSACTION = 'transaction',
  CARD = 'card',
  SESSION_REVOKED = 'session-revoked',
}

export interface TopicPayloads {
  [Topic.BALANCE]: { walletId: string; version: number; wallet?: AccountJson };
  [Topic.TRANSACTION]: { transactionId: string };
  [Topic.CARD]: { cardId: string; version?: number; card?: CardJson };
  [Topic.SESSION_REVOKED]: { sessionIds: string[] };
}

/** The bus that carries them between replicas. */
export type PlatformEvents = EventBus<TopicPayloads>;
