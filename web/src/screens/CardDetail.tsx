import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useCurrency } from '../app-context';
import { Empty, Field, FormProblems, LoadFailed, Loading, Money, Notice, problemFor, SelectField } from '../components/ui';
import { problems as problemsOf, type Problem } from '../errors';
import { formatDate, parseAmount } from '../format';
import { graphql } from '../gql';
import type { CardsDetailQuery, SpendingInterval, TransactionStatus, TransactionType } from '../gql/graphql';
import { Link } from '../router';
import { cardName, INTERVALS, intervalWords, StatusBadge, useAttemptKey } from './CardParts';
import './Cards.css';

const CardsDetail = graphql(`
  query CardsDetail($id: ID!) {
    card(id: $id) {
      ...CardsCardFields
      wallet {
        ...WalletFields
      }
    }
  }
`);

/** Every change of the card (status, limit, label, balance), merged into the cache by version. */
const CardsUpdated = graphql(`
  subscription CardsUpdated($cardId: ID!) {
    cardUpdated(cardId: $cardId) {
      ...CardsCardFields
    }
  }
`);

const CardsActivity = graphql(`
  query CardsActivity($id: ID!) {
    card(id: $id) {
      id
      transactions(first: 10) {
        edges {
          node {
            id
            type
            direction
            status
            description
            failureReason
            createdAt
            amount {
              ...MoneyFields
            }
            merchant {
              name
            }
          }
        }
      }
    }
  }
`);

/** A row written or changed anywhere: the card's list is read again when the row is the card's. */
const CardsTransactionUpdated = graphql(`
  subscription CardsTransactionUpdated {
    transactionUpdated {
      id
      status
      card {
        id
      }
    }
  }
`);

/** What loading or unloading a card answers: the card and its wallet as they are now. */
export const CardsMoneyMoved = graphql(`
  fragment CardsMoneyMoved on CardMoneyPayload {
    card {
      ...CardsCardFields
    }
    wallet {
      ...WalletFields
    }
    transaction {
      id
    }
  }
`);

const CardsFund = graphql(`
  mutation CardsFund($input: CardAmountInput!) {
    fundCard(input: $input) {
      ...CardsMoneyMoved
    }
  }
`);

const CardsUnload = graphql(`
  mutation CardsUnload($input: CardAmountInput!) {
    withdrawFromCard(input: $input) {
      ...CardsMoneyMoved
    }
  }
`);

const CardsFreeze = graphql(`
  mutation CardsFreeze($cardId: ID!) {
    freezeCard(input: { cardId: $cardId }) {
      card {
        ...CardsCardFields
      }
    }
  }
`);

const CardsUnfreeze = graphql(`
  mutation CardsUnfreeze($cardId: ID!) {
    unfreezeCard(input: { cardId: $cardId }) {
      card {
        ...CardsCardFields
      }
    }
  }
`);

const CardsTerminate = graphql(`
  mutation CardsTerminate($cardId: ID!) {
    terminateCard(input: { cardId: $cardId }) {
      card {
        ...CardsCardFields
      }
      viewer {
        id
        wallets {
          ...WalletFields
        }
      }
    }
  }
`);

const CardsSetLimit = graphql(`
  mutation CardsSetLimit($input: SetCardSpendingLimitInput!) {
    setCardSpendingLimit(input: $input) {
      card {
        ...CardsCardFields
      }
    }
  }
`);

const CardsReveal = graphql(`
  mutation CardsReveal($cardId: ID!) {
    revealCard(input: { cardId: $cardId }) {
      url
      expiresAt
    }
  }
`);

const CardsSimulatePurchase = graphql(`
  mutation CardsSimulatePurchase($input: SimulateCardPurchaseInput!) {
    simulateCardPurchase(input: $input) {
      card {
        ...CardsCardFields
      }
      transaction {
        id
        status
        failureReason
        amount {
          ...MoneyFields
        }
        merchant {
          name
        }
      }
    }
  }
`);

/** The card as the page reads it, with its wallet's balances. */
type Card = NonNullable<CardsDetailQuery['card']>;

