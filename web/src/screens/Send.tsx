import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { useApi, useCurrency, useSession } from '../app-context';
import { Field, FormProblems, Money, Notice, problemFor } from '../components/ui';
import { problems as problemsOf, type Problem } from '../errors';
import { parseAmount } from '../format';
import { graphql } from '../gql';
import { Link } from '../router';
import {
  amountProblem,
  ConfirmActions,
  mayRetry,
  moneyProblems,
  useAttemptKey,
  useFocusOn,
  WalletPicker,
  WithWallet,
  type MoneyWallet,
} from './MoneyKit';

const SendScreenRecipient = graphql(`
  query SendScreenRecipient($email: String!) {
    recipient(email: $email) {
      id
      fullName
    }
  }
`);

const SendScreenTransfer = graphql(`
  mutation SendScreenTransfer($input: TransferInput!) {
    transfer(input: $input) {
      transaction {
        id
        status
        amount {
          ...MoneyFields
        }
        counterparty {
          id
          fullName
        }
      }
      wallet {
        ...WalletFields
      }
    }
  }
`);

type Step = 'recipient' | 'details' | 'confirm' | 'done';

/** Who is paid: the email given and the name its account has (`recipient`), shown before sending. */
interface Recipient {
  email: string;
  fullName: string;
}

interface Sent {
  amount: string;
  currency: string;
  name: string | null;
  email: string;
  balance: string;
}

const NO_ACCOUNT = 'There is no account with this email. Check it, or ask them which email they signed up with.';

/** Send: who (by email, their name shown), how much and a note, a confirmation, then the transfer. */
export function SendScreen() {
  return <WithWallet title="Send money">{(wallet, wallets) => <SendFlow wallet={wallet} wallets={wallets} />}</WithWallet>;
}

