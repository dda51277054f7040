import { useMutation } from '@apollo/client/react';
import { useEffect, useState, type FormEvent } from 'react';
import { useCurrency } from '../app-context';
import { Field, FormProblems, problemFor } from '../components/ui';
import type { Problem } from '../errors';
import { parseAmount } from '../format';
import { graphql } from '../gql';
import { Link } from '../router';
import { amountProblem, mayRetry, moneyProblems, useAttemptKey, WalletPicker, WithWallet, type MoneyWallet } from './MoneyKit';

const DepositScreenStart = graphql(`
  mutation DepositScreenStart($input: DepositInput!) {
    deposit(input: $input) {
      checkoutUrl
      transaction {
        id
        status
      }
    }
  }
`);

/** Add money: an amount, then the payment partner's checkout page in this tab (back to / after paying). */
export function DepositScreen() {
  return <WithWallet title="Add money">{(wallet, wallets) => <DepositForm wallet={wallet} wallets={wallets} />}</WithWallet>;
}

function DepositForm({ wallet, wallets }: { wallet: MoneyWallet; wallets: MoneyWallet[] }) {
  const currency = useCurrency(wallet.currency);
  const [deposit] = useMutation(DepositScreenStart);
  const [amountText, setAmountText] = useState('');
  const amount = parseAmount(amountText, currency);
  const attempt = useAttemptKey({ walletId: wallet.id, amount });
  const [problems, setProblems] = useState<Problem[]>([]);
  // True from sending until the checkout page opens (the page is left, so it stays true).
  const [busy, setBusy] = useState(false);
  // Back from the checkout page, the browser may show this page as it was left: ready again.
  useEffect(() => {
    const shown = (event: PageTransitionEvent) => {
      if (event.persisted) setBusy(false);
    };
    window.addEventListener('pageshow', shown);
    return () => window.removeEventListener('pageshow', shown);
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!amount) {
      setProblems([amountProblem(currency)]);
      return;
    }
    setProblems([]);
    setBusy(true);
    attempt.sent();
    try {
      const { data } = await deposit({ variables: { input: { walletId: wallet.id, amount, idempotencyKey: attempt.key } } });
      const url = new URL(data!.deposit.checkoutUrl, window.location.href);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not a web address');
      window.location.assign(url.href);
    } catch (err) {
      if (!mayRetry(err)) attempt.settled();
      setProblems(moneyProblems(err, currency));
      setBusy(false);
    }
  }

  return (
    <section className="card-surface money-flow" aria-labelledby="deposit-heading">
      <h2 id="deposit-heading" className="visually-hidden">
        How much to add
      </h2>
      <form onSubmit={submit} noValidate>
        <WalletPicker wallet={wallet} wallets={wallets} disabled={busy} />
        <Field
          label={`Amount (${wallet.currency})`}
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          value={amountText}
          onChange={(e) => setAmountText(e.target.value)}
          required
          hint="You pay on our payment partner's page, then come back here."
          problem={problemFor(problems, 'amount')}
        />
        <FormProblems problems={problems} fields={['amount']} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Opening the payment page…' : 'Continue to payment'}
          </button>
          <Link to="/" className="button">
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}
