import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { useCurrency } from '../app-context';
import { Empty, Field, FormProblems, LoadFailed, Loading, Money, Notice, problemFor, SelectField } from '../components/ui';
import { problems as problemsOf, type Problem } from '../errors';
import { parseAmount } from '../format';
import { graphql } from '../gql';
import type { AddressInput, Currency, SpendingInterval } from '../gql/graphql';
import { Link } from '../router';
import { cardName, INTERVALS, intervalWords, StatusBadge, useAttemptKey } from './CardParts';
import './Cards.css';

export { CardDetailScreen } from './CardDetail';

const CardsList = graphql(`
  query CardsList {
    me {
      id
      wallets {
        ...WalletFields
      }
      cards {
        ...CardsCardFields
      }
    }
  }
`);

const CardsCreate = graphql(`
  mutation CardsCreate($input: CreateCardInput!) {
    createCard(input: $input) {
      card {
        ...CardsCardFields
      }
      viewer {
        id
        wallets {
          ...WalletFields
        }
        cards {
          ...CardsCardFields
        }
      }
    }
  }
`);

type Wallet = { id: string; currency: Currency; availableBalance: { amount: string } };

/** The viewer's cards with their balances, and a new card. */
export function CardsScreen() {
  const { data, loading, error, refetch } = useQuery(CardsList);
  if (loading && !data) return <Loading what="Loading your cards" />;
  if (error && !data) {
    return <LoadFailed what="your cards" retry={() => refetch()} />;
  }
  const me = data?.me;
  if (!me) return null;
  return (
    <div className="cards-screen">
      <h1>Cards</h1>
      <section aria-labelledby="cards-heading">
        <h2 id="cards-heading">Your cards</h2>
        {me.cards.length === 0 ? (
          <Empty>
            <p>You have no card yet. A virtual card spends money you load onto it from one of your wallets.</p>
          </Empty>
        ) : (
          <ul className="rows cards-list">
            {me.cards.map((card) => (
              <li key={card.id} data-testid={`card-${card.id}`}>
                <Link to={`/cards/${card.id}`} className="row">
                  <span className="cards-row-name">
                    <strong>{cardName(card)}</strong>
                    <span className="subtle">
                      {card.brand} •••• {card.last4} · {card.currency}
                      {card.spendingLimit ? (
                        <>
                          {' '}
                          · limit <Money amount={card.spendingLimit.amount} currency={card.currency} />{' '}
                          {intervalWords(card.spendingLimit.interval)}
                        </>
                      ) : null}
                    </span>
                  </span>
                  <span className="cards-row-end">
                    <StatusBadge status={card.status} />
                    <Money amount={card.balance.amount} currency={card.currency} className="cards-row-balance" />
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <NewCard wallets={me.wallets} />
    </div>
  );
}

function NewCard({ wallets }: { wallets: Wallet[] }) {
  const [walletId, setWalletId] = useState(wallets[0]?.id ?? '');
  const wallet = wallets.find((w) => w.id === walletId) ?? wallets[0];
  const currency = useCurrency(wallet?.currency ?? 'NGN');
  const [create, { loading }] = useMutation(CardsCreate);
  const attempt = useAttemptKey();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [created, setCreated] = useState<{ id: string; name: string } | null>(null);
  const [addressOpen, setAddressOpen] = useState(false);

  if (!wallet) {
    return (
      <section aria-labelledby="new-card-heading" className="card-surface">
        <h2 id="new-card-heading">New card</h2>
        <p>
          A card is loaded from a wallet. <Link to="/">Create a wallet first</Link>.
        </p>
      </section>
    );
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const found: Problem[] = [];
    const initialText = text('initialAmount');
    const initialAmount = initialText ? parseAmount(initialText, currency) : null;
    if (initialText && !initialAmount)
      found.push({ field: 'initialAmount', message: `Enter an amount in ${currency.code}, or leave it empty.` });
    const limitText = text('limitAmount');
    const limitAmount = limitText ? parseAmount(limitText, currency) : null;
    if (limitText && !limitAmount)
      found.push({ field: 'amount', message: `Enter a limit in ${currency.code}, or leave it empty for no limit.` });
    const address = readAddress(text);
    if (address === 'incomplete') {
      found.push({ field: 'billingAddress', message: 'Fill in the street, city, postal code and country, or leave the address empty.' });
      setAddressOpen(true);
    }
    setProblems(found);
    setCreated(null);
    if (found.length > 0 || address === 'incomplete') return;
    try {
      const result = await create({
        variables: {
          input: {
            walletId: wallet!.id,
            label: text('label') || null,
            initialAmount,
            spendingLimit: limitAmount ? { amount: limitAmount, interval: text('limitInterval') as SpendingInterval } : null,
            billingAddress: address,
            idempotencyKey: attempt.key,
          },
        },
      });
      attempt.settle();
      const card = result.data!.createCard.card;
      setCreated({ id: card.id, name: cardName(card) });
      form.reset();
    } catch (err) {
      attempt.settle(err);
      const found = problemsOf(err).map((p) =>
        p.field === 'billingAddress' ? { ...p, message: 'This card issuer needs the cardholder’s billing address: add it below.' } : p,
      );
      if (found.some((p) => p.field === 'billingAddress' || ADDRESS_FIELDS.includes(p.field ?? ''))) setAddressOpen(true);
      setProblems(found);
    }
  }

  return (
    <section aria-labelledby="new-card-heading" className="card-surface">
      <h2 id="new-card-heading">New card</h2>
      <form onSubmit={submit} noValidate>
        <div className="cards-field-group">
          <SelectField
            label="Wallet"
            name="walletId"
            value={wallet.id}
            onChange={(e) => setWalletId(e.target.value)}
            problem={problemFor(problems, 'walletId')}
            aria-describedby="new-card-wallet-hint"
          >
            {wallets.map((w) => (
              <option key={w.id} value={w.id}>
                {w.currency} wallet
              </option>
            ))}
          </SelectField>
          <p className="hint" id="new-card-wallet-hint">
            The card spends in {wallet.currency}. Available in this wallet:{' '}
            <Money amount={wallet.availableBalance.amount} currency={wallet.currency} />
          </p>
        </div>
        <Field
          label="Label (optional)"
          name="label"
          maxLength={64}
          autoComplete="off"
          placeholder="e.g. Groceries"
          problem={problemFor(problems, 'label')}
        />
        <Field
          label={`Initial amount in ${wallet.currency} (optional)`}
          name="initialAmount"
          inputMode="decimal"
          autoComplete="off"
          hint="Moved from the wallet onto the card now. You can load it later too."
          problem={problemFor(problems, 'initialAmount')}
        />
        <fieldset className="cards-fieldset">
          <legend>Spending limit (optional)</legend>
          <div className="cards-pair">
            <Field
              label={`Limit in ${wallet.currency}`}
              name="limitAmount"
              inputMode="decimal"
              autoComplete="off"
              hint="Leave empty for no limit."
              problem={problemFor(problems, 'amount')}
            />
            <SelectField label="Counted" name="limitInterval" defaultValue="MONTHLY">
              {INTERVALS.map(([value, words]) => (
                <option key={value} value={value}>
                  {words}
                </option>
              ))}
            </SelectField>
          </div>
        </fieldset>
        <details className="cards-address" open={addressOpen} onToggle={(e) => setAddressOpen(e.currentTarget.open)}>
          <summary>Billing address (only some card issuers need it)</summary>
          <div className="cards-address-fields">
            {problemFor(problems, 'billingAddress') ? (
              <p className="problem" role="alert">
                {problemFor(problems, 'billingAddress')}
              </p>
            ) : null}
            <Field label="Street and number" name="line1" autoComplete="address-line1" problem={problemFor(problems, 'line1')} />
            <Field
              label="Apartment, suite or building (optional)"
              name="line2"
              autoComplete="address-line2"
              problem={problemFor(problems, 'line2')}
            />
            <div className="cards-pair">
              <Field label="City or town" name="city" autoComplete="address-level2" problem={problemFor(problems, 'city')} />
              <Field label="Postal code" name="postalCode" autoComplete="postal-code" problem={problemFor(problems, 'postalCode')} />
            </div>
            <div className="cards-pair">
              <Field
                label="State or province (optional)"
                name="state"
                autoComplete="address-level1"
                problem={problemFor(problems, 'state')}
              />
              <Field
                label="Country code"
                name="country"
                autoComplete="country"
                maxLength={2}
                hint="Two letters, e.g. NG or US."
                problem={problemFor(problems, 'country')}
              />
            </div>
          </div>
        </details>
        <FormProblems problems={problems} fields={['walletId', 'label', 'initialAmount', 'amount', 'billingAddress', ...ADDRESS_FIELDS]} />
        <button type="submit" className="primary" disabled={loading}>
          {loading ? 'Creating…' : 'Create card'}
        </button>
      </form>
      {created ? (
        <Notice kind="success">
          Your card “{created.name}” is ready. <Link to={`/cards/${created.id}`}>Open it</Link>
        </Notice>
      ) : null}
    </section>
  );
}

const ADDRESS_FIELDS = ['line1', 'line2', 'city', 'postalCode', 'state', 'country'];

/** The billing address typed in: null when left empty, 'incomplete' when a required part is missing. */
function readAddress(text: (name: string) => string): AddressInput | null | 'incomplete' {
  const [line1, line2, city, postalCode, state, country] = ADDRESS_FIELDS.map(text);
  if (![line1, line2, city, postalCode, state, country].some(Boolean)) return null;
  if (!line1 || !city || !postalCode || !/^[A-Za-z]{2}$/.test(country)) return 'incomplete';
  return { line1, line2: line2 || null, city, postalCode, state: state || null, country: country.toUpperCase() };
}
