import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BalanceUpdatedDocument } from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { pool } from '../support/helpers.js';
import { connectWs, listen, ready, settle, startReplicaPair, type Listener, type ReplicaPair } from './replica-support.js';

/**
 * Fan-out: 1,000 concurrent subscribers (500 users, each with one connection on each of the
 * two replicas) all receive the one balance event of their own user's money movement.
 */

const USERS = 500;
const CONCURRENCY = 25;

let pair: ReplicaPair;
const clients: Client[] = [];
beforeAll(async () => {
  pair = await startReplicaPair();
}, 90_000);
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await pair?.close();
});

describe('fan-out across two replicas', () => {
  it(`${USERS * 2} concurrent subscribers all receive their event`, async () => {
    const { a, b } = pair;
    const t0 = Date.now();
    const users = await seedUsers(a.app, USERS, 'fan');
    const wallets = await pool(users, CONCURRENCY, (u) => createWallet(a.app, u.id));
    const tSeeded = Date.now();

    const subs: Array<{ walletId: string; replica: 'A' | 'B'; listener: Listener; client: Client }> = [];
    users.forEach((u, i) => {
      for (const [replica, url] of [['A', a.graphqlUrl], ['B', b.graphqlUrl]] as const) {
        const client = connectWs(url, u.token, clients);
        subs.push({ walletId: wallets[i], replica, client, listener: listen(client, print(BalanceUpdatedDocument)) });
      }
    });
    await pool(subs, 100, (s) => ready(s.client, 30_000));
    await settle(1_000);
    expect(subs.filter((s) => s.listener.closed() !== undefined)).toEqual([]);
    const tSubscribed = Date.now();

    // One money movement per user (a tracked deposit, published after commit through Redis).
    await pool(wallets, CONCURRENCY, (w, i) => fund(a.app, w, BigInt(100 + i)));
    const tFunded = Date.now();

    const results = await Promise.allSettled(subs.map((s) => s.listener.waitFor(1, 30_000)));
    const tDelivered = Date.now();
    const missing = subs.filter((_, i) => results[i].status === 'rejected');
    expect(
      missing.length,
      `${missing.length} subscribers got nothing (A: ${missing.filter((m) => m.replica === 'A').length}, B: ${missing.filter((m) => m.replica === 'B').length})`,
    ).toBe(0);
    await settle(300);
    subs.forEach((s) => {
      const i = wallets.indexOf(s.walletId);
      expect(s.listener.events).toEqual([
        { balanceUpdated: { id: s.walletId, version: 1, balance: { amount: String(100 + i) }, availableBalance: { amount: String(100 + i) } } },
      ]);
    });
    console.info(
      `fan-out: seeded ${USERS} users in ${tSeeded - t0} ms, ${subs.length} subscriptions in ${tSubscribed - tSeeded} ms, ` +
        `${USERS} deposits in ${tFunded - tSubscribed} ms, all delivered ${tDelivered - tFunded} ms after the last deposit`,
    );
  }, 120_000);
});
