import type { EntityManager } from '@mikro-orm/postgresql';

/** How long each kind of row is kept after it stopped mattering, in days. */
export interface RetentionSettings {
  idempotencyDays: number;
  sessionDays: number;
  webhookDays: number;
  mailDays: number;
}

/** Rows deleted by one pass, by kind. */
export interface Pruned {
  idempotencyKeys: number;
  sessions: number;
  refreshTokens: number;
  webhookEvents: number;
  mail: number;
  accountTokens: number;
}

/** Rows per statement: short transactions, no long lock on a busy table. */
const BATCH = 5_000;

/**
 * What the retention job deletes. The audit log, the ledger, transactions and payments are kept.
 * - idempotency keys older than `idempotencyDays` (a retry that late runs as a new request);
 * - sessions that ended (revoked, or every refresh token expired) `sessionDays` ago, with their
 *   refresh tokens, and used or expired refresh tokens of live sessions as old;
 * - webhook events received `webhookDays` ago (a payment settles once whatever arrives later);
 * - mail the outbox is done with (sent, skipped or given up) and the development mailbox's
 *   copies, `mailDays` after they were written, and account tokens used or expired as long ago.
 */
export class RetentionRepository {
  async prune(em: EntityManager, days: RetentionSettings): Promise<Pruned> {
    const idempotencyKeys = await this.inBatches(
      em,
      `delete from idempotency_keys where ctid in (
         select ctid from idempotency_keys where created_at < now() - make_interval(days => ?) limit ${BATCH})`,
      [days.idempotencyDays],
    );
    const sessions = await this.inBatches(
      em,
      `delete from auth_sessions where id in (
         select s.id from auth_sessions s
         where s.created_at < now() - make_interval(days => ?)
           and (s.revoked_at < now() - make_interval(days => ?)
                or not exists (select 1 from refresh_tokens t
                               where t.session_id = s.id and t.expires_at >= now() - make_interval(days => ?)))
         limit ${BATCH})`,
      [days.sessionDays, days.sessionDays, days.sessionDays],
    );
    const refreshTokens = await this.inBatches(
      em,
      `delete from refresh_tokens where id in (
         select id from refresh_tokens
         where used_at < now() - make_interval(days => ?) or expires_at < now() - make_interval(days => ?)
         limit ${BATCH})`,
      [days.sessionDays, days.sessionDays],
    );
    const webhookEvents = await this.inBatches(
      em,
      `delete from webhook_events where event_key in (
         select event_key from webhook_events where received_at < now() - make_interval(days => ?) limit ${BATCH})`,
      [days.webhookDays],
    );
    const mail =
      (await this.inBatches(
        em,
        `delete from mail_outbox where id in (
           select id from mail_outbox where status <> 'PENDING' and created_at < now() - make_interval(days => ?) limit ${BATCH})`,
        [days.mailDays],
      )) +
      (await this.inBatches(
        em,
        `delete from dev_mailbox where id in (
           select id from dev_mailbox where created_at < now() - make_interval(days => ?) limit ${BATCH})`,
        [days.mailDays],
      ));
    const accountTokens = await this.inBatches(
      em,
      `delete from account_tokens where id in (
         select id from account_tokens
         where used_at < now() - make_interval(days => ?) or expires_at < now() - make_interval(days => ?)
         limit ${BATCH})`,
      [days.mailDays, days.mailDays],
    );
    return { idempotencyKeys, sessions, refreshTokens, webhookEvents, mail, accountTokens };
  }

  private async inBatches(em: EntityManager, sql: string, params: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await em.getConnection().execute(sql, params, 'run');
      const deleted = (result as { affectedRows?: number }).affectedRows ?? 0;
      total += deleted;
      if (deleted < BATCH) return total;
    }
  }
}
