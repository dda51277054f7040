import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CreateWalletDocument,
  MyWalletsDocument,
  TransactionsDocument,
  TransferDocument,
  WalletDocument,
} from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { code, sql } from './wallet-helpers.js';

/** Wallets over HTTP: one per currency, ownership, Money formatting, balances and version. */
// The formatting test shows 18-digit balances: the caps of its currencies are raised to that.
const HIGHEST = 'GHS=999999999999999999,EUR=999999999999999999,USD=999999999999999999';
const server = useTestServer({ LIMIT_DEPOSIT_MAX: HIGHEST, LIMIT_BALANCE_MAX: HIGHEST });

describe('createWallet', () => {
  it('makes one wallet per currency: a second in the same currency is BAD_USER_INPUT, others are fine', async () => {
    const [alice] = await seedUsers(server.app, 1);
    const ngn = await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token: alice.token });
    expect(ngn.errors).toBeUndefined();
    expect(ngn.data!.createWallet.wallet).toMatchObject({
      currency: 'NGN',
      version: 0,
      balance: { amount: '0', currency: 'NGN', formatted: 'NGN 0.00' },
      availableBalance: { amount: '0', currency: 'NGN', formatted: 'NGN 0.00' },
      pendingDebits: { amount: '0', currency: 'NGN', formatted: 'NGN 0.00' },
    });

    const again = await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token: alice.token });
    expect(code(again)).toBe('BAD_USER_INPUT');
    expect(again.data).toBeNull();

    const usd = await server.gql(CreateWalletDocument, { input: { currency: 'USD' } }, { token: alice.token });
    const ghs = await server.gql(CreateWalletDocument, { input: { currency: 'GHS' } }, { token: alice.token });
    expect(usd.errors).toBeUndefined();
    expect(ghs.errors).toBeUndefined();
    expect(usd.data!.createWallet.wallet.balance.formatted).toBe('USD 0.00');

    const me = await server.gql(MyWalletsDocument, {}, { token: alice.token });
    expect(me.data!.me!.id).toBe(alice.id);
    expect(me.data!.me!.wallets.map((w) => [w.id, w.currency])).toEqual([
      [ngn.data!.createWallet.wallet.id, 'NGN'],
      [usd.data!.createWallet.wallet.id, 'USD'],
      [ghs.data!.createWallet.wallet.id, 'GHS'],
    ]);
  });

  it('creates exactly one wallet when the same currency is asked for concurrently', async () => {
    const [alice] = await seedUsers(server.app, 1);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => server.gql(CreateWalletDocument, { input: { currency: 'KES' } }, { token: alice.token })),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => code(r) === 'BAD_USER_INPUT')).toHaveLength(7);
    const rows = await sql(server.app, `select id from ledger_accounts where user_id = ? and kind = 'WALLET'`, [alice.id]);
    expect(rows).toHaveLength(1);
  });

  it("lists only the viewer's own wallets, and none for a user without any", async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    await createWallet(server.app, alice.id, 'NGN');
    const bobs = await server.gql(MyWalletsDocument, {}, { token: bob.token });
    expect(bobs.errors).toBeUndefined();
    expect(bobs.data!.me!.wallets).toEqual([]);
    const alices = await server.gql(MyWalletsDocument, {}, { token: alice.token });
    expect(alices.data!.me!.wallets).toHaveLength(1);
  });
});

describe('wallet(id)', () => {
  it("is the viewer's wallet, and null for another user's id or an id that is not one", async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    await fund(server.app, aliceWallet, 2_500n);

    const own = await server.gql(WalletDocument, { id: aliceWallet }, { token: alice.token });
    expect(own.errors).toBeUndefined();
    expect(own.data!.wallet).toMatchObject({ id: aliceWallet, currency: 'NGN', balance: { amount: '2500' } });

    // Another user's wallet looks exactly like one that does not exist: null, no error.
    for (const id of [aliceWallet, randomUUID(), 'garbage', '', '1', "x' or '1'='1", aliceWallet.toUpperCase() + 'x', 'a'.repeat(500)]) {
      const res = await server.gql(WalletDocument, { id }, { token: bob.token });
      expect(res.errors, `id ${id}`).toBeUndefined();
      expect(res.data!.wallet, `id ${id}`).toBeNull();
    }
  });

  it("never shows an account that is not a wallet, even one of the viewer's found in the read cache", async () => {
    const [alice] = await seedUsers(server.app, 1);
    const walletId = await createWallet(server.app, alice.id, 'NGN');
    // The cache holds only wallets today; should a card's account ever land under a wallet's
    // id, wallet(id) must still refuse to show it as one.
    const wallet = await server.app.services.wallets.readOwned(server.app.orm.em.fork(), alice.id, walletId);
    const cached = await server.app.walletCache!.getAccount(walletId);
    expect(cached).toEqual(wallet);
    await server.app.walletCache!.putAccount({ ...cached!, kind: 'CARD', version: cached!.version + 1 });
    const res = await server.gql(WalletDocument, { id: walletId }, { token: alice.token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.wallet).toBeNull();
  });

  it('needs a signed-in viewer: UNAUTHENTICATED without or with a bad token, and me is null', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const walletId = await createWallet(server.app, alice.id, 'NGN');
    await fund(server.app, walletId, 1_000n);
    for (const token of [undefined, 'not-a-jwt', `${alice.token}x`]) {
      const opts = token ? { token } : {};
      expect(code(await server.gql(WalletDocument, { id: walletId }, opts))).toBe('UNAUTHENTICATED');
      expect(code(await server.gql(CreateWalletDocument, { input: { currency: 'USD' } }, opts))).toBe('UNAUTHENTICATED');
      expect(code(await server.gql(TransactionsDocument, {}, opts))).toBe('UNAUTHENTICATED');
      const transfer = await server.gql(
        TransferDocument,
        { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '100', idempotencyKey: 'anon' } },
        opts,
      );
      expect(code(transfer)).toBe('UNAUTHENTICATED');
      const me = await server.gql(MyWalletsDocument, {}, opts);
      expect(me.errors).toBeUndefined();
      expect(me.data!.me).toBeNull();
    }
    // Nothing was created or moved by any of them.
    const wallets = await sql(server.app, `select currency from ledger_accounts where user_id = ?`, [alice.id]);
    expect(wallets).toEqual([{ currency: 'NGN' }]);
    const own = await server.gql(WalletDocument, { id: walletId }, { token: alice.token });
    expect(own.data!.wallet!.balance.amount).toBe('1000');
  });
});

