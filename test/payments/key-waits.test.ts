import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/server.js';
import { customer, errorCode, wallet, withdraw } from './payments-helpers.js';
import { sql } from '../support/helpers.js';

/**
 * How long a request waits (IdempotencyService.run): a repeat waits at most 5 s for the first
 * request with its key, then answers IDEMPOTENCY_KEY_IN_PROGRESS; the work itself waits for
 * its wallet as long as it must. Another connection plays the request that holds the lock.
 */
/** A bank the sandbox provider knows. */
const SANDBOX_BANK = { bankCode: '001' };

const server = useTestServer({ PAYMENTS_RECHECK_AFTER_SECONDS: '300' });

/** A transaction on a connection of its own, held open until `release`. */
async function holding(statements: [string, unknown[]][]) {
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  await client.query('begin');
  for (const [text, values] of statements) await client.query(text, values);
  return {
    release: async (how: 'commit' | 'rollback') => {
      await client.query(how);
      await client.end();
    },
  };
}

describe('waiting on locks', () => {
  it('a repeat whose first request still holds the key answers IDEMPOTENCY_KEY_IN_PROGRESS, moves nothing, and the key works once freed', async () => {
    const c = await customer(server, { funds: 50_000n });
    const first = await holding([
      [`insert into idempotency_keys (user_id, key, operation, fingerprint) values ($1, 'k-held', 'withdraw', 'first')`, [c.id]],
    ]);
    try {
      const repeat = await withdraw(server, c, '1000', 'k-held', SANDBOX_BANK);
      expect(errorCode(repeat)).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
    } finally {
      await first.release('rollback');
    }
    expect((await wallet(server, c)).balance).toBe('50000');
    expect(await sql(server, `select 1 from payments where kind = 'WITHDRAWAL'`)).toHaveLength(0);
    const res = await withdraw(server, c, '1000', 'k-held', SANDBOX_BANK);
    expect(res.errors).toBeUndefined();
  });

  it("a withdrawal waits for its wallet longer than a repeat waits for a key, and then goes through", async () => {
    const c = await customer(server, { funds: 50_000n });
    const other = await holding([[`select 1 from ledger_accounts where id = $1 for update`, [c.walletId]]]);
    // The lock is released after the 5 s a repeat may wait for its key.
    const released = new Promise((r) => setTimeout(r, 6_000)).then(() => other.release('commit'));
    const res = await withdraw(server, c, '1000', 'k-wait', SANDBOX_BANK);
    await released;
    expect(res.errors).toBeUndefined();
    expect(res.data!.withdraw.transaction.status).toBe('PENDING');
    expect((await wallet(server, c)).available).toBe('49000');
  });
});
