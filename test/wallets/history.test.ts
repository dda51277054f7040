import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  HistoryPageDocument,
  HistoryWithRelationsDocument,
  TransactionDocument,
  TransferDocument,
  WalletHistoryPageDocument,
  type HistoryPageQueryVariables,
  type TransactionFilter,
} from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { code, pool, insertRow, sql, statementsDuring } from './wallet-helpers.js';

/** transaction(id), transactions(first, after, filter) and Wallet.transactions over HTTP. */
const server = useTestServer();

type User = Awaited<ReturnType<typeof seedUsers>>[number];

function page(token: string, variables: HistoryPageQueryVariables = {}) {
  return server.gql(HistoryPageDocument, variables, { token });
}

async function ids(token: string, filter?: TransactionFilter): Promise<string[]> {
  const res = await page(token, { first: 100, filter });
  expect(res.errors).toBeUndefined();
  return res.data!.transactions.edges.map((e) => e.node.id);
}

/** The user's row ids, newest first, as PostgreSQL has them. */
async function storedIds(userId: string, where = 'true', params: unknown[] = []): Promise<string[]> {
  const rows = await sql<{ id: string }>(server.app, `select id from transactions where user_id = ? and ${where} order by seq desc`, [
    userId,
    ...params,
  ]);
  return rows.map((r) => r.id);
}

function transfer(from: User, fromWalletId: string, to: User, amount: string) {
  return server.gql(
    TransferDocument,
    { input: { fromWalletId, recipientEmail: to.email, amount, idempotencyKey: randomUUID() } },
    { token: from.token },
  );
}

function cursorOf(text: string): string {
  return Buffer.from(text).toString('base64url');
}

