import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useQuery } from '@apollo/client/react';
import { useEffect, useRef, type ReactNode } from 'react';
import { useCurrencies } from '../app-context';
import { Empty, LoadFailed, Loading, Money, SelectField, useIdempotencyKey } from '../components/ui';
import { problems, type Problem } from '../errors';
import { formatMoney, type CurrencyInfo } from '../format';
import type { WalletFieldsFragment } from '../gql/graphql';
import { Wallets } from '../operations';
import { Link, navigate, useLocation } from '../router';
import './Money.css';

/**
 * What the three money screens (Add money, Send, Withdraw) share: the wallet taken from
 * `?wallet=<id>` with a picker for another, refusals in words (limits with their amounts), and
 * the idempotency key of one attempt.
 */

export type MoneyWallet = WalletFieldsFragment;

/**
 * The viewer's wallets and the one the page is about (`?wallet=<id>`, else the first). Renders
 * the loading, error and no-wallet states itself: `children` runs only with a wallet.
 */
export function WithWallet({ title, children }: { title: string; children: (wallet: MoneyWallet, wallets: MoneyWallet[]) => ReactNode }) {
  const { query } = useLocation();
  const { data, loading, error, refetch } = useQuery(Wallets);
  const wanted = query.get('wallet');
  let body: ReactNode;
  if (loading && !data) body = <Loading what="Loading your wallets" />;
  else if (error && !data) {
    body = <LoadFailed what="your wallets" retry={() => refetch()} />;
  } else {
    const wallets = data?.me?.wallets ?? [];
    const wallet = wallets.find((w) => w.id === wanted) ?? wallets[0];
    body = wallet ? (
      children(wallet, wallets)
    ) : (
      <Empty>
        <p>You have no wallet yet.</p>
        <p>
          <Link to="/">Create a wallet first</Link>
        </p>
      </Empty>
    );
  }
  return (
    <>
      <p className="money-back">
        <Link to="/">
          <span aria-hidden="true">← </span>Back to your wallets
        </Link>
      </p>
      <h1>{title}</h1>
      {body}
    </>
  );
}

/** A select of the viewer's wallets with their available balances; choosing one changes `?wallet=`. */
export function WalletPicker({ wallet, wallets, disabled }: { wallet: MoneyWallet; wallets: MoneyWallet[]; disabled?: boolean }) {
  const { path } = useLocation();
  const known = new Map(useCurrencies().map((c) => [c.code, c]));
  const info = (code: string): CurrencyInfo => known.get(code) ?? { code, exponent: 2, name: code, symbol: code };
  return (
    <div className="money-wallet">
      <SelectField
        label="Wallet"
        value={wallet.id}
        disabled={disabled}
        onChange={(event) => navigate(`${path}?wallet=${encodeURIComponent(event.target.value)}`, { replace: true })}
      >
        {wallets.map((w) => (
          <option key={w.id} value={w.id}>
            {w.currency} wallet: {formatMoney(w.availableBalance.amount, info(w.currency))} available
          </option>
        ))}
      </SelectField>
      <p className="hint">
        Balance <Money amount={wallet.balance.amount} currency={wallet.currency} />
        {wallet.availableBalance.amount !== wallet.balance.amount ? (
          <>
            , available <Money amount={wallet.availableBalance.amount} currency={wallet.currency} />
          </>
        ) : null}
      </p>
    </div>
  );
}

/** Codes that leave nothing recorded under the idempotency key: trying again is the same attempt. */
const NOT_FINAL = new Set(['IDEMPOTENCY_KEY_IN_PROGRESS', 'PROVIDER_UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR']);

/** Whether the server's answer to a money mutation is unknown or not recorded, so a retry reuses the key. */
export function mayRetry(error: unknown): boolean {
  if (!CombinedGraphQLErrors.is(error)) return true;
  return error.errors.every((e) => NOT_FINAL.has(String(e.extensions?.code)));
}

