import { Money } from '../components/ui';
import { graphql } from '../gql';
import type { HistoryTransactionFieldsFragment, TransactionFilter, TransactionStatus, TransactionType } from '../gql/graphql';

/**
 * What the history screens share: the fields of one transaction row (the list, the detail page
 * and the live event all select the same, so an event updates every place a row is shown), the
 * words for types and statuses, and the pieces of a row.
 */

export const HistoryTransactionFields = graphql(`
  fragment HistoryTransactionFields on Transaction {
    id
    type
    status
    direction
    createdAt
    updatedAt
    reference
    description
    failureReason
    amount {
      ...MoneyFields
    }
    counterparty {
      id
      fullName
    }
    merchant {
      name
      category
      country
    }
    wallet {
      id
      currency
    }
    card {
      id
      label
      last4
      brand
    }
  }
`);

/** The viewer's transactions as they are created or change status (written into the cache by id). */
export const HistoryTransactionUpdated = graphql(`
  subscription HistoryTransactionUpdated {
    transactionUpdated {
      ...HistoryTransactionFields
    }
  }
`);

export type HistoryTransaction = HistoryTransactionFieldsFragment;

/** The kinds a person can filter by, in words (FEE never reaches a person's rows). */
export const TYPE_WORDS: Record<TransactionType, string> = {
  DEPOSIT: 'Money added',
  TRANSFER: 'Transfer',
  WITHDRAWAL: 'Withdrawal to a bank',
  REVERSAL: 'Returned withdrawal',
  CARD_FUNDING: 'Card top-up',
  CARD_WITHDRAWAL: 'Money back from a card',
  CARD_PURCHASE: 'Card purchase',
  CARD_REFUND: 'Card refund',
  FEE: 'Fee',
};
export const FILTER_TYPES: TransactionType[] = [
  'DEPOSIT',
  'TRANSFER',
  'WITHDRAWAL',
  'REVERSAL',
  'CARD_FUNDING',
  'CARD_WITHDRAWAL',
  'CARD_PURCHASE',
  'CARD_REFUND',
];

export const STATUS_WORDS: Record<TransactionStatus, string> = {
  COMPLETED: 'Completed',
  PENDING: 'Pending',
  FAILED: 'Failed',
  REVERSED: 'Reversed',
};
export const FILTER_STATUSES: TransactionStatus[] = ['COMPLETED', 'PENDING', 'FAILED', 'REVERSED'];

/** What happened, in a few words: the kind of movement and who or what it was with. */
export function titleOf(t: HistoryTransaction): string {
  const out = t.direction === 'DEBIT';
  const name = t.counterparty?.fullName;
  switch (t.type) {
    case 'TRANSFER':
      if (out) return name ? `Sent to ${name}` : 'Money sent';
      return name ? `Received from ${name}` : 'Money received';
    case 'DEPOSIT':
      return 'Money added';
    case 'WITHDRAWAL':
      return 'Withdrawal to a bank';
    case 'REVERSAL':
      return 'Withdrawal returned by the bank';
    case 'CARD_FUNDING':
      return t.card ? 'Card topped up from your wallet' : 'Moved to a card';
    case 'CARD_WITHDRAWAL':
      return t.card ? 'Moved back to your wallet' : 'Back from a card';
    case 'CARD_PURCHASE':
      return t.merchant ? `Card purchase at ${t.merchant.name}` : 'Card purchase';
    case 'CARD_REFUND':
      return t.merchant ? `Refund from ${t.merchant.name}` : 'Card refund';
    case 'FEE':
      return 'Fee';
  }
}

/** A note worth showing under the title (a transfer's note, a withdrawal's bank account), or null. */
export function noteOf(t: HistoryTransaction): string | null {
  if (!t.description) return null;
  if (t.type === 'TRANSFER') return `“${t.description}”`;
  if (t.type === 'WITHDRAWAL') return t.description;
  return null;
}

export function cardName(card: { label?: string | null; last4: string }): string {
  return card.label ? `${card.label} (card •••• ${card.last4})` : `Card •••• ${card.last4}`;
}

/** The wallet or card the row belongs to. */
export function accountOf(t: HistoryTransaction): string {
  if (t.card) return cardName(t.card);
  if (t.wallet) return `${t.wallet.currency} wallet`;
  return '';
}

/** The amount with its direction: in (green, +) or out (−), said in words to screen readers. */
export function SignedAmount({ t, className }: { t: HistoryTransaction; className?: string }) {
  const credit = t.direction === 'CREDIT';
  return (
    <span
      className={[
        'history-amount',
        credit ? 'amount-in' : 'amount-out',
        t.status === 'FAILED' || t.status === 'REVERSED' ? 'history-amount-void' : '',
        className,
      ]
        .filter(Boolean)
        .join(' ')}
    >
      <span className="visually-hidden">{credit ? 'Money in: ' : 'Money out: '}</span>
      <span aria-hidden="true">{credit ? '+' : '−'}</span>
      <Money amount={t.amount.amount} currency={t.amount.currency} />
    </span>
  );
}

export function StatusBadge({ status }: { status: TransactionStatus }) {
  return <span className={`status ${status}`}>{STATUS_WORDS[status]}</span>;
}

/** Whether a row belongs in a list narrowed by `filter` (the server's rule, for rows that arrive live). */
export function matchesFilter(t: HistoryTransaction, filter: TransactionFilter | null | undefined): boolean {
  if (!filter) return true;
  if (filter.walletId && t.wallet?.id !== filter.walletId) return false;
  if (filter.cardId && t.card?.id !== filter.cardId) return false;
  if (filter.types?.length && !filter.types.includes(t.type)) return false;
  if (filter.statuses?.length && !filter.statuses.includes(t.status)) return false;
  const created = new Date(t.createdAt).getTime();
  if (filter.from && created < new Date(filter.from).getTime()) return false;
  if (filter.to && created >= new Date(filter.to).getTime()) return false;
  return true;
}
