import { describe, expect, it } from 'vitest';
import { AuditService } from '../../src/domain/audit/audit.service.js';
import { sql } from '../support/helpers.js';
import { seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

/**
 * The audit record of a refusal, for errors that no request path raises on demand: an error
 * without a code, and a record that cannot be written (which must never turn a refusal into
 * another error).
 */
const server = useTestServer();

const audit = new AuditService();
const rows = () =>
  sql<{ user_id: string; action: string; outcome: string; request_id: string | null; ip: string | null; details: unknown }>(
    server.app,
    'select user_id, action, outcome, request_id, ip, details from audit_log order by id',
  );

describe('AuditService.recordRefusal', () => {
  it("records the error's code as the outcome, and ERROR for an error without a string code", async () => {
    const [user] = await seedUsers(server.app, 1, 'audit');
    const actor = { userId: user.id, requestId: 'req-1', ip: '203.0.113.7' };
    const em = server.app.orm.em.fork();
    await audit.recordRefusal(em, actor, 'withdraw', Object.assign(new Error('no'), { code: 'INSUFFICIENT_FUNDS' }), { amount: 5n });
    await audit.recordRefusal(em, actor, 'withdraw', new Error('connection reset'), {});
    await audit.recordRefusal(em, actor, 'transfer', Object.assign(new Error('odd'), { code: 23505 }), {});
    expect(await rows()).toEqual([
      { user_id: user.id, action: 'withdraw', outcome: 'INSUFFICIENT_FUNDS', request_id: 'req-1', ip: '203.0.113.7', details: { amount: '5' } },
      { user_id: user.id, action: 'withdraw', outcome: 'ERROR', request_id: 'req-1', ip: '203.0.113.7', details: {} },
      { user_id: user.id, action: 'transfer', outcome: 'ERROR', request_id: 'req-1', ip: '203.0.113.7', details: {} },
    ]);
  });

  it('never throws, even when the record cannot be written', async () => {
    // A user id that is no UUID: PostgreSQL refuses the row.
    const actor = { userId: 'not-a-uuid' };
    await expect(audit.recordRefusal(server.app.orm.em.fork(), actor, 'transfer', new Error('x'), {})).resolves.toBeUndefined();
    expect(await rows()).toEqual([]);
  });

  it('records a missing request id and address as null', async () => {
    const [user] = await seedUsers(server.app, 1, 'audit');
    await audit.record(server.app.orm.em.fork(), { userId: user.id, action: 'deposit', outcome: 'SUCCEEDED' });
    expect(await rows()).toEqual([{ user_id: user.id, action: 'deposit', outcome: 'SUCCEEDED', request_id: null, ip: null, details: {} }]);
  });
});
