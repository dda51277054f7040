import 'reflect-metadata';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { describeError, MailWorker, retryDelaySeconds } from '../../src/domain/mail/mail-worker.js';
import { MailKind, MailOutbox } from '../../src/domain/mail/mail-outbox.repository.js';
import { SmtpTransport } from '../../src/domain/mail/transport.js';
import { sql, waitFor } from '../support/helpers.js';
import { useMailServer } from '../support/mail.js';
import { useTestServer } from '../support/server.js';

/**
 * The outbox and its worker against a real SMTP server: retries with backoff, giving up, leases
 * that keep concurrent workers from sending a row twice, and a claim left by a dead worker.
 */

const mail = useMailServer();
const server = useTestServer(() => ({
  SMTP_URL: mail.url,
  MAIL_WORKER_INTERVAL_MS: '100',
  MAIL_RETRY_BASE_SECONDS: '1',
  MAIL_MAX_ATTEMPTS: '3',
}));

type Row = { id: string; to_address: string; status: string; attempts: number; last_error: string | null; message_id: string | null };
const rows = () => sql<Row>(server, 'select id, to_address, status, attempts, last_error, message_id from mail_outbox order by to_address');
const settled = () => waitFor(rows, (r) => r.length > 0 && r.every((x) => x.status !== 'PENDING'), 20_000);

/** Notices for `count` addresses, added as a change would add them. */
async function enqueueNotices(count: number, prefix: string): Promise<string[]> {
  const to = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, '0')}@example.com`);
  await server.app.orm.em.fork().transactional((tx) =>
    new MailOutbox().enqueue(tx, ...to.map((address) => ({ kind: MailKind.PASSWORD_CHANGED, to: address, userId: null }))),
  );
  return to;
}

describe('retries and giving up', () => {
  it('backs off from the base delay, doubling, at most an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, 10))).toEqual([10, 20, 40, 80]);
    expect(retryDelaySeconds(0, 10)).toBe(10);
    expect(retryDelaySeconds(12, 10)).toBe(3600);
    expect(retryDelaySeconds(500, 10)).toBe(3600);
  });

  it('keeps a database error out of the row: its kind and code, not its statement', () => {
    class DriverException extends Error {}
    class ForeignKeyConstraintViolationException extends DriverException {
      code = '23503';
    }
    const err = new ForeignKeyConstraintViolationException("insert into account_tokens ... values ('secret')");
    err.name = 'ForeignKeyConstraintViolationException';
    expect(describeError(err)).toBe('ForeignKeyConstraintViolationException (23503)');
    expect(describeError(new Error('Message failed: 451 Try again later'))).toBe('Message failed: 451 Try again later');
    expect(describeError('a string')).toBe('a string');
  });

  it('tries again after a refusal and gives up after MAIL_MAX_ATTEMPTS, logging an error', async () => {
    mail.refuse('refused000@example.com', 3);
    const [to] = await enqueueNotices(1, 'refused');
    const [row] = await settled();
    expect(row).toMatchObject({ to_address: to, status: 'FAILED', attempts: 3, message_id: null });
    expect(row.last_error).toMatch(/451/);
    expect(mail.received.filter((m) => m.to === to)).toHaveLength(0);
    const givenUp = server.logs.map((l) => JSON.parse(l) as { level: number; msg: string; outboxId?: string }).find((l) => l.outboxId === row.id && l.level === 50);
    expect(givenUp?.msg).toBe('mail given up after every attempt');
    // The attempts before the last are warnings, not errors.
    const levels = server.logs.map((l) => JSON.parse(l) as { level: number; outboxId?: string }).filter((l) => l.outboxId === row.id).map((l) => l.level);
    expect(levels).toEqual([40, 40, 50]);
  });

  it('marks what it sent with its Message-ID, and sends it once', async () => {
    const [to] = await enqueueNotices(1, 'once');
    const [row] = await settled();
    expect(row).toMatchObject({ status: 'SENT', attempts: 1, last_error: null });
    const received = mail.received.filter((m) => m.to === to);
    expect(received).toHaveLength(1);
    expect(row.message_id).toBe(received[0].messageId);
    expect(received[0].messageId).toBe(`<${row.id}@127.0.0.1>`);
  });
});

describe('leases', () => {
  it('never sends a row twice while several workers run at once', async () => {
    const to = await enqueueNotices(40, 'many');
    const log = pino({ level: 'silent' });
    const workers = Array.from(
      { length: 3 },
      () =>
        new MailWorker(
          new MailOutbox(),
          () => server.app.orm.em.fork(),
          new SmtpTransport(mail.url, 5_000),
          async () => ({ name: 'Worker Test' }),
          { from: 'test@wallet.test', messageIdHost: 'wallet.test', leaseSeconds: 60, maxAttempts: 3, retryBaseSeconds: 1, batch: 3 },
          log,
        ),
    );
    await Promise.all(workers.map((w) => w.run()));
    const done = await settled();
    expect(done.every((r) => r.status === 'SENT' && r.attempts === 1)).toBe(true);
    const counts = new Map<string, number>();
    for (const m of mail.received) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
    expect(to.map((address) => counts.get(address))).toEqual(to.map(() => 1));
    await Promise.all(workers.map((w) => w.stop()));
  });

  it('sends a row whose worker died after claiming it, once the lease has ended', async () => {
    const [to] = await enqueueNotices(1, 'orphan');
    // A worker that claims the row and dies: it is nobody's for 2 seconds, then the server's worker takes it.
    const claimed = await new MailOutbox().claim(server.app.orm.em.fork(), 10, 2);
    expect(claimed.map((r) => r.to)).toContain(to);
    await new Promise((r) => setTimeout(r, 1000));
    expect(mail.received.filter((m) => m.to === to)).toHaveLength(0);
    await mail.waitFor(to);
    const [row] = await settled();
    expect(row).toMatchObject({ status: 'SENT', attempts: 2 });
    expect(mail.received.filter((m) => m.to === to)).toHaveLength(1);
  });
});

describe('with SMTP_URL', () => {
  it('has no development mailbox', async () => {
    expect((await fetch(`${server.url}/dev/mailbox`)).status).toBe(404);
  });
});
