import { useQuery, useSubscription } from '@apollo/client/react';
import { Fragment, useEffect, useState, type ReactNode } from 'react';
import { useApi, useSession } from './app-context';
import { useOnline } from './components/ui';
import { BalanceUpdated, Wallets } from './operations';
import { Link, match, navigate, useLocation } from './router';
import { AuthScreen } from './screens/Auth';
import { ForgotPasswordScreen, ResetPasswordScreen, VerifyEmailScreen } from './screens/AuthRecovery';
import { CardDetailScreen, CardsScreen } from './screens/Cards';
import { DepositScreen } from './screens/Deposit';
import { HistoryScreen, TransactionScreen } from './screens/History';
import { HomeScreen } from './screens/Home';
import { SendScreen } from './screens/Send';
import { SettingsScreen } from './screens/Settings';
import { WithdrawScreen } from './screens/Withdraw';

/** The signed-in app's pages: a path pattern and what it shows. */
const ROUTES: [string, (params: Record<string, string>) => ReactNode][] = [
  ['/', () => <HomeScreen />],
  ['/deposit', () => <DepositScreen />],
  ['/send', () => <SendScreen />],
  ['/withdraw', () => <WithdrawScreen />],
  ['/cards', () => <CardsScreen />],
  ['/cards/:id', ({ id }) => <CardDetailScreen id={id} />],
  ['/history', () => <HistoryScreen />],
  ['/history/:id', ({ id }) => <TransactionScreen id={id} />],
  ['/settings', () => <SettingsScreen />],
];

const NAV = [
  ['/', 'Wallets'],
  ['/cards', 'Cards'],
  ['/history', 'History'],
  ['/settings', 'Settings'],
] as const;

/** Pages for someone signed out; signed in, they lead home. */
const SIGNED_OUT_PAGES = ['/sign-in', '/sign-up', '/forgot-password'];

/** The pages links in mail open (`#token=…`): the same page signed in or not, and whatever happens to the session meanwhile. */
const LINK_PAGES = new Map<string, () => ReactNode>([
  ['/verify-email', () => <VerifyEmailScreen />],
  ['/reset-password', () => <ResetPasswordScreen />],
]);

export function App() {
  const session = useSession();
  const { path } = useLocation();
  const linkPage = LINK_PAGES.get(path);
  const signedOutPage = SIGNED_OUT_PAGES.includes(path);
  const linkVisits = useHashChanges();

  useEffect(() => {
    if (linkPage) return;
    if (!session && !signedOutPage) navigate('/sign-in', { replace: true });
    if (session && signedOutPage) navigate('/', { replace: true });
  }, [session, signedOutPage, linkPage]);

  if (linkPage) return <Fragment key={linkVisits}>{linkPage()}</Fragment>;
  if (!session) {
    if (path === '/forgot-password') return <ForgotPasswordScreen />;
    return signedOutPage ? <AuthScreen mode={path === '/sign-up' ? 'sign-up' : 'sign-in'} /> : null;
  }
  return <SignedIn path={path} />;
}

function SignedIn({ path }: { path: string }) {
  const online = useOnline();
  useLiveBalances();
  useSessionEndedElsewhere();
  let page: ReactNode = <NotFound />;
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, path);
    if (params) {
      page = render(params);
      break;
    }
  }
  const section = NAV.filter(([to]) =>
    to === '/' ? path === '/' || ['/deposit', '/send', '/withdraw'].includes(path) : path.startsWith(to),
  ).at(-1)?.[0];
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="logo">
          <img src="/icon.svg" alt="" width="28" height="28" /> Wallet
        </Link>
        <nav aria-label="Main" className="main-nav">
          {NAV.map(([to, label]) => (
            <Link key={to} to={to} aria-current={section === to ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
      </header>
      {online ? null : (
        <div className="offline" role="status">
          You are offline. Balances shown may be out of date; nothing can be sent until you are back online.
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </div>
  );
}

/**
 * Balances change on screen as money moves: every `balanceUpdated` is written into the cache
 * (by version, cache.ts). A wallet the cache does not list yet (one made for you by the first
 * transfer in a new currency) makes the wallet list load again.
 */
function useLiveBalances() {
  const { data, refetch } = useQuery(Wallets, { fetchPolicy: 'cache-first' });
  const api = useApi();
  useSubscription(BalanceUpdated, {
    onData: ({ data: event }) => {
      const wallet = event.data?.balanceUpdated;
      if (wallet && data?.me && !data.me.wallets.some((w) => w.id === wallet.id)) void refetch();
    },
  });
  // Offline and back: what moved meanwhile was not sent to us.
  useEffect(() => {
    const back = () => void api.apollo.refetchQueries({ include: 'active' });
    window.addEventListener('online', back);
    return () => window.removeEventListener('online', back);
  }, [api]);
}

/**
 * How many times the fragment changed: a link pasted into the address bar of a link page
 * changes only the fragment (no page load), and the page starts again with its token.
 */
function useHashChanges(): number {
  const [changes, setChanges] = useState(0);
  useEffect(() => {
    const changed = () => setChanges((n) => n + 1);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return changes;
}

/**
 * A session ended on the server (a password reset, or signing out everywhere) still has an
 * unexpired access token here, which the API now treats as no token: `me` comes back empty.
 * The page then signs out, to the sign-in screen, rather than showing nothing.
 */
function useSessionEndedElsewhere() {
  const api = useApi();
  const { data } = useQuery(Wallets, { fetchPolicy: 'cache-only' });
  const ended = data !== undefined && data.me === null;
  useEffect(() => {
    if (ended) void api.signOut({ ended: true });
  }, [ended, api]);
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to your wallets</Link>
      </p>
    </>
  );
}
