import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransactionsDocument } from '../generated/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';
import type { FakePaystack } from '../fakes/paystack-server.js';
import { admin, customer, deposit, errorCode, expectLedgerBalanced, history, startPaystack, wallet, withdraw, type Customer } from './payments-helpers.js';
import { sql } from '../support/helpers.js';

/**
 * Deposits and withdrawals name a wallet by its id; another user's id must look exactly like
 * one that does not exist, and move nothing. And a withdrawal's idempotency key is bound to
 * where the money goes: the same key towards another account is a reuse, not a replay.
 */

interface Env {
  server: TestServer;
  /** The Paystack fake when the provider is Paystack (its request log shows provider calls). */
  fake?: FakePaystack;
  bankCode: string;
  close(): Promise<void>;
}

const PROVIDERS: { name: string; start(): Promise<Env> }[] = [
  {
    name: 'sandbox',
    async start() {
      // The job stays out of the way: nothing is due while a test runs.
      const server = await startTestServer({ PAYMENTS_RECHECK_AFTER_SECONDS: '300' });
      return { server, bankCode: '001', close: () => server.close() };
    },
  },
  {
    name: 'paystack',
    async start() {
      const env = await startPaystack({ PAYMENTS_RECHECK_AFTER_SECONDS: '300' });
      return { server: env.server, fake: env.fake, bankCode: '058', close: () => env.close() };
    },
  },
];

/** Everything a refused request could have touched, as the users see it and as the tables hold it. */
async function snapshot(server: TestServer, users: Customer[]) {
  const seen = [];
  for (const u of users) {
    const all = await server.gql(TransactionsDocument, { first: 50 }, { token: u.token });
    expect(all.errors).toBeUndefined();
    seen.push({ wallet: await wallet(server, u), history: await history(server, u), all: all.data!.transactions.edges.map((e) => e.node) });
  }
  return {
    seen,
    transactions: await sql(server, 'select id, user_id, account_id, status, amount::text from transactions order by id'),
    payments: await sql(server, 'select id, kind, status, reference from payments order by id'),
    transfers: await sql(server, 'select id, status, amount::text from ledger_transfers order by id'),
    accounts: await sql(
      server,
      `select id, debits_posted::text, credits_posted::text, debits_pending::text, credits_pending::text
       from ledger_accounts order by id`,
    ),
  };
}

/** The error as a client sees it, without what differs on every request. */
function refusal(res: { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }) {
  expect(res.errors).toHaveLength(1);
  const { message, extensions } = res.errors![0];
  const { requestId: _requestId, ...rest } = extensions ?? {};
  return { message, extensions: rest };
}

