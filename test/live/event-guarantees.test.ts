/**
 * What events promise: a refused movement announces nothing to either side, and an event
 * leaves only once the owners' cached answers are unreachable, so a client refetching on it
 * is never answered from a response cached before the change.
 */
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { untilListening } from '../client/apollo-support.js';
import {
  BalanceUpdatedDocument,
  CardUpdatedDocument,
  CreateCardDocument,
  DepositDocument,
  FreezeCardDocument,
  FundCardDocument,
  MyWalletsDocument,
  TransactionUpdatedDocument,
  TransferDocument,
  WithdrawDocument,
} from '../generated/graphql.js';
import { startPaystack } from '../payments/payments-helpers.js';
import { REDIS_URL } from '../support/env.js';
import { errorCode, redisWritesDuring, waitFor } from '../support/helpers.js';
import { monitorRedis } from '../support/redis-monitor.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

// A low largest-transaction amount, so a transfer or withdrawal can be refused with LIMIT_EXCEEDED.
const server = useTestServer({ MONITORING_MAX_TRANSACTION: 'NGN=10000' }, { reset: false });
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

type Event = { topic: 'balance' | 'transaction' | 'card'; data: Record<string, unknown> };

/** Opens balance, transaction and card subscriptions for a user; every event lands in one list, in arrival order. */
async function listenAll(token: string, userId: string, onEvent?: (e: Event) => void, srv = server): Promise<Event[]> {
  const client = createClient({
    url: srv.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  clients.push(client);
  const events: Event[] = [];
  const docs = { balance: BalanceUpdatedDocument, transaction: TransactionUpdatedDocument, card: CardUpdatedDocument } as const;
  for (const topic of Object.keys(docs) as Event['topic'][]) {
    client.subscribe(
      { query: print(docs[topic]) },
      {
        next: (v) => {
          const e = { topic, data: v.data as Record<string, unknown> };
          events.push(e);
          onEvent?.(e);
        },
        error: (err) => events.push({ topic, data: { error: err } }),
        complete: () => undefined,
      },
    );
  }
  await untilListening(srv, userId, ['balance', 'transaction', 'card']);
  return events;
}

const ALLOWED = '7';

/** Two users listening on every topic; `alice` holds a funded wallet, `bob` a wallet. */
async function pair(funds: bigint, srv = server) {
  const [alice, bob] = await seedUsers(srv.app, 2, 'events');
  const aliceWallet = await createWallet(srv.app, alice.id);
  const bobWallet = await createWallet(srv.app, bob.id);
  if (funds > 0n) await fund(srv.app, aliceWallet, funds);
  return { alice, bob, aliceWallet, bobWallet, srv };
}

/**
 * After the refused operation: one allowed transfer of ALLOWED from alice to bob. Events of
 * one user leave in order over one Redis subscriber and one WebSocket, so once the allowed
 * transfer's events have arrived, anything the refused one announced would have arrived first.
 */
async function expectOnlyTheAllowedTransfer(p: Awaited<ReturnType<typeof pair>>, aliceEvents: Event[], bobEvents: Event[]) {
  const allowed = await p.srv.gql(
    TransferDocument,
    { input: { fromWalletId: p.aliceWallet, recipientEmail: p.bob.email, amount: ALLOWED, idempotencyKey: 'allowed' } },
    { token: p.alice.token },
  );
  expect(allowed.errors).toBeUndefined();
  const complete = (events: Event[]) => ['balance', 'transaction'].every((t) => events.some((e) => e.topic === t));
  await waitFor(async () => [aliceEvents, bobEvents], (lists) => lists.every(complete));
  const isAllowed = (e: Event) =>
    e.topic === 'balance'
      ? [p.aliceWallet, p.bobWallet].includes((e.data.balanceUpdated as { id: string }).id)
      : e.topic === 'transaction' && (e.data.transactionUpdated as { type: string; amount: { amount: string } }).type === 'TRANSFER' &&
        (e.data.transactionUpdated as { amount: { amount: string } }).amount.amount === ALLOWED;
  // The first event each side got is the allowed transfer's, and nothing else came.
  expect(aliceEvents[0] && isAllowed(aliceEvents[0]), JSON.stringify(aliceEvents)).toBe(true);
  expect(bobEvents[0] && isAllowed(bobEvents[0]), JSON.stringify(bobEvents)).toBe(true);
  expect(aliceEvents.map((e) => e.topic).sort()).toEqual(['balance', 'transaction']);
  expect(bobEvents.map((e) => e.topic).sort()).toEqual(['balance', 'transaction']);
  expect(aliceEvents.filter((e) => !isAllowed(e))).toEqual([]);
  expect(bobEvents.filter((e) => !isAllowed(e))).toEqual([]);
}

describe('a refused movement announces nothing', () => {
  it('a transfer refused with INSUFFICIENT_FUNDS', async () => {
    const p = await pair(1_000n);
    const [a, b] = await Promise.all([listenAll(p.alice.token, p.alice.id), listenAll(p.bob.token, p.bob.id)]);
    const refused = await server.gql(
      TransferDocument,
      { input: { fromWalletId: p.aliceWallet, recipientEmail: p.bob.email, amount: '5000', idempotencyKey: 'poor' } },
      { token: p.alice.token },
    );
    expect(errorCode(refused)).toBe('INSUFFICIENT_FUNDS');
    await expectOnlyTheAllowedTransfer(p, a, b);
  });

  it('a transfer refused with LIMIT_EXCEEDED', async () => {
    const p = await pair(100_000n);
    const [a, b] = await Promise.all([listenAll(p.alice.token, p.alice.id), listenAll(p.bob.token, p.bob.id)]);
    const refused = await server.gql(
      TransferDocument,
      { input: { fromWalletId: p.aliceWallet, recipientEmail: p.bob.email, amount: '10001', idempotencyKey: 'big' } },
      { token: p.alice.token },
    );
    expect(errorCode(refused)).toBe('LIMIT_EXCEEDED');
    await expectOnlyTheAllowedTransfer(p, a, b);
  });

  it('withdrawals refused with INSUFFICIENT_FUNDS and LIMIT_EXCEEDED', async () => {
    const p = await pair(5_000n);
    const [a, b] = await Promise.all([listenAll(p.alice.token, p.alice.id), listenAll(p.bob.token, p.bob.id)]);
    const withdraw = (amount: string, idempotencyKey: string) =>
      server.gql(
        WithdrawDocument,
        { input: { walletId: p.aliceWallet, amount, bankCode: '001', accountNumber: '0123456789', idempotencyKey } },
        { token: p.alice.token },
      );
    expect(errorCode(await withdraw('6000', 'poor'))).toBe('INSUFFICIENT_FUNDS');
    expect(errorCode(await withdraw('10001', 'big'))).toBe('LIMIT_EXCEEDED');
    await expectOnlyTheAllowedTransfer(p, a, b);
  });

  it('card fundings refused with CARD_NOT_ACTIVE and INSUFFICIENT_FUNDS', async () => {
    const p = await pair(3_000n);
    const card = async (key: string) => {
      const res = await server.gql(CreateCardDocument, { input: { walletId: p.aliceWallet, idempotencyKey: key } }, { token: p.alice.token });
      expect(res.errors).toBeUndefined();
      return res.data!.createCard.card.id;
    };
    const frozen = await card('frozen');
    const active = await card('active');
    expect((await server.gql(FreezeCardDocument, { input: { cardId: frozen } }, { token: p.alice.token })).errors).toBeUndefined();
    // Listening starts after the card set-up, whose own events are not this test's business.
    const [a, b] = await Promise.all([listenAll(p.alice.token, p.alice.id), listenAll(p.bob.token, p.bob.id)]);
    const fundCard = (cardId: string, amount: string, idempotencyKey: string) =>
      server.gql(FundCardDocument, { input: { cardId, amount, idempotencyKey } }, { token: p.alice.token });
    expect(errorCode(await fundCard(frozen, '100', 'fund-frozen'))).toBe('CARD_NOT_ACTIVE');
    expect(errorCode(await fundCard(active, '4000', 'fund-poor'))).toBe('INSUFFICIENT_FUNDS');
    await expectOnlyTheAllowedTransfer(p, a, b);
  });

  it('a deposit refused with PROVIDER_UNAVAILABLE (its row was committed PENDING, then FAILED)', async () => {
    // The refusals above are decided before anything is written; this one writes and commits
    // first, so only the rule "failed work is never announced" keeps its row's events back.
    const env = await startPaystack();
    try {
      const p = await pair(1_000n, env.server);
      const [a, b] = await Promise.all([
        listenAll(p.alice.token, p.alice.id, undefined, env.server),
        listenAll(p.bob.token, p.bob.id, undefined, env.server),
      ]);
      env.fake.failNext('POST /transaction/initialize', 500);
      const refused = await env.server.gql(DepositDocument, { input: { walletId: p.aliceWallet, amount: '3000', idempotencyKey: 'dep' } }, { token: p.alice.token });
      expect(errorCode(refused)).toBe('PROVIDER_UNAVAILABLE');
      await expectOnlyTheAllowedTransfer(p, a, b);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      await env.close();
    }
  });
});

describe('events leave only after the cache generations moved on', () => {
  it('a client refetching the cached wallets on every event sees the new balance, and Redis ran each bump before its publish', async () => {
    const p = await pair(10_000n);
    const myBalance = async (token: string) => {
      const res = await server.gql(MyWalletsDocument, {}, { token });
      expect(res.errors).toBeUndefined();
      return { balance: res.data!.me!.wallets[0].balance.amount, cached: res.headers.get('age') !== null };
    };
    // Redis runs commands one at a time and MONITOR lists them in that order: the order of the
    // bump and the publish is read from Redis itself, not from a race with the server. (The
    // refetch below is what a client sees, but alone it misses a swapped order: the event's
    // trip through the server and the WebSocket outlasts the bump that follows the publish.)
    const monitor = monitorRedis(REDIS_URL);
    const monitored = monitor.commands;
    await monitor.ready;
    const refetched: { user: string; topic: string; expected?: string; seen: string }[] = [];
    const expected = new Map<string, string>();
    const refetchOn = (user: { id: string; token: string }) => (e: Event) => {
      if (e.topic !== 'balance') return;
      // At once, as an app refetching on the event would.
      const exp = (e.data.balanceUpdated as { balance: { amount: string } }).balance.amount;
      void myBalance(user.token).then((r) => refetched.push({ user: user.id, topic: e.topic, expected: exp, seen: r.balance }));
    };
    try {
      await Promise.all([listenAll(p.alice.token, p.alice.id, refetchOn(p.alice)), listenAll(p.bob.token, p.bob.id, refetchOn(p.bob))]);
      for (let round = 1; round <= 3; round++) {
        // Prime: each viewer's wallets answer is in the response cache under the current generation.
        for (const u of [p.alice, p.bob]) {
          const primed = await waitFor(() => myBalance(u.token), (r) => r.cached);
          expect(primed.cached).toBe(true);
        }
        const from = monitored.length;
        const res = await server.gql(
          TransferDocument,
          { input: { fromWalletId: p.aliceWallet, recipientEmail: p.bob.email, amount: '100', idempotencyKey: `r${round}` } },
          { token: p.alice.token },
        );
        expect(res.errors).toBeUndefined();
        expected.set(p.alice.id, String(10_000 - 100 * round));
        expected.set(p.bob.id, String(100 * round));
        await waitFor(async () => refetched.length, (n) => n >= 2 * round);
        expect(refetched).toHaveLength(2 * round);
        for (const r of refetched.slice(-2)) expect(r.seen, `round ${round}`).toBe(expected.get(r.user));
        // Every event of the round left after its owner's generation was bumped.
        const round_ = monitored.slice(from);
        for (const u of [p.alice, p.bob]) {
          const bump = round_.findIndex((c) => c[0].toLowerCase() === 'incr' && c[1].endsWith(`cache-gen:${u.id}`));
          const publishes = round_.flatMap((c, i) => (c[0].toLowerCase() === 'publish' && c[1].endsWith(`:${u.id}`) ? [i] : []));
          expect(publishes.length, `round ${round}: events for ${u.id}`).toBeGreaterThan(0);
          expect(bump, `round ${round}: bump for ${u.id}`).toBeGreaterThanOrEqual(0);
          for (const i of publishes) expect(bump, `round ${round}: ${round_[i].join(' ')} before its bump`).toBeLessThan(i);
        }
        // ...and after the wallet cache's tombstones (the script's SET of each moved wallet's entry).
        // (Other suites' servers share this Redis: only this pair's events count.)
        const firstPublish = round_.findIndex((c) => c[0].toLowerCase() === 'publish' && [p.alice.id, p.bob.id].some((id) => c[1].endsWith(`:${id}`)));
        for (const wallet of [p.aliceWallet, p.bobWallet]) {
          const tombstone = round_.findIndex((c) => c[0].toLowerCase() === 'set' && c[1].endsWith(`acct:${wallet}`));
          expect(tombstone, `round ${round}: invalidation of ${wallet}`).toBeGreaterThanOrEqual(0);
          expect(tombstone, `round ${round}: invalidation of ${wallet} before the first event`).toBeLessThan(firstPublish);
        }
      }
    } finally {
      monitor.close();
    }
  });
});

describe('what a transfer asks of Redis', () => {
  /** Writes the server makes to its Redis socket while `work` runs: one per round trip. */
  const redisWrites = (work: () => Promise<unknown>) => redisWritesDuring(server.app.redis.client, work);

  it('three round trips: the session, the limits, and one after the commit for invalidations, generations and events', async () => {
    const p = await pair(10_000n);
    const events = await listenAll(p.bob.token, p.bob.id);
    const send = (key: string) =>
      server.raw(
        'mutation T($input: TransferInput!) { transfer(input: $input) { transaction { id } } }',
        { input: { fromWalletId: p.aliceWallet, recipientEmail: p.bob.email, amount: '1', idempotencyKey: key } },
        { token: p.alice.token },
      );
    // The first transfer to bob names a new recipient: one more round trip to count it.
    expect((await send('first')).errors).toBeUndefined();
    for (const key of ['second', 'third']) {
      const writes = await redisWrites(async () => expect((await send(key)).errors).toBeUndefined());
      expect(writes, key).toBe(3);
    }
    // The events of all three still reached the recipient.
    await waitFor(async () => events.filter((e) => e.topic === 'balance').length, (n) => n >= 3);
    expect(events.filter((e) => e.topic === 'balance').map((e) => (e.data.balanceUpdated as { balance: { amount: string } }).balance.amount)).toEqual(['1', '2', '3']);
  });
});
