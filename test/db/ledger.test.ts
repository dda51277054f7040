import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsufficientFundsError } from '../../src/domain/ledger/ledger.service.js';
import { seedUsers } from '../support/money.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { sql } from '../support/helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('ledger transfers', () => {
  it('a refused debit leaves the credit side untouched, even when the credit side is updated first', async () => {
    const [u] = await seedUsers(server.app, 1);
    // Ids chosen so the credit account sorts (and is updated) before the debit account.
    const credit = '00000000-0000-4000-8000-000000000001';
    const debit = 'ffffffff-ffff-4fff-8fff-ffffffffffff';
    await sql(server.app, `insert into ledger_accounts (id, kind, provider, currency) values (?, 'CARD_ISSUING', 'test', 'NGN')`, [credit]);
    await sql(server.app, `insert into ledger_accounts (id, kind, user_id, currency) values (?, 'CARD', ?, 'NGN')`, [debit, u.id]);
    const { ledger } = server.app.services;
    await server.app.orm.em.fork().transactional(async (tx) => {
      // The caller carries on after the refusal, as a declined authorization does.
      await expect(
        ledger.transfer(tx, { debitAccountId: debit, creditAccountId: credit, amount: 50n, currency: 'NGN', code: 'CARD_PURCHASE', reference: 't', pending: true }),
      ).rejects.toBeInstanceOf(InsufficientFundsError);
    });
    const rows = await sql<{ id: string; credits_pending: string; version: number }>(
      server.app,
      'select id, credits_pending, version from ledger_accounts where id in (?, ?) order by id',
      [credit, debit],
    );
    expect(rows.map((r) => [r.credits_pending, r.version])).toEqual([
      ['0', 0],
      ['0', 0],
    ]);
    expect((await ledger.report(server.app.orm.em.fork())).balanced).toBe(true);
  });
});
