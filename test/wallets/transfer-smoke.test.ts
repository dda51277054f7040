import { describe, expect, it } from 'vitest';
import {
  CreateWalletDocument,
  MyWalletsDocument,
  TransactionsDocument,
  TransferDocument,
  WalletDocument,
  WalletTransactionsDocument,
} from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

describe('wallets and transfers', () => {
  it('creates one wallet per currency and moves money between two users', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const created = await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token: alice.token });
    expect(created.errors).toBeUndefined();
    const walletId = created.data!.createWallet.wallet.id;
    expect(created.data!.createWallet.wallet.balance).toEqual({ amount: '0', currency: 'NGN', formatted: 'NGN 0.00' });
    const again = await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token: alice.token });
    expect(again.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    await fund(server.app, walletId, 150_000n);
    const res = await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, recipientEmail: bob.email.toUpperCase(), amount: '50000', note: 'lunch', idempotencyKey: 'k1' } },
      { token: alice.token },
    );
    expect(res.errors).toBeUndefined();
    const t = res.data!.transfer;
    expect(t.transaction).toMatchObject({ type: 'TRANSFER', status: 'COMPLETED', direction: 'DEBIT', description: 'lunch' });
    expect(t.transaction.counterparty).toMatchObject({ id: bob.id });
    expect(t.wallet.balance.formatted).toBe('NGN 1,000.00');
    expect(t.wallet.version).toBe(2);

    const bobs = await server.gql(MyWalletsDocument, {}, { token: bob.token });
    expect(bobs.data!.me!.wallets).toHaveLength(1);
    expect(bobs.data!.me!.wallets[0].balance.amount).toBe('50000');

    const history = await server.gql(TransactionsDocument, {}, { token: bob.token });
    expect(history.data!.transactions.edges.map((e) => e.node)).toMatchObject([
      { type: 'TRANSFER', direction: 'CREDIT', reference: t.transaction.reference, counterparty: { id: alice.id } },
    ]);

    const replay = await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '50000', note: 'lunch', idempotencyKey: 'k1' } },
      { token: alice.token },
    );
    expect(replay.data!.transfer.transaction.id).toBe(t.transaction.id);
    expect(replay.data!.transfer.wallet.balance.amount).toBe('100000');

    const reused = await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '1', idempotencyKey: 'k1' } },
      { token: alice.token },
    );
    expect(reused.errors?.[0].extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const broke = await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '100001', idempotencyKey: 'k2' } },
      { token: alice.token },
    );
    expect(broke.errors?.[0].extensions?.code).toBe('INSUFFICIENT_FUNDS');
    const broke2 = await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '100001', idempotencyKey: 'k2' } },
      { token: alice.token },
    );
    expect(broke2.errors?.[0].extensions?.code).toBe('INSUFFICIENT_FUNDS');

    const other = await server.gql(WalletDocument, { id: walletId }, { token: bob.token });
    expect(other.data!.wallet).toBeNull();
    const report = await server.app.services.ledger.report(server.app.orm.em.fork());
    expect(report.balanced).toBe(true);
  });

  it('keeps a concurrent double spend from overdrawing', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const walletId = await createWallet(server.app, alice.id);
    await fund(server.app, walletId, 100n);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        server.gql(
          TransferDocument,
          { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '1', idempotencyKey: `d${i}` } },
          { token: alice.token },
        ),
      ),
    );
    const ok = results.filter((r) => !r.errors).length;
    expect(ok).toBe(100);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === 'INSUFFICIENT_FUNDS')).toHaveLength(100);
    const w = await server.gql(WalletDocument, { id: walletId }, { token: alice.token });
    expect(w.data!.wallet!.balance.amount).toBe('0');
  });
});

describe('wallet cache', () => {
  it('serves a changed balance and history right after the mutation returns', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const walletId = await createWallet(server.app, alice.id);
    await fund(server.app, walletId, 1_000n);
    // Fill the cache (balance and first history page).
    const before = await server.gql(WalletTransactionsDocument, { id: walletId }, { token: alice.token });
    expect(before.data!.wallet!.transactions.edges).toHaveLength(1);
    expect((await server.gql(WalletDocument, { id: walletId }, { token: alice.token })).data!.wallet!.balance.amount).toBe('1000');
    const keys = await server.app.redis.client.keys('*');
    expect(keys.some((k) => k.includes(`acct:${walletId}`))).toBe(true);

    await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '300', idempotencyKey: 'c1' } },
      { token: alice.token },
    );
    const after = await server.gql(WalletDocument, { id: walletId }, { token: alice.token });
    expect(after.data!.wallet!.balance.amount).toBe('700');
    const history = await server.gql(WalletTransactionsDocument, { id: walletId }, { token: alice.token });
    expect(history.data!.wallet!.transactions.edges).toHaveLength(2);
  });

  it('a reader that loaded the old balance cannot put it back after a commit', async () => {
    const [alice] = await seedUsers(server.app, 1);
    const walletId = await createWallet(server.app, alice.id);
    const em = server.app.orm.em.fork();
    const old = (await server.app.services.ledger.findAccounts(em, [walletId]))[0];
    await fund(server.app, walletId, 500n);
    // The slow reader now writes what it read before the commit: refused.
    await server.app.services.wallets.readOwned(em, alice.id, walletId);
    const cache = (server.app.services.wallets as unknown as { cache: { putAccount(a: typeof old): Promise<void> } }).cache;
    await cache.putAccount(old);
    const w = await server.gql(WalletDocument, { id: walletId }, { token: alice.token });
    expect(w.data!.wallet!.balance.amount).toBe('500');
  });
});
