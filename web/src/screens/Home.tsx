import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { useCurrencies } from '../app-context';
import { Empty, FormProblems, LoadFailed, Loading, Money, Notice, SelectField } from '../components/ui';
import { problems as problemsOf, type Problem } from '../errors';
import { graphql } from '../gql';
import type { Currency } from '../gql/graphql';
import { Wallets } from '../operations';
import { Link } from '../router';

const CreateWallet = graphql(`
  mutation CreateWallet($currency: Currency!) {
    createWallet(input: { currency: $currency }) {
      wallet {
        id
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

/** Every wallet with its balance, live; the actions that move money; a new wallet; a word when the email is not verified. */
export function HomeScreen() {
  const { data, loading, error, refetch } = useQuery(Wallets);
  if (loading && !data) return <Loading what="Loading your wallets" />;
  if (error && !data) {
    return <LoadFailed what="your wallets" retry={() => refetch()} />;
  }
  const me = data?.me;
  if (!me) return null;
  return (
    <>
      <h1>Hello, {me.fullName.split(' ')[0]}</h1>
      {me.emailVerified ? null : (
        <Notice kind="info">
          <p>
            Your email address {me.email} is not verified yet. <Link to="/settings">Verify your email</Link>
          </p>
        </Notice>
      )}
      <section aria-labelledby="wallets-heading">
        <h2 id="wallets-heading">Your wallets</h2>
        {me.wallets.length === 0 ? (
          <Empty>
            <p>You have no wallet yet. Create one in the currency you want to hold.</p>
          </Empty>
        ) : (
          <ul className="wallets">
            {me.wallets.map((w) => (
              <li key={w.id} className="wallet card-surface" data-testid={`wallet-${w.currency}`}>
                <div className="wallet-head">
                  <span className="currency-code">{w.currency}</span>
                  <Link to={`/history?wallet=${w.id}`} className="subtle">
                    History
                  </Link>
                </div>
                <p className="balance" aria-live="polite">
                  <span className="visually-hidden">Balance: </span>
                  <Money amount={w.balance.amount} currency={w.currency} />
                </p>
                {w.availableBalance.amount !== w.balance.amount ? (
                  <p className="subtle">
                    Available <Money amount={w.availableBalance.amount} currency={w.currency} /> (
                    <Money amount={w.pendingDebits.amount} currency={w.currency} /> on hold)
                  </p>
                ) : null}
                <nav className="actions" aria-label={`${w.currency} wallet actions`}>
                  <Link to={`/deposit?wallet=${w.id}`} className="button">
                    Add money
                  </Link>
                  <Link to={`/send?wallet=${w.id}`} className="button">
                    Send
                  </Link>
                  <Link to={`/withdraw?wallet=${w.id}`} className="button">
                    Withdraw
                  </Link>
                </nav>
              </li>
            ))}
          </ul>
        )}
      </section>
      <NewWallet held={me.wallets.map((w) => w.currency)} />
    </>
  );
}

function NewWallet({ held }: { held: string[] }) {
  const currencies = useCurrencies().filter((c) => !held.includes(c.code));
  const [create, { loading }] = useMutation(CreateWallet);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [created, setCreated] = useState<string | null>(null);
  if (currencies.length === 0) return null;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const currency = String(new FormData(event.currentTarget).get('currency'));
    setProblems([]);
    setCreated(null);
    try {
      await create({ variables: { currency: currency as Currency } });
      setCreated(currency);
    } catch (err) {
      setProblems(problemsOf(err));
    }
  }

  return (
    <section aria-labelledby="new-wallet-heading" className="card-surface">
      <h2 id="new-wallet-heading">New wallet</h2>
      <form onSubmit={submit} className="inline-form">
        <SelectField label="Currency" name="currency" defaultValue={currencies[0].code}>
          {currencies.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name} ({c.code})
            </option>
          ))}
        </SelectField>
        <button type="submit" disabled={loading}>
          {loading ? 'Creating…' : 'Create wallet'}
        </button>
      </form>
      <FormProblems problems={problems} />
      {created ? <Notice kind="success">Your {created} wallet is ready.</Notice> : null}
    </section>
  );
}
