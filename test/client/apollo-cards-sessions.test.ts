/**
 * Apollo Client 4 against the API, continued: a card's life read back from the normalized
 * cache, and the session (refresh rotation, logout) as an app handles it.
 */
import { CombinedGraphQLErrors } from '@apollo/client';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import {
  BALANCE_UPDATED,
  CREATE_CARD,
  FREEZE_CARD,
  FUND_CARD,
  LOG_OUT,
  ME,
  PURCHASE,
  REFRESH,
  TERMINATE_CARD,
  UNFREEZE_CARD,
} from './apollo-documents.js';
import {
  apolloClient,
  cachedCard,
  cachedWallet,
  collect,
  disposeClients,
  signUpThrough,
  untilListening,
} from './apollo-support.js';

// One server for the suite; the tests keep to users of their own, so nothing is reset between them.
const server = useTestServer({}, { reset: false });
afterEach(() => disposeClients());

/** The refusal's codes, when `promise` rejects with GraphQL errors. */
async function refusedWith(promise: Promise<unknown>): Promise<unknown[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(CombinedGraphQLErrors.is(error), `expected GraphQL errors, got ${String(error)}`).toBe(true);
  return (error as CombinedGraphQLErrors).errors.map((e) => e.extensions?.code);
}

describe("a card's life", () => {
  it('creates, funds, spends, freezes, unfreezes and terminates a card, each step visible in the cache', async () => {
    const [u] = await seedUsers(server.app, 1, 'cardholder');
    const walletId = await createWallet(server.app, u.id);
    await fund(server.app, walletId, 100_000n);
    const c = apolloClient(server, u.token);
    await c.apollo.query({ query: ME });
    expect(cachedWallet(c, walletId)!.balance.amount).toBe('100000');

    const created = await c.apollo.mutate({
      mutation: CREATE_CARD,
      variables: { walletId, initialAmount: '30000', label: 'Groceries', key: 'card-1' },
    });
    const cardId = created.data!.createCard.card.id;
    expect(created.data!.createCard.fundingTransaction).toMatchObject({ type: 'CARD_FUNDING', amount: { amount: '30000' } });
    expect(cachedCard(c, cardId)).toMatchObject({ status: 'ACTIVE', balance: { amount: '30000', formatted: 'NGN 300.00' } });
    expect(cachedWallet(c, walletId)!.balance.amount).toBe('70000');

    const funded = await c.apollo.mutate({ mutation: FUND_CARD, variables: { cardId, amount: '20000', key: 'fund-1' } });
    expect(funded.data!.fundCard.transaction).toMatchObject({ type: 'CARD_FUNDING', direction: 'CREDIT' });
    expect(cachedCard(c, cardId)!.balance.amount).toBe('50000');
    expect(cachedWallet(c, walletId)!.balance.amount).toBe('50000');

    const bought = await c.apollo.mutate({ mutation: PURCHASE, variables: { cardId, amount: '12000', merchant: 'Corner Shop', key: 'buy-1' } });
    expect(bought.data!.simulateCardPurchase.transaction).toMatchObject({ type: 'CARD_PURCHASE', status: 'COMPLETED', merchant: { name: 'Corner Shop' } });
    expect(cachedCard(c, cardId)).toMatchObject({ status: 'ACTIVE', balance: { amount: '38000' }, availableBalance: { amount: '38000' } });

    await c.apollo.mutate({ mutation: FREEZE_CARD, variables: { cardId } });
    expect(cachedCard(c, cardId)!.status).toBe('FROZEN');
    // A frozen card's purchase is declined: a FAILED row returned, nothing thrown, nothing moved.
    const declined = await c.apollo.mutate({ mutation: PURCHASE, variables: { cardId, amount: '1000', merchant: 'Corner Shop', key: 'buy-2' } });
    expect(declined.data!.simulateCardPurchase.transaction).toMatchObject({ status: 'FAILED', failureReason: expect.any(String) });
    expect(cachedCard(c, cardId)).toMatchObject({ status: 'FROZEN', balance: { amount: '38000' } });

    await c.apollo.mutate({ mutation: UNFREEZE_CARD, variables: { cardId } });
    expect(cachedCard(c, cardId)!.status).toBe('ACTIVE');

    // Terminating returns the card's balance to its wallet: the app asks for the wallet too.
    await c.apollo.mutate({ mutation: TERMINATE_CARD, variables: { cardId, withWallet: true } });
    expect(cachedCard(c, cardId)).toMatchObject({ status: 'TERMINATED', balance: { amount: '0' } });
    expect(cachedWallet(c, walletId)!.balance.amount).toBe('88000');

    // The cards screen, fetched afterwards, reads the same normalized card.
    const cards = await c.apollo.query({ query: ME, variables: { skipCards: false } });
    expect(cards.data!.me!.cards).toEqual([expect.objectContaining({ id: cardId, status: 'TERMINATED', label: 'Groceries' })]);
  });
});

describe('refresh and log out', () => {
  it('rotates the refresh token; the used one is then refused with UNAUTHENTICATED and ends the session', async () => {
    const c = apolloClient(server);
    const first = await signUpThrough(c, 'Rotating');
    const { data } = await c.apollo.mutate({ mutation: REFRESH, variables: { refreshToken: first.refreshToken } });
    const rotated = data!.refreshToken;
    expect(rotated.refreshToken).not.toBe(first.refreshToken);
    expect(rotated.user.id).toBe(first.user.id);
    c.token = rotated.accessToken;
    const me = await c.apollo.query({ query: ME, fetchPolicy: 'network-only' });
    expect(me.data!.me!.id).toBe(first.user.id);

    expect(await refusedWith(c.apollo.mutate({ mutation: REFRESH, variables: { refreshToken: first.refreshToken } }))).toEqual(['UNAUTHENTICATED']);
    // A used token came back, so someone else may hold a copy: the rotated pair ends with it.
    expect(await refusedWith(c.apollo.mutate({ mutation: REFRESH, variables: { refreshToken: rotated.refreshToken } }))).toEqual(['UNAUTHENTICATED']);
    const after = await c.apollo.query({ query: ME, fetchPolicy: 'network-only' });
    expect(after.data!.me).toBeNull();
  });

  it('logs out: the access token stops working and the open WebSocket is closed with 4401', async () => {
    const c = apolloClient(server);
    const auth = await signUpThrough(c, 'Leaving');
    const live = collect(c.apollo.subscribe({ query: BALANCE_UPDATED }));
    await c.connected;
    await untilListening(server, auth.user.id, ['balance']);

    const out = await c.apollo.mutate({ mutation: LOG_OUT });
    expect(out.data!.logOut.revoked).toBe(true);
    const me = await c.apollo.query({ query: ME, fetchPolicy: 'network-only' });
    expect(me.data!.me).toBeNull();

    const ended = await waitFor(async () => live.error(), (e) => e !== undefined);
    expect(ended, 'the subscription should have ended').toBeDefined();
    expect(ended!.message).toMatch(/^Socket closed with event 4401 /);
    expect(c.closes).toEqual([{ code: 4401, reason: 'Unauthorized: session ended' }]);
    // What an app does next: forget the signed-out user's data.
    await c.apollo.clearStore();
    expect(c.apollo.readQuery({ query: ME })).toBeNull();
  });
});
