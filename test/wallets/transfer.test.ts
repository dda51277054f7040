import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MyWalletsDocument,
  TransactionDocument,
  TransactionsDocument,
  TransferDocument,
  TransferLeanDocument,
  WalletDocument,
  type TransferLeanMutation,
  type TransferLeanMutationVariables,
  type TransferInput,
} from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { startTestServer, useTestServer, type RequestOptions, type TestServer } from '../support/server.js';
import { code, insertRow, queriesDuring, sharedDataDir, sql, storedBalance } from './wallet-helpers.js';

/** transfer over HTTP: both sides' rows, refusals that move nothing, limits, flags, audit, locking. */
const server = useTestServer();

function send(s: TestServer, token: string, input: TransferInput, opts: RequestOptions = {}) {
  return s.gql(TransferDocument, { input }, { ...opts, token });
}

async function report() {
  return server.app.services.ledger.report(server.app.orm.em.fork());
}

async function flagsOf(transactionId: string): Promise<string[]> {
  const rows = await sql<{ rule: string }>(server.app, 'select rule from transaction_flags where transaction_id = ? order by rule', [
    transactionId,
  ]);
  return rows.map((r) => r.rule);
}

describe('transfer', () => {
  it('is one statement, one wallet_transfer call that commits on its own, and nothing is read again afterwards', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    await createWallet(server.app, bob.id, 'NGN');
    await fund(server.app, aliceWallet, 10_000n);
    const input = { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '700', idempotencyKey: 'one-trip' };
    // Warm: the currency list is read once per process (and the same amount again raises no flag).
    await server.gql(TransferLeanDocument, { input: { ...input, idempotencyKey: 'warm' } }, { token: alice.token });
    let res: Awaited<ReturnType<typeof server.gql<TransferLeanMutation, TransferLeanMutationVariables>>> | undefined;
    const seen = await queriesDuring(server.app, async () => {
      res = await server.gql(TransferLeanDocument, { input }, { token: alice.token });
    });
    expect(res!.errors).toBeUndefined();
    // The payload comes from what the call returned: the new balance and the DEBIT row.
    expect(res!.data!.transfer.wallet.balance.amount).toBe('8600');
    expect(res!.data!.transfer.transaction).toMatchObject({ type: 'TRANSFER', direction: 'DEBIT', status: 'COMPLETED' });
    // One statement, no BEGIN/COMMIT around it: the wallets are never locked across a round trip.
    expect(seen).toHaveLength(1);
    expect(seen[0].sql).toMatch(/^select wallet_transfer\(/);
    // A named prepared statement with its values bound: the text never changes, so PostgreSQL
    // parses it once per connection (values inlined as literals made every call a new text).
    expect(seen[0].options?.name).toBe('wallet_transfer');
    expect(seen[0].bindings).toHaveLength(11);
    expect(seen[0].bindings).toContain(bob.email);
    expect(seen[0].sql).not.toContain(bob.email);
  });

  it('gives both sides a TRANSFER row: DEBIT and CREDIT, one reference, each the other as counterparty', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    const bobWallet = await createWallet(server.app, bob.id, 'NGN');
    await fund(server.app, aliceWallet, 100_000n);

    const res = await send(server, alice.token, {
      fromWalletId: aliceWallet,
      recipientEmail: ` ${bob.email.toUpperCase()} `,
      amount: '25050',
      note: '  rent share  ',
      idempotencyKey: 'rows-1',
    });
    expect(res.errors).toBeUndefined();
    const debit = res.data!.transfer.transaction;
    expect(debit).toMatchObject({
      type: 'TRANSFER',
      status: 'COMPLETED',
      direction: 'DEBIT',
      description: 'rent share',
      amount: { amount: '25050', currency: 'NGN', formatted: 'NGN 250.50' },
      wallet: { id: aliceWallet },
      counterparty: { id: bob.id, fullName: 'user 1' },
      failureReason: null,
    });
    expect(res.data!.transfer.wallet).toMatchObject({ id: aliceWallet, balance: { amount: '74950' } });

    const bobs = await server.gql(TransactionsDocument, {}, { token: bob.token });
    expect(bobs.data!.transactions.edges).toHaveLength(1);
    const credit = bobs.data!.transactions.edges[0].node;
    expect(credit).toMatchObject({
      type: 'TRANSFER',
      status: 'COMPLETED',
      direction: 'CREDIT',
      reference: debit.reference,
      description: 'rent share',
      amount: { amount: '25050', currency: 'NGN' },
      wallet: { id: bobWallet },
      counterparty: { id: alice.id, fullName: 'user 0' },
    });
    expect(credit.id).not.toBe(debit.id);
    expect((await server.gql(TransactionDocument, { id: credit.id }, { token: bob.token })).data!.transaction!.id).toBe(credit.id);

    // Exactly two user-facing rows and one ledger transfer for the movement.
    const rows = await sql<{ user_id: string; direction: string }>(
      server.app,
      'select user_id, direction from transactions where reference = ? order by direction',
      [debit.reference],
    );
    expect(rows).toEqual([
      { user_id: bob.id, direction: 'CREDIT' },
      { user_id: alice.id, direction: 'DEBIT' },
    ]);
    const transfers = await sql(server.app, 'select debit_account_id, credit_account_id, amount, code, status from ledger_transfers where reference = ?', [
      debit.reference,
    ]);
    expect(transfers).toEqual([{ debit_account_id: aliceWallet, credit_account_id: bobWallet, amount: '25050', code: 'TRANSFER', status: 'POSTED' }]);
    expect(await storedBalance(server.app, bobWallet)).toBe(25_050n);
    expect((await report()).balanced).toBe(true);
  });

  it("creates the recipient's wallet when missing, in the sender's wallet currency", async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceUsd = await createWallet(server.app, alice.id, 'USD');
    await createWallet(server.app, alice.id, 'NGN');
    const bobNgn = await createWallet(server.app, bob.id, 'NGN');
    await fund(server.app, aliceUsd, 10_000n);
    await fund(server.app, bobNgn, 7n);

    const res = await send(server, alice.token, { fromWalletId: aliceUsd, recipientEmail: bob.email, amount: '1234', idempotencyKey: 'usd-1' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.transfer.transaction.amount).toEqual({ amount: '1234', currency: 'USD', formatted: 'USD 12.34' });

    const bobs = await server.gql(MyWalletsDocument, {}, { token: bob.token });
    const byCurrency = Object.fromEntries(bobs.data!.me!.wallets.map((w) => [w.currency, w]));
    expect(Object.keys(byCurrency).sort()).toEqual(['NGN', 'USD']);
    expect(byCurrency.NGN).toMatchObject({ id: bobNgn, balance: { amount: '7' }, version: 1 });
    expect(byCurrency.USD).toMatchObject({ balance: { amount: '1234', currency: 'USD' }, version: 1 });

    // A second transfer reuses that wallet instead of making another.
    const again = await send(server, alice.token, { fromWalletId: aliceUsd, recipientEmail: bob.email, amount: '1', idempotencyKey: 'usd-2' });
    expect(again.errors).toBeUndefined();
    const wallets = await sql(server.app, `select currency from ledger_accounts where user_id = ? order by currency`, [bob.id]);
    expect(wallets).toEqual([{ currency: 'NGN' }, { currency: 'USD' }]);
    expect(await storedBalance(server.app, byCurrency.USD.id)).toBe(1_235n);
  });

  it('never moves money backwards, even when called past the API\'s own checks', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    const bobWallet = await createWallet(server.app, bob.id, 'NGN');
    await fund(server.app, bobWallet, 1_000n);
    const input = { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: -500n, idempotencyKey: 'backwards' };
    await expect(server.app.services.transfers.transfer(server.app.orm.em.fork(), { userId: alice.id }, input)).rejects.toThrow(/positive/);
    expect([await storedBalance(server.app, aliceWallet), await storedBalance(server.app, bobWallet)]).toEqual([0n, 1_000n]);
    expect(await sql(server.app, 'select 1 from idempotency_keys where key = ?', ['backwards'])).toHaveLength(0);
  });

  it('refuses bad requests with BAD_USER_INPUT or NOT_FOUND and moves nothing', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    const bobWallet = await createWallet(server.app, bob.id, 'NGN');
    await fund(server.app, aliceWallet, 50_000n);
    await fund(server.app, bobWallet, 50_000n);
    const ok = { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '100' };

    const cases: [string, TransferInput, string][] = [
      ['self', { ...ok, recipientEmail: alice.email, idempotencyKey: 'bad-1' }, 'BAD_USER_INPUT'],
      ['self, other case', { ...ok, recipientEmail: alice.email.toUpperCase(), idempotencyKey: 'bad-2' }, 'BAD_USER_INPUT'],
      ['unknown recipient', { ...ok, recipientEmail: 'nobody-here@example.com', idempotencyKey: 'bad-3' }, 'BAD_USER_INPUT'],
      ['not an email', { ...ok, recipientEmail: 'not an email', idempotencyKey: 'bad-4' }, 'BAD_USER_INPUT'],
      ['note too long', { ...ok, note: 'x'.repeat(281), idempotencyKey: 'bad-5' }, 'BAD_USER_INPUT'],
      ["another user's wallet", { ...ok, fromWalletId: bobWallet, recipientEmail: bob.email, idempotencyKey: 'bad-6' }, 'NOT_FOUND'],
      ["another user's wallet to a third", { ...ok, fromWalletId: bobWallet, recipientEmail: alice.email, idempotencyKey: 'bad-7' }, 'NOT_FOUND'],
      ['no such wallet', { ...ok, fromWalletId: '00000000-0000-4000-8000-000000000000', idempotencyKey: 'bad-8' }, 'NOT_FOUND'],
      ['garbage wallet id', { ...ok, fromWalletId: 'garbage', idempotencyKey: 'bad-9' }, 'NOT_FOUND'],
      ['amount 0', { ...ok, amount: '0', idempotencyKey: 'bad-10' }, 'BAD_USER_INPUT'],
      ['amount -5', { ...ok, amount: '-5', idempotencyKey: 'bad-11' }, 'BAD_USER_INPUT'],
      ['amount 1.5', { ...ok, amount: '1.5', idempotencyKey: 'bad-12' }, 'BAD_USER_INPUT'],
      ['amount empty', { ...ok, amount: '', idempotencyKey: 'bad-13' }, 'BAD_USER_INPUT'],
      ['amount 1e3', { ...ok, amount: '1e3', idempotencyKey: 'bad-14' }, 'BAD_USER_INPUT'],
      ['amount leading zero', { ...ok, amount: '0100', idempotencyKey: 'bad-15' }, 'BAD_USER_INPUT'],
      ['amount 19 digits', { ...ok, amount: '1000000000000000000', idempotencyKey: 'bad-16' }, 'BAD_USER_INPUT'],
      ['amount as a number', { ...ok, amount: 100 as unknown as string, idempotencyKey: 'bad-17' }, 'BAD_USER_INPUT'],
    ];
    for (const [name, input, expected] of cases) {
      const res = await send(server, alice.token, input);
      expect(code(res), name).toBe(expected);
      expect(res.data?.transfer ?? null, name).toBeNull();
    }

    expect(await storedBalance(server.app, aliceWallet)).toBe(50_000n);
    expect(await storedBalance(server.app, bobWallet)).toBe(50_000n);
    expect(await sql(server.app, `select id from transactions where type = 'TRANSFER'`)).toEqual([]);
    expect(await sql(server.app, `select id from ledger_transfers where code = 'TRANSFER'`)).toEqual([]);
    // The refused keys were not kept: the same key with a good request goes through.
    const retry = await send(server, alice.token, { ...ok, idempotencyKey: 'bad-6' });
    expect(retry.errors).toBeUndefined();
    expect(await storedBalance(server.app, bobWallet)).toBe(50_100n);
  });

  it('takes a note of exactly 280 characters', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    await fund(server.app, aliceWallet, 100n);
    const note = 'n'.repeat(280);
    const res = await send(server, alice.token, { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '1', note, idempotencyKey: 'note' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.transfer.transaction.description).toBe(note);
  });

  it('never deadlocks on 50 + 50 concurrent opposite transfers, and the balances add up', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    const bobWallet = await createWallet(server.app, bob.id, 'NGN');
    await fund(server.app, aliceWallet, 1_000_000n);
    await fund(server.app, bobWallet, 1_000_000n);
    const amounts = Array.from({ length: 100 }, (_, i) => 1 + ((i * 7919) % 997));
    const results = await Promise.all(
      amounts.map((amount, i) =>
        i % 2 === 0
          ? send(server, alice.token, { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: String(amount), idempotencyKey: `ab-${i}` })
          : send(server, bob.token, { fromWalletId: bobWallet, recipientEmail: alice.email, amount: String(amount), idempotencyKey: `ba-${i}` }),
      ),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const aToB = amounts.filter((_, i) => i % 2 === 0).reduce((a, b) => a + BigInt(b), 0n);
    const bToA = amounts.filter((_, i) => i % 2 === 1).reduce((a, b) => a + BigInt(b), 0n);
    expect(await storedBalance(server.app, aliceWallet)).toBe(1_000_000n - aToB + bToA);
    expect(await storedBalance(server.app, bobWallet)).toBe(1_000_000n + aToB - bToA);
    const [{ n }] = await sql<{ n: string }>(server.app, `select count(*) as n from transactions where type = 'TRANSFER'`);
    expect(Number(n)).toBe(200);
    expect((await report()).balanced).toBe(true);
    const wallet = await server.gql(WalletDocument, { id: aliceWallet }, { token: alice.token });
    // Two funding credits plus 100 transfers touched each wallet.
    expect(wallet.data!.wallet!.version).toBe(101);
    expect(server.logs.filter((l) => /deadlock|unexpected error/i.test(l))).toEqual([]);
  });

  it('writes an audit row per attempt with its outcome, request id and IP', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    const bobWallet = await createWallet(server.app, bob.id, 'NGN');
    await fund(server.app, aliceWallet, 1_000n);
    const attempts: [string, TransferInput, string][] = [
      ['audit-ok-1', { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '400', idempotencyKey: 'a1' }, 'COMPLETED'],
      ['audit-broke-1', { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '601', idempotencyKey: 'a2' }, 'INSUFFICIENT_FUNDS'],
      ['audit-self-1', { fromWalletId: aliceWallet, recipientEmail: alice.email, amount: '1', idempotencyKey: 'a3' }, 'BAD_USER_INPUT'],
      ['audit-theirs-1', { fromWalletId: bobWallet, recipientEmail: bob.email, amount: '1', idempotencyKey: 'a4' }, 'NOT_FOUND'],
      ['audit-reused-1', { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '401', idempotencyKey: 'a1' }, 'IDEMPOTENCY_KEY_REUSED'],
    ];
    const responses = [];
    for (const [requestId, input] of attempts) {
      const res = await send(server, alice.token, input, { headers: { 'x-request-id': requestId } });
      expect(res.headers.get('x-request-id')).toBe(requestId);
      responses.push(res);
    }
    const rows = await sql<{ user_id: string; action: string; outcome: string; request_id: string; ip: string; details: Record<string, unknown> }>(
      server.app,
      `select user_id, action, outcome, request_id, ip, details from audit_log where action = 'transfer' order by id`,
    );
    expect(rows.map((r) => [r.request_id, r.outcome])).toEqual(attempts.map(([requestId, , outcome]) => [requestId, outcome]));
    for (const r of rows) expect(r).toMatchObject({ user_id: alice.id, action: 'transfer', ip: '127.0.0.1' });
    expect(rows[0].details).toMatchObject({
      transactionId: responses[0].data!.transfer.transaction.id,
      reference: responses[0].data!.transfer.transaction.reference,
      amount: '400',
      currency: 'NGN',
      to: bob.id,
    });
    expect(rows[1].details).toMatchObject({ fromWalletId: aliceWallet, amount: '601' });
  });

  it('flags nothing for an ordinary transfer under the default rules', async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    await fund(server.app, aliceWallet, 10_000n);
    const res = await send(server, alice.token, { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '5000', idempotencyKey: 'plain' });
    expect(res.errors).toBeUndefined();
    expect(await flagsOf(res.data!.transfer.transaction.id)).toEqual([]);
  });
});

