import { useQuery, useSubscription } from '@apollo/client/react';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Empty, Field, FormProblems, LoadFailed, Loading, problemFor, SelectField } from '../components/ui';
import { problems as problemsOf, type Problem } from '../errors';
import { formatDate } from '../format';
import { graphql } from '../gql';
import type { TransactionFilter, TransactionStatus, TransactionType } from '../gql/graphql';
import { Link, navigate, useLocation } from '../router';
import './History.css';
import {
  accountOf,
  cardName,
  FILTER_STATUSES,
  FILTER_TYPES,
  HistoryTransactionUpdated,
  matchesFilter,
  noteOf,
  SignedAmount,
  STATUS_WORDS,
  StatusBadge,
  titleOf,
  TYPE_WORDS,
} from './HistoryParts';

export { TransactionScreen } from './HistoryDetail';

const PAGE_SIZE = 20;

const HistoryTransactions = graphql(`
  query HistoryTransactions($first: Int!, $after: String, $filter: TransactionFilter) {
    transactions(first: $first, after: $after, filter: $filter) {
      edges {
        node {
          ...HistoryTransactionFields
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`);

const HistoryFilterOptions = graphql(`
  query HistoryFilterOptions {
    me {
      id
      wallets {
        id
        currency
      }
      cards {
        id
        label
        last4
        status
      }
    }
  }
`);

/** The filters as the URL's query string keeps them (`/history?wallet=…&type=TRANSFER&from=2025-01-31`). */
interface Filters {
  wallet: string;
  card: string;
  type: string;
  status: string;
  from: string;
  to: string;
}
const FILTER_KEYS = ['wallet', 'card', 'type', 'status', 'from', 'to'] as const;

function readFilters(query: URLSearchParams): Filters {
  const [wallet, card, type, status, from, to] = FILTER_KEYS.map((k) => query.get(k)?.trim() ?? '');
  return {
    wallet,
    card,
    type: (FILTER_TYPES as string[]).includes(type) ? type : '',
    status: (FILTER_STATUSES as string[]).includes(status) ? status : '',
    from: validDay(from) ? from : '',
    to: validDay(to) ? to : '',
  };
}

function validDay(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(startOfDay(day).getTime());
}

/** Midnight at the start of a YYYY-MM-DD day, in the reader's time zone. */
function startOfDay(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}

/** The API's filter for what the URL asks, or problems that keep it from being asked. */
function filterOf(f: Filters): { filter: TransactionFilter | null; problems: Problem[] } {
  if (f.from && f.to && f.to < f.from) {
    return { filter: null, problems: [{ field: 'to', message: 'The end date is before the start date.' }] };
  }
  const filter: TransactionFilter = {};
  if (f.wallet) filter.walletId = f.wallet;
  if (f.card) filter.cardId = f.card;
  if (f.type) filter.types = [f.type as TransactionType];
  if (f.status) filter.statuses = [f.status as TransactionStatus];
  if (f.from) filter.from = startOfDay(f.from).toISOString();
  if (f.to) {
    // The end day is included: rows before the midnight that ends it.
    const end = startOfDay(f.to);
    end.setDate(end.getDate() + 1);
    filter.to = end.toISOString();
  }
  return { filter: Object.keys(filter).length ? filter : null, problems: [] };
}

function hrefOf(f: Filters): string {
  const query = new URLSearchParams();
  for (const key of FILTER_KEYS) if (f[key]) query.set(key, f[key]);
  const qs = query.toString();
  return qs ? `/history?${qs}` : '/history';
}

/** Every transaction across wallets and cards, newest first, narrowed by filters kept in the URL. */
export function HistoryScreen() {
  const { query } = useLocation();
  const filters = readFilters(query);
  const { filter, problems } = filterOf(filters);
  const filtered = FILTER_KEYS.some((k) => filters[k]);
  const setFilters = (next: Partial<Filters>) => navigate(hrefOf({ ...filters, ...next }), { replace: true });

  return (
    <>
      <h1>History</h1>
      <HistoryFilters filters={filters} problems={problems} onChange={setFilters} onClear={() => navigate('/history', { replace: true })} />
      {problems.length ? null : (
        <HistoryList
          key={JSON.stringify(filter)}
          filter={filter}
          filtered={filtered}
          onClear={() => navigate('/history', { replace: true })}
        />
      )}
    </>
  );
}