/**
 * problems() with the amounts of limits spelled out: LIMIT_EXCEEDED carries them in
 * `extensions` (a deposit's `room` is what still fits in the wallet; an outflow's `limit` says
 * which limit and `max`/`usedToday` how far it goes).
 */
export function moneyProblems(error: unknown, currency: CurrencyInfo): Problem[] {
  const found = problems(error);
  if (!CombinedGraphQLErrors.is(error)) return found;
  const money = (minor: unknown) => formatMoney(String(minor), currency);
  return found.map((problem, i) => {
    const ext = error.errors[i]?.extensions ?? {};
    if (ext.code !== 'LIMIT_EXCEEDED') return problem;
    const digits = (v: unknown) => typeof v === 'string' && /^\d+$/.test(v);
    let message = problem.message;
    if (digits(ext.room)) {
      message =
        ext.room === '0'
          ? 'This wallet already holds the most it may, so nothing more can be added for now.'
          : `This would take the wallet over the most it may hold. You can add up to ${money(ext.room)}.`;
    } else if (ext.limit === 'MAX_TRANSACTION' && digits(ext.max)) {
      message = `This is more than one payment may be: at most ${money(ext.max)} at a time.`;
    } else if (ext.limit === 'DAILY_OUTFLOW' && digits(ext.max)) {
      const left = digits(ext.usedToday) ? BigInt(String(ext.max)) - BigInt(String(ext.usedToday)) : null;
      message =
        left !== null && left > 0n
          ? `This would go over your daily limit of ${money(ext.max)}. You can still send ${money(left)} today.`
          : `You have reached your daily limit of ${money(ext.max)}. Try again tomorrow.`;
    } else if (digits(ext.limit)) {
      message = `You can add at most ${money(ext.limit)} at a time.`;
    }
    return { ...problem, message };
  });
}

/**
 * The idempotency key of one attempt at `request` (what the mutation would send, without the
 * key): a retry of the same request reuses it (after a network error, or an answer that records
 * nothing); it is renewed once the request changes after being sent, or when the server's
 * answer to it is final (`settled`).
 */
export function useAttemptKey(request: unknown): { key: string; sent(): void; settled(): void } {
  const [key, renew] = useIdempotencyKey();
  const sentWith = useRef<string | null>(null);
  const current = JSON.stringify(request);
  useEffect(() => {
    if (sentWith.current !== null && sentWith.current !== current) {
      sentWith.current = null;
      renew();
    }
  }, [current, renew]);
  return {
    key,
    sent() {
      sentWith.current = current;
    },
    settled() {
      sentWith.current = null;
      renew();
    },
  };
}

/** Focuses an element when `when` changes to something truthy (a step's heading, a result). */
export function useFocusOn<T extends HTMLElement>(when: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (when) ref.current?.focus();
  }, [when]);
  return ref;
}

/** The words for an amount that is not one: the currency's code and an example as it is written here. */
export function amountProblem(currency: CurrencyInfo): Problem {
  const example = formatMoney('1500' + '0'.repeat(currency.exponent), currency);
  return { field: 'amount', message: `Enter an amount in ${currency.code} greater than zero, like ${example}.` };
}

/** The buttons under a confirmation: do it (again, after a failure), change the details, or cancel. */
export function ConfirmActions(props: {
  busy: boolean;
  failedOnce: boolean;
  /** "Send now", and "Sending…" while it runs. */
  action: string;
  doing: string;
  onConfirm: () => void;
  onChange: () => void;
  cancel: ReactNode;
}) {
  return (
    <div className="actions">
      <button type="button" className="primary" onClick={props.onConfirm} disabled={props.busy}>
        {props.busy ? props.doing : props.failedOnce ? 'Try again' : props.action}
      </button>
      <button type="button" disabled={props.busy} onClick={props.onChange}>
        Change
      </button>
      {props.cancel}
    </div>
  );
}
