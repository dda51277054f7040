import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FlaggedTransactionsDocument,
  HistoryPageDocument,
  WalletHistoryPageDocument,
  WalletTransactionsDocument,
  type HistoryPageQueryVariables,
} from '../generated/graphql.js';
import { errorCode } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { startTestServer, useTestServer } from '../support/server.js';
import { pool, sharedDataDir, sql, statementsDuring } from './wallet-helpers.js';

/** History cursors: opaque, stable, short, bound to their viewer's list, refused when altered. */
let dataDir: Awaited<ReturnType<typeof sharedDataDir>>;
beforeAll(async () => {
  dataDir = await sharedDataDir();
});
afterAll(() => dataDir?.remove());
// Its replicas below share the data folder, and so the cursor secret.
const server = useTestServer(() => dataDir.env);

type Res = { errors?: readonly { extensions?: Record<string, unknown> }[] };
const field = (res: Res) => res.errors?.[0]?.extensions?.field;

function page(token: string, variables: HistoryPageQueryVariables, s = server) {
  return s.gql(HistoryPageDocument, variables, { token });
}

async function userWithRows(count: number) {
  const [user] = await seedUsers(server.app, 1);
  const wallet = await createWallet(server.app, user.id, 'NGN');
  await pool(Array.from({ length: count }, (_, i) => i), 4, () => fund(server.app, wallet, 1_000n));
  return { user, wallet };
}

async function cursorsOf(token: string, variables: HistoryPageQueryVariables = { first: 100 }, s = server): Promise<Map<string, string>> {
  const res = await page(token, variables, s);
  expect(res.errors).toBeUndefined();
  return new Map(res.data!.transactions.edges.map((e) => [e.node.id, e.cursor]));
}

function expectRefused(res: Res, argument: 'after' | 'before', what: string) {
  expect(errorCode(res), what).toBe('BAD_USER_INPUT');
  expect(field(res), what).toBe(argument);
}

