import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditRepository, type AuditEntry } from './audit.repository.js';

export type { AuditEntry } from './audit.repository.js';

/**
 * Who did what to money, when, from where, and how it ended: one row per mutation or webhook,
 * written by the SQL function audit_record (src/db/functions/audit_record.v1.sql), which
 * wallet_transfer calls too.
 */
export class AuditService {
  private readonly repo = new AuditRepository();

  async record(em: EntityManager, e: AuditEntry): Promise<void> {
    await this.repo.insert(em, e);
  }

  /** Runs `work`; if it is refused or fails, records that (recordRefusal) and throws its error on. */
  async refusalsOf<T>(
    em: EntityManager,
    actor: { userId: string; requestId?: string; ip?: string },
    action: string,
    details: Record<string, unknown>,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (err) {
      await this.recordRefusal(em, actor, action, err, details);
      throw err;
    }
  }

  /** A refused or failed mutation: its outcome is the error's code. Never throws. */
  async recordRefusal(
    em: EntityManager,
    actor: { userId: string; requestId?: string; ip?: string },
    action: string,
    err: unknown,
    details: Record<string, unknown>,
  ): Promise<void> {
    const code = (err as { code?: unknown }).code;
    await this.record(em, {
      userId: actor.userId,
      action,
      outcome: typeof code === 'string' ? code : 'ERROR',
      requestId: actor.requestId,
      ip: actor.ip,
      details,
    }).catch(() => undefined);
  }
}
