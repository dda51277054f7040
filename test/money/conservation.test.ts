import { afterAll, describe, expect, it } from 'vitest';
import {
  DepositDocument,
  LedgerReportDocument,
  MyWalletsDocument,
  TransactionDocument,
  TransferDocument,
  WalletDocument,
  WithdrawDocument,
} from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { errorCode, httpClient, pool, prng, signedSum, sql, waitFor, walletHistory, type Client } from './money-helpers.js';

/**
 * A bank test in Jepsen's sense: many clients move money among many wallets at once, over
 * HTTP, with every kind of movement (transfers, sandbox deposits paid or declined through the
 * checkout, withdrawals that settle or fail), and afterwards no minor unit has appeared or
 * vanished. Balances are sampled while it runs and must never be negative.
 *
 * BANK_OPS and BANK_SEED (environment) change its size and replay a given run.
 */

const USERS = 100;
const CLIENTS = 50;
const OPS = Number(process.env.BANK_OPS ?? 2_000);
const SEED = Number(process.env.BANK_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Above anything the whole system holds (see the amounts below), under MONITORING_MAX_TRANSACTION. */
const TOO_LARGE_MIN = 200_000_000;
const TOO_LARGE_MAX = 450_000_000;
const FAILING_ACCOUNT = '0000000000';

const server = useTestServer(
  {
    SANDBOX_PAYOUT_DELAY_MS: '300',
    // The job settles payouts (their due time is the payout delay, not the recheck time).
    PAYMENTS_JOB_INTERVAL_MS: '100',
    // Far beyond the run: the job never rechecks a deposit, so it cannot credit one between
    // its checkout's provider update and the webhook that follows (the checkout would then
    // answer ALREADY_SETTLED, seen on loaded machines with a recheck of 2 s).
    PAYMENTS_RECHECK_AFTER_SECONDS: '3600',
    // Fifty clients against the default test pool of 4 would mostly measure queueing.
    DATABASE_POOL_MAX: '10',
    // Errors and warnings only: two info lines per request cost more than they tell here.
    LOG_LEVEL: 'warn',
  },
  { reset: false },
);
const clients: Client[] = [];
afterAll(() => {
  for (const c of clients) c.close();
});

interface User {
  id: string;
  email: string;
  token: string;
  walletId: string;
}

interface Accepted {
  transactionId: string;
  token: string;
  amount: bigint;
  failing: boolean;
}

describe('conservation of money under concurrency', () => {
  it(`keeps every minor unit among ${USERS} wallets and ${CLIENTS} clients (seed ${SEED})`, { timeout: 120_000 }, async () => {
    const started = Date.now();
    const rand = prng(SEED);
    const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
    const app = server.app;

    // --- seed: users, one NGN wallet each, some money in most of them (completed deposits)
    const seeded = await seedUsers(app, USERS, 'bank');
    const users: User[] = [];
    let initial = 0n;
    for (const u of seeded) {
      const walletId = await createWallet(app, u.id);
      const amount = rand() < 0.1 ? 0n : BigInt(int(1, 500_000));
      if (amount > 0n) await fund(app, walletId, amount);
      initial += amount;
      users.push({ ...u, walletId });
    }
    const seededIn = Date.now() - started;
    const admin = users[0];
    await sql(app, `update users set role = 'ADMIN' where id = ?`, [admin.id]);

    // --- the operations, decided up front from the seed
    type Op =
      | { kind: 'transfer'; from: number; to: number; amount: number }
      | { kind: 'deposit'; user: number; amount: number; outcome: 'success' | 'failed' | 'unpaid' }
      | { kind: 'withdraw'; user: number; amount: number; account: string };
    const ops: Op[] = Array.from({ length: OPS }, (): Op => {
      const r = rand();
      const user = int(0, USERS - 1);
      const tooLarge = rand() < 0.1;
      if (r < 0.6) {
        let to = int(0, USERS - 2);
        if (to >= user) to++;
        const amount = tooLarge ? int(TOO_LARGE_MIN, TOO_LARGE_MAX) : rand() < 0.1 ? 1 : int(1, 60_000);
        return { kind: 'transfer', from: user, to, amount };
      }
      if (r < 0.8) {
        const o = rand();
        return { kind: 'deposit', user, amount: int(1, 100_000), outcome: o < 0.85 ? 'success' : o < 0.95 ? 'failed' : 'unpaid' };
      }
      const account = rand() < 0.25 ? FAILING_ACCOUNT : `01${String(int(0, 99_999_999)).padStart(8, '0')}`;
      return { kind: 'withdraw', user, amount: tooLarge ? int(TOO_LARGE_MIN, TOO_LARGE_MAX) : int(1, 80_000), account };
    });
    // Everything the system could ever hold stays below what a "too large" amount asks for.
    const depositCeiling = ops.reduce((s, o) => s + (o.kind === 'deposit' ? BigInt(o.amount) : 0n), initial);
    expect(depositCeiling < BigInt(TOO_LARGE_MIN)).toBe(true);

    // --- run them: 50 clients over 50 keep-alive connections, while a sampler watches balances
    const client = httpClient(server.graphqlUrl, CLIENTS);
    const watcher = httpClient(server.graphqlUrl, 2);
    clients.push(client, watcher);
    const codes = new Map<string, number>();
    const unexpected: string[] = [];
    const note = (what: string, res: { status: number; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }) => {
      const code = errorCode(res) ?? `HTTP ${res.status}`;
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (code !== 'INSUFFICIENT_FUNDS') unexpected.push(`${what}: ${code} ${res.errors?.[0]?.message ?? ''}`);
    };
    let credited = 0n;
    let transfersDone = 0;
    const withdrawals: Accepted[] = [];
    const negatives: string[] = [];
    let samples = 0;
    let running = true;

    const sampler = (async () => {
      while (running) {
        const [row] = await sql<{ n: string; neg: string }>(
          app,
          `select count(*) as n,
                  count(*) filter (where credits_posted - debits_posted < 0 or credits_posted - debits_posted - debits_pending < 0) as neg
           from ledger_accounts where kind = 'WALLET'`,
        );
        if (Number(row.neg) > 0) negatives.push(`${row.neg} wallets below zero in PostgreSQL`);
        const u = users[Math.floor(Math.random() * USERS)];
        const w = await watcher.gql(WalletDocument, { id: u.walletId }, u.token);
        if (w.errors) unexpected.push(`sample: ${errorCode(w)}`);
        else {
          const { balance, availableBalance } = w.data!.wallet!;
          if (BigInt(balance.amount) < 0n || BigInt(availableBalance.amount) < 0n || BigInt(availableBalance.amount) > BigInt(balance.amount)) {
            negatives.push(`wallet ${u.walletId}: balance ${balance.amount}, available ${availableBalance.amount}`);
          }
        }
        samples++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const runStarted = Date.now();
    const work = pool(ops, CLIENTS, async (op, i) => {
      const key = `bank-${SEED}-${i}`;
      if (op.kind === 'transfer') {
        const from = users[op.from];
        const res = await client.gql(
          TransferDocument,
          { input: { fromWalletId: from.walletId, recipientEmail: users[op.to].email, amount: String(op.amount), idempotencyKey: key } },
          from.token,
        );
        if (res.errors || !res.data) return note(`transfer #${i}`, res);
        const t = res.data.transfer.transaction;
        if (t.status !== 'COMPLETED' || t.amount.amount !== String(op.amount) || t.direction !== 'DEBIT') {
          unexpected.push(`transfer #${i} answered ${JSON.stringify(t)}`);
        }
        transfersDone++;
        return;
      }
      if (op.kind === 'deposit') {
        const u = users[op.user];
        const res = await client.gql(DepositDocument, { input: { walletId: u.walletId, amount: String(op.amount), idempotencyKey: key } }, u.token);
        if (res.errors || !res.data) return note(`deposit #${i}`, res);
        if (res.data.deposit.transaction.status !== 'PENDING') unexpected.push(`deposit #${i} started ${res.data.deposit.transaction.status}`);
        if (op.outcome === 'unpaid') return;
        const paid = await client.postJson(res.data.deposit.checkoutUrl, { outcome: op.outcome });
        const outcome = (paid.body as { outcome?: string }).outcome;
        if (paid.status === 200 && outcome === 'DEPOSIT_CREDITED' && op.outcome === 'success') credited += BigInt(op.amount);
        else if (!(paid.status === 200 && outcome === 'DEPOSIT_FAILED' && op.outcome === 'failed')) {
          unexpected.push(`checkout #${i} (${op.outcome}): ${paid.status} ${JSON.stringify(paid.body)}`);
        }
        return;
      }
      const u = users[op.user];
      const res = await client.gql(
        WithdrawDocument,
        { input: { walletId: u.walletId, amount: String(op.amount), bankCode: '001', accountNumber: op.account, idempotencyKey: key } },
        u.token,
      );
      if (res.errors || !res.data) return note(`withdraw #${i}`, res);
      const t = res.data.withdraw.transaction;
      if (t.status !== 'PENDING' && t.status !== 'COMPLETED' && t.status !== 'FAILED') unexpected.push(`withdraw #${i} answered ${t.status}`);
      withdrawals.push({ transactionId: t.id, token: u.token, amount: BigInt(op.amount), failing: op.account === FAILING_ACCOUNT });
    });
    try {
      await work;
    } finally {
      running = false;
      await sampler;
    }
    const ranFor = Date.now() - runStarted;

    // --- let every withdrawal settle (the payment job, every 100 ms), then read the outcome
    const pending = await waitFor(
      async () => Number((await sql<{ n: string }>(app, `select count(*) as n from payments where kind = 'WITHDRAWAL' and status = 'PENDING'`))[0].n),
      (n) => n === 0,
      30_000,
    );
    expect(pending, 'withdrawals still PENDING 30 s after the run').toBe(0);
    let withdrawn = 0n;
    const statuses = await pool(withdrawals, 20, async (w) => {
      const res = await client.gql(TransactionDocument, { id: w.transactionId }, w.token);
      const status = res.data?.transaction?.status;
      if (status === 'COMPLETED') withdrawn += w.amount;
      return { ...w, status };
    });
    expect(statuses.filter((s) => s.failing && s.status !== 'FAILED'), 'payouts to the failing account must fail').toEqual([]);
    expect(statuses.filter((s) => !s.failing && s.status !== 'COMPLETED'), 'payouts to good accounts must complete').toEqual([]);

    // --- nothing unexpected happened, and the expected refusals did
    expect(unexpected, `seed ${SEED}`).toEqual([]);
    expect(codes.get('INSUFFICIENT_FUNDS') ?? 0).toBeGreaterThan(0);
    expect([...codes.keys()]).toEqual(['INSUFFICIENT_FUNDS']);
    expect(negatives).toEqual([]);
    expect(samples).toBeGreaterThan(10);
    expect(transfersDone).toBeGreaterThan(OPS / 4);
    expect(credited).toBeGreaterThan(0n);
    expect(withdrawn).toBeGreaterThan(0n);

    // --- conservation: what the wallets hold is what came in minus what went out
    const wallets = await pool(users, 20, async (u) => {
      const res = await client.gql(MyWalletsDocument, {}, u.token);
      expect(res.errors).toBeUndefined();
      const mine = res.data!.me!.wallets;
      expect(mine.map((w) => w.id)).toEqual([u.walletId]);
      return mine[0];
    });
    const total = wallets.reduce((s, w) => s + BigInt(w.balance.amount), 0n);
    expect(total, `seed ${SEED}`).toBe(initial + credited - withdrawn);
    for (const w of wallets) {
      expect(BigInt(w.balance.amount) >= 0n).toBe(true);
      expect(w.pendingDebits.amount).toBe('0');
      expect(w.availableBalance.amount).toBe(w.balance.amount);
    }
    // What wallet(id) shows (it may come from the Redis cache) agrees with PostgreSQL.
    const shown = await pool(users, 20, async (u) => (await client.gql(WalletDocument, { id: u.walletId }, u.token)).data?.wallet?.balance.amount);
    expect(shown).toEqual(wallets.map((w) => w.balance.amount));
    // The provider's side mirrors it: the sandbox settlement account, summed over its shards, is
    // short by exactly that, and the deposits and withdrawals of these users met several shards.
    const [settlement] = await sql<{ net: string; shards: string }>(
      app,
      `select sum(debits_posted - credits_posted) as net, count(*) as shards from ledger_accounts
       where kind = 'SETTLEMENT' and provider = 'sandbox' and currency = 'NGN' and user_id is null`,
    );
    expect(BigInt(settlement.net)).toBe(total);
    expect(Number(settlement.shards)).toBeGreaterThan(1);
    // ledgerReport says the same, summed in the same snapshot as its check.
    const totals = await client.gql(LedgerReportDocument, {}, admin.token);
    const sandbox = totals.data?.ledgerReport?.systemAccounts.find((a) => a.kind === 'SETTLEMENT' && a.provider === 'sandbox' && a.currency === 'NGN');
    expect(sandbox).toMatchObject({ shards: Number(settlement.shards), debitsPending: '0', creditsPending: '0' });
    expect(BigInt(sandbox!.debitsPosted) - BigInt(sandbox!.creditsPosted)).toBe(total);

    // --- every wallet's balance is the signed sum of its own history, as its owner reads it
    const mismatches = (
      await pool(users, 20, async (u, i) => {
        const rows = await walletHistory(client, u.token, u.walletId);
        const sum = signedSum(rows);
        const balance = BigInt(wallets[i].balance.amount);
        return sum === balance ? null : `${u.walletId}: balance ${balance}, rows say ${sum} (${rows.length} rows)`;
      })
    ).filter(Boolean);
    expect(mismatches).toEqual([]);

    // --- the ledger itself: debits equal credits, every counter equals the sum of its transfers
    const report = await client.gql(LedgerReportDocument, {}, admin.token);
    expect(report.errors).toBeUndefined();
    expect(report.data!.ledgerReport).toMatchObject({ balanced: true, mismatchedAccountIds: [] });
    expect(report.data!.ledgerReport!.accountCount).toBeGreaterThanOrEqual(USERS + 1);

    // --- and the server logged no error while doing it
    const errors = server.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    expect(errors).toEqual([]);

    console.info(
      `bank test: seeded in ${seededIn} ms; ${OPS} operations by ${CLIENTS} clients in ${ranFor} ms (seed ${SEED}); ` +
        `checked in ${Date.now() - runStarted - ranFor} ms; ` +
        `${transfersDone} transfers, ${withdrawals.length} withdrawals, credited ${credited}, withdrawn ${withdrawn}, ` +
        `refusals ${JSON.stringify(Object.fromEntries(codes))}, ${samples} balance samples`,
    );
  });
});