/** One card: its balance and status live, loading and unloading, a test purchase, its limit, details and recent rows. */
export function CardDetailScreen({ id }: { id: string }) {
  const { data, loading, error, refetch } = useQuery(CardsDetail, { variables: { id } });
  const card = data?.card;
  // Events merge into the cache by version; after a reconnect the page's queries are fetched again (api.ts).
  useSubscription(CardsUpdated, { variables: { cardId: id }, skip: !card });

  if (loading && !data) return <Loading what="Loading the card" />;
  if (error && !data) {
    return (
      <div className="cards-screen">
        <BackLink />
        <LoadFailed what="this card" retry={() => refetch()} />
      </div>
    );
  }
  if (!card) {
    return (
      <div className="cards-screen">
        <BackLink />
        <h1>Card not found</h1>
        <Empty>
          <p>We could not find that card. It may belong to someone else, or the link may be wrong.</p>
        </Empty>
      </div>
    );
  }
  const usable = card.status !== 'TERMINATED';
  return (
    <div className="cards-screen">
      <BackLink />
      <h1>{cardName(card)}</h1>
      <section className="card-surface cards-summary" aria-labelledby="card-balance-heading">
        <CardPicture card={card} />
        <div className="cards-summary-figures">
          <h2 id="card-balance-heading" className="visually-hidden">
            Balance and status
          </h2>
          <p className="subtle cards-figure-label">Card balance</p>
          <p className="balance" aria-live="polite" data-testid="card-balance">
            <Money amount={card.balance.amount} currency={card.currency} />
          </p>
          {card.availableBalance.amount !== card.balance.amount ? (
            <p className="subtle">
              Available <Money amount={card.availableBalance.amount} currency={card.currency} />
            </p>
          ) : null}
          <dl className="details">
            <dt>Status</dt>
            <dd aria-live="polite" data-testid="card-status">
              <StatusBadge status={card.status} />
            </dd>
            <dt>Spending limit</dt>
            <dd>
              {card.spendingLimit ? (
                <>
                  <Money amount={card.spendingLimit.amount} currency={card.currency} /> {intervalWords(card.spendingLimit.interval)}
                </>
              ) : (
                'No limit'
              )}
            </dd>
            <dt>Wallet</dt>
            <dd data-testid="card-wallet">
              {card.wallet.currency} wallet, <Money amount={card.wallet.availableBalance.amount} currency={card.wallet.currency} />{' '}
              available
            </dd>
          </dl>
        </div>
      </section>

      {usable ? (
        <>
          <FreezeToggle card={card} />
          <div className="cards-grid">
            {card.status === 'ACTIVE' ? (
              <MoveMoney card={card} direction="load" />
            ) : (
              <section className="card-surface" aria-labelledby="card-load-heading">
                <h2 id="card-load-heading">Load the card</h2>
                <p>The card is frozen. Unfreeze it to load money onto it.</p>
              </section>
            )}
            <MoveMoney card={card} direction="unload" />
          </div>
          {card.provider === 'sandbox' ? <TestPurchase card={card} /> : null}
          <SpendingLimitForm card={card} />
          <RevealDetails card={card} />
        </>
      ) : (
        <Notice>This card is terminated: it can no longer be loaded or used. Its balance went back to your {card.currency} wallet.</Notice>
      )}
      <Activity cardId={card.id} />
      {usable ? <Terminate card={card} /> : null}
    </div>
  );
}

function BackLink() {
  return (
    <p className="cards-back">
      <Link to="/cards">← All cards</Link>
    </p>
  );
}

/** The card as a picture of a card: brand, last digits and expiry (never the full number). */
function CardPicture({ card }: { card: Card }) {
  return (
    <div
      className={`cards-picture ${card.status}`}
      aria-label={`${card.brand} card ending ${card.last4}, expires ${expiry(card)}`}
      role="img"
    >
      <span className="cards-picture-label">{card.label || 'Virtual card'}</span>
      <span className="cards-picture-number" aria-hidden="true">
        •••• •••• •••• {card.last4}
      </span>
      <span className="cards-picture-foot" aria-hidden="true">
        <span>Expires {expiry(card)}</span>
        <span className="cards-picture-brand">{card.brand}</span>
      </span>
    </div>
  );
}

function expiry(card: Card): string {
  return `${String(card.expMonth).padStart(2, '0')}/${String(card.expYear).slice(-2)}`;
}

