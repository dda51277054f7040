import { useMutation, useQuery, skipToken } from '@apollo/client/react';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useState, type FormEvent } from 'react';
import { useCurrency } from '../app-context';
import { Field, FormProblems, Money, Notice, problemFor, SelectField } from '../components/ui';
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

const WithdrawScreenBanks = graphql(`
  query WithdrawScreenBanks($currency: Currency!) {
    banks(currency: $currency) {
      code
      name
      currency
    }
  }
`);

const WithdrawScreenAccount = graphql(`
  query WithdrawScreenAccount($bankCode: String!, $accountNumber: String!) {
    resolveBankAccount(bankCode: $bankCode, accountNumber: $accountNumber) {
      accountName
      accountNumber
      bankCode
    }
  }
`);

const WithdrawScreenWithdraw = graphql(`
  mutation WithdrawScreenWithdraw($input: WithdrawInput!) {
    withdraw(input: $input) {
      transaction {
        id
        status
        amount {
          ...MoneyFields
        }
      }
      wallet {
        ...WalletFields
      }
    }
  }
`);

type Step = 'details' | 'confirm' | 'done';

interface Sent {
  id: string;
  amount: string;
  currency: string;
  status: string;
  accountName: string;
  bankName: string;
}

const NO_SUCH_ACCOUNT = 'This bank has no account with this number. Check the bank and the number.';

/** Words for a refused bank or account number: an unknown account is not a badly typed number. */
function accountWords(problems: Problem[]): Problem[] {
  return problems.map((p) => (p.field === 'accountNumber' ? { ...p, message: NO_SUCH_ACCOUNT } : p));
}

/** Withdraw: a bank and account (its holder's name shown), an amount, a confirmation, then the payout. */
export function WithdrawScreen() {
  return <WithWallet title="Withdraw to a bank">{(wallet, wallets) => <WithdrawFlow wallet={wallet} wallets={wallets} />}</WithWallet>;
}

