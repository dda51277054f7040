/**
 * The API driven through Apollo Client 4, as a frontend drives it: normalized cache, paging
 * with fetchMore, live updates over graphql-ws. One `describe` per user journey.
 */
import { CombinedGraphQLErrors, type ApolloCache, type Reference } from '@apollo/client';
import { afterEach, describe, expect, it } from 'vitest';
import { createWallet, fund, fundMany, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import {
  BALANCE_UPDATED,
  CREATE_WALLET,
  DEPOSIT,
  HISTORY,
  ME,
  TRANSACTION_BY_ID,
  TRANSACTION_UPDATED,
  TRANSFER,
  type WalletParts,
} from './apollo-documents.js';
import {
  apolloClient,
  cachedTransaction,
  cachedWallet,
  collect,
  disposeClients,
  observe,
  payCheckout,
  signUpThrough,
  untilListening,
} from './apollo-support.js';

// One server for the suite; the tests keep to users of their own, so nothing is reset between them.
const server = useTestServer({}, { reset: false });
afterEach(() => disposeClients());

/** A new wallet goes into the viewer's cached `wallets`, so every screen listing them updates. */
function appendWallet(userId: string) {
  return (cache: ApolloCache, { data }: { data?: { createWallet: { wallet: WalletParts } } | null }) => {
    cache.modify<{ wallets: Reference[] }>({
      id: cache.identify({ __typename: 'User', id: userId }),
      fields: { wallets: (existing, { toReference }) => [...existing, toReference({ __typename: 'Wallet', id: data!.createWallet.wallet.id })!] },
    });
  };
}

describe('sign-up, wallets and a sandbox deposit', () => {
  it('signs up, lists wallets from the cache as they are created, and sees a paid checkout in the cached wallet', async () => {
    const c = apolloClient(server);
    const auth = await signUpThrough(c, 'Ada');
    const home = observe(c.apollo.watchQuery({ query: ME }));
    const first = await home.until((d) => d.me !== null);
    expect(first.me).toMatchObject({ id: auth.user.id, email: auth.user.email, wallets: [] });
    expect(first.me).not.toHaveProperty('cards'); // @skip(if: true) by default

    const ngn = await c.apollo.mutate({ mutation: CREATE_WALLET, variables: { currency: 'NGN' }, update: appendWallet(auth.user.id) });
    await c.apollo.mutate({ mutation: CREATE_WALLET, variables: { currency: 'USD' }, update: appendWallet(auth.user.id) });
    const walletId = ngn.data!.createWallet.wallet.id;
    const listed = await home.until((d) => d.me!.wallets!.length === 2);
    expect(listed.me!.wallets!.map((w) => [w.currency, w.balance.formatted])).toEqual([
      ['NGN', 'NGN 0.00'],
      ['USD', 'USD 0.00'],
    ]);
    // The other shape of the same query: cards included, wallets left out.
    const cardsOnly = await c.apollo.query({ query: ME, variables: { withWallets: false, skipCards: false } });
    expect(cardsOnly.data!.me).toMatchObject({ id: auth.user.id, cards: [] });
    expect(cardsOnly.data!.me).not.toHaveProperty('wallets');

    const dep = await c.apollo.mutate({ mutation: DEPOSIT, variables: { walletId, amount: '500000', key: 'dep-1' } });
    const { checkoutUrl, transaction } = dep.data!.deposit;
    expect(transaction).toMatchObject({ type: 'DEPOSIT', status: 'PENDING', amount: { amount: '500000', currency: 'NGN' } });
    expect(cachedTransaction(c, transaction.id)!.status).toBe('PENDING');
    expect((await payCheckout(checkoutUrl)).status).toBe(200);

    // Refetching the home screen updates the one normalized Wallet every query reads.
    await c.apollo.refetchQueries({ include: [ME] });
    expect(cachedWallet(c, walletId)).toMatchObject({ version: 1, balance: { amount: '500000', formatted: 'NGN 5,000.00' } });
    await home.until((d) => d.me!.wallets![0].balance.amount === '500000');
    await c.apollo.query({ query: TRANSACTION_BY_ID, variables: { id: transaction.id }, fetchPolicy: 'network-only' });
    expect(cachedTransaction(c, transaction.id)!.status).toBe('COMPLETED');
  });
});

describe('a transfer to someone watching', () => {
  it("reaches the recipient's open subscriptions and updates their cached wallet and history", async () => {
    const [alice, bob] = await seedUsers(server.app, 2, 'transfer');
    const aliceWallet = await createWallet(server.app, alice.id);
    await fund(server.app, aliceWallet, 100_000n);
    const bobWallet = await createWallet(server.app, bob.id);
    const a = apolloClient(server, alice.token);
    const b = apolloClient(server, bob.token);
    await a.apollo.query({ query: ME });

    // Bob's app: the home screen, recent history, and the live feeds that keep both current.
    const bobHome = observe(b.apollo.watchQuery({ query: ME }));
    await bobHome.until((d) => d.me!.wallets![0].balance.amount === '0');
    const historyQuery = b.apollo.watchQuery({ query: HISTORY, variables: { first: 5 } });
    const bobHistory = observe(historyQuery);
    await bobHistory.until((d) => d.transactions.edges.length === 0);
    historyQuery.subscribeToMore({
      document: TRANSACTION_UPDATED,
      // A live row arrives as a Transaction, not an edge: it has no cursor of its own.
      updateQuery: (_, { complete, previousData, subscriptionData }) => {
        if (!complete) return;
        const node = subscriptionData.data.transactionUpdated;
        const edges = [{ __typename: 'TransactionEdge', cursor: '', node }, ...previousData.transactions.edges];
        return { ...previousData, transactions: { ...previousData.transactions, edges } };
      },
    });
    const balances = collect(b.apollo.subscribe({ query: BALANCE_UPDATED, variables: { walletId: bobWallet } }));
    await b.connected;
    await untilListening(server, bob.id, ['balance', 'transaction']);

    const sent = await a.apollo.mutate({
      mutation: TRANSFER,
      variables: { fromWalletId: aliceWallet, to: bob.email, amount: '25000', key: 'trf-1', withCounterparty: true },
    });
    expect(sent.data!.transfer.transaction).toMatchObject({ direction: 'DEBIT', status: 'COMPLETED', counterparty: { id: bob.id } });
    // The sender's cache took the payload's wallet in place.
    expect(cachedWallet(a, aliceWallet)).toMatchObject({ version: 2, balance: { amount: '75000' } });

    const home = await bobHome.until((d) => d.me!.wallets![0].balance.amount === '25000');
    expect(home.me!.wallets![0]).toMatchObject({ id: bobWallet, version: 1, availableBalance: { formatted: 'NGN 250.00' } });
    expect(balances.events).toEqual([{ balanceUpdated: expect.objectContaining({ id: bobWallet, version: 1 }) }]);
    const history = await bobHistory.until((d) => d.transactions.edges.length === 1);
    const row = history.transactions.edges[0].node;
    expect(row).toMatchObject({ type: 'TRANSFER', direction: 'CREDIT', amount: { amount: '25000' }, reference: sent.data!.transfer.transaction.reference });
    expect(cachedTransaction(b, row.id)).toMatchObject({ id: row.id, status: 'COMPLETED' });
    expect(balances.error()).toBeUndefined();
  });
});

describe('history paging', () => {
  it('pages with fetchMore into one cached list per filter, and a refetch starts it over', async () => {
    const [u, other] = await seedUsers(server.app, 2, 'pager');
    const walletId = await createWallet(server.app, u.id);
    await fundMany(server.app, Array<string>(7).fill(walletId), 1_000n);
    const c = apolloClient(server, u.token);
    await c.apollo.mutate({ mutation: TRANSFER, variables: { fromWalletId: walletId, to: other.email, amount: '500', key: 'p-1', withCounterparty: false } });
    const deposits = { types: ['DEPOSIT' as const] };
    const everything = await c.apollo.query({ query: HISTORY, variables: { first: 100, filter: deposits }, fetchPolicy: 'no-cache' });
    const expected = everything.data!.transactions.edges.map((e) => e.node.id);
    expect(expected).toHaveLength(7);

    const query = c.apollo.watchQuery({ query: HISTORY, variables: { first: 3, filter: deposits } });
    const list = observe(query);
    let page = await list.until((d) => d.transactions.edges.length === 3);
    expect(page.transactions.pageInfo.hasNextPage).toBe(true);
    // Bounded, so a cursor that does not advance fails here rather than paging forever.
    for (let pages = 1; page.transactions.pageInfo.hasNextPage && pages < 5; pages++) {
      const seen = page.transactions.edges.length;
      await query.fetchMore({ variables: { after: page.transactions.pageInfo.endCursor } });
      page = await list.until((d) => d.transactions.edges.length > seen);
    }
    expect(page.transactions.edges.map((e) => e.node.id)).toEqual(expected);

    // Another filter is another list; it leaves the deposits alone.
    const transfers = await c.apollo.query({ query: HISTORY, variables: { first: 3, filter: { types: ['TRANSFER'] } } });
    expect(transfers.data!.transactions.edges.map((e) => e.node.direction)).toEqual(['DEBIT']);
    const held = c.apollo.readQuery({ query: HISTORY, variables: { first: 3, filter: deposits } });
    expect(held!.transactions.edges).toHaveLength(7);

    // Pull to refresh: the first page again, replacing what was held.
    await query.refetch();
    const fresh = await list.until((d) => d.transactions.edges.length === 3);
    expect(fresh.transactions.edges.map((e) => e.node.id)).toEqual(expected.slice(0, 3));
  });
});

describe('refused operations', () => {
  it('rejects a transfer beyond the balance with INSUFFICIENT_FUNDS and leaves the cached wallet as it was', async () => {
    const [u, other] = await seedUsers(server.app, 2, 'short');
    const walletId = await createWallet(server.app, u.id);
    await fund(server.app, walletId, 1_000n);
    const c = apolloClient(server, u.token);
    await c.apollo.query({ query: ME });
    const variables = { fromWalletId: walletId, to: other.email, amount: '5000', key: 'too-much', withCounterparty: false };

    const error = await c.apollo.mutate({ mutation: TRANSFER, variables }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(CombinedGraphQLErrors.is(error), String(error)).toBe(true);
    const { errors } = error as CombinedGraphQLErrors;
    expect(errors.map((e) => e.extensions?.code)).toEqual(['INSUFFICIENT_FUNDS']);
    // With errorPolicy 'all' the same refusal is a result, not a rejection.
    const again = await c.apollo.mutate({ mutation: TRANSFER, variables, errorPolicy: 'all' });
    expect(CombinedGraphQLErrors.is(again.error) && again.error.errors[0].extensions?.code).toBe('INSUFFICIENT_FUNDS');
    expect(again.data ?? null).toBeNull();
    expect(cachedWallet(c, walletId)).toMatchObject({ version: 1, balance: { amount: '1000' } });

    const anonymous = apolloClient(server);
    const unauthenticated = await anonymous.apollo.mutate({ mutation: CREATE_WALLET, variables: { currency: 'NGN' }, errorPolicy: 'all' });
    expect(CombinedGraphQLErrors.is(unauthenticated.error) && unauthenticated.error.errors[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
