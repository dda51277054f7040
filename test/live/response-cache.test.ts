import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { print } from 'graphql';
import { CurrenciesDocument, TransferDocument, WalletDocument } from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer({}, { reset: false });

describe('response cache', () => {
  it('answers a repeated private query from Redis without running its resolvers, with private Cache-Control', async () => {
    const [u] = await seedUsers(server.app, 1);
    const walletId = await createWallet(server.app, u.id);
    await fund(server.app, walletId, 700n);
    const read = vi.spyOn(server.app.services.wallets, 'readOwned');
    const first = await server.gql(WalletDocument, { id: walletId }, { token: u.token });
    expect(first.data!.wallet!.balance.amount).toBe('700');
    expect(first.headers.get('cache-control')).toBe('max-age=30, private');
    const again = await server.gql(WalletDocument, { id: walletId }, { token: u.token });
    expect(again.data).toEqual(first.data);
    expect(again.headers.get('age')).not.toBeNull();
    expect(read).toHaveBeenCalledTimes(1);
    read.mockRestore();
    const keys = await server.app.redis.client.keys('*apollo:*');
    expect(keys.length).toBeGreaterThan(0);
  });

  it('announces a change only after the owner\'s cached answers became unreachable', async () => {
    const [u] = await seedUsers(server.app, 1);
    const walletId = await createWallet(server.app, u.id);
    const generation = async () => Number((await server.app.redis.client.get(`cache-gen:${u.id}`)) ?? 0);
    // A client of Redis of its own, as another replica's subscriber would be.
    const listener = server.app.redis.client.duplicate({ keyPrefix: '', lazyConnect: true });
    const checker = server.app.redis.client.duplicate({ lazyConnect: true });
    await Promise.all([listener.connect(), checker.connect()]);
    const seen: { channel: string; generation: number }[] = [];
    const prefix = server.app.config.redis.keyPrefix;
    await listener.psubscribe(`${prefix}events:*:${u.id}`);
    listener.on('pmessage', (_pattern, channel) => {
      void checker.get(`cache-gen:${u.id}`).then((g) => seen.push({ channel, generation: Number(g ?? 0) }));
    });
    try {
      for (let round = 1; round <= 3; round++) {
        const before = await generation();
        // A deposit-like credit: its owners are read back after commit, so its events take longest to go.
        await fund(server.app, walletId, 100n);
        await vi.waitFor(() => expect(seen).toHaveLength(2 * round), { timeout: 5_000 });
        for (const e of seen.slice(-2)) expect(e.generation, e.channel).toBeGreaterThan(before);
      }
    } finally {
      await listener.quit();
      await checker.quit();
    }
  });

  it('a money movement makes the affected users\' cached answers unreachable before the mutation returns', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id);
    const bobWallet = await createWallet(server.app, bob.id);
    await fund(server.app, aliceWallet, 1_000n);
    expect((await server.gql(WalletDocument, { id: aliceWallet }, { token: alice.token })).data!.wallet!.balance.amount).toBe('1000');
    expect((await server.gql(WalletDocument, { id: bobWallet }, { token: bob.token })).data!.wallet!.balance.amount).toBe('0');
    await server.gql(
      TransferDocument,
      { input: { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '400', idempotencyKey: 'rc' } },
      { token: alice.token },
    );
    expect((await server.gql(WalletDocument, { id: aliceWallet }, { token: alice.token })).data!.wallet!.balance.amount).toBe('600');
    expect((await server.gql(WalletDocument, { id: bobWallet }, { token: bob.token })).data!.wallet!.balance.amount).toBe('400');
  });

  it('shares public answers across users and keeps them public', async () => {
    const [a, b] = await seedUsers(server.app, 2);
    const list = vi.spyOn(server.app.services.currencies, 'list');
    const anonymous1 = await server.gql(CurrenciesDocument);
    const anonymous2 = await server.gql(CurrenciesDocument);
    // CurrencyInfo's own hint (an hour) decides: reference data changes with migrations only.
    expect(anonymous1.headers.get('cache-control')).toBe('max-age=3600, public');
    expect(anonymous2.data).toEqual(anonymous1.data);
    expect(list).toHaveBeenCalledTimes(1);
    // A signed-in viewer's answers are private to them, even for public data.
    const signedIn = await server.gql(CurrenciesDocument, {}, { token: a.token });
    expect(signedIn.headers.get('cache-control')).toBe('max-age=3600, private');
    await server.gql(CurrenciesDocument, {}, { token: b.token });
    expect(list).toHaveBeenCalledTimes(3);
    list.mockRestore();
  });

  it('serves automatic persisted queries from Redis', async () => {
    const query = print(CurrenciesDocument);
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const post = (body: unknown) =>
      fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
        async (r) => (await r.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] },
      );
    const unknown = await post({ extensions });
    expect(unknown.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post({ query, extensions });
    expect(registered.data).toBeDefined();
    const byHash = await post({ extensions });
    expect(byHash.data).toEqual(registered.data);
  });
});
