import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CardHistoryPageDocument,
  CreateCardDocument,
  FlaggedTransactionsDocument,
  HistoryPageDocument,
  WalletHistoryPageDocument,
  type HistoryPageQueryVariables,
} from '../generated/graphql.js';
import { errorCode } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { insertRow, pool, sql } from './wallet-helpers.js';

/** Relay connections read both ways: first/after forward, last/before backward, newest first. */
const server = useTestServer();

interface Conn {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string | null; endCursor?: string | null };
}
type Args = Pick<HistoryPageQueryVariables, 'first' | 'after' | 'last' | 'before'>;
type Fetch = (args: Args) => Promise<Conn>;

/** Every page from the newest end with first/after, in the order read. */
async function forward(fetch: Fetch, size: number): Promise<Conn[]> {
  const pages: Conn[] = [];
  let after: string | null | undefined;
  do {
    pages.push(await fetch({ first: size, after }));
    after = pages.at(-1)!.pageInfo.endCursor;
  } while (pages.at(-1)!.pageInfo.hasNextPage && pages.length < 50);
  return pages;
}

/** Every page from the oldest end with last/before, in the order read (oldest page first). */
async function backward(fetch: Fetch, size: number): Promise<Conn[]> {
  const pages: Conn[] = [];
  let before: string | null | undefined;
  do {
    pages.push(await fetch({ last: size, before }));
    before = pages.at(-1)!.pageInfo.startCursor;
  } while (pages.at(-1)!.pageInfo.hasPreviousPage && pages.length < 50);
  return pages;
}

const idsOf = (pages: Conn[]) => pages.flatMap((p) => p.edges.map((e) => e.node.id));
const cursorsOf = (pages: Conn[]) => new Map(pages.flatMap((p) => p.edges.map((e) => [e.node.id, e.cursor] as const)));

/**
 * Both walks give `expected` (newest first), the same cursor for each row, start and end
 * cursors that are the first and last edges', and pageInfo that is right at both ends.
 */
async function expectBothWays(fetch: Fetch, expected: string[], size: number): Promise<void> {
  const fwd = await forward(fetch, size);
  const back = await backward(fetch, size);
  expect(idsOf(fwd)).toEqual(expected);
  expect(idsOf([...back].reverse())).toEqual(expected);
  for (const page of [...fwd, ...back]) {
    expect(page.edges.length).toBeGreaterThan(0);
    expect(page.edges.length).toBeLessThanOrEqual(size);
    expect(page.pageInfo.startCursor).toBe(page.edges[0].cursor);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
  }
  expect(cursorsOf(back)).toEqual(cursorsOf(fwd));
  expect(new Set(cursorsOf(fwd).values()).size).toBe(expected.length);
  // Forward: nothing before the first page, nothing after the last, both inside.
  expect(fwd.map((p) => [p.pageInfo.hasPreviousPage, p.pageInfo.hasNextPage])).toEqual(
    fwd.map((_, i) => [i > 0, i < fwd.length - 1]),
  );
  // Backward: the first page read is the oldest (nothing after it), the last read the newest.
  expect(back.map((p) => [p.pageInfo.hasPreviousPage, p.pageInfo.hasNextPage])).toEqual(
    back.map((_, i) => [i < back.length - 1, i > 0]),
  );
  // The oldest page holds the remainder when the rows do not divide evenly.
  expect(back[0].edges.map((e) => e.node.id)).toEqual(expected.slice(-size));
}

/** The user's row ids, newest first, as PostgreSQL has them. */
async function storedIds(userId: string, where = 'true', params: unknown[] = []): Promise<string[]> {
  const rows = await sql<{ id: string }>(server.app, `select id from transactions where user_id = ? and ${where} order by seq desc`, [userId, ...params]);
  return rows.map((r) => r.id);
}

function page(token: string, variables: HistoryPageQueryVariables) {
  return server.gql(HistoryPageDocument, variables, { token });
}

async function userWithRows(count: number) {
  const [user] = await seedUsers(server.app, 1);
  const wallet = await createWallet(server.app, user.id, 'NGN');
  await pool(Array.from({ length: count }, (_, i) => i), 4, () => fund(server.app, wallet, 1_000n));
  return { user, wallet };
}