describe.each(PROVIDERS)('another user’s wallet by its id ($name)', ({ start }) => {
  let env: Env;
  let adminToken: string;
  beforeAll(async () => {
    env = await start();
  });
  afterAll(() => env.close());
  beforeEach(async () => {
    await env.server.reset();
    env.fake?.reset();
    adminToken = (await admin(env.server)).token;
  });
  afterEach(async () => {
    await expectLedgerBalanced(env.server, adminToken);
  });

  it('deposit into it and withdraw from it are NOT_FOUND, worded as for an unknown id, and nothing moves or reaches the provider', async () => {
    const { server, fake, bankCode } = env;
    const alice = await customer(server, { funds: 50_000n });
    const bob = await customer(server, { funds: 100_000n });
    // Alice's token with Bob's wallet id (and, to compare, with an id nobody has).
    const intoBob = { ...alice, walletId: bob.walletId };
    const nowhere = { ...alice, walletId: randomUUID() };
    const before = await snapshot(server, [alice, bob]);
    const providerCalls = fake?.requests.length ?? 0;
    // The seeding deposits' rows (fund goes through the deposit service).
    const paymentsBefore = await sql(server, 'select id from payments order by id');

    const depForeign = await deposit(server, intoBob, '25000', 'own-dep');
    const depUnknown = await deposit(server, nowhere, '25000', 'own-dep-unknown');
    expect(errorCode(depForeign)).toBe('NOT_FOUND');
    expect(depForeign.data?.deposit ?? null).toBeNull();
    expect(refusal(depForeign)).toEqual(refusal(depUnknown));

    const wdrForeign = await withdraw(server, intoBob, '30000', 'own-wdr', { bankCode });
    const wdrUnknown = await withdraw(server, nowhere, '30000', 'own-wdr-unknown', { bankCode });
    expect(errorCode(wdrForeign)).toBe('NOT_FOUND');
    expect(wdrForeign.data?.withdraw ?? null).toBeNull();
    expect(refusal(wdrForeign)).toEqual(refusal(wdrUnknown));

    // Bob's balance, both users' lists, every row and counter: as they were.
    const after = await snapshot(server, [alice, bob]);
    expect(after).toEqual(before);
    expect(await sql(server, `select id from transactions where status = 'PENDING'`)).toEqual([]);
    // No checkout and no payout was recorded (the sandbox's provider calls are these rows) ...
    expect(await sql(server, 'select id from payments order by id')).toEqual(paymentsBefore);
    // ... and Paystack heard nothing: no initialize, no account resolve, no transfer.
    expect(fake?.requests.length ?? 0).toBe(providerCalls);

    // The same keys on Alice's own wallet still run: the refusals were not recorded as results.
    const own = await deposit(server, alice, '25000', 'own-dep');
    expect(own.errors).toBeUndefined();
    expect(own.data!.deposit.transaction.status).toBe('PENDING');
    expect(await wallet(server, bob)).toEqual(before.seen[1].wallet);
  });
});

describe('withdrawal idempotency key bound to the bank account (paystack)', () => {
  let env: Env;
  let adminToken: string;
  beforeAll(async () => {
    env = await PROVIDERS[1].start();
  });
  afterAll(() => env.close());
  beforeEach(async () => {
    await env.server.reset();
    env.fake!.reset();
    adminToken = (await admin(env.server)).token;
  });
  afterEach(async () => {
    await expectLedgerBalanced(env.server, adminToken);
  });

  it('the same key with another account number, or another bank code, is IDEMPOTENCY_KEY_REUSED and pays nothing twice', async () => {
    const { server } = env;
    const fake = env.fake!;
    const c = await customer(server, { funds: 100_000n });
    const first = await withdraw(server, c, '30000', 'w-dest', { bankCode: '058', accountNumber: '0123456789' });
    expect(first.errors).toBeUndefined();
    const t = first.data!.withdraw.transaction;
    expect(await wallet(server, c)).toMatchObject({ balance: '100000', available: '70000', pending: '30000' });
    const before = await snapshot(server, [c]);
    const transfersSent = fake.requestsTo('POST', '/transfer').length;
    expect(transfersSent).toBe(1);

    // The same amount and wallet, but the money would go elsewhere.
    const otherAccount = await withdraw(server, c, '30000', 'w-dest', { bankCode: '058', accountNumber: '0123456780' });
    expect(errorCode(otherAccount)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(otherAccount.data?.withdraw ?? null).toBeNull();
    const otherBank = await withdraw(server, c, '30000', 'w-dest', { bankCode: '057', accountNumber: '0123456789' });
    expect(errorCode(otherBank)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(otherBank.data?.withdraw ?? null).toBeNull();

    expect(await snapshot(server, [c])).toEqual(before);
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(transfersSent);
    expect(fake.transfers.size).toBe(1);
    expect([...fake.transfers.keys()]).toEqual([t.reference]);

    // The original request still replays to the one withdrawal.
    const repeat = await withdraw(server, c, '30000', 'w-dest', { bankCode: '058', accountNumber: '0123456789' });
    expect(repeat.errors).toBeUndefined();
    expect(repeat.data!.withdraw.transaction.id).toBe(t.id);
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(transfersSent);
  });
});