describe('history', () => {
  it('lists newest first, across wallets in transactions and per wallet in Wallet.transactions', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const ngn = await createWallet(server.app, alice.id, 'NGN');
    const usd = await createWallet(server.app, alice.id, 'USD');
    await fund(server.app, ngn, 10_000n);
    await fund(server.app, usd, 10_000n);
    expect((await transfer(alice, ngn, bob, '100')).errors).toBeUndefined();
    await fund(server.app, ngn, 1n);
    expect((await transfer(alice, usd, bob, '200')).errors).toBeUndefined();

    const all = await page(alice.token);
    const nodes = all.data!.transactions.edges.map((e) => e.node);
    expect(nodes.map((n) => n.id)).toEqual(await storedIds(alice.id));
    expect(nodes.map((n) => [n.type, n.direction, n.wallet!.id])).toEqual([
      ['TRANSFER', 'DEBIT', usd],
      ['DEPOSIT', 'CREDIT', ngn],
      ['TRANSFER', 'DEBIT', ngn],
      ['DEPOSIT', 'CREDIT', usd],
      ['DEPOSIT', 'CREDIT', ngn],
    ]);
    const times = nodes.map((n) => Date.parse(n.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all.data!.transactions.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });

    const perWallet = await server.gql(WalletHistoryPageDocument, { id: ngn }, { token: alice.token });
    expect(perWallet.errors).toBeUndefined();
    expect(perWallet.data!.wallet!.transactions.edges.map((e) => e.node.id)).toEqual(await storedIds(alice.id, 'account_id = ?', [ngn]));
    expect(perWallet.data!.wallet!.transactions.edges.map((e) => e.node.wallet!.id)).toEqual([ngn, ngn, ngn]);

    // Bob sees only his own side.
    expect(await ids(bob.token)).toEqual(await storedIds(bob.id));
    expect(await ids(bob.token)).toHaveLength(2);
  });

  it('clamps first to 100, defaults to 20, and pages on with the cursor', async () => {
    const [alice] = await seedUsers(server.app, 1);
    const wallet = await createWallet(server.app, alice.id, 'NGN');
    await pool(Array.from({ length: 107 }, (_, i) => i), 4, () => fund(server.app, wallet, 1n));
    const everything = await storedIds(alice.id);
    expect(everything).toHaveLength(107);

    const huge = await page(alice.token, { first: 1_000_000 });
    expect(huge.errors).toBeUndefined();
    expect(huge.data!.transactions.edges.map((e) => e.node.id)).toEqual(everything.slice(0, 100));
    expect(huge.data!.transactions.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });

    const rest = await page(alice.token, { first: 1_000_000, after: huge.data!.transactions.pageInfo.endCursor });
    expect(rest.data!.transactions.edges.map((e) => e.node.id)).toEqual(everything.slice(100));
    expect(rest.data!.transactions.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(rest.data!.transactions.pageInfo.startCursor).toBe(rest.data!.transactions.edges[0].cursor);

    expect((await page(alice.token)).data!.transactions.edges).toHaveLength(20);
    const exact = await page(alice.token, { first: 100 });
    expect(exact.data!.transactions.edges).toHaveLength(100);

    const perWallet = await server.gql(WalletHistoryPageDocument, { id: wallet, first: 101 }, { token: alice.token });
    expect(perWallet.data!.wallet!.transactions.edges).toHaveLength(100);
    expect(perWallet.data!.wallet!.transactions.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses first of 0 or below and cursors it did not give out with BAD_USER_INPUT', async () => {
    const [alice] = await seedUsers(server.app, 1);
    const wallet = await createWallet(server.app, alice.id, 'NGN');
    await fund(server.app, wallet, 1n);
    for (const first of [0, -1, -100]) {
      expect(code(await page(alice.token, { first })), `first ${first}`).toBe('BAD_USER_INPUT');
      expect(code(await server.gql(WalletHistoryPageDocument, { id: wallet, first }, { token: alice.token })), `first ${first}`).toBe('BAD_USER_INPUT');
    }
    const bad = [
      'garbage',
      '!!!',
      cursorOf('tx1:'),
      cursorOf('tx1:abc'),
      cursorOf('tx1:-1'),
      cursorOf('tx1:1.5'),
      cursorOf('tx2:5'),
      cursorOf('5'),
      // Digits, but beyond PostgreSQL's bigint: still not a cursor this API gave out.
      cursorOf('tx1:9999999999999999999'),
      cursorOf('tx1:99999999999999999999'),
    ];
    for (const after of bad) {
      const res = await page(alice.token, { after });
      expect(code(res), `cursor ${after}`).toBe('BAD_USER_INPUT');
      const scoped = await server.gql(WalletHistoryPageDocument, { id: wallet, after }, { token: alice.token });
      expect(code(scoped), `cursor ${after}`).toBe('BAD_USER_INPUT');
    }
  });

  it('filters by type, status, wallet and a [from, to) time range', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const ngn = await createWallet(server.app, alice.id, 'NGN');
    const usd = await createWallet(server.app, alice.id, 'USD');
    await fund(server.app, ngn, 10_000n);
    await fund(server.app, usd, 10_000n);
    const sent = await transfer(alice, ngn, bob, '500');
    expect(sent.errors).toBeUndefined();
    const base = { userId: alice.id, currency: 'NGN', accountId: ngn, amount: 300n };
    const failed = await insertRow(server.app, { ...base, type: 'WITHDRAWAL', status: 'FAILED', direction: 'DEBIT', failureReason: 'bank said no' });
    const pending = await insertRow(server.app, { ...base, type: 'WITHDRAWAL', status: 'PENDING', direction: 'DEBIT' });
    const all = await storedIds(alice.id);
    expect(all).toHaveLength(5);

    expect(await ids(alice.token, { types: ['DEPOSIT'] })).toEqual(await storedIds(alice.id, `type = 'DEPOSIT'`));
    expect(await ids(alice.token, { types: ['TRANSFER'] })).toEqual([sent.data!.transfer.transaction.id]);
    expect(await ids(alice.token, { types: ['TRANSFER', 'WITHDRAWAL'] })).toEqual([pending, failed, sent.data!.transfer.transaction.id]);
    expect(await ids(alice.token, { types: ['CARD_PURCHASE'] })).toEqual([]);
    expect(await ids(alice.token, { statuses: ['FAILED'] })).toEqual([failed]);
    expect(await ids(alice.token, { statuses: ['PENDING', 'FAILED'] })).toEqual([pending, failed]);
    expect(await ids(alice.token, { statuses: ['COMPLETED'], types: ['WITHDRAWAL'] })).toEqual([]);
    expect(await ids(alice.token, { walletId: usd })).toEqual(await storedIds(alice.id, 'account_id = ?', [usd]));
    expect(await ids(alice.token, { walletId: ngn, types: ['WITHDRAWAL'] })).toEqual([pending, failed]);
    expect(await ids(alice.token, { types: [], statuses: [] })).toEqual(all);

    // Times one hour apart, oldest row first, so the range is exact to the millisecond.
    const oldestFirst = [...all].reverse();
    const t0 = Date.parse('2026-01-01T00:00:00.000Z');
    const at = (i: number) => new Date(t0 + i * 3_600_000).toISOString();
    for (const [i, id] of oldestFirst.entries()) {
      await sql(server.app, 'update transactions set created_at = ? where id = ?', [new Date(at(i)), id]);
    }
    expect(await ids(alice.token, { from: at(1), to: at(3) })).toEqual([oldestFirst[2], oldestFirst[1]]);
    expect(await ids(alice.token, { from: at(3) })).toEqual([oldestFirst[4], oldestFirst[3]]);
    expect(await ids(alice.token, { to: at(1) })).toEqual([oldestFirst[0]]);
    expect(await ids(alice.token, { from: at(1), to: at(1) })).toEqual([]);
    expect(await ids(alice.token, { from: '2026-01-01T01:00:00.001Z', to: '2026-01-01T03:00:00.001Z' })).toEqual([oldestFirst[3], oldestFirst[2]]);
    // Another zone, the same instant.
    expect(await ids(alice.token, { from: '2026-01-01T02:00:00.000+01:00', to: '2026-01-01T03:00:00.000+01:00' })).toEqual([oldestFirst[1]]);
    expect(code(await page(alice.token, { filter: { from: 'yesterday' } }))).toBe('BAD_USER_INPUT');
  });

  it("answers an empty list for another user's wallet in a filter, and null for another user's transaction", async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    const bobWallet = await createWallet(server.app, bob.id, 'NGN');
    await fund(server.app, aliceWallet, 1_000n);
    await fund(server.app, bobWallet, 1_000n);
    const sent = await transfer(bob, bobWallet, alice, '10');
    const bobsRow = sent.data!.transfer.transaction.id;

    for (const walletId of [bobWallet, randomUUID(), 'garbage']) {
      const res = await page(alice.token, { filter: { walletId } });
      expect(res.errors, `walletId ${walletId}`).toBeUndefined();
      expect(res.data!.transactions.edges, `walletId ${walletId}`).toEqual([]);
      expect(res.data!.transactions.pageInfo.hasNextPage).toBe(false);
    }
    expect((await page(alice.token, { filter: { cardId: 'garbage' } })).data!.transactions.edges).toEqual([]);
    expect((await page(alice.token, { filter: { cardId: randomUUID() } })).data!.transactions.edges).toEqual([]);
    // Inside one wallet, a filter naming another wallet matches nothing.
    const scoped = await server.gql(WalletHistoryPageDocument, { id: aliceWallet, filter: { walletId: bobWallet } }, { token: alice.token });
    expect(scoped.data!.wallet!.transactions.edges).toEqual([]);
    const sameWallet = await server.gql(WalletHistoryPageDocument, { id: aliceWallet, filter: { walletId: aliceWallet } }, { token: alice.token });
    expect(sameWallet.data!.wallet!.transactions.edges).toHaveLength(2);
    // Bob's wallet is not Alice's to read at all.
    expect((await server.gql(WalletHistoryPageDocument, { id: bobWallet }, { token: alice.token })).data!.wallet).toBeNull();

    for (const id of [bobsRow, randomUUID(), 'garbage', '']) {
      const res = await server.gql(TransactionDocument, { id }, { token: alice.token });
      expect(res.errors, `id ${id}`).toBeUndefined();
      expect(res.data!.transaction, `id ${id}`).toBeNull();
    }
    expect((await server.gql(TransactionDocument, { id: bobsRow }, { token: bob.token })).data!.transaction!.id).toBe(bobsRow);
    expect(code(await server.gql(TransactionDocument, { id: bobsRow }))).toBe('UNAUTHENTICATED');
  });

  it('neither skips nor repeats a row while new transactions arrive between pages', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    const bobWallet = await createWallet(server.app, bob.id, 'NGN');
    await fund(server.app, bobWallet, 1_000_000n);
    await pool(Array.from({ length: 30 }, (_, i) => i), 4, () => fund(server.app, aliceWallet, 1_000n));
    for (let i = 0; i < 6; i++) expect((await transfer(alice, aliceWallet, bob, '10')).errors).toBeUndefined();
    const atStart = await storedIds(alice.id);
    expect(atStart).toHaveLength(36);

    const seen: string[] = [];
    let after: string | null | undefined = null;
    let pages = 0;
    for (;;) {
      const res = await page(alice.token, { first: 7, after });
      expect(res.errors).toBeUndefined();
      const conn = res.data!.transactions;
      seen.push(...conn.edges.map((e) => e.node.id));
      pages++;
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
      // New rows of every kind arrive before the next page is asked for.
      await fund(server.app, aliceWallet, 5n);
      expect((await transfer(bob, bobWallet, alice, '3')).errors).toBeUndefined();
      expect((await transfer(alice, aliceWallet, bob, '2')).errors).toBeUndefined();
    }
    expect(pages).toBe(6);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(atStart);
    // The new rows are there for whoever starts over.
    expect(await storedIds(alice.id)).toHaveLength(36 + 5 * 3);
    expect((await page(alice.token, { first: 15 })).data!.transactions.edges.map((e) => e.node.id)).toEqual(
      (await storedIds(alice.id)).slice(0, 15),
    );
  });

  it('neither skips nor repeats a row while transfers run concurrently with the walk, per wallet too', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    const bobWallet = await createWallet(server.app, bob.id, 'NGN');
    await fund(server.app, bobWallet, 1_000_000n);
    await pool(Array.from({ length: 40 }, (_, i) => i), 4, () => fund(server.app, aliceWallet, 1_000n));
    const atStart = await storedIds(alice.id);

    let walking = true;
    const traffic = (async () => {
      let n = 0;
      while (walking) {
        await Promise.all([transfer(bob, bobWallet, alice, '1'), transfer(alice, aliceWallet, bob, '1')]);
        n += 2;
      }
      return n;
    })();
    const walk = async (scoped: boolean) => {
      const seen: string[] = [];
      let after: string | null | undefined = null;
      for (;;) {
        const conn: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } } = scoped
          ? (await server.gql(WalletHistoryPageDocument, { id: aliceWallet, first: 3, after }, { token: alice.token })).data!.wallet!.transactions
          : (await page(alice.token, { first: 3, after })).data!.transactions;
        seen.push(...conn.edges.map((e) => e.node.id));
        if (!conn.pageInfo.hasNextPage) return seen;
        after = conn.pageInfo.endCursor;
      }
    };
    const [flat, perWallet] = await Promise.all([walk(false), walk(true)]);
    walking = false;
    expect(await traffic).toBeGreaterThan(0);

    for (const seen of [flat, perWallet]) {
      expect(new Set(seen).size).toBe(seen.length);
      // Every row that existed at the start, once and in order; rows that arrived meanwhile
      // may show up only where they are newest, never twice.
      expect(seen.filter((id) => atStart.includes(id))).toEqual(atStart);
    }
  });
});