function SendFlow({ wallet, wallets }: { wallet: MoneyWallet; wallets: MoneyWallet[] }) {
  const api = useApi();
  const session = useSession();
  const currency = useCurrency(wallet.currency);
  const [transfer] = useMutation(SendScreenTransfer);
  const [step, setStep] = useState<Step>('recipient');
  const [moves, setMoves] = useState(0);
  const [emailText, setEmailText] = useState('');
  const [recipient, setRecipient] = useState<Recipient | null>(null);
  const [amountText, setAmountText] = useState('');
  const [note, setNote] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const [failedOnce, setFailedOnce] = useState(false);
  const [sent, setSent] = useState<Sent | null>(null);
  const amount = parseAmount(amountText, currency);
  const request = { fromWalletId: wallet.id, recipientEmail: recipient?.email ?? '', amount: amount ?? '', note: note.trim() || null };
  const attempt = useAttemptKey(request);
  const heading = useFocusOn<HTMLHeadingElement>(moves);

  function go(next: Step) {
    setStep(next);
    setMoves((n) => n + 1);
  }

  async function lookUp(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = emailText.trim().toLowerCase();
    setProblems([]);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      setProblems([{ field: 'recipientEmail', message: 'Enter their email address, like name@example.com.' }]);
      return;
    }
    if (email === session?.user.email.toLowerCase()) {
      setProblems([{ field: 'recipientEmail', message: 'That is your own email. To move money between your wallets, add money instead.' }]);
      return;
    }
    setBusy(true);
    try {
      // Who the money would go to, by name, before anything moves (each new email counts against
      // the per-user limit of recipients named: RATE_LIMITED in words beyond it).
      const found = await api.apollo.query({ query: SendScreenRecipient, variables: { email }, fetchPolicy: 'network-only' });
      const user = found.data?.recipient;
      if (!user) {
        setProblems([{ field: 'recipientEmail', message: NO_ACCOUNT }]);
        return;
      }
      setRecipient({ email, fullName: user.fullName });
      go('details');
    } catch (err) {
      setProblems(problemsOf(err));
    } finally {
      setBusy(false);
    }
  }

  function review(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!amount) {
      setProblems([amountProblem(currency)]);
      return;
    }
    if (note.trim().length > 280) {
      setProblems([{ field: 'note', message: 'Use a shorter note (at most 280 characters).' }]);
      return;
    }
    setProblems([]);
    setFailedOnce(false);
    go('confirm');
  }

  async function send() {
    if (!recipient || !amount) return;
    setProblems([]);
    setBusy(true);
    attempt.sent();
    try {
      const { data } = await transfer({ variables: { input: { ...request, idempotencyKey: attempt.key } } });
      const result = data!.transfer;
      attempt.settled();
      setSent({
        amount: result.transaction.amount.amount,
        currency: result.transaction.amount.currency,
        name: result.transaction.counterparty?.fullName ?? recipient.fullName,
        email: recipient.email,
        balance: result.wallet.balance.amount,
      });
      go('done');
    } catch (err) {
      const found = moneyProblems(err, currency).map((p) => (p.field === 'recipientEmail' ? { ...p, message: NO_ACCOUNT } : p));
      setProblems(found);
      if (mayRetry(err)) {
        // Same request, same key: sending again cannot pay twice.
        setFailedOnce(true);
      } else {
        attempt.settled();
        go(found.some((p) => p.field === 'recipientEmail') ? 'recipient' : 'details');
      }
    } finally {
      setBusy(false);
    }
  }

  function startOver() {
    setRecipient(null);
    setEmailText('');
    setAmountText('');
    setNote('');
    setSent(null);
    setProblems([]);
    go('recipient');
  }

  const cancel = (
    <Link to="/" className="button">
      Cancel
    </Link>
  );

  if (step === 'done' && sent) {
    return (
      <section className="card-surface money-flow" aria-labelledby="send-done-heading">
        <h2 id="send-done-heading" ref={heading} tabIndex={-1}>
          Money sent
        </h2>
        <Notice kind="success">
          <p>
            You sent <Money amount={sent.amount} currency={sent.currency} /> to {sent.name ? `${sent.name} (${sent.email})` : sent.email}.
          </p>
          <p>
            Your {sent.currency} balance is now <Money amount={sent.balance} currency={sent.currency} />.
          </p>
        </Notice>
        <div className="actions">
          <button type="button" className="primary" onClick={startOver}>
            Send more money
          </button>
          <Link to="/" className="button">
            Back to your wallets
          </Link>
        </div>
      </section>
    );
  }

  if (step === 'confirm' && recipient && amount) {
    return (
      <section className="card-surface money-flow" aria-labelledby="send-confirm-heading">
        <h2 id="send-confirm-heading" ref={heading} tabIndex={-1}>
          Check and send
        </h2>
        <p className="money-question">
          Send <Money amount={amount} currency={wallet.currency} /> to <strong>{recipient.fullName}</strong> ({recipient.email})?
        </p>
        <dl className="details">
          <dt>From</dt>
          <dd>
            Your {wallet.currency} wallet (<Money amount={wallet.availableBalance.amount} currency={wallet.currency} /> available)
          </dd>
          {request.note ? (
            <>
              <dt>Note</dt>
              <dd>{request.note}</dd>
            </>
          ) : null}
        </dl>
        <p className="hint">Check the name: money sent cannot be called back.</p>
        <FormProblems problems={problems} />
        <ConfirmActions
          busy={busy}
          failedOnce={failedOnce}
          action="Send now"
          doing="Sending…"
          onConfirm={() => void send()}
          onChange={() => {
            setProblems([]);
            go('details');
          }}
          cancel={cancel}
        />
      </section>
    );
  }

  if (step !== 'recipient' && recipient) {
    return (
      <section className="card-surface money-flow" aria-labelledby="send-details-heading">
        <h2 id="send-details-heading" ref={heading} tabIndex={-1}>
          How much?
        </h2>
        <div className="money-recipient">
          <p>
            To <strong>{recipient.fullName}</strong> <span className="subtle">({recipient.email})</span>
          </p>
          <button
            type="button"
            onClick={() => {
              setProblems([]);
              go('recipient');
            }}
          >
            Change recipient
          </button>
        </div>
        <form onSubmit={review} noValidate>
          <WalletPicker wallet={wallet} wallets={wallets} />
          <Field
            label={`Amount (${wallet.currency})`}
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            required
            value={amountText}
            onChange={(e) => setAmountText(e.target.value)}
            problem={problemFor(problems, 'amount')}
          />
          <Field
            label="Note (optional)"
            name="note"
            autoComplete="off"
            maxLength={280}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            hint="They see it with the payment."
            problem={problemFor(problems, 'note')}
          />
          <FormProblems problems={problems} fields={['amount', 'note']} />
          <div className="actions">
            <button type="submit" className="primary">
              Continue
            </button>
            {cancel}
          </div>
        </form>
      </section>
    );
  }

  return (
    <section className="card-surface money-flow" aria-labelledby="send-recipient-heading">
      <h2 id="send-recipient-heading" ref={heading} tabIndex={-1}>
        Who are you paying?
      </h2>
      <form onSubmit={lookUp} noValidate>
        <Field
          label="Their email"
          name="recipientEmail"
          type="email"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={emailText}
          onChange={(e) => setEmailText(e.target.value)}
          hint="The email they signed up with."
          problem={problemFor(problems, 'recipientEmail')}
        />
        <FormProblems problems={problems} fields={['recipientEmail']} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Looking them up…' : 'Continue'}
          </button>
          {cancel}
        </div>
      </form>
    </section>
  );
}