function HistoryFilters({
  filters,
  problems,
  onChange,
  onClear,
}: {
  filters: Filters;
  problems: Problem[];
  onChange: (next: Partial<Filters>) => void;
  onClear: () => void;
}) {
  const { data } = useQuery(HistoryFilterOptions);
  const wallets = data?.me?.wallets ?? [];
  const cards = data?.me?.cards ?? [];
  const on = FILTER_KEYS.filter((k) => filters[k] && !(k === 'to' && filters.from)).length;
  // Open on a wide screen, and wherever filters are on; a phone starts with the list in view.
  const [open, setOpen] = useState(() => on > 0 || window.matchMedia('(min-width: 40rem)').matches);
  return (
    <details className="card-surface history-filter-box" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Filters{on ? ` (${on} on)` : ''}</summary>
      <form role="search" aria-label="Filter transactions" className="history-filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Wallet" value={filters.wallet} onChange={(e) => onChange({ wallet: e.target.value })}>
          <option value="">All wallets</option>
          {wallets.map((w) => (
            <option key={w.id} value={w.id}>
              {w.currency} wallet
            </option>
          ))}
          {filters.wallet && !wallets.some((w) => w.id === filters.wallet) ? (
            <option value={filters.wallet}>{data ? 'Another wallet' : 'This wallet'}</option>
          ) : null}
        </SelectField>
        {cards.length || filters.card ? (
          <SelectField label="Card" value={filters.card} onChange={(e) => onChange({ card: e.target.value })}>
            <option value="">All cards</option>
            {cards.map((c) => (
              <option key={c.id} value={c.id}>
                {cardName(c)}
                {c.status === 'TERMINATED' ? ', ended' : ''}
              </option>
            ))}
            {filters.card && !cards.some((c) => c.id === filters.card) ? (
              <option value={filters.card}>{data ? 'Another card' : 'This card'}</option>
            ) : null}
          </SelectField>
        ) : null}
        <SelectField label="Type" value={filters.type} onChange={(e) => onChange({ type: e.target.value })}>
          <option value="">All types</option>
          {FILTER_TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_WORDS[t]}
            </option>
          ))}
        </SelectField>
        <SelectField label="Status" value={filters.status} onChange={(e) => onChange({ status: e.target.value })}>
          <option value="">Any status</option>
          {FILTER_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_WORDS[s]}
            </option>
          ))}
        </SelectField>
        <Field
          label="From"
          type="date"
          value={filters.from}
          max={filters.to || undefined}
          onChange={(e) => onChange({ from: e.target.value })}
        />
        <Field
          label="To"
          type="date"
          value={filters.to}
          min={filters.from || undefined}
          onChange={(e) => onChange({ to: e.target.value })}
          problem={problemFor(problems, 'to')}
        />
        <FormProblems problems={problems} fields={['to']} />
        {on ? (
          <div className="history-filter-actions">
            <button type="button" onClick={onClear}>
              Clear filters
            </button>
          </div>
        ) : null}
      </form>
    </details>
  );
}