describe('history cursors', () => {
  it('tell nothing: 22 characters that hold neither the sequence nor the old tx1 form, unrelated for neighbouring rows', async () => {
    // Large sequences, so that finding one in a cursor cannot happen by chance.
    await sql(server.app, 'alter table transactions alter column seq restart with 987654321012');
    const { user } = await userWithRows(6);
    const seqs = new Map(
      (await sql<{ id: string; seq: string }>(server.app, 'select id, seq from transactions where user_id = ?', [user.id])).map((r) => [r.id, BigInt(r.seq)]),
    );
    const cursors = await cursorsOf(user.token);
    expect(cursors.size).toBe(6);
    for (const [id, cursor] of cursors) {
      const seq = seqs.get(id)!;
      expect(seq).toBeGreaterThan(987654321000n);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const bytes = Buffer.from(cursor, 'base64url');
      expect(bytes).toHaveLength(16);
      const be = Buffer.alloc(8);
      be.writeBigUInt64BE(seq);
      expect(bytes.includes(be), cursor).toBe(false);
      expect(bytes.toString('latin1')).not.toContain('tx1:');
      expect(bytes.toString('latin1')).not.toContain('98765');
      expect(cursor).not.toContain('98765');
    }
    // Rows one apart in sequence: cursors that differ almost everywhere (a permutation, no counter).
    const sorted = [...cursors.values()];
    for (let i = 1; i < sorted.length; i++) {
      const differing = [...sorted[i]].filter((c, j) => c !== sorted[i - 1][j]).length;
      expect(differing).toBeGreaterThan(12);
    }
  });

  it('are the same for the same row whichever request gave them, and on every replica that shares the keys', async () => {
    const { user } = await userWithRows(9);
    const all = await cursorsOf(user.token);
    // Other page sizes and directions, so no answer comes from the response cache.
    const merged = new Map([...(await cursorsOf(user.token, { first: 4 })), ...(await cursorsOf(user.token, { last: 5 }))]);
    expect(merged).toEqual(all);

    const replica = await startTestServer(dataDir.env);
    const otherSecret = await startTestServer({ ...dataDir.env, CURSOR_SECRET: randomBytes(32).toString('hex') });
    try {
      expect(await cursorsOf(user.token, { first: 100 }, replica)).toEqual(all);
      const [, second] = [...all.values()];
      const next = await page(user.token, { first: 3, after: second }, replica);
      expect(next.errors).toBeUndefined();
      expect(next.data!.transactions.edges.map((e) => e.cursor)).toEqual([...all.values()].slice(2, 5));
      // Another secret: other cursors, and ours are refused there (not misread).
      const theirs = await cursorsOf(user.token, { first: 100 }, otherSecret);
      expect([...theirs.keys()]).toEqual([...all.keys()]);
      for (const [id, cursor] of theirs) expect(cursor).not.toBe(all.get(id));
      expectRefused(await page(user.token, { first: 3, after: second }, otherSecret), 'after', 'another secret');
    } finally {
      await Promise.all([replica.close(), otherSecret.close()]);
    }
  });

  it("refuse a cursor from another viewer's list, or from another of one's own lists", async () => {
    const [admin, alice, bob] = await seedUsers(server.app, 3);
    await sql(server.app, `update users set role = 'ADMIN' where id = ?`, [admin.id]);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    const bobWallet = await createWallet(server.app, bob.id, 'NGN');
    for (let i = 0; i < 3; i++) await fund(server.app, aliceWallet, 100n);
    for (let i = 0; i < 3; i++) await fund(server.app, bobWallet, 100n);
    await sql(server.app, `insert into transaction_flags (id, transaction_id, rule) select gen_random_uuid(), id, 'test' from transactions`);

    const [bobs] = [...(await cursorsOf(bob.token)).values()];
    const [alices] = [...(await cursorsOf(alice.token)).values()];
    expect((await page(alice.token, { first: 1, after: alices })).errors).toBeUndefined();
    expectRefused(await page(alice.token, { first: 1, after: bobs }), 'after', "Bob's cursor as after");
    expectRefused(await page(alice.token, { last: 1, before: bobs }), 'before', "Bob's cursor as before");
    expectRefused(await page(admin.token, { first: 1, after: bobs }), 'after', "Bob's cursor for the ADMIN's own list");

    // Alice's own wallet list and her list of everything have cursors of their own.
    const walletPage = await server.gql(WalletHistoryPageDocument, { id: aliceWallet, first: 2 }, { token: alice.token });
    const walletCursor = walletPage.data!.wallet!.transactions.pageInfo.endCursor!;
    expect(walletCursor).not.toBe((await cursorsOf(alice.token)).get(walletPage.data!.wallet!.transactions.edges[1].node.id));
    expect((await server.gql(WalletHistoryPageDocument, { id: aliceWallet, after: walletCursor }, { token: alice.token })).errors).toBeUndefined();
    expectRefused(await server.gql(WalletHistoryPageDocument, { id: aliceWallet, after: alices }, { token: alice.token }), 'after', 'list cursor in the wallet');
    expectRefused(await page(alice.token, { after: walletCursor }), 'after', 'wallet cursor in the list');

    // The ADMIN's flagged list: its own cursors, no one else's.
    const flagged = await server.gql(FlaggedTransactionsDocument, { first: 2 }, { token: admin.token });
    expect(flagged.errors).toBeUndefined();
    const flaggedCursor = flagged.data!.flaggedTransactions!.pageInfo.endCursor!;
    expect((await server.gql(FlaggedTransactionsDocument, { first: 2, after: flaggedCursor }, { token: admin.token })).errors).toBeUndefined();
    expectRefused(await server.gql(FlaggedTransactionsDocument, { last: 2, before: alices }, { token: admin.token }), 'before', 'a user cursor in the flagged list');
    expectRefused(await page(alice.token, { after: flaggedCursor }), 'after', 'a flagged-list cursor in a user list');
  });

  it('refuse altered, made-up and old tx1 cursors with BAD_USER_INPUT naming the argument, never a 500', async () => {
    const { user, wallet } = await userWithRows(4);
    const cursors = [...(await cursorsOf(user.token)).values()];
    const real = cursors[1];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // Every single-character change of a real cursor.
    const altered = [...real].map((c, i) => real.slice(0, i) + alphabet[(alphabet.indexOf(c) + 1 + i) % 64] + real.slice(i + 1));
    const madeUp = [
      'garbage',
      '!!!',
      `${real}A`,
      real.slice(0, 21),
      `${real}==`,
      randomBytes(16).toString('base64url'),
      Buffer.from('tx1:2').toString('base64url'),
      Buffer.from('tx1:9999999999999999999').toString('base64url'),
      // Two of ours glued or swapped halves.
      cursors[0].slice(0, 11) + cursors[2].slice(11),
    ];
    for (const bad of [...altered, ...madeUp]) {
      expect(cursors).not.toContain(bad);
      expectRefused(await page(user.token, { first: 2, after: bad }), 'after', bad);
      expectRefused(await page(user.token, { last: 2, before: bad }), 'before', bad);
      expectRefused(await server.gql(WalletHistoryPageDocument, { id: wallet, last: 2, before: bad }, { token: user.token }), 'before', bad);
    }
    // Both given, both bad: the first one checked is named.
    expectRefused(await page(user.token, { first: 2, after: 'garbage', before: 'garbage' }), 'after', 'both');
  });

  it("keep serving the wallet's plain first page from the cache, with the same cursors, and only that page", async () => {
    const { user, wallet } = await userWithRows(25);
    const fresh = await server.gql(WalletHistoryPageDocument, { id: wallet }, { token: user.token });
    expect(fresh.errors).toBeUndefined();
    const edges = fresh.data!.wallet!.transactions.edges;
    expect(edges).toHaveLength(20);

    // Another document (past the response cache), the same first page: from the wallet cache.
    const readCached = () => server.gql(WalletTransactionsDocument, { id: wallet }, { token: user.token });
    let cached: Awaited<ReturnType<typeof readCached>> | undefined;
    const statements = await statementsDuring(server.app, async () => {
      cached = await readCached();
    });
    expect(statements.filter((s) => /from transactions\b/.test(s))).toEqual([]);
    const cachedConn = cached!.data!.wallet!.transactions;
    expect(cachedConn.edges.map((e) => e.cursor)).toEqual(edges.map((e) => e.cursor));
    expect(cachedConn.pageInfo.endCursor).toBe(edges.at(-1)!.cursor);

    // Its cursors lead on both ways; last reads the oldest rows, not the cached page.
    const older = await server.gql(WalletHistoryPageDocument, { id: wallet, first: 20, after: cachedConn.pageInfo.endCursor }, { token: user.token });
    expect(older.data!.wallet!.transactions.edges).toHaveLength(5);
    const newer = await server.gql(WalletHistoryPageDocument, { id: wallet, last: 3, before: edges[3].cursor }, { token: user.token });
    expect(newer.data!.wallet!.transactions.edges.map((e) => e.cursor)).toEqual(edges.slice(0, 3).map((e) => e.cursor));
    const oldest = await server.gql(WalletHistoryPageDocument, { id: wallet, last: 20 }, { token: user.token });
    expect(oldest.data!.wallet!.transactions.edges.map((e) => e.node.id)).toEqual(
      [...edges.slice(5).map((e) => e.node.id), ...older.data!.wallet!.transactions.edges.map((e) => e.node.id)],
    );
    expect(oldest.data!.wallet!.transactions.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  });
});
