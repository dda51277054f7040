import type { EntityManager } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import type { FastifyBaseLogger } from 'fastify';
import type { ClientInfo, Viewer } from '../domain/auth/auth.service.js';
import type { LedgerAccount } from '../domain/ledger/ledger.service.js';
import type { Card } from '../domain/cards/card.repository.js';
import type { LiveUpdates } from '../domain/events/live-updates.js';
import type { User } from '../domain/users/user.entity.js';

export interface Loaders {
  user: DataLoader<string, User | null>;
  /** Ledger accounts (wallets, cards) by id. */
  account: DataLoader<string, LedgerAccount | null>;
  card: DataLoader<string, Card | null>;
}

/** Built once per HTTP request or WebSocket operation. */
export interface GraphQLContext {
  /** A fork of the EntityManager for this request alone. */
  em: EntityManager;
  viewer: Viewer | null;
  loaders: Loaders;
  requestId: string;
  client: ClientInfo;
  log: FastifyBaseLogger;
  /** The subscriptions' streams, each checked once when it starts. */
  live: LiveUpdates;
}
