import type { EntityManager } from '@mikro-orm/postgresql';

/** One provider event as the dedupe of money rule 7 keys and records it. */
export interface ReceivedEvent {
  /** The provider's own id of the event (or of its payload, where it has none): the dedupe key. */
  eventKey: string;
  provider: string;
  type: string;
  /** Our payment reference or card id it was about, for operators reading the table. */
  reference: string;
}

/**
 * The `webhook_events` table, for payment providers and card issuers alike. An event is
 * recorded in the same transaction as its effect, so it is applied exactly once however often
 * the provider sends it, and a rolled-back effect leaves it unrecorded for the next delivery.
 */
export class WebhookEventRepository {
  /** Whether the event was applied before: a cheap early answer outside the effect's transaction. */
  async seen(em: EntityManager, eventKey: string): Promise<boolean> {
    const rows = await em.execute('select 1 from webhook_events where event_key = ?', [eventKey]);
    return rows.length > 0;
  }

  /** False when this event was applied before; call it inside the effect's transaction. */
  async record(tx: EntityManager, event: ReceivedEvent): Promise<boolean> {
    const rows = await tx.execute(
      `insert into webhook_events (event_key, provider, type, reference, outcome) values (?, ?, ?, ?, 'APPLIED')
       on conflict (event_key) do nothing returning 1`,
      [event.eventKey, event.provider, event.type, event.reference],
    );
    return rows.length > 0;
  }
}
