import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LogInDocument,
  MeDocument,
  MyWalletsDocument,
  TransactionsDocument,
  TransferDocument,
  WalletDocument,
} from '../generated/graphql.js';
import { freePort } from '../process/child.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { PrivateRedis } from '../support/private-redis.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { errorCode, httpClient, waitFor, type Client } from './money-helpers.js';

/**
 * Redis is never the only holder of money state (rule 9): with the Redis this file starts
 * itself stopped mid-test, reads and transfers still answer correctly from PostgreSQL,
 * logIn's rate limit falls back to memory, /readyz says degraded; when Redis returns on the
 * same port the app reconnects by itself and uses it again.
 */

const SEEDED_PASSWORD = 'seeded-password';
/** Any single request taking longer than this is a hang, not a slow answer. */
const HANG_MS = 10_000;

/** Fails instead of waiting forever. */
async function bounded<T>(what: string, promise: Promise<T>, ms = HANG_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let redis: PrivateRedis | undefined;
let server: TestServer;
let client: Client;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  server = await startTestServer({ REDIS_URL: redis.url });
  client = httpClient(server.graphqlUrl, 8);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await redis?.stop();
});

async function readyz(): Promise<{ status: number; body: { status: string; checks: { postgres: string; redis: string } } }> {
  const res = await bounded('/readyz', client.get(`${server.url}/readyz`));
  return res as never;
}

/** Which of the app's keys that Redis holds, through a connection of our own. */
async function keys(pattern: string): Promise<string[]> {
  const probe = new Redis(redis!.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    return await probe.keys(`${server.redisPrefix}${pattern}`);
  } finally {
    probe.disconnect();
  }
}

describe('Redis stopped mid-test', () => {
  it('keeps reads and transfers correct while Redis is down, and uses it again once it is back', { timeout: 90_000 }, async () => {
    const [alice, bob] = await seedUsers(server.app, 2, 'outage');
    const walletId = await createWallet(server.app, alice.id);
    await fund(server.app, walletId, 100_000n);
    let expected = 100_000n;
    let bobExpected = 0n;
    let n = 0;
    const transfer = async (amount: bigint) => {
      const res = await bounded(
        'transfer',
        client.gql(
          TransferDocument,
          { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: amount.toString(), idempotencyKey: `outage-${n++}` } },
          alice.token,
        ),
      );
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return res.data!.transfer;
    };
    const balanceOf = async (token: string, id: string) => {
      const res = await bounded('wallet', client.gql(WalletDocument, { id }, token));
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return BigInt(res.data!.wallet!.balance.amount);
    };
    const checkReads = async () => {
      expect(await balanceOf(alice.token, walletId)).toBe(expected);
      const mine = await bounded('me.wallets', client.gql(MyWalletsDocument, {}, alice.token));
      expect(mine.data!.me!.wallets.map((w) => w.balance.amount)).toEqual([expected.toString()]);
      const me = await bounded('me', client.gql(MeDocument, {}, alice.token));
      expect(me.data!.me).toMatchObject({ id: alice.id, email: alice.email });
      const history = await bounded('transactions', client.gql(TransactionsDocument, { first: 100, filter: { walletId } }, alice.token));
      expect(history.errors).toBeUndefined();
      const rows = history.data!.transactions.edges.map((e) => e.node);
      const sum = rows.filter((r) => r.status === 'COMPLETED').reduce((s, r) => s + (r.direction === 'CREDIT' ? 1n : -1n) * BigInt(r.amount.amount), 0n);
      expect(sum).toBe(expected);
      const bobs = await bounded('bob', client.gql(MyWalletsDocument, {}, bob.token));
      expect(bobs.data!.me!.wallets[0].balance.amount).toBe(bobExpected.toString());
    };

    // --- Redis up: money moves, reads are cached
    expect(await readyz()).toMatchObject({ status: 200, body: { status: 'ok', checks: { postgres: 'up', redis: 'up' } } });
    expect((await transfer(1_000n)).wallet.balance.amount).toBe('99000');
    expected -= 1_000n;
    bobExpected += 1_000n;
    await checkReads();
    expect(await keys(`acct:${walletId}`)).toHaveLength(1);

    // --- Redis dies while transfers are in flight: every one of them still goes through
    const inFlight = Array.from({ length: 20 }, () => transfer(10n));
    await new Promise((r) => setTimeout(r, 20));
    await redis!.stop();
    const landed = await Promise.all(inFlight);
    expect(landed.every((t) => t.transaction.status === 'COMPLETED')).toBe(true);
    expected -= 200n;
    bobExpected += 200n;

    const degraded = await waitFor(readyz, (r) => r.body.status === 'degraded', 10_000);
    expect(degraded).toMatchObject({ status: 200, body: { status: 'degraded', checks: { postgres: 'up', redis: 'down' } } });

    // --- Redis down: reads and a transfer answer, with the right balances
    await checkReads();
    expect((await transfer(2_000n)).wallet.balance.amount).toBe((expected - 2_000n).toString());
    expected -= 2_000n;
    bobExpected += 2_000n;
    await checkReads();
    // The sign-in rate limit falls back to memory: a wrong password is still just that.
    const wrong = await bounded('logIn', client.gql(LogInDocument, { input: { email: alice.email, password: 'not-the-password' } }));
    expect(errorCode(wrong)).toBe('INVALID_CREDENTIALS');
    const right = await bounded('logIn', client.gql(LogInDocument, { input: { email: alice.email, password: SEEDED_PASSWORD } }));
    expect(right.errors).toBeUndefined();
    expect(await balanceOf(right.data!.logIn.accessToken, walletId)).toBe(expected);
    expect((await readyz()).body.status).toBe('degraded');

    // --- Redis back on the same port (empty): the app reconnects by itself
    await redis!.start();
    const ok = await waitFor(readyz, (r) => r.body.status === 'ok', 15_000, 200);
    expect(ok).toMatchObject({ status: 200, body: { status: 'ok', checks: { postgres: 'up', redis: 'up' } } });
    expect((await transfer(3_000n)).wallet.balance.amount).toBe((expected - 3_000n).toString());
    expected -= 3_000n;
    bobExpected += 3_000n;
    await checkReads();
    // Caching resumed: the balance read just now was written to the new Redis, and so was
    // the failed sign-in's counter.
    expect(await keys(`acct:${walletId}`)).toHaveLength(1);
    const again = await bounded('logIn', client.gql(LogInDocument, { input: { email: alice.email, password: 'still-wrong' } }));
    expect(errorCode(again)).toBe('INVALID_CREDENTIALS');
    expect((await keys('rl:*')).length).toBeGreaterThan(0);
    expect((await server.app.services.ledger.report(server.app.orm.em.fork())).balanced).toBe(true);
  });
});

