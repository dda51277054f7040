import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useIdempotencyKey } from '../components/ui';
import { graphql } from '../gql';
import type { CardStatus, SpendingInterval } from '../gql/graphql';

/** What the cards screens show of a card; Card is merged in the cache by `version`. */
export const CardsCardFields = graphql(`
  fragment CardsCardFields on Card {
    id
    label
    brand
    last4
    expMonth
    expYear
    status
    provider
    currency
    version
    updatedAt
    balance {
      ...MoneyFields
    }
    availableBalance {
      ...MoneyFields
    }
    spendingLimit {
      amount
      interval
    }
    wallet {
      id
      currency
    }
  }
`);

export const STATUS_WORDS: Record<CardStatus, string> = { ACTIVE: 'Active', FROZEN: 'Frozen', TERMINATED: 'Terminated' };

export function StatusBadge({ status }: { status: CardStatus }) {
  return <span className={`status ${status}`}>{STATUS_WORDS[status]}</span>;
}

/** The intervals a spending limit can cover, in the order a person thinks of them. */
export const INTERVALS: [SpendingInterval, string, string][] = [
  ['PER_AUTHORIZATION', 'Per purchase', 'per purchase'],
  ['DAILY', 'Per day', 'a day'],
  ['WEEKLY', 'Per week (from Monday)', 'a week'],
  ['MONTHLY', 'Per month (from the 1st)', 'a month'],
  ['ALL_TIME', 'In total', 'in total'],
];

export function intervalWords(interval: SpendingInterval): string {
  return INTERVALS.find(([i]) => i === interval)?.[2] ?? interval;
}

/** The name a person gave the card, or its brand and last digits. */
export function cardName(card: { label?: string | null; brand: string; last4: string }): string {
  return card.label || `${card.brand} •••• ${card.last4}`;
}

/** Codes after which the same request may be sent again with the same key (nothing was decided). */
const RETRY_WITH_SAME_KEY = new Set(['PROVIDER_UNAVAILABLE', 'IDEMPOTENCY_KEY_IN_PROGRESS', 'RATE_LIMITED', 'UNAUTHENTICATED']);

/**
 * The idempotency key of one attempt at an action: kept while the attempt is undecided (the
 * server could not be reached, or asked for a retry), so a retry never moves money twice; a new
 * key once the server has answered (done or refused), so the next action is a new request.
 */
export function useAttemptKey(): { key: string; settle(error?: unknown): void } {
  const [key, renew] = useIdempotencyKey();
  return {
    key,
    settle(error) {
      if (error === undefined) return renew();
      if (CombinedGraphQLErrors.is(error) && !error.errors.some((e) => RETRY_WITH_SAME_KEY.has(String(e.extensions?.code)))) renew();
    },
  };
}