describe('SQL statements per page', () => {
  const statements = (fn: () => Promise<unknown>) => statementsDuring(server.app, fn);

  it('costs the same small number of statements for 1 and for 50 rows with wallet and counterparty', async () => {
    const [viewer, ...senders] = await seedUsers(server.app, 11);
    const currencies = ['NGN', 'USD', 'GHS'];
    const senderWallets = await Promise.all(senders.map((s, i) => createWallet(server.app, s.id, currencies[i % 3])));
    await Promise.all(senderWallets.map((w) => fund(server.app, w, 1_000_000n)));
    // 55 incoming transfers from 10 people into 3 wallets of the viewer (created on the way).
    await pool(Array.from({ length: 55 }, (_, i) => i), 4, async (i) => {
      const s = i % 10;
      const res = await transfer(senders[s], senderWallets[s], viewer, String(100 + i));
      expect(res.errors).toBeUndefined();
    });

    const load = (first: number) => server.gql(HistoryWithRelationsDocument, { first }, { token: viewer.token });
    // Backwards from the oldest row's cursor: the page and the look past the cursor, one statement.
    const oldest = (await load(100)).data!.transactions.pageInfo.endCursor;
    const loadBack = (last: number) => server.gql(HistoryWithRelationsDocument, { last, before: oldest }, { token: viewer.token });
    const fifty = await load(50);
    const nodes = fifty.data!.transactions.edges.map((e) => e.node);
    expect(nodes).toHaveLength(50);
    expect(new Set(nodes.map((n) => n.wallet!.id)).size).toBe(3);
    expect(new Set(nodes.map((n) => n.counterparty!.id)).size).toBe(10);
    for (const n of nodes) {
      const i = Number(n.amount.amount) - 100;
      expect(n.counterparty).toEqual({ id: senders[i % 10].id, fullName: `user ${(i % 10) + 1}` });
    }

    // The smallest of three runs each, so a background job's statement cannot sway it.
    const measure = async (size: number, read = load) => {
      const runs: string[][] = [];
      for (let i = 0; i < 3; i++) {
        // Past the response cache: each run must execute (a hit would cost no statement at all).
        await server.app.generations.bump([viewer.id]);
        runs.push(await statements(() => read(size)));
      }
      return runs.reduce((a, b) => (b.length < a.length ? b : a));
    };
    const one = await measure(1);
    const many = await measure(50);
    const report = `page of 1: ${one.length} statements\n  ${one.join('\n  ')}\npage of 50: ${many.length} statements\n  ${many.join('\n  ')}`;
    // The counter sees the page query itself plus one batch per loader.
    expect(one.length, report).toBeGreaterThanOrEqual(3);
    expect(many.length, report).toBe(one.length);
    expect(many.length, report).toBeLessThanOrEqual(4);

    const back = await loadBack(50);
    expect(back.errors).toBeUndefined();
    expect(back.data!.transactions.edges.map((e) => e.node.id)).toEqual(
      (await load(100)).data!.transactions.edges.slice(-51, -1).map((e) => e.node.id),
    );
    expect(back.data!.transactions.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const backOne = await measure(1, loadBack);
    const backMany = await measure(50, loadBack);
    const backReport = `backwards, page of 1: ${backOne.length} statements\n  ${backOne.join('\n  ')}\npage of 50: ${backMany.length} statements\n  ${backMany.join('\n  ')}`;
    expect(backMany.length, backReport).toBe(backOne.length);
    expect(backMany.length, backReport).toBe(many.length);
    for (const run of [backOne, backMany]) expect(run.filter((q) => /from transactions\b/.test(q)), backReport).toHaveLength(1);
  });
});