function FreezeToggle({ card }: { card: Card }) {
  const [freeze, freezing] = useMutation(CardsFreeze);
  const [unfreeze, unfreezing] = useMutation(CardsUnfreeze);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const busy = freezing.loading || unfreezing.loading;
  const frozen = card.status === 'FROZEN';

  async function toggle() {
    setProblems([]);
    setDone(null);
    try {
      if (frozen) {
        await unfreeze({ variables: { cardId: card.id } });
        setDone('The card is active again: purchases go through.');
      } else {
        await freeze({ variables: { cardId: card.id } });
        setDone('The card is frozen: purchases are declined until you unfreeze it. You can still move its money back to your wallet.');
      }
    } catch (err) {
      setProblems(problemsOf(err));
    }
  }

  return (
    <section aria-labelledby="card-freeze-heading" className="cards-freeze">
      <h2 id="card-freeze-heading" className="visually-hidden">
        Freeze or unfreeze
      </h2>
      <div className="actions">
        <button type="button" onClick={() => void toggle()} disabled={busy} className={frozen ? 'primary' : undefined}>
          {busy ? (frozen ? 'Unfreezing…' : 'Freezing…') : frozen ? 'Unfreeze card' : 'Freeze card'}
        </button>
      </div>
      <FormProblems problems={problems} />
      {done ? <Notice kind="success">{done}</Notice> : null}
    </section>
  );
}

/** Loading the card from its wallet, or moving its money back, with the attempt's idempotency key. */
function MoveMoney({ card, direction }: { card: Card; direction: 'load' | 'unload' }) {
  const currency = useCurrency(card.currency);
  const [fund, funding] = useMutation(CardsFund, { refetchQueries: ['CardsActivity'] });
  const [unload, unloading] = useMutation(CardsUnload, { refetchQueries: ['CardsActivity'] });
  const attempt = useAttemptKey();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [done, setDone] = useState<{ amount: string; transactionId: string } | null>(null);
  const load = direction === 'load';
  const loading = load ? funding.loading : unloading.loading;
  const headingId = `card-${direction}-heading`;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const amount = parseAmount(String(new FormData(form).get('amount') ?? ''), currency);
    setDone(null);
    if (!amount) {
      setProblems([{ field: 'amount', message: `Enter an amount in ${card.currency} greater than zero.` }]);
      return;
    }
    setProblems([]);
    const input = { cardId: card.id, amount, idempotencyKey: attempt.key };
    try {
      const result = load
        ? (await fund({ variables: { input } })).data!.fundCard
        : (await unload({ variables: { input } })).data!.withdrawFromCard;
      attempt.settle();
      setDone({ amount, transactionId: result.transaction.id });
      form.reset();
    } catch (err) {
      attempt.settle(err);
      setProblems(problemsOf(err));
    }
  }

  return (
    <section className="card-surface" aria-labelledby={headingId}>
      <h2 id={headingId}>{load ? 'Load the card' : 'Move money back to the wallet'}</h2>
      <form onSubmit={submit} noValidate aria-labelledby={headingId}>
        <Field
          label={load ? `Amount to load in ${card.currency}` : `Amount to move back in ${card.currency}`}
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          hint={
            load ? (
              <>
                From your {card.currency} wallet: <Money amount={card.wallet.availableBalance.amount} currency={card.currency} /> available.
              </>
            ) : (
              <>
                On the card: <Money amount={card.availableBalance.amount} currency={card.currency} /> available.
              </>
            )
          }
          problem={problemFor(problems, 'amount')}
        />
        <FormProblems problems={problems} fields={['amount']} />
        <button type="submit" disabled={loading}>
          {loading ? (load ? 'Loading…' : 'Moving…') : load ? 'Load card' : 'Move to wallet'}
        </button>
      </form>
      {done ? (
        <Notice kind="success">
          {load ? 'Loaded ' : 'Moved '}
          <Money amount={done.amount} currency={card.currency} />
          {load ? ' onto the card.' : ` back to your ${card.currency} wallet.`}{' '}
          <Link to={`/history/${done.transactionId}`}>See the details</Link>
        </Notice>
      ) : null}
    </section>
  );
}

