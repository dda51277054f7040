import type { EntityManager } from '@mikro-orm/postgresql';

export interface AuditEntry {
  userId?: string | null;
  action: string;
  outcome: string;
  requestId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** The audit trail's one statement: audit_record (src/db/functions/audit_record.v1.sql), which wallet_transfer calls too. */
export class AuditRepository {
  async insert(em: EntityManager, e: AuditEntry): Promise<void> {
    await em.execute('select audit_record(?, ?, ?, ?, ?, ?::jsonb)', [
      e.userId ?? null,
      e.action,
      e.outcome,
      e.requestId ?? null,
      e.ip ?? null,
      JSON.stringify(e.details ?? {}, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    ]);
  }
}
