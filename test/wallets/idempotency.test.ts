import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransferDocument, type TransferInput } from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { code, sharedDataDir, sql, storedBalance } from './wallet-helpers.js';

/** Money rule 6 over HTTP, with transfer as the money mutation. */
let server: TestServer;
let dataDir: Awaited<ReturnType<typeof sharedDataDir>>;
beforeAll(async () => {
  dataDir = await sharedDataDir();
  server = await startTestServer(dataDir.env);
});
afterAll(async () => {
  await server.close();
  await dataDir.remove();
});
beforeEach(() => server.reset());

function send(s: TestServer, token: string, input: TransferInput) {
  return s.gql(TransferDocument, { input }, { token });
}

async function transferCount(s: TestServer): Promise<number> {
  const [{ n }] = await sql<{ n: string }>(s.app, `select count(*) as n from ledger_transfers where code = 'TRANSFER'`);
  return Number(n);
}

async function twoUsers(balance = 100_000n) {
  const [alice, bob] = await seedUsers(server.app, 2);
  const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
  if (balance > 0n) await fund(server.app, aliceWallet, balance);
  return { alice, bob, aliceWallet };
}

describe('idempotency keys', () => {
  it('moves money once for 20 concurrent requests with one key, all answering the same transaction', async () => {
    const { alice, bob, aliceWallet } = await twoUsers();
    const input = { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '1000', idempotencyKey: 'same-key' };
    const results = await Promise.all(Array.from({ length: 20 }, () => send(server, alice.token, input)));

    const ok = results.filter((r) => !r.errors);
    const others = results.filter((r) => r.errors).map(code);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    // Anything that is not the recorded answer may only be "still in progress", never a second movement.
    expect(others.filter((c) => c !== 'IDEMPOTENCY_KEY_IN_PROGRESS')).toEqual([]);
    expect(new Set(ok.map((r) => r.data!.transfer.transaction.id)).size).toBe(1);
    expect(new Set(ok.map((r) => r.data!.transfer.transaction.reference)).size).toBe(1);

    expect(await transferCount(server)).toBe(1);
    expect(await storedBalance(server.app, aliceWallet)).toBe(99_000n);
    const rows = await sql(server.app, `select id from transactions where type = 'TRANSFER'`);
    expect(rows).toHaveLength(2);
    // A late repeat replays it too.
    const late = await send(server, alice.token, input);
    expect(late.data!.transfer.transaction.id).toBe(ok[0].data!.transfer.transaction.id);
    expect(late.data!.transfer.wallet.balance.amount).toBe('99000');
  });

  it('never moves money twice for concurrent requests sharing a key with different amounts', async () => {
    const { alice, bob, aliceWallet } = await twoUsers();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        send(server, alice.token, { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: String(100 + i), idempotencyKey: 'contested' }),
      ),
    );
    const ok = results.filter((r) => !r.errors);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.errors).map(code).filter((c) => c !== 'IDEMPOTENCY_KEY_REUSED' && c !== 'IDEMPOTENCY_KEY_IN_PROGRESS')).toEqual([]);
    expect(await transferCount(server)).toBe(1);
    expect(await storedBalance(server.app, aliceWallet)).toBe(100_000n - BigInt(ok[0].data!.transfer.transaction.amount.amount));
  });

  it('replays the same transaction after a server restart, from PostgreSQL alone', async () => {
    const { alice, bob, aliceWallet } = await twoUsers();
    const input = { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '2500', note: 'before restart', idempotencyKey: 'restart-1' };
    const first = await send(server, alice.token, input);
    expect(first.errors).toBeUndefined();
    const broke = { ...input, amount: '200000', idempotencyKey: 'restart-2' };
    expect(code(await send(server, alice.token, broke))).toBe('INSUFFICIENT_FUNDS');

    // Restart: same database and JWT keys, a fresh process state and fresh Redis keys.
    await server.close();
    server = await startTestServer(dataDir.env);

    const replay = await send(server, alice.token, input);
    expect(replay.errors).toBeUndefined();
    expect(replay.data!.transfer.transaction.id).toBe(first.data!.transfer.transaction.id);
    expect(replay.data!.transfer.transaction.reference).toBe(first.data!.transfer.transaction.reference);
    expect(replay.data!.transfer.wallet.balance.amount).toBe('97500');
    expect(code(await send(server, alice.token, broke))).toBe('INSUFFICIENT_FUNDS');
    expect(code(await send(server, alice.token, { ...input, amount: '2501' }))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await transferCount(server)).toBe(1);
    expect(await storedBalance(server.app, aliceWallet)).toBe(97_500n);
  });

  it('rejects the same key with another input as IDEMPOTENCY_KEY_REUSED, and treats the same input written differently as a repeat', async () => {
    const [alice, bob, carol] = await seedUsers(server.app, 3);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    const aliceUsd = await createWallet(server.app, alice.id, 'USD');
    await fund(server.app, aliceWallet, 100_000n);
    await fund(server.app, aliceUsd, 100_000n);
    const input = { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '1000', note: 'dinner', idempotencyKey: 'k' };
    const first = await send(server, alice.token, input);
    expect(first.errors).toBeUndefined();

    for (const changed of [
      { amount: '1001' },
      { amount: '999' },
      { recipientEmail: carol.email },
      { note: 'lunch' },
      { note: null },
      { fromWalletId: aliceUsd },
    ]) {
      const res = await send(server, alice.token, { ...input, ...changed });
      expect(code(res), JSON.stringify(changed)).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    // The email is case-insensitive and the note is trimmed: still the same request.
    const same = await send(server, alice.token, { ...input, recipientEmail: bob.email.toUpperCase(), note: '  dinner ' });
    expect(same.errors).toBeUndefined();
    expect(same.data!.transfer.transaction.id).toBe(first.data!.transfer.transaction.id);

    expect(await transferCount(server)).toBe(1);
    expect(await storedBalance(server.app, aliceWallet)).toBe(99_000n);
    expect(await storedBalance(server.app, aliceUsd)).toBe(100_000n);
  });

  it("keeps keys per user: another user's identical key is a request of its own", async () => {
    const [alice, bob, carol] = await seedUsers(server.app, 3);
    const aliceWallet = await createWallet(server.app, alice.id, 'NGN');
    const bobWallet = await createWallet(server.app, bob.id, 'NGN');
    await fund(server.app, aliceWallet, 10_000n);
    await fund(server.app, bobWallet, 10_000n);
    const a = await send(server, alice.token, { fromWalletId: aliceWallet, recipientEmail: carol.email, amount: '100', idempotencyKey: 'shared' });
    const b = await send(server, bob.token, { fromWalletId: bobWallet, recipientEmail: carol.email, amount: '300', idempotencyKey: 'shared' });
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(b.data!.transfer.transaction.id).not.toBe(a.data!.transfer.transaction.id);
    expect(await transferCount(server)).toBe(2);
    expect(await storedBalance(server.app, aliceWallet)).toBe(9_900n);
    expect(await storedBalance(server.app, bobWallet)).toBe(9_700n);
  });

  it('takes keys of 1 to 255 characters: empty or 256 is BAD_USER_INPUT and moves nothing', async () => {
    const { alice, bob, aliceWallet } = await twoUsers();
    const input = { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '100' };
    expect(code(await send(server, alice.token, { ...input, idempotencyKey: '' }))).toBe('BAD_USER_INPUT');
    expect(code(await send(server, alice.token, { ...input, idempotencyKey: 'k'.repeat(256) }))).toBe('BAD_USER_INPUT');
    expect(code(await send(server, alice.token, { ...input, idempotencyKey: null as unknown as string }))).toBe('BAD_USER_INPUT');
    expect(await transferCount(server)).toBe(0);

    const longest = await send(server, alice.token, { ...input, idempotencyKey: 'k'.repeat(255) });
    expect(longest.errors).toBeUndefined();
    const one = await send(server, alice.token, { ...input, idempotencyKey: 'k' });
    expect(one.errors).toBeUndefined();
    expect(await transferCount(server)).toBe(2);
  });

  it('replays INSUFFICIENT_FUNDS for its key even after the wallet was funded; a new key then succeeds', async () => {
    const { alice, bob, aliceWallet } = await twoUsers(500n);
    const input = { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '800', idempotencyKey: 'broke' };
    const refused = await send(server, alice.token, input);
    expect(code(refused)).toBe('INSUFFICIENT_FUNDS');

    await fund(server.app, aliceWallet, 10_000n);
    const replay = await send(server, alice.token, input);
    expect(code(replay)).toBe('INSUFFICIENT_FUNDS');
    expect(replay.errors![0].message).toBe(refused.errors![0].message);
    expect(await transferCount(server)).toBe(0);
    // Another amount under that key is still another request.
    expect(code(await send(server, alice.token, { ...input, amount: '801' }))).toBe('IDEMPOTENCY_KEY_REUSED');

    const fresh = await send(server, alice.token, { ...input, idempotencyKey: 'broke-2' });
    expect(fresh.errors).toBeUndefined();
    expect(fresh.data!.transfer.wallet.balance.amount).toBe('9700');
    expect(await transferCount(server)).toBe(1);
  });
});