/** Sandbox cards: a merchant charges the card, approved or declined as a real purchase would be. */
function TestPurchase({ card }: { card: Card }) {
  const currency = useCurrency(card.currency);
  const [simulate, { loading }] = useMutation(CardsSimulatePurchase, { refetchQueries: ['CardsActivity'] });
  const attempt = useAttemptKey();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [outcome, setOutcome] = useState<{
    id: string;
    approved: boolean;
    amount: string;
    merchant: string;
    reason: string | null;
  } | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const merchantName = String(data.get('merchantName') ?? '').trim();
    const amount = parseAmount(String(data.get('amount') ?? ''), currency);
    const found: Problem[] = [];
    if (!merchantName) found.push({ field: 'merchantName', message: 'Enter the name of a shop.' });
    if (!amount) found.push({ field: 'amount', message: `Enter an amount in ${card.currency} greater than zero.` });
    setProblems(found);
    setOutcome(null);
    if (!amount || found.length > 0) return;
    try {
      const result = await simulate({ variables: { input: { cardId: card.id, amount, merchantName, idempotencyKey: attempt.key } } });
      attempt.settle();
      const t = result.data!.simulateCardPurchase.transaction;
      setOutcome({
        id: t.id,
        approved: t.status !== 'FAILED',
        amount: t.amount.amount,
        merchant: t.merchant?.name ?? merchantName,
        reason: t.failureReason ?? null,
      });
    } catch (err) {
      attempt.settle(err);
      setProblems(problemsOf(err));
    }
  }

  return (
    <section className="card-surface" aria-labelledby="card-purchase-heading">
      <h2 id="card-purchase-heading">Test purchase</h2>
      <p className="subtle">
        This is a sandbox card: try it as a shop would charge it. The merchant name DECLINE makes the card issuer decline.
      </p>
      <form onSubmit={submit} noValidate aria-labelledby="card-purchase-heading">
        <div className="cards-pair">
          <Field
            label="Merchant name"
            name="merchantName"
            autoComplete="off"
            maxLength={120}
            problem={problemFor(problems, 'merchantName')}
          />
          <Field
            label={`Amount in ${card.currency}`}
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            problem={problemFor(problems, 'amount')}
          />
        </div>
        <FormProblems problems={problems} fields={['merchantName', 'amount']} />
        <button type="submit" disabled={loading}>
          {loading ? 'Paying…' : 'Make test purchase'}
        </button>
      </form>
      {outcome ? (
        <Notice kind={outcome.approved ? 'success' : 'error'}>
          <p>
            <strong>{outcome.approved ? 'Approved' : 'Declined'}:</strong> <Money amount={outcome.amount} currency={card.currency} /> at{' '}
            {outcome.merchant}
            {outcome.approved ? '.' : `. ${declineWords(outcome.reason)}`}
          </p>
          <p>
            <Link to={`/history/${outcome.id}`}>See the details</Link>
          </p>
        </Notice>
      ) : null}
    </section>
  );
}