describe('Money', () => {
  it('formats with the exponent, thousands separators and the currency code, exactly', async () => {
    const users = await seedUsers(server.app, 6);
    const cases: [string, bigint, string][] = [
      ['NGN', 150_000n, 'NGN 1,500.00'],
      ['NGN', 5n, 'NGN 0.05'],
      ['NGN', 50n, 'NGN 0.50'],
      ['USD', 100_000_000n, 'USD 1,000,000.00'],
      // 18 digits: the largest MinorUnits, beyond what a float holds exactly.
      ['GHS', 123_456_789_012_345_678n, 'GHS 1,234,567,890,123,456.78'],
      ['EUR', 999_999_999_999_999_999n, 'EUR 9,999,999,999,999,999.99'],
    ];
    for (const [i, [currency, amount, formatted]] of cases.entries()) {
      const walletId = await createWallet(server.app, users[i].id, currency);
      await fund(server.app, walletId, amount);
      const res = await server.gql(WalletDocument, { id: walletId }, { token: users[i].token });
      expect(res.errors).toBeUndefined();
      expect(res.data!.wallet!.balance).toEqual({ amount: amount.toString(), currency, formatted });
      expect(res.data!.wallet!.availableBalance).toEqual({ amount: amount.toString(), currency, formatted });
    }
  });
});

describe('balances and version', () => {
  it('shows holds in pendingDebits and availableBalance, and version grows by one per balance change', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const walletId = await createWallet(server.app, alice.id, 'NGN');
    const read = async () => (await server.gql(WalletDocument, { id: walletId }, { token: alice.token })).data!.wallet!;
    const money = async () => {
      const w = await read();
      return { version: w.version, balance: w.balance.amount, available: w.availableBalance.amount, pending: w.pendingDebits.amount };
    };

    expect(await money()).toEqual({ version: 0, balance: '0', available: '0', pending: '0' });
    await fund(server.app, walletId, 10_000n);
    expect(await money()).toEqual({ version: 1, balance: '10000', available: '10000', pending: '0' });

    // A hold, as a withdrawal or card authorization makes one: through the ledger service.
    const em = server.app.orm.em.fork();
    const ledger = server.app.services.ledger;
    // Tracked as every movement is, so the cached balance is invalidated after the commit.
    const { transferId } = await server.app.services.track(() =>
      em.transactional(async (tx) =>
        ledger.transfer(tx, {
          debitAccountId: walletId,
          creditAccountId: await ledger.systemAccount(tx, 'SETTLEMENT', 'sandbox', 'NGN'),
          amount: 2_500n,
          currency: 'NGN',
          code: 'WITHDRAWAL',
          reference: `hold_${randomUUID()}`,
          pending: true,
        }),
      ),
    );
    const held = await read();
    expect(held.pendingDebits).toEqual({ amount: '2500', currency: 'NGN', formatted: 'NGN 25.00' });
    expect(held.availableBalance).toEqual({ amount: '7500', currency: 'NGN', formatted: 'NGN 75.00' });
    expect(held.balance.amount).toBe('10000');
    expect(held.version).toBe(2);

    // The hold counts against what can be spent: 7,501 is too much, 7,500 is not.
    const tooMuch = await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '7501', idempotencyKey: 'v-1' } },
      { token: alice.token },
    );
    expect(code(tooMuch)).toBe('INSUFFICIENT_FUNDS');
    expect((await read()).version).toBe(2);

    const sent = await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '7000', idempotencyKey: 'v-2' } },
      { token: alice.token },
    );
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.transfer.wallet).toMatchObject({ version: 3, balance: { amount: '3000' }, availableBalance: { amount: '500' } });

    // A replay moves nothing, so the version stays.
    const replay = await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, recipientEmail: bob.email, amount: '7000', idempotencyKey: 'v-2' } },
      { token: alice.token },
    );
    expect(replay.data!.transfer.wallet.version).toBe(3);

    await server.app.services.track(() => em.transactional((tx) => ledger.resolvePending(tx, transferId, 'POST')));
    expect(await money()).toEqual({ version: 4, balance: '500', available: '500', pending: '0' });

    // Incoming money is a balance change too.
    const bobWallet = (await server.gql(MyWalletsDocument, {}, { token: bob.token })).data!.me!.wallets[0];
    expect(bobWallet).toMatchObject({ version: 1, balance: { amount: '7000' } });
    await fund(server.app, bobWallet.id, 1n);
    const back = await server.gql(
      TransferDocument,
      { input: { fromWalletId: bobWallet.id, recipientEmail: alice.email, amount: '1', idempotencyKey: 'v-3' } },
      { token: bob.token },
    );
    expect(back.data!.transfer.wallet.version).toBe(3);
    expect(await money()).toEqual({ version: 5, balance: '501', available: '501', pending: '0' });
  });
});