function WithdrawFlow({ wallet, wallets }: { wallet: MoneyWallet; wallets: MoneyWallet[] }) {
  const currency = useCurrency(wallet.currency);
  const banks = useQuery(WithdrawScreenBanks, { variables: { currency: wallet.currency } });
  const [withdraw] = useMutation(WithdrawScreenWithdraw);
  const [step, setStep] = useState<Step>('details');
  const [moves, setMoves] = useState(0);
  const [bankCode, setBankCode] = useState('');
  const [accountText, setAccountText] = useState('');
  const [amountText, setAmountText] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const [failedOnce, setFailedOnce] = useState(false);
  const [sent, setSent] = useState<Sent | null>(null);
  const heading = useFocusOn<HTMLHeadingElement>(moves);

  const bankList = banks.data?.banks ?? [];
  const bank = bankList.find((b) => b.code === bankCode) ?? null;
  const accountNumber = accountText.replace(/[\s-]/g, '');
  const complete = bank !== null && /^\d{10}$/.test(accountNumber);
  const account = useQuery(WithdrawScreenAccount, complete ? { variables: { bankCode, accountNumber } } : skipToken);
  const resolved = complete && account.data?.resolveBankAccount.accountNumber === accountNumber ? account.data.resolveBankAccount : null;
  const amount = parseAmount(amountText, currency);
  const request = { walletId: wallet.id, bankCode, accountNumber, amount: amount ?? '' };
  const attempt = useAttemptKey(request);

  function go(next: Step) {
    setStep(next);
    setMoves((n) => n + 1);
  }

  const lookupProblem: string | null =
    complete && account.error && !account.loading
      ? CombinedGraphQLErrors.is(account.error) && account.error.errors.some((e) => e.extensions?.code === 'BAD_USER_INPUT')
        ? NO_SUCH_ACCOUNT
        : (problemsOf(account.error)[0]?.message ?? null)
      : null;

  function review(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: Problem[] = [];
    if (!bank) found.push({ field: 'bankCode', message: 'Choose the bank to pay into.' });
    if (!/^\d{10}$/.test(accountNumber)) found.push({ field: 'accountNumber', message: 'Enter the 10-digit account number.' });
    else if (bank && !resolved) {
      found.push({
        field: 'accountNumber',
        message: account.loading ? 'Wait a moment: we are checking this account.' : (lookupProblem ?? NO_SUCH_ACCOUNT),
      });
    }
    if (!amount) found.push(amountProblem(currency));
    setProblems(found);
    if (found.length > 0) return;
    setFailedOnce(false);
    go('confirm');
  }

  async function send() {
    if (!bank || !resolved || !amount) return;
    setProblems([]);
    setBusy(true);
    attempt.sent();
    try {
      const { data } = await withdraw({ variables: { input: { ...request, idempotencyKey: attempt.key } } });
      const t = data!.withdraw.transaction;
      attempt.settled();
      setSent({
        id: t.id,
        amount: t.amount.amount,
        currency: t.amount.currency,
        status: t.status,
        accountName: resolved.accountName,
        bankName: bank.name,
      });
      go('done');
    } catch (err) {
      const found = accountWords(moneyProblems(err, currency));
      setProblems(found);
      if (mayRetry(err)) {
        // Same request, same key: trying again cannot pay out twice.
        setFailedOnce(true);
      } else {
        attempt.settled();
        go('details');
      }
    } finally {
      setBusy(false);
    }
  }

  function startOver() {
    setAmountText('');
    setSent(null);
    setProblems([]);
    go('details');
  }

  const cancel = (
    <Link to="/" className="button">
      Cancel
    </Link>
  );

  if (step === 'done' && sent) {
    return (
      <section className="card-surface money-flow" aria-labelledby="withdraw-done-heading">
        <h2 id="withdraw-done-heading" ref={heading} tabIndex={-1}>
          On its way
        </h2>
        <Notice kind="success">
          <p>
            <Money amount={sent.amount} currency={sent.currency} /> is on its way to {sent.accountName}, {sent.bankName}.
          </p>
          <p>
            The amount is held in your wallet until the bank confirms the payment, usually within minutes. If the bank refuses it, the money
            comes back.
          </p>
        </Notice>
        <dl className="details">
          <dt>Status</dt>
          <dd>
            <span className={`status ${sent.status}`}>{sent.status === 'PENDING' ? 'Pending' : sent.status.toLowerCase()}</span>
          </dd>
          <dt>Available now</dt>
          <dd>
            <Money amount={wallet.availableBalance.amount} currency={wallet.currency} />
          </dd>
          <dt>Balance</dt>
          <dd>
            <Money amount={wallet.balance.amount} currency={wallet.currency} />
          </dd>
        </dl>
        <div className="actions">
          <Link to="/" className="button primary">
            Back to your wallets
          </Link>
          <Link to={`/history/${sent.id}`} className="button">
            See it in your history
          </Link>
          <button type="button" onClick={startOver}>
            Withdraw more
          </button>
        </div>
      </section>
    );
  }

  if (step === 'confirm' && bank && resolved && amount) {
    return (
      <section className="card-surface money-flow" aria-labelledby="withdraw-confirm-heading">
        <h2 id="withdraw-confirm-heading" ref={heading} tabIndex={-1}>
          Check and withdraw
        </h2>
        <p className="money-question">
          Withdraw <Money amount={amount} currency={wallet.currency} /> to{' '}
          <strong>
            {resolved.accountName}, {bank.name}
          </strong>
          ?
        </p>
        <dl className="details">
          <dt>Account number</dt>
          <dd>{resolved.accountNumber}</dd>
          <dt>From</dt>
          <dd>
            Your {wallet.currency} wallet (<Money amount={wallet.availableBalance.amount} currency={wallet.currency} /> available)
          </dd>
        </dl>
        <FormProblems problems={problems} />
        <ConfirmActions
          busy={busy}
          failedOnce={failedOnce}
          action="Withdraw now"
          doing="Withdrawing…"
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

  const accountProblem = problemFor(problems, 'accountNumber') ?? lookupProblem;
  return (
    <section className="card-surface money-flow" aria-labelledby="withdraw-details-heading">
      <h2 id="withdraw-details-heading" ref={heading} tabIndex={-1}>
        Bank account and amount
      </h2>
      <form onSubmit={review} noValidate>
        <WalletPicker wallet={wallet} wallets={wallets} />
        {banks.loading && !banks.data ? (
          <p className="hint">Loading banks…</p>
        ) : banks.error && !banks.data ? (
          <Notice kind="error">
            <p>{problemsOf(banks.error)[0]?.message}</p>
            <button type="button" onClick={() => void banks.refetch()}>
              Try again
            </button>
          </Notice>
        ) : bankList.length === 0 ? (
          <Notice kind="info">No bank can receive payouts in {wallet.currency} yet. Choose another wallet.</Notice>
        ) : (
          <SelectField
            label="Bank"
            name="bankCode"
            value={bankCode}
            onChange={(e) => {
              setBankCode(e.target.value);
              setProblems((found) => found.filter((p) => p.field !== 'bankCode' && p.field !== 'accountNumber'));
            }}
            problem={problemFor(problems, 'bankCode')}
          >
            <option value="">Choose a bank</option>
            {bankList.map((b) => (
              <option key={b.code} value={b.code}>
                {b.name}
              </option>
            ))}
          </SelectField>
        )}
        <Field
          label="Account number"
          name="accountNumber"
          inputMode="numeric"
          autoComplete="off"
          maxLength={13}
          required
          value={accountText}
          onChange={(e) => {
            setAccountText(e.target.value);
            setProblems((found) => found.filter((p) => p.field !== 'accountNumber'));
          }}
          hint="10 digits. We show the account holder's name before anything is sent."
          problem={accountProblem}
        />
        <div className="money-account" role="status" aria-live="polite">
          {complete && account.loading ? <p className="subtle">Checking the account…</p> : null}
          {resolved ? (
            <p>
              Account name: <strong>{resolved.accountName}</strong>
            </p>
          ) : null}
        </div>
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
        <FormProblems problems={problems} fields={['bankCode', 'accountNumber', 'amount']} />
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
