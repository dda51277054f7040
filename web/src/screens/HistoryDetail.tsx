import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useQuery, useSubscription } from '@apollo/client/react';
import { LoadFailed, Loading, Notice } from '../components/ui';
import { problems as problemsOf } from '../errors';
import { formatDate } from '../format';
import { graphql } from '../gql';
import { Link } from '../router';
import './History.css';
import {
  cardName,
  HistoryTransactionUpdated,
  SignedAmount,
  STATUS_WORDS,
  StatusBadge,
  titleOf,
  TYPE_WORDS,
  type HistoryTransaction,
} from './HistoryParts';

const HistoryTransactionDetail = graphql(`
  query HistoryTransactionDetail($id: ID!) {
    transaction(id: $id) {
      ...HistoryTransactionFields
    }
  }
`);

/** Where the row stands, in a sentence. */
function statusSentence(t: HistoryTransaction): string {
  switch (t.status) {
    case 'COMPLETED':
      return 'Done: the money moved.';
    case 'PENDING':
      if (t.type === 'DEPOSIT') return 'Waiting for the payment to be confirmed.';
      if (t.type === 'WITHDRAWAL') return 'On its way to the bank. The money is held until the bank confirms.';
      if (t.type === 'CARD_PURCHASE') return 'Held on the card until the merchant takes the payment.';
      return 'In progress: this will change.';
    case 'FAILED':
      return 'Nothing moved.';
    case 'REVERSED':
      return 'Undone: the money went back.';
  }
}

/** Why it failed or was undone, in our words for its kind (the provider's own words follow as details). */
function failureSentence(t: HistoryTransaction): string | null {
  if (t.status === 'FAILED') {
    switch (t.type) {
      case 'CARD_PURCHASE':
        return 'The card declined this purchase, so nothing was charged.';
      case 'DEPOSIT':
        return 'The payment did not go through, so nothing was added.';
      case 'WITHDRAWAL':
        return 'The bank did not pay this out. The money stayed in your wallet.';
      default:
        return 'This did not go through, so no money moved.';
    }
  }
  if (t.status === 'REVERSED') {
    if (t.type === 'WITHDRAWAL') return 'The bank sent this payout back. The money is in your wallet again.';
    if (t.type === 'CARD_PURCHASE') return 'The merchant released this hold. The money is on the card again.';
  }
  return null;
}

/** One transaction: amount, direction, kind, status, date, reference, who it was with, where it belongs. */
export function TransactionScreen({ id }: { id: string }) {
  const { data, loading, error, refetch } = useQuery(HistoryTransactionDetail, { variables: { id } });
  // Keeps the status live (events are written into the cache by id).
  useSubscription(HistoryTransactionUpdated);

  const back = (
    <p className="history-back">
      <Link to="/history">← All transactions</Link>
    </p>
  );
  if (loading && !data) return <Loading what="Loading this transaction" />;
  const problems = error ? problemsOf(error) : [];
  const notFound =
    (data && !data.transaction) || (CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.code === 'NOT_FOUND'));
  if (notFound) {
    return (
      <>
        {back}
        <h1>We could not find this transaction</h1>
        <p>It may belong to someone else, or the link may be wrong.</p>
      </>
    );
  }
  const t = data?.transaction;
  if (!t) {
    return (
      <>
        {back}
        <LoadFailed what="this transaction" why={problems[0]?.message} retry={() => refetch()} />
      </>
    );
  }

  const failure = failureSentence(t);
  const other = t.counterparty ? (t.direction === 'DEBIT' ? 'To' : 'From') : null;
  const merchantPlace = t.merchant ? [t.merchant.category, t.merchant.country].filter(Boolean).join(', ') : '';
  return (
    <>
      {back}
      <h1>{titleOf(t)}</h1>
      <section className="card-surface history-detail" aria-labelledby="history-detail-heading">
        <h2 id="history-detail-heading" className="visually-hidden">
          Details
        </h2>
        <p className="history-detail-amount">
          <SignedAmount t={t} />
          <StatusBadge status={t.status} />
        </p>
        {failure ? (
          <Notice kind={t.status === 'FAILED' ? 'error' : 'info'}>
            <p>{failure}</p>
          </Notice>
        ) : null}
        <dl className="details">
          <dt>Status</dt>
          <dd>
            {STATUS_WORDS[t.status]}. {statusSentence(t)}
          </dd>
          <dt>Type</dt>
          <dd>{TYPE_WORDS[t.type]}</dd>
          <dt>Direction</dt>
          <dd>{t.direction === 'CREDIT' ? 'Money in' : 'Money out'}</dd>
          {other && t.counterparty ? (
            <>
              <dt>{other}</dt>
              <dd>{t.counterparty.fullName}</dd>
            </>
          ) : null}
          {t.merchant ? (
            <>
              <dt>Merchant</dt>
              <dd>
                {t.merchant.name}
                {merchantPlace ? <span className="subtle"> ({merchantPlace})</span> : null}
              </dd>
            </>
          ) : null}
          {t.description && t.description !== t.merchant?.name ? (
            <>
              <dt>{t.type === 'TRANSFER' ? 'Note' : 'Description'}</dt>
              <dd>{t.description}</dd>
            </>
          ) : null}
          {t.failureReason && (t.status === 'FAILED' || t.status === 'REVERSED') ? (
            <>
              <dt>Reason given</dt>
              <dd>{t.failureReason}</dd>
            </>
          ) : null}
          <dt>Date</dt>
          <dd>
            <time dateTime={t.createdAt}>{formatDate(t.createdAt)}</time>
          </dd>
          {t.updatedAt !== t.createdAt && formatDate(t.updatedAt) !== formatDate(t.createdAt) ? (
            <>
              <dt>Last change</dt>
              <dd>
                <time dateTime={t.updatedAt}>{formatDate(t.updatedAt)}</time>
              </dd>
            </>
          ) : null}
          <dt>Reference</dt>
          <dd className="history-reference">{t.reference}</dd>
          <dt>{t.card ? 'Card' : 'Wallet'}</dt>
          <dd>
            {t.card ? (
              <Link to={`/cards/${t.card.id}`}>{cardName(t.card)}</Link>
            ) : t.wallet ? (
              <Link to={`/history?wallet=${t.wallet.id}`}>{t.wallet.currency} wallet history</Link>
            ) : null}
          </dd>
        </dl>
      </section>
    </>
  );
}
