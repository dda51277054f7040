import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BalanceUpdatedDocument, TransactionUpdatedDocument, TransferDocument, WalletDocument } from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { PrivateRedis } from '../support/private-redis.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { connectWs, describeClose, listen, ready, settle, type Listener } from './replica-support.js';

/**
 * A Redis of the test's own is stopped under a running server: queries and transfers keep
 * answering correctly from PostgreSQL, events are lost meanwhile (at most once), and once
 * Redis is back the existing subscriptions hear new events again, without a restart.
 */

let redis: PrivateRedis | undefined;
let server: TestServer | undefined;
const clients: Client[] = [];

beforeAll(async () => {
  redis = await PrivateRedis.start();
  server = await startTestServer({ REDIS_URL: redis.url });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await server?.close();
  await redis?.stop();
});

/** Times one request: Redis being gone must never hold one up for long. */
async function timed<T>(fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await fn();
  expect(Date.now() - started, 'a request took too long with Redis down').toBeLessThan(3_000);
  return result;
}

describe('Redis outage', () => {
  it('keeps queries and transfers correct while Redis is down, and subscriptions resume when it is back', async () => {
    const s = server!;
    const [alice, bob, carol, dave] = await seedUsers(s.app, 4, 'outage');
    const aliceWallet = await createWallet(s.app, alice.id);
    const bobWallet = await createWallet(s.app, bob.id);
    const carolWallet = await createWallet(s.app, carol.id);
    await fund(s.app, aliceWallet, 10_000n);

    const ca = connectWs(s.graphqlUrl, alice.token, clients);
    const cb = connectWs(s.graphqlUrl, bob.token, clients);
    const aBalance = listen(ca, print(BalanceUpdatedDocument), { walletId: aliceWallet });
    const bBalance = listen(cb, print(BalanceUpdatedDocument), { walletId: bobWallet });
    const bTx = listen(cb, print(TransactionUpdatedDocument));
    // Dave's only subscriber leaves during the outage (the replica's last one on his channel).
    const cd = connectWs(s.graphqlUrl, dave.token, clients);
    listen(cd, print(TransactionUpdatedDocument));
    await Promise.all([ready(ca), ready(cb), ready(cd)]);
    await settle(300);

    let key = 0;
    const transfer = (amount: string) =>
      timed(() =>
        s.gql(
          TransferDocument,
          { input: { fromWalletId: aliceWallet, recipientEmail: bob.email, amount, idempotencyKey: `outage-${++key}` } },
          { token: alice.token },
        ),
      );
    const balanceOf = async (walletId: string, token: string) => {
      const res = await timed(() => s.gql(WalletDocument, { id: walletId }, { token }));
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return res.data!.wallet!;
    };

    // Before: events flow.
    expect((await transfer('100')).errors).toBeUndefined();
    await Promise.all([aBalance.waitFor(1), bBalance.waitFor(1), bTx.waitFor(1)]);
    expect(aBalance.events.at(-1)).toEqual({ balanceUpdated: expect.objectContaining({ balance: { amount: '9900' } }) });

    // Redis goes away.
    await redis!.stop();
    await settle(300);
    const before = { a: aBalance.events.length, b: bBalance.events.length, t: bTx.events.length };
    const ready1 = await timed(() => fetch(`${s.url}/readyz`));
    expect(ready1.status).toBe(200);
    expect(await ready1.json()).toMatchObject({ status: 'degraded', checks: { redis: 'down', postgres: 'up' } });

    for (let i = 0; i < 5; i++) {
      const res = await transfer('10');
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      expect(res.data!.transfer).toBeTruthy();
      // A retry with the same idempotency key moves no money twice.
      const again = await timed(() =>
        s.gql(
          TransferDocument,
          { input: { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '10', idempotencyKey: `outage-${key}` } },
          { token: alice.token },
        ),
      );
      expect(again.errors, JSON.stringify(again.errors)).toBeUndefined();
    }
    // A subscriber that arrives while Redis is down, on a channel nobody on this replica listens to yet.
    const cLate = connectWs(s.graphqlUrl, carol.token, clients);
    const late = listen(cLate, print(BalanceUpdatedDocument), { walletId: carolWallet });
    await ready(cLate);
    await cd.dispose();
    // Long enough for ioredis to back off to its longest reconnect delay.
    await settle(4_000);
    const refused = await transfer('1000000');
    expect(refused.errors?.[0].extensions?.code).toBe('INSUFFICIENT_FUNDS');
    expect((await balanceOf(aliceWallet, alice.token)).balance.amount).toBe('9850');
    expect((await balanceOf(bobWallet, bob.token)).balance.amount).toBe('150');
    await settle(500);
    // At most once: nothing was delivered while Redis was down, and the subscriptions stay open.
    expect({ a: aBalance.events.length, b: bBalance.events.length, t: bTx.events.length }).toEqual(before);
    for (const l of [aBalance, bBalance, bTx]) expect(l.closed(), describeClose(l.closed())).toBeUndefined();

    // Redis comes back on the same port (empty: no persistence).
    await redis!.start();
    const backAt = Date.now();
    // Within a bounded wait, a new money movement reaches the existing subscribers.
    const deadline = backAt + 20_000;
    let sent = 0;
    const heard = (l: Listener, n: number) => l.events.length > n;
    for (;;) {
      const res = await transfer('1');
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      sent++;
      await settle(500);
      if (heard(aBalance, before.a) && heard(bBalance, before.b) && heard(bTx, before.t)) break;
      if (Date.now() > deadline) {
        throw new Error(
          `no event reached the subscribers ${Date.now() - backAt} ms after Redis came back (${sent} transfers since); ` +
            `alice balance events ${aBalance.events.length - before.a}, bob ${bBalance.events.length - before.b}, bob tx ${bTx.events.length - before.t}; ` +
            `closed: ${[aBalance, bBalance, bTx].map((l) => describeClose(l.closed())).join(', ')}`,
        );
      }
    }
    // The subscriber that came during the outage hears events now, or was told its subscription failed.
    await fund(s.app, carolWallet, 5n);
    await settle(1_000);
    // (With the subscriber's commands failing fast, this subscription ended with an internal
    // error, and the process saw an unhandled MaxRetriesPerRequestError rejection.)
    expect(late.closed(), describeClose(late.closed())).toBeUndefined();
    expect(late.events).toEqual([{ balanceUpdated: expect.objectContaining({ id: carolWallet, balance: { amount: '5' } }) }]);
    console.info(`outage: events resumed ${Date.now() - backAt} ms after Redis came back (${sent} transfer(s))`);
    const last = aBalance.events.at(-1) as { balanceUpdated: { balance: { amount: string } } };
    expect(last.balanceUpdated.balance.amount).toBe(String(9850 - sent));
    expect(bBalance.events.at(-1)).toEqual({ balanceUpdated: expect.objectContaining({ id: bobWallet, balance: { amount: String(150 + sent) } }) });
    // And readiness says so again (bounded).
    let readiness: unknown;
    for (const until = Date.now() + 10_000; Date.now() < until; await settle(200)) {
      readiness = await (await fetch(`${s.url}/readyz`)).json();
      if ((readiness as { status?: string }).status === 'ok') break;
    }
    expect(readiness).toMatchObject({ status: 'ok', checks: { redis: 'up' } });
  }, 60_000);
});
