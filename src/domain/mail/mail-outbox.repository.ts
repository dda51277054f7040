import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/** What a mail says; the template (templates.ts) and, for links, the token are chosen by kind. */
export enum MailKind {
  /** A link and a code that verify the address signed up with. */
  VERIFY_EMAIL = 'VERIFY_EMAIL',
  /** A single-use link that sets a new password; to whatever address was typed (sent only if it has an account). */
  PASSWORD_RESET = 'PASSWORD_RESET',
  /** A link and a code, to the new address, that complete an email change. */
  CONFIRM_EMAIL_CHANGE = 'CONFIRM_EMAIL_CHANGE',
  /** Security notices, without links that act. */
  PASSWORD_CHANGED = 'PASSWORD_CHANGED',
  PASSWORD_WAS_RESET = 'PASSWORD_WAS_RESET',
  EMAIL_CHANGE_REQUESTED = 'EMAIL_CHANGE_REQUESTED',
  EMAIL_CHANGED = 'EMAIL_CHANGED',
}

/** Mail to send: written by `enqueue` in the transaction of the change that causes it. */
export interface OutgoingMail {
  kind: MailKind;
  to: string;
  /** The account it is about; null for a reset requested for an address (resolved when sent). */
  userId: string | null;
  /** What the template needs beside the account (never a secret: it is stored as is). */
  data?: Record<string, string>;
}

/** A claimed row of `mail_outbox`. */
export interface OutboxRow {
  id: string;
  kind: MailKind;
  userId: string | null;
  to: string;
  data: Record<string, string>;
  attempts: number;
}

/** The statements over `mail_outbox`. */
export class MailOutbox {
  /** Adds mail within `tx`: it exists exactly when the change that caused it commits. */
  async enqueue(tx: EntityManager, ...mails: OutgoingMail[]): Promise<void> {
    for (const mail of mails) {
      await tx.execute('insert into mail_outbox (id, kind, user_id, to_address, data) values (?, ?, ?, ?, ?::jsonb)', [
        randomUUID(),
        mail.kind,
        mail.userId,
        mail.to,
        JSON.stringify(mail.data ?? {}),
      ]);
    }
  }

  /**
   * Takes up to `limit` due rows for `leaseSeconds`: another replica skips them until then,
   * and takes them again if this one died while sending. Counts the attempt.
   */
  async claim(em: EntityManager, limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
    const rows = await em
      .getConnection()
      .execute<
        { id: string; kind: MailKind; user_id: string | null; to_address: string; data: Record<string, string>; attempts: number }[]
      >(
        `update mail_outbox set locked_until = now() + make_interval(secs => ?), attempts = attempts + 1
       where id in (select id from mail_outbox
                    where status = 'PENDING' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
                    order by next_attempt_at limit ? for update skip locked)
       returning id, kind, user_id, to_address, data, attempts`,
        [leaseSeconds, limit],
      );
    return rows.map((r) => ({ id: r.id, kind: r.kind, userId: r.user_id, to: r.to_address, data: r.data, attempts: r.attempts }));
  }

  async markSent(em: EntityManager, id: string, messageId: string): Promise<void> {
    await em
      .getConnection()
      .execute(
        `update mail_outbox set status = 'SENT', sent_at = now(), locked_until = null, last_error = null, message_id = ? where id = ?`,
        [messageId, id],
      );
  }

  /** Nothing to send any more (the address has no account, it was verified meanwhile, …). */
  async markSkipped(em: EntityManager, id: string, reason: string): Promise<void> {
    await em
      .getConnection()
      .execute(`update mail_outbox set status = 'SKIPPED', locked_until = null, last_error = ? where id = ?`, [reason, id]);
  }

  /** A failed attempt: tried again after `retryInSeconds`, or given up on (null). */
  async markFailed(em: EntityManager, id: string, error: string, retryInSeconds: number | null): Promise<void> {
    await em
      .getConnection()
      .execute(
        retryInSeconds === null
          ? `update mail_outbox set status = 'FAILED', locked_until = null, last_error = ? where id = ?`
          : `update mail_outbox set locked_until = null, last_error = ?, next_attempt_at = now() + make_interval(secs => ?) where id = ?`,
        retryInSeconds === null ? [error.slice(0, 500), id] : [error.slice(0, 500), retryInSeconds, id],
      );
  }
}