function HistoryList({ filter, filtered, onClear }: { filter: TransactionFilter | null; filtered: boolean; onClear: () => void }) {
  const { data, loading, error, refetch, fetchMore, updateQuery } = useQuery(HistoryTransactions, {
    variables: { first: PAGE_SIZE, filter },
  });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreProblems, setMoreProblems] = useState<Problem[]>([]);
  const [announcement, setAnnouncement] = useState('');
  const busy = useRef(false);
  const sentinel = useRef<HTMLDivElement>(null);
  const moreButton = useRef<HTMLButtonElement>(null);
  const end = useRef<HTMLParagraphElement>(null);
  const focusEnd = useRef(false);

  const connection = data?.transactions;
  const endCursor = connection?.pageInfo.endCursor ?? null;
  const hasNextPage = connection?.pageInfo.hasNextPage ?? false;
  // A row whose status changed after it was loaded may no longer match: it leaves the list.
  const rows = (connection?.edges ?? []).map((e) => e.node).filter((t) => matchesFilter(t, filter));

  const loadMore = useCallback(async () => {
    if (busy.current || !hasNextPage || !endCursor) return;
    busy.current = true;
    focusEnd.current = document.activeElement === moreButton.current;
    setLoadingMore(true);
    setMoreProblems([]);
    try {
      const { data: more } = await fetchMore({
        variables: { after: endCursor },
        updateQuery: (previous, { fetchMoreResult }) => {
          if (!previous?.transactions) return fetchMoreResult;
          const seen = new Set(previous.transactions.edges.map((e) => e.node.id));
          return {
            ...previous,
            transactions: {
              ...fetchMoreResult.transactions,
              edges: [...previous.transactions.edges, ...fetchMoreResult.transactions.edges.filter((e) => !seen.has(e.node.id))],
            },
          };
        },
      });
      const added = more?.transactions.edges.length ?? 0;
      setAnnouncement(`${added} more ${added === 1 ? 'transaction' : 'transactions'} loaded.`);
    } catch (err) {
      focusEnd.current = false;
      setMoreProblems(problemsOf(err));
    } finally {
      busy.current = false;
      setLoadingMore(false);
    }
  }, [fetchMore, endCursor, hasNextPage]);

  // Endless scrolling: the next page loads as the end of the list comes near. A new observer per
  // page, so a page that does not fill the screen is followed by the next at once.
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasNextPage || moreProblems.length || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadMore(), {
      rootMargin: '0px 0px 300px 0px',
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [loadMore, hasNextPage, endCursor, moreProblems.length]);

  // The "Load more" button goes when everything is here: its focus moves to the words that say so.
  useEffect(() => {
    if (!hasNextPage && focusEnd.current) {
      focusEnd.current = false;
      end.current?.focus();
    }
  }, [hasNextPage]);

  // Live: a new row (or one that now matches) joins the list in its place, newest first.
  useSubscription(HistoryTransactionUpdated, {
    onData: ({ data: event }) => {
      const t = event.data?.transactionUpdated;
      if (!t || !matchesFilter(t, filter)) return;
      updateQuery((_unsafe, { complete, previousData }) => {
        if (!complete) return;
        const edges = previousData.transactions.edges;
        if (edges.some((e) => e.node.id === t.id)) return;
        const created = new Date(t.createdAt).getTime();
        const at = edges.findIndex((e) => new Date(e.node.createdAt).getTime() < created);
        // Older than every row here while more follow: it comes with a later page.
        if (at === -1 && previousData.transactions.pageInfo.hasNextPage) return;
        const edge = { __typename: 'TransactionEdge' as const, node: t };
        const next = at === -1 ? [...edges, edge] : [...edges.slice(0, at), edge, ...edges.slice(at)];
        return { ...previousData, transactions: { ...previousData.transactions, edges: next } };
      });
    },
  });

  let body: ReactNode;
  if (loading && !data) {
    body = <Loading what="Loading your history" />;
  } else if (error && !data) {
    body = <LoadFailed what="your history" why={problemsOf(error)[0]?.message} retry={() => refetch()} />;
  } else if (rows.length === 0 && !hasNextPage) {
    body = filtered ? (
      <Empty>
        <p>Nothing matches these filters.</p>
        <button type="button" onClick={onClear}>
          Clear filters
        </button>
      </Empty>
    ) : (
      <Empty>
        <p>No transactions yet.</p>
        <p>
          Money you add, send, receive or spend shows up here. <Link to="/deposit">Add money</Link>
        </p>
      </Empty>
    );
  } else {
    body = (
      <>
        <ul className="rows history-rows" aria-label="Transactions">
          {rows.map((t) => {
            const note = noteOf(t);
            return (
              <li key={t.id}>
                <Link to={`/history/${t.id}`} className="row history-row">
                  <span className="history-row-main">
                    <span className="history-row-title">{titleOf(t)}</span>
                    {note ? <span className="history-row-note">{note}</span> : null}
                    <span className="subtle">
                      <time dateTime={t.createdAt}>{formatDate(t.createdAt)}</time> · {accountOf(t)}
                    </span>
                  </span>
                  <span className="history-row-side">
                    <SignedAmount t={t} />
                    {t.status !== 'COMPLETED' ? <StatusBadge status={t.status} /> : null}
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
        <div ref={sentinel} className="history-sentinel" aria-hidden="true" />
        <div className="history-more">
          {hasNextPage ? (
            <button ref={moreButton} type="button" aria-disabled={loadingMore || undefined} onClick={() => void loadMore()}>
              {loadingMore ? 'Loading more…' : 'Load more'}
            </button>
          ) : (
            <p ref={end} tabIndex={-1} className="subtle">
              {filtered ? 'That is everything that matches these filters.' : 'That is everything.'}
            </p>
          )}
        </div>
        {moreProblems.length ? <LoadFailed what="more" why={moreProblems[0].message} retry={() => loadMore()} /> : null}
      </>
    );
  }

  return (
    <section aria-labelledby="history-list-heading" aria-busy={loading || loadingMore}>
      <h2 id="history-list-heading" className="visually-hidden">
        Transactions
      </h2>
      {body}
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
    </section>
  );
}
