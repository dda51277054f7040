import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { RawEnv } from '../../src/config/config.js';
import { FakePaystack } from '../fakes/paystack-server.js';
import { sql, waitFor } from '../support/helpers.js';
import {
  DepositDocument,
  LedgerReportDocument,
  TransactionDocument,
  TransactionsDocument,
  WalletDocument,
  WithdrawDocument,
  type TransactionStatus,
} from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { startTestServer, type TestServer } from '../support/server.js';

export { errorCode, waitFor } from '../support/helpers.js';

export interface PaystackEnv {
  server: TestServer;
  fake: FakePaystack;
  webhookUrl: string;
  close(): Promise<void>;
}

/**
 * The real server with PAYMENT_PROVIDER=paystack pointed at a local fake Paystack; the fake
 * delivers its webhooks (signed with the same secret key) to the server's webhook route.
 */
export async function startPaystack(env: RawEnv = {}): Promise<PaystackEnv> {
  const fake = await FakePaystack.start();
  const server = await startTestServer({
    PAYMENT_PROVIDER: 'paystack',
    PAYSTACK_SECRET_KEY: fake.secretKey,
    PAYSTACK_BASE_URL: fake.url,
    ...env,
  });
  const webhookUrl = `${server.url}/webhooks/paystack`;
  fake.webhookUrl = webhookUrl;
  return {
    server,
    fake,
    webhookUrl,
    async close() {
      await server.close();
      await fake.close();
    },
  };
}

export interface Customer {
  id: string;
  email: string;
  token: string;
  walletId: string;
}

/** A Paystack suite's server and fake, and an ADMIN's token, set by its hooks. */
export interface PaystackSuite {
  env: PaystackEnv;
  adminToken: string;
}

/**
 * Registers a describe block's hooks for a Paystack server and its fake. Each test starts from
 * empty tables, with the fake delivering webhooks (unless `webhooks` is false), and ends with
 * a balanced ledger.
 */
export function paystackSuite(env: RawEnv = {}, { webhooks = true } = {}): PaystackSuite {
  const suite = {} as PaystackSuite;
  beforeAll(async () => {
    suite.env = await startPaystack(env);
  });
  afterAll(() => suite.env.close());
  beforeEach(async () => {
    await suite.env.server.reset();
    suite.env.fake.reset();
    suite.env.fake.webhookUrl = webhooks ? suite.env.webhookUrl : undefined;
    suite.adminToken = (await admin(suite.env.server)).token;
  });
  afterEach(async () => {
    suite.env.fake.webhookUrl = suite.env.webhookUrl;
    await expectLedgerBalanced(suite.env.server, suite.adminToken);
  });
  return suite;
}

/**
 * A Paystack suite whose outcomes only the recovery job learns: the fake sends no webhooks, and
 * the job asks Paystack every 100 ms about payments older than a second.
 */
export function jobOnlyPaystack(env: RawEnv = {}): PaystackSuite {
  return paystackSuite({ PAYMENTS_RECHECK_AFTER_SECONDS: '1', PAYMENTS_JOB_INTERVAL_MS: '100', ...env }, { webhooks: false });
}

/** A seeded user with a wallet, optionally funded (as a completed sandbox deposit). */
export async function customer(server: TestServer, opts: { currency?: string; funds?: bigint } = {}): Promise<Customer> {
  const [u] = await seedUsers(server.app, 1, 'payer');
  const walletId = await createWallet(server.app, u.id, opts.currency ?? 'NGN');
  if (opts.funds) await fund(server.app, walletId, opts.funds);
  return { ...u, walletId };
}

/** A seeded user promoted with plain SQL; roles are read from the database on every request. */
export async function admin(server: TestServer): Promise<{ id: string; token: string }> {
  const [u] = await seedUsers(server.app, 1, 'admin');
  await server.app.orm.em.fork().execute(`update users set role = 'ADMIN' where id = ?`, [u.id]);
  return u;
}

export async function deposit(server: TestServer, c: Customer, amount: string, key: string) {
  return server.gql(DepositDocument, { input: { walletId: c.walletId, amount, idempotencyKey: key } }, { token: c.token });
}

export async function withdraw(
  server: TestServer,
  c: Customer,
  amount: string,
  key: string,
  to: { bankCode?: string; accountNumber?: string } = {},
) {
  return server.gql(
    WithdrawDocument,
    {
      input: {
        walletId: c.walletId,
        amount,
        bankCode: to.bankCode ?? '058',
        accountNumber: to.accountNumber ?? '0123456789',
        idempotencyKey: key,
      },
    },
    { token: c.token },
  );
}

export async function wallet(server: TestServer, c: Customer) {
  const res = await server.gql(WalletDocument, { id: c.walletId }, { token: c.token });
  expect(res.errors).toBeUndefined();
  const w = res.data!.wallet!;
  return { balance: w.balance.amount, available: w.availableBalance.amount, pending: w.pendingDebits.amount, version: w.version };
}

export async function transaction(server: TestServer, c: Customer, id: string) {
  const res = await server.gql(TransactionDocument, { id }, { token: c.token });
  expect(res.errors).toBeUndefined();
  return res.data!.transaction!;
}

/** Waits until the transaction leaves `from` (PENDING by default) and returns it. */
export async function settled(server: TestServer, c: Customer, id: string, ms = 8_000, from: TransactionStatus = 'PENDING') {
  return waitFor(
    () => transaction(server, c, id),
    (t) => t.status !== from,
    ms,
  );
}

export async function history(server: TestServer, c: Customer) {
  const res = await server.gql(TransactionsDocument, { first: 50, filter: { walletId: c.walletId } }, { token: c.token });
  expect(res.errors).toBeUndefined();
  return res.data!.transactions.edges.map((e) => e.node);
}

/** ledgerReport over HTTP, as an ADMIN sees it: balanced, every counter equal to its transfers. */
export async function expectLedgerBalanced(server: TestServer, adminToken: string): Promise<void> {
  const res = await server.gql(LedgerReportDocument, {}, { token: adminToken });
  expect(res.errors).toBeUndefined();
  expect(res.data!.ledgerReport).toMatchObject({ balanced: true, mismatchedAccountIds: [] });
}

/** A system account's counters summed over its shards, and the shards' ids. */
export interface SystemAccountRow {
  ids: string[];
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
}

/**
 * A system account's counters (SETTLEMENT, FEES) for provider and currency, summed over its
 * shards (LedgerService.systemAccount); undefined if never used.
 */
export async function systemAccount(server: TestServer, kind: string, provider: string, currency = 'NGN'): Promise<SystemAccountRow | undefined> {
  const [row] = await sql<SystemAccountRow>(
    server,
    `select array_agg(id::text order by shard) as ids, sum(debits_posted)::text as debits_posted, sum(credits_posted)::text as credits_posted,
            sum(debits_pending)::text as debits_pending, sum(credits_pending)::text as credits_pending
     from ledger_accounts where kind = ? and provider = ? and currency = ? and user_id is null having count(*) > 0`,
    [kind, provider, currency],
  );
  return row;
}

/** The newest audit row's id: rows a test makes after it come `where id > ?` (seeding writes some too). */
export async function lastAuditId(server: TestServer): Promise<string> {
  const [{ id }] = await sql<{ id: string }>(server, 'select coalesce(max(id), 0)::text as id from audit_log');
  return id;
}