/** Why a purchase was declined: the row's reason (written for people), as a sentence. */
function declineWords(reason: string | null): string {
  if (!reason) return 'The card issuer declined it.';
  const sentence = reason.charAt(0).toUpperCase() + reason.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

function SpendingLimitForm({ card }: { card: Card }) {
  const currency = useCurrency(card.currency);
  const [setLimit, { loading }] = useMutation(CardsSetLimit);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const limit = card.spendingLimit;

  async function save(next: { amount: string; interval: SpendingInterval } | null) {
    setProblems([]);
    setDone(null);
    try {
      await setLimit({ variables: { input: { cardId: card.id, limit: next } } });
      setDone(next ? 'The new limit applies to every purchase from now on.' : 'The card has no spending limit now.');
      return true;
    } catch (err) {
      setProblems(problemsOf(err));
      return false;
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const amount = parseAmount(String(data.get('limitAmount') ?? ''), currency);
    if (!amount) {
      setDone(null);
      setProblems([{ field: 'amount', message: `Enter a limit in ${card.currency} greater than zero.` }]);
      return;
    }
    if (await save({ amount, interval: String(data.get('limitInterval')) as SpendingInterval })) form.reset();
  }

  return (
    <section className="card-surface" aria-labelledby="card-limit-heading">
      <h2 id="card-limit-heading">Spending limit</h2>
      <p data-testid="card-limit">
        {limit ? (
          <>
            Purchases may add up to <Money amount={limit.amount} currency={card.currency} /> {intervalWords(limit.interval)}; more are
            declined.
          </>
        ) : (
          'No limit: purchases are only limited by the money on the card.'
        )}
      </p>
      <form onSubmit={submit} noValidate aria-labelledby="card-limit-heading">
        <div className="cards-pair">
          <Field
            label={`New limit in ${card.currency}`}
            name="limitAmount"
            inputMode="decimal"
            autoComplete="off"
            problem={problemFor(problems, 'amount')}
          />
          <SelectField label="Counted" name="limitInterval" defaultValue={limit?.interval ?? 'MONTHLY'} key={limit?.interval ?? 'none'}>
            {INTERVALS.map(([value, words]) => (
              <option key={value} value={value}>
                {words}
              </option>
            ))}
          </SelectField>
        </div>
        <FormProblems problems={problems} fields={['amount']} />
        <div className="actions">
          <button type="submit" disabled={loading}>
            {loading ? 'Saving…' : 'Set limit'}
          </button>
          {limit ? (
            <button type="button" disabled={loading} onClick={() => void save(null)}>
              Remove limit
            </button>
          ) : null}
        </div>
      </form>
      {done ? <Notice kind="success">{done}</Notice> : null}
    </section>
  );
}

/** The full number and CVV, shown by the issuer on a page of its own that works once. */
function RevealDetails({ card }: { card: Card }) {
  const [reveal, { loading }] = useMutation(CardsReveal);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [link, setLink] = useState<{ url: string; expiresAt: string; opened: boolean } | null>(null);
  const linkRef = useRef<HTMLAnchorElement>(null);

  useEffect(() => {
    if (link && !link.opened) linkRef.current?.focus();
  }, [link]);

  if (card.provider !== 'sandbox') {
    return (
      <section className="card-surface" aria-labelledby="card-reveal-heading">
        <h2 id="card-reveal-heading">Card number</h2>
        <p>The full number and CVV of this card are shown by its issuer’s app, never by this one.</p>
      </section>
    );
  }

  async function ask() {
    setProblems([]);
    setLink(null);
    try {
      const result = await reveal({ variables: { cardId: card.id } });
      const { url, expiresAt } = result.data!.revealCard;
      if (!url) {
        setProblems([{ field: null, message: 'This card’s issuer cannot show its number here.' }]);
        return;
      }
      setLink({ url, expiresAt, opened: false });
    } catch (err) {
      setProblems(problemsOf(err));
    }
  }

  const until = link ? new Date(link.expiresAt).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' }) : '';
  return (
    <section className="card-surface" aria-labelledby="card-reveal-heading">
      <h2 id="card-reveal-heading">Card number</h2>
      <p>
        The full number and CVV never pass through this app: the card issuer shows them on a page of its own, in a new tab. That page works{' '}
        <strong>once</strong>, for two minutes.
      </p>
      {link && !link.opened ? (
        <p>
          <a
            ref={linkRef}
            href={link.url}
            target="_blank"
            rel="noopener"
            className="button primary"
            // Later, so the link is still in the page when the browser follows it.
            onClick={() => setTimeout(() => setLink((l) => (l ? { ...l, opened: true } : l)), 0)}
          >
            Open card number (new tab)
          </a>{' '}
          <span className="subtle">Works once, until {until}.</span>
        </p>
      ) : (
        <button type="button" onClick={() => void ask()} disabled={loading}>
          {loading ? 'Asking…' : link ? 'Get a new link' : 'Show card number'}
        </button>
      )}
      {link?.opened ? (
        <Notice>The page has been opened and its link no longer works. To see the number again, get a new link.</Notice>
      ) : null}
      <FormProblems problems={problems} />
    </section>
  );
}

/** Terminating is final: asked for in a dialog that says so. */
function Terminate({ card }: { card: Card }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const keep = useRef<HTMLButtonElement>(null);
  const [terminate, { loading }] = useMutation(CardsTerminate, { refetchQueries: ['CardsActivity'] });
  const [problems, setProblems] = useState<Problem[]>([]);

  async function confirm() {
    setProblems([]);
    try {
      await terminate({ variables: { cardId: card.id } });
      dialog.current?.close();
    } catch (err) {
      setProblems(problemsOf(err));
    }
  }

  return (
    <section aria-labelledby="card-terminate-heading" className="cards-danger">
      <h2 id="card-terminate-heading">Terminate the card</h2>
      <p>A terminated card can never be used again. What is on it goes back to your {card.currency} wallet.</p>
      <button
        type="button"
        className="danger"
        onClick={() => {
          setProblems([]);
          dialog.current?.showModal();
          // The safe choice has the focus: Enter keeps the card.
          keep.current?.focus();
        }}
      >
        Terminate card…
      </button>
      <dialog ref={dialog} className="cards-dialog" aria-labelledby="card-terminate-title" aria-describedby="card-terminate-text">
        <h2 id="card-terminate-title">Terminate “{cardName(card)}”?</h2>
        <p id="card-terminate-text">
          This cannot be undone. The card stops working at once, and its available{' '}
          <Money amount={card.availableBalance.amount} currency={card.currency} /> goes back to your {card.currency} wallet.
        </p>
        <FormProblems problems={problems} />
        <div className="actions">
          <button type="button" className="danger solid" onClick={() => void confirm()} disabled={loading}>
            {loading ? 'Terminating…' : 'Yes, terminate it'}
          </button>
          <button type="button" ref={keep} onClick={() => dialog.current?.close()}>
            Keep the card
          </button>
        </div>
      </dialog>
    </section>
  );
}

const TYPE_WORDS: Partial<Record<TransactionType, string>> = {
  CARD_FUNDING: 'Loaded from wallet',
  CARD_WITHDRAWAL: 'Moved back to wallet',
  CARD_PURCHASE: 'Purchase',
  CARD_REFUND: 'Refund',
};

const STATUS_WORDS: Partial<Record<TransactionStatus, string>> = { PENDING: 'Pending', FAILED: 'Declined', REVERSED: 'Reversed' };

function Activity({ cardId }: { cardId: string }) {
  const { data, loading, error, refetch } = useQuery(CardsActivity, { variables: { id: cardId } });
  useSubscription(CardsTransactionUpdated, {
    onData: ({ data: event }) => {
      if (event.data?.transactionUpdated.card?.id === cardId) void refetch();
    },
  });
  const rows = data?.card?.transactions.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="card-activity-heading">
      <h2 id="card-activity-heading">Recent activity</h2>
      {loading && !data ? (
        <Loading what="Loading the card’s activity" />
      ) : error && !data ? (
        <LoadFailed what="this card’s activity" retry={() => refetch()} />
      ) : rows.length === 0 ? (
        <Empty>
          <p>Nothing yet. Loads, purchases and refunds of this card appear here.</p>
        </Empty>
      ) : (
        <>
          <ul className="rows" data-testid="card-activity">
            {rows.map((t) => (
              <li key={t.id}>
                <Link to={`/history/${t.id}`} className="row">
                  <span className="cards-row-name">
                    <strong>
                      {t.type === 'CARD_PURCHASE' || t.type === 'CARD_REFUND'
                        ? (t.merchant?.name ?? t.description ?? TYPE_WORDS[t.type])
                        : (TYPE_WORDS[t.type] ?? t.description ?? t.type)}
                    </strong>
                    <span className="subtle">
                      {t.type === 'CARD_REFUND' ? 'Refund · ' : t.type === 'CARD_PURCHASE' ? 'Purchase · ' : ''}
                      {formatDate(t.createdAt)}
                    </span>
                  </span>
                  <span className="cards-row-end">
                    {STATUS_WORDS[t.status] ? (
                      <span className={`status ${t.status}`}>
                        {STATUS_WORDS[t.status] === 'Declined' && t.type !== 'CARD_PURCHASE' ? 'Failed' : STATUS_WORDS[t.status]}
                      </span>
                    ) : null}
                    <span
                      className={
                        t.status === 'FAILED' || t.status === 'REVERSED'
                          ? 'cards-amount cards-void'
                          : t.direction === 'CREDIT'
                            ? 'cards-amount amount-in'
                            : 'cards-amount'
                      }
                    >
                      {t.direction === 'CREDIT' ? '+' : '−'}
                      <Money amount={t.amount.amount} currency={t.amount.currency} />
                    </span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          <p>
            <Link to={`/history?card=${cardId}`}>All of this card’s activity</Link>
          </p>
        </>
      )}
    </section>
  );
}