describe('monitoring limits and flags', () => {
  let limited: TestServer;
  let dataDir: Awaited<ReturnType<typeof sharedDataDir>>;
  const limits = {
    MONITORING_MAX_TRANSACTION: 'NGN=10000,USD=500',
    MONITORING_DAILY_OUTFLOW: 'NGN=25000',
    MONITORING_BURST_COUNT: '3',
    MONITORING_BURST_WINDOW_SECONDS: '60',
    MONITORING_UNUSUAL_FACTOR: '5',
    MONITORING_NEW_RECIPIENT_THRESHOLD: 'NGN=5000',
  };
  beforeAll(async () => {
    dataDir = await sharedDataDir();
    limited = await startTestServer({ ...limits, ...dataDir.env });
  });
  afterAll(async () => {
    await limited.close();
    await dataDir.remove();
  });

  it('refuses a transaction above the largest allowed with LIMIT_EXCEEDED, replays it for the same key, lets a new key through', async () => {
    const [alice, bob] = await seedUsers(limited.app, 2);
    const aliceWallet = await createWallet(limited.app, alice.id, 'NGN');
    const aliceUsd = await createWallet(limited.app, alice.id, 'USD');
    await fund(limited.app, aliceWallet, 100_000n);
    await fund(limited.app, aliceUsd, 100_000n);
    const big = { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '10001', idempotencyKey: 'big' };

    const refused = await send(limited, alice.token, big);
    expect(code(refused)).toBe('LIMIT_EXCEEDED');
    expect(refused.errors![0].extensions).toMatchObject({ limit: 'MAX_TRANSACTION', max: '10000' });
    expect(code(await send(limited, alice.token, big))).toBe('LIMIT_EXCEEDED');
    // Per currency: USD has its own maximum.
    expect(code(await send(limited, alice.token, { ...big, fromWalletId: aliceUsd, amount: '501', idempotencyKey: 'big-usd' }))).toBe('LIMIT_EXCEEDED');
    expect(await storedBalance(limited.app, aliceWallet)).toBe(100_000n);

    // The answer is recorded: even a server with a higher limit replays it for that key.
    const raised = await startTestServer({ ...limits, ...dataDir.env, MONITORING_MAX_TRANSACTION: 'NGN=1000000' });
    try {
      const replay = await send(raised, alice.token, big);
      expect(code(replay)).toBe('LIMIT_EXCEEDED');
      expect(replay.errors![0].extensions).toMatchObject({ limit: 'MAX_TRANSACTION', max: '10000' });
      const fresh = await send(raised, alice.token, { ...big, idempotencyKey: 'big-2' });
      expect(fresh.errors).toBeUndefined();
    } finally {
      await raised.close();
    }
    expect(await storedBalance(limited.app, aliceWallet)).toBe(89_999n);

    // The largest allowed amount itself goes through.
    const exact = await send(limited, alice.token, { ...big, amount: '10000', idempotencyKey: 'exact' });
    expect(exact.errors).toBeUndefined();
  });

  it("counts the UTC day's COMPLETED and PENDING debits against the daily outflow, not failed, older or incoming ones", async () => {
    const [alice, bob] = await seedUsers(limited.app, 2);
    const aliceWallet = await createWallet(limited.app, alice.id, 'NGN');
    await fund(limited.app, aliceWallet, 500_000n);
    const row = { userId: alice.id, accountId: aliceWallet, currency: 'NGN', direction: 'DEBIT' as const };
    // A hold in flight (a withdrawal) counts; a failed transfer, yesterday's transfer and credits do not.
    await insertRow(limited.app, { ...row, type: 'WITHDRAWAL', status: 'PENDING', amount: 8_000n });
    await insertRow(limited.app, { ...row, type: 'TRANSFER', status: 'FAILED', amount: 9_000n });
    const yesterday = await insertRow(limited.app, { ...row, type: 'TRANSFER', status: 'COMPLETED', amount: 9_000n });
    await sql(
      limited.app,
      `update transactions set created_at = (date_trunc('day', now() at time zone 'utc') at time zone 'utc') - interval '1 second' where id = ?`,
      [yesterday],
    );
    await insertRow(limited.app, { ...row, direction: 'CREDIT', type: 'TRANSFER', status: 'COMPLETED', amount: 9_000n });

    const t = (amount: string, key: string) => send(limited, alice.token, { fromWalletId: aliceWallet, recipientEmail: bob.email, amount, idempotencyKey: key });
    expect((await t('9000', 'd1')).errors).toBeUndefined(); // 8,000 + 9,000 = 17,000
    const over = await t('8001', 'd2'); // 25,001 > 25,000
    expect(code(over)).toBe('LIMIT_EXCEEDED');
    expect(over.errors![0].extensions).toMatchObject({ limit: 'DAILY_OUTFLOW', max: '25000', usedToday: '17000' });
    expect(code(await t('8001', 'd2'))).toBe('LIMIT_EXCEEDED');
    expect((await t('8000', 'd3')).errors).toBeUndefined(); // exactly 25,000
    expect(code(await t('1', 'd4'))).toBe('LIMIT_EXCEEDED');

    // Once the hold is no longer PENDING (it failed), its amount is free again.
    await sql(limited.app, `update transactions set status = 'FAILED' where type = 'WITHDRAWAL' and user_id = ?`, [alice.id]);
    expect((await t('8000', 'd5')).errors).toBeUndefined();
    expect(await storedBalance(limited.app, aliceWallet)).toBe(500_000n - 25_000n);
  });

  it('holds the daily outflow under concurrent transfers', async () => {
    const [alice, bob, carol] = await seedUsers(limited.app, 3);
    const aliceWallet = await createWallet(limited.app, alice.id, 'NGN');
    await fund(limited.app, aliceWallet, 500_000n);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        send(limited, alice.token, {
          fromWalletId: aliceWallet,
          recipientEmail: i % 2 ? bob.email : carol.email,
          amount: '3000',
          idempotencyKey: `c${i}`,
        }),
      ),
    );
    // 8 × 3,000 = 24,000 fits; a ninth would make 27,000.
    expect(results.filter((r) => !r.errors)).toHaveLength(8);
    expect(results.filter((r) => code(r) === 'LIMIT_EXCEEDED')).toHaveLength(4);
    expect(await storedBalance(limited.app, aliceWallet)).toBe(500_000n - 24_000n);
  });

  it('flags a burst: the 3rd and later transfers within the window get a BURST row', async () => {
    const [alice, bob] = await seedUsers(limited.app, 2);
    const aliceWallet = await createWallet(limited.app, alice.id, 'NGN');
    await fund(limited.app, aliceWallet, 100_000n);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await send(limited, alice.token, { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '100', idempotencyKey: `b${i}` });
      expect(res.errors).toBeUndefined();
      ids.push(res.data!.transfer.transaction.id);
    }
    const flags = await Promise.all(ids.map(flagsOf));
    expect(flags).toEqual([[], [], ['BURST'], ['BURST']]);
    const [detail] = await sql<{ details: { count: number; windowSeconds: number } }>(
      limited.app,
      `select details from transaction_flags where transaction_id = ?`,
      [ids[3]],
    );
    expect(detail.details).toEqual({ count: 4, windowSeconds: 60 });
    // Flags the transaction, never blocks it, and flags only the sender's row.
    expect(await storedBalance(limited.app, aliceWallet)).toBe(99_600n);
    const [{ n }] = await sql<{ n: string }>(limited.app, `select count(*) as n from transaction_flags`);
    expect(Number(n)).toBe(2);

    // Transfers that left the window no longer count.
    await sql(limited.app, `update transactions set created_at = now() - interval '61 seconds' where user_id = ?`, [alice.id]);
    const later = await send(limited, alice.token, { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '100', idempotencyKey: 'b-later' });
    expect(await flagsOf(later.data!.transfer.transaction.id)).toEqual([]);
  });

  it('flags a first transfer to a new recipient above the threshold', async () => {
    const [alice, bob, carol, dave] = await seedUsers(limited.app, 4);
    const aliceWallet = await createWallet(limited.app, alice.id, 'NGN');
    await fund(limited.app, aliceWallet, 100_000n);
    const t = async (to: string, amount: string, key: string) => {
      const res = await send(limited, alice.token, { fromWalletId: aliceWallet, recipientEmail: to, amount, idempotencyKey: key });
      expect(res.errors).toBeUndefined();
      // The 3rd and 4th transfers are a burst too (BURST_COUNT=3): only this rule matters here.
      return (await flagsOf(res.data!.transfer.transaction.id)).filter((f) => f === 'NEW_RECIPIENT');
    };
    expect(await t(bob.email, '6000', 'n1')).toEqual(['NEW_RECIPIENT']);
    expect(await t(bob.email, '6000', 'n2')).toEqual([]); // no longer new
    expect(await t(carol.email, '5000', 'n3')).toEqual([]); // not above the threshold
    expect(await t(dave.email, '5001', 'n4')).toEqual(['NEW_RECIPIENT']);
    const [detail] = await sql<{ details: unknown }>(
      limited.app,
      `select f.details from transaction_flags f join transactions t on t.id = f.transaction_id
       where f.rule = 'NEW_RECIPIENT' and t.counterparty_user_id = ?`,
      [dave.id],
    );
    expect(detail.details).toEqual({ amount: '5001', threshold: '5000' });
  });

  it("flags an amount far above the user's usual", async () => {
    const [alice, bob] = await seedUsers(limited.app, 2);
    const aliceWallet = await createWallet(limited.app, alice.id, 'NGN');
    await fund(limited.app, aliceWallet, 100_000n);
    const t = async (amount: string, key: string) => {
      const res = await send(limited, alice.token, { fromWalletId: aliceWallet, recipientEmail: bob.email, amount, idempotencyKey: key });
      expect(res.errors).toBeUndefined();
      return (await flagsOf(res.data!.transfer.transaction.id)).filter((f) => f === 'UNUSUAL_AMOUNT');
    };
    expect(await t('1000', 'u0')).toEqual([]); // no history yet: nothing is unusual
    expect(await t('100', 'u1')).toEqual([]);
    expect(await t('100', 'u2')).toEqual([]);
    // Usual is now (1000 + 100 + 100) / 3 = 400: 2,000 is 5× (not above), 2,001 is above.
    expect(await t('2000', 'u3')).toEqual([]);
    // Usual is now 800: 4,001 is above 5× that.
    expect(await t('4001', 'u4')).toEqual(['UNUSUAL_AMOUNT']);
  });
});