const field = (res: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.field;

describe('history backwards (last/before)', () => {
  it('walks the same rows in the same order both ways, on transactions, Wallet.transactions and Card.transactions', async () => {
    const { user, wallet } = await userWithRows(26);
    const card = await server.gql(
      CreateCardDocument,
      { input: { walletId: wallet, initialAmount: '500', idempotencyKey: randomUUID() } },
      { token: user.token },
    );
    expect(card.errors).toBeUndefined();
    const cardId = card.data!.createCard.card.id;
    for (let i = 0; i < 11; i++) {
      await insertRow(server.app, { userId: user.id, accountId: cardId, currency: 'NGN', amount: 7n, type: 'CARD_PURCHASE', status: 'COMPLETED', direction: 'DEBIT' });
    }
    const all = await storedIds(user.id);
    expect(all).toHaveLength(26 + 2 + 11);

    const flat: Fetch = async (args) => {
      const res = await page(user.token, args);
      expect(res.errors).toBeUndefined();
      return res.data!.transactions;
    };
    await expectBothWays(flat, all, 5);
    await expectBothWays(flat, all, 13); // 39 rows: three full pages each way
    await expectBothWays(flat, all, 100);

    const perWallet: Fetch = async (args) => {
      const res = await server.gql(WalletHistoryPageDocument, { id: wallet, ...args }, { token: user.token });
      expect(res.errors).toBeUndefined();
      return res.data!.wallet!.transactions;
    };
    await expectBothWays(perWallet, await storedIds(user.id, 'account_id = ?', [wallet]), 4);

    const perCard: Fetch = async (args) => {
      const res = await server.gql(CardHistoryPageDocument, { id: cardId, ...args }, { token: user.token });
      expect(res.errors).toBeUndefined();
      return res.data!.card!.transactions;
    };
    await expectBothWays(perCard, await storedIds(user.id, 'account_id = ?', [cardId]), 5);
  });

  it('walks flaggedTransactions both ways for an ADMIN, across users', async () => {
    const [admin, alice, bob] = await seedUsers(server.app, 3);
    await sql(server.app, `update users set role = 'ADMIN' where id = ?`, [admin.id]);
    for (const u of [alice, bob]) {
      const wallet = await createWallet(server.app, u.id, 'NGN');
      await pool(Array.from({ length: 12 }, (_, i) => i), 4, () => fund(server.app, wallet, 10n));
    }
    // Every third row of either user is flagged.
    await sql(server.app, `insert into transaction_flags (id, transaction_id, rule)
                           select gen_random_uuid(), id, 'test' from transactions where seq % 3 = 0`);
    const flagged = (await sql<{ id: string }>(server.app, `select id from transactions where seq % 3 = 0 order by seq desc`)).map((r) => r.id);
    expect(flagged.length).toBeGreaterThanOrEqual(6);
    const fetch: Fetch = async (args) => {
      const res = await server.gql(FlaggedTransactionsDocument, args, { token: admin.token });
      expect(res.errors).toBeUndefined();
      return res.data!.flaggedTransactions!;
    };
    await expectBothWays(fetch, flagged, 3);
    expect(errorCode(await server.gql(FlaggedTransactionsDocument, { last: 2 }, { token: alice.token }))).toBe('FORBIDDEN');
  });

  it('gives the oldest rows for last alone, clamps last to 100, and reads between after and before', async () => {
    const { user } = await userWithRows(3);
    // 104 more rows in one statement, before any page is read (and cached).
    await sql(
      server.app,
      `insert into transactions (id, user_id, account_id, type, status, direction, amount, currency, reference)
       select gen_random_uuid(), user_id, account_id, 'DEPOSIT', 'COMPLETED', 'CREDIT', 1, currency, 'bulk_' || g
       from transactions, generate_series(1, 104) g where user_id = ? and type = 'DEPOSIT' and seq = (select min(seq) from transactions where user_id = ?)`,
      [user.id, user.id],
    );
    const all = await storedIds(user.id);
    expect(all).toHaveLength(107);

    const oldest = await page(user.token, { last: 3 });
    expect(oldest.errors).toBeUndefined();
    expect(oldest.data!.transactions.edges.map((e) => e.node.id)).toEqual(all.slice(-3));
    expect(oldest.data!.transactions.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });

    const huge = await page(user.token, { last: 1_000_000 });
    expect(huge.data!.transactions.edges.map((e) => e.node.id)).toEqual(all.slice(-100));
    expect(huge.data!.transactions.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const rest = await page(user.token, { last: 1_000_000, before: huge.data!.transactions.pageInfo.startCursor });
    expect(rest.data!.transactions.edges.map((e) => e.node.id)).toEqual(all.slice(0, 7));
    expect(rest.data!.transactions.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });

    // Nothing newer than the newest row; the list goes on after it.
    const newest = (await page(user.token, { first: 1 })).data!.transactions.edges[0].cursor;
    const none = await page(user.token, { last: 5, before: newest });
    expect(none.data!.transactions).toEqual({ edges: [], pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null } });

    // A window between two cursors, read from either end.
    const cursors = huge.data!.transactions.edges.map((e) => e.cursor); // rows all[7..106]
    const between = { after: cursors[10], before: cursors[20] }; // rows all[18..26]
    const fromNewest = await page(user.token, { ...between, first: 4 });
    expect(fromNewest.data!.transactions.edges.map((e) => e.node.id)).toEqual(all.slice(18, 22));
    expect(fromNewest.data!.transactions.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const fromOldest = await page(user.token, { ...between, last: 4 });
    expect(fromOldest.data!.transactions.edges.map((e) => e.node.id)).toEqual(all.slice(23, 27));
    expect(fromOldest.data!.transactions.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const whole = await page(user.token, { ...between, last: 50 });
    expect(whole.data!.transactions.edges.map((e) => e.node.id)).toEqual(all.slice(18, 27));
    expect(whole.data!.transactions.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('refuses first with last, and last of 0 or below, naming the argument', async () => {
    const { user, wallet } = await userWithRows(4);
    const all = await storedIds(user.id);
    for (const variables of [{ first: 5, last: 5 }, { first: 20, last: 2 }, { first: 1, last: 1, before: null }]) {
      const res = await page(user.token, variables);
      expect(errorCode(res), JSON.stringify(variables)).toBe('BAD_USER_INPUT');
      expect(field(res), JSON.stringify(variables)).toBe('last');
      const scoped = await server.gql(WalletHistoryPageDocument, { id: wallet, ...variables }, { token: user.token });
      expect(errorCode(scoped)).toBe('BAD_USER_INPUT');
      expect(field(scoped)).toBe('last');
    }
    // first spelled out in the query counts as given, even at its default value...
    for (const query of [
      '{ transactions(first: 20, last: 2) { edges { cursor } } }',
      'query ($first: Int = 20, $last: Int) { transactions(first: $first, last: $last) { edges { cursor } } }',
    ]) {
      const res = await server.raw(query, { last: 2 }, { token: user.token });
      expect(errorCode(res), query).toBe('BAD_USER_INPUT');
      expect(field(res), query).toBe('last');
    }
    // ...while a first that is absent, or a variable that was not sent or is null, is not.
    for (const [query, variables] of [
      ['{ transactions(last: 2) { edges { node { id } } } }', {}],
      ['query ($first: Int, $last: Int) { transactions(first: $first, last: $last) { edges { node { id } } } }', { last: 2 }],
      ['query ($first: Int, $last: Int) { transactions(first: $first, last: $last) { edges { node { id } } } }', { first: null, last: 2 }],
      ['{ transactions(first: null, last: 2) { edges { node { id } } } }', {}],
    ] as const) {
      const res = (await server.raw(query, variables, { token: user.token })) as { errors?: unknown; data?: { transactions: Conn } };
      expect(res.errors, query).toBeUndefined();
      expect(res.data!.transactions.edges.map((e) => e.node.id), query).toEqual(all.slice(-2));
    }
    for (const last of [0, -1, -100]) {
      const res = await page(user.token, { last });
      expect(errorCode(res), `last ${last}`).toBe('BAD_USER_INPUT');
      expect(field(res), `last ${last}`).toBe('last');
    }
    expect(field(await page(user.token, { first: -1 }))).toBe('first');
  });
});