/** A TCP proxy in front of Redis that the test can cut and heal: a partition, Redis keeps its data. */
async function partitionable(targetPort: number): Promise<{ port: number; cut(): void; heal(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let open = true;
  const proxy = net.createServer((inbound) => {
    if (!open) return inbound.destroy();
    const outbound = net.connect(targetPort, '127.0.0.1');
    const close = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    for (const s of [inbound, outbound]) s.on('error', close).on('close', close);
  });
  const listenPort = await freePort();
  await new Promise<void>((resolve) => proxy.listen(listenPort, '127.0.0.1', resolve));
  return {
    port: listenPort,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    heal() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        proxy.close(() => resolve());
      }),
  };
}

describe('Redis unreachable while it keeps its data (a partition)', () => {
  it('never shows a balance from before the partition once Redis is reachable again', { timeout: 60_000 }, async () => {
    const proxy = await partitionable(redis!.port);
    const partitioned = await startTestServer({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    const c = httpClient(partitioned.graphqlUrl, 4);
    try {
      const [alice, bob] = await seedUsers(partitioned.app, 2, 'partition');
      const walletId = await createWallet(partitioned.app, alice.id);
      await fund(partitioned.app, walletId, 10_000n);
      const read = async () => (await bounded('wallet', c.gql(WalletDocument, { id: walletId }, alice.token))).data!.wallet!.balance.amount;
      const send = async (amount: string, key: string) => {
        const res = await bounded(
          'transfer',
          c.gql(TransferDocument, { input: { fromWalletId: walletId, recipientEmail: bob.email, amount, idempotencyKey: key } }, alice.token),
        );
        expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      };
      expect(await read()).toBe('10000');
      expect(await read()).toBe('10000'); // now from the cache
      proxy.cut();
      await waitFor(
        async () => (await bounded('/readyz', c.get(`${partitioned.url}/readyz`))).body as { status: string },
        (b) => b.status === 'degraded',
        10_000,
      );
      await send('4000', 'p1');
      expect(await read()).toBe('6000');
      proxy.heal();
      await waitFor(
        async () => (await bounded('/readyz', c.get(`${partitioned.url}/readyz`))).body as { status: string },
        (b) => b.status === 'ok',
        15_000,
        200,
      );
      // Redis still holds the entry cached before the partition; it must not come back.
      expect(await read()).toBe('6000');
      await send('1000', 'p2');
      expect(await read()).toBe('5000');
    } finally {
      c.close();
      await partitioned.close();
      await proxy.close();
    }
  });
});
