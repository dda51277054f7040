import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulateCardPurchaseDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';
import { account, newCard, sql, userWithWallet } from './sandbox-support.js';

/**
 * Where the DAILY, WEEKLY and MONTHLY spending-limit windows start (UTC): midnight, Monday
 * midnight, the 1st at midnight. The server decides with the real clock, so the test computes
 * the current window's start the same documented way and backdates purchases to one second
 * before it (must not count) and to its very first instant (must count).
 */

const server = useTestServer();

const DAY = 86_400_000;

type Interval = 'DAILY' | 'WEEKLY' | 'MONTHLY';

/** The documented start of the window holding `now`, and the start of the next one. */
function window(interval: Interval, now: Date): { start: Date; next: Date } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const midnight = Date.UTC(y, m, now.getUTCDate());
  switch (interval) {
    case 'DAILY':
      return { start: new Date(midnight), next: new Date(midnight + DAY) };
    case 'WEEKLY': {
      const sinceMonday = (now.getUTCDay() + 6) % 7; // getUTCDay: Sunday is 0
      const monday = midnight - sinceMonday * DAY;
      return { start: new Date(monday), next: new Date(monday + 7 * DAY) };
    }
    case 'MONTHLY':
      return { start: new Date(Date.UTC(y, m, 1)), next: new Date(Date.UTC(y, m + 1, 1)) };
  }
}

/**
 * The window the test computes must be the one the server uses for the whole test: if the
 * next window starts within a minute, wait until it has begun (happens only near midnight).
 */
async function currentWindow(interval: Interval): Promise<{ start: Date; next: Date }> {
  const w = window(interval, new Date());
  const left = w.next.getTime() - Date.now();
  if (left > 60_000) return w;
  await new Promise((r) => setTimeout(r, left + 1_000));
  return window(interval, new Date());
}

function buy(token: string, cardId: string, amount: string) {
  return server.gql(SimulateCardPurchaseDocument, { input: { cardId, amount, merchantName: 'Shop' } }, { token });
}

async function bought(token: string, cardId: string, amount: string): Promise<string> {
  const res = await buy(token, cardId, amount);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const t = res.data!.simulateCardPurchase.transaction;
  expect(t.status, t.failureReason ?? '').toBe('COMPLETED');
  return t.id;
}

const backdate = (transactionId: string, at: Date) =>
  sql(server.app, 'update transactions set created_at = ?::timestamptz where id = ?', [at.toISOString(), transactionId]);

const names: Record<Interval, RegExp> = {
  DAILY: /daily spending limit/i,
  WEEKLY: /weekly spending limit/i,
  MONTHLY: /monthly spending limit/i,
};

describe.each<Interval>(['DAILY', 'WEEKLY', 'MONTHLY'])('%s spending limit: where the window starts', (interval) => {
  it('spending one second before the window does not count; spending at its first instant does', async () => {
    const { start, next } = await currentWindow(interval);
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '3000', spendingLimit: { amount: '1000', interval } });

    // 400 spent in the previous window, 300 at the first instant of this one.
    await backdate(await bought(user.token, card.id, '400'), new Date(start.getTime() - 1_000));
    await backdate(await bought(user.token, card.id, '300'), start);

    // 300 of 1,000 used: 701 more would pass the limit, 700 fits exactly.
    const over = await buy(user.token, card.id, '701');
    expect(over.errors, JSON.stringify(over.errors)).toBeUndefined();
    expect(over.data!.simulateCardPurchase.transaction.status).toBe('FAILED');
    expect(over.data!.simulateCardPurchase.transaction.failureReason).toMatch(names[interval]);
    await bought(user.token, card.id, '700');
    const done = await buy(user.token, card.id, '1');
    expect(done.data!.simulateCardPurchase.transaction.failureReason).toMatch(names[interval]);
    expect((await account(server, card.id)).balance).toBe(3000n - 400n - 300n - 700n);

    // The test's window was the server's for the whole test.
    expect(window(interval, new Date())).toEqual({ start, next });
  }, 120_000); // room for currentWindow's wait near a boundary
});

/**
 * The same boundaries at fixed instants the real clock rarely gives (Monday 00:00:00, the
 * last millisecond of a month, the 1st after a February): only `Date` is faked, and only while
 * the authorization decides, so the server sees that instant as "now".
 */
describe('fixed instants (Date faked while the authorization decides)', () => {
  const cases: { interval: Interval; now: string; start: string }[] = [
    { interval: 'DAILY', now: '2026-12-05T00:00:00.000Z', start: '2026-12-05T00:00:00.000Z' },
    { interval: 'DAILY', now: '2026-12-04T23:59:59.999Z', start: '2026-12-04T00:00:00.000Z' },
    { interval: 'WEEKLY', now: '2026-11-30T00:00:00.000Z', start: '2026-11-30T00:00:00.000Z' }, // a Monday
    { interval: 'WEEKLY', now: '2026-11-29T23:59:59.999Z', start: '2026-11-23T00:00:00.000Z' }, // a Sunday
    { interval: 'WEEKLY', now: '2026-12-02T12:00:00.000Z', start: '2026-11-30T00:00:00.000Z' }, // a Wednesday
    { interval: 'MONTHLY', now: '2026-12-01T00:00:00.000Z', start: '2026-12-01T00:00:00.000Z' },
    { interval: 'MONTHLY', now: '2026-11-30T23:59:59.999Z', start: '2026-11-01T00:00:00.000Z' },
    { interval: 'MONTHLY', now: '2026-12-31T23:59:59.999Z', start: '2026-12-01T00:00:00.000Z' },
    { interval: 'MONTHLY', now: '2027-03-01T08:00:00.000Z', start: '2027-03-01T00:00:00.000Z' }, // after a February
  ];

  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(cases)('$interval at $now: the window starts $start', async ({ interval, now, start }) => {
    expect(window(interval, new Date(now)).start.toISOString()).toBe(start); // the documented rule
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card } = await newCard(server, user.token, { walletId, initialAmount: '3000', spendingLimit: { amount: '1000', interval } });
    const begins = new Date(start);
    await backdate(await bought(user.token, card.id, '400'), new Date(begins.getTime() - 1_000));
    await backdate(await bought(user.token, card.id, '300'), begins);

    const authorize = (amount: bigint, id: string) =>
      server.app.services.track(() =>
        server.app.services.cardPurchases.authorize(server.app.orm.em.fork(), {
          cardId: card.id,
          issuerAuthorizationId: id,
          amount,
          merchant: { name: 'Shop' },
        }),
      );
    vi.useFakeTimers({ toFake: ['Date'], now: new Date(now) });
    const over = await authorize(701n, 'over');
    const fits = await authorize(700n, 'fits');
    vi.useRealTimers();

    expect(over.approved).toBe(false);
    expect(over.reason).toMatch(names[interval]);
    expect(fits.approved, fits.reason).toBe(true);
  });
});
