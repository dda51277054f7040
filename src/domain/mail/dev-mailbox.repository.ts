import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/** The statements over `dev_mailbox`: what the server "sent" without SMTP_URL. */

/** Keeps a message as it would have been sent. */
export async function keep(
  em: EntityManager,
  m: { outboxId: string; to: string; subject: string; text: string; html: string },
): Promise<void> {
  await em
    .getConnection()
    .execute('insert into dev_mailbox (id, outbox_id, to_address, subject, text_body, html_body) values (?, ?, ?, ?, ?, ?)', [
      randomUUID(),
      m.outboxId,
      m.to,
      m.subject,
      m.text,
      m.html,
    ]);
}

export interface DevMailboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  createdAt: string;
}

/** The newest messages of the development mailbox, optionally only those to `to`, or the one `id`. */
export async function readDevMailbox(
  em: EntityManager,
  opts: { to?: string; id?: string; limit?: number } = {},
): Promise<DevMailboxMessage[]> {
  const rows = await em
    .getConnection()
    .execute<{ id: string; to_address: string; subject: string; text_body: string; html_body: string; created_at: Date | string }[]>(
      `select id, to_address, subject, text_body, html_body, created_at from dev_mailbox
     where (?::text is null or to_address = ?) and (?::uuid is null or id = ?::uuid) order by created_at desc, id limit ?`,
      [opts.to ?? null, opts.to ?? null, opts.id ?? null, opts.id ?? null, opts.limit ?? 50],
    );
  return rows.map((r) => ({
    id: r.id,
    to: r.to_address,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
