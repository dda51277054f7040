import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprint, IdempotencyService, type IdempotentRequest } from '../../src/domain/idempotency/idempotency.service.js';
import { IdempotencyException } from '../../src/domain/idempotency/idempotency.errors.js';
import { DomainError } from '../../src/domain/shared/error-codes.js';
import { seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

/**
 * IdempotencyService's answers that no request path reaches on demand: a key whose row
 * vanished or carries no result yet, a database error that is not a lock wait, and whether a
 * repeat counts as seen.
 */
const server = useTestServer();

const idempotency = new IdempotencyService();
const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof IdempotencyException ? err.error : err;
  }
  return 'no error';
};

describe('IdempotencyService', () => {
  it('answers a repeat from the stored row: in progress when the row is gone or has no result, reused for another input', () => {
    const print = fingerprint('withdraw', { amount: '1' });
    expect(reason(() => idempotency.replayOf(null, print))).toBe('IdempotencyKeyInProgress');
    expect(reason(() => idempotency.replayOf({ fingerprint: print, result: null }, print))).toBe('IdempotencyKeyInProgress');
    expect(reason(() => idempotency.replayOf({ fingerprint: 'other', result: { value: 1 } }, print))).toBe('IdempotencyKeyReused');
    expect(idempotency.replayOf({ fingerprint: print, result: { value: 1 } }, print)).toEqual({ value: 1 });
  });

  it('lets a database error other than a lock wait through as it is, recording nothing', async () => {
    // No such user: the key's row cannot be written (foreign key), which is no "in progress".
    const req: IdempotentRequest = { userId: randomUUID(), key: 'k', operation: 'withdraw', input: {} };
    const err = await idempotency
      .run(server.app.orm.em.fork(), req, async () => 'moved')
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: '23503' });
  });

  it('records amounts (bigint) as decimal strings, and replays them as such', async () => {
    const [user] = await seedUsers(server.app, 1, 'bigint');
    const req: IdempotentRequest = { userId: user.id, key: 'k-amount', operation: 'withdraw', input: {} };
    expect(await idempotency.run(server.app.orm.em.fork(), req, async () => ({ amount: 12345678901234567890n }))).toEqual({
      amount: 12345678901234567890n,
    });
    expect(await idempotency.run(server.app.orm.em.fork(), req, async () => ({ amount: 1n }))).toEqual({ amount: '12345678901234567890' });
  });

  it('forgets a key only while its recorded answer still names what the caller failed', async () => {
    const [user] = await seedUsers(server.app, 1, 'forget');
    const em = () => server.app.orm.em.fork();
    const req: IdempotentRequest = { userId: user.id, key: 'k-forget', operation: 'deposit', input: {} };
    const count = async () =>
      (await em().execute<{ n: number }[]>('select count(*)::int as n from idempotency_keys where user_id = ? and key = ?', [user.id, req.key]))[0].n;
    await idempotency.run(em(), req, async () => ({ paymentId: 'p-2' }));
    // The key was claimed again by a later attempt (p-2): forgetting the earlier one (p-1) leaves it.
    await idempotency.forget(em(), user.id, req.key, { paymentId: 'p-1' });
    expect(await count()).toBe(1);
    await idempotency.forget(em(), user.id, req.key, { paymentId: 'p-2' });
    expect(await count()).toBe(0);
  });

  it('counts a request as seen only once recorded, and only with the same input', async () => {
    const [user] = await seedUsers(server.app, 1, 'seen');
    const req: IdempotentRequest = { userId: user.id, key: 'k-seen', operation: 'withdraw', input: { amount: '5' } };
    const em = () => server.app.orm.em.fork();
    expect(await idempotency.seen(em(), req)).toBe(false);
    expect(await idempotency.run(em(), req, async () => ({ paid: true }))).toEqual({ paid: true });
    expect(await idempotency.seen(em(), req)).toBe(true);
    expect(await idempotency.seen(em(), { ...req, input: { amount: '6' } })).toBe(false);
    expect(await idempotency.seen(em(), { ...req, operation: 'deposit' })).toBe(false);
    expect(await idempotency.seen(em(), { ...req, key: 'k-other' })).toBe(false);
  });
});
