import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthSession, type SessionRevokedReason } from './session.entity.js';

/** The statements over `auth_sessions` that are not plain entity loads. */
export class SessionRepository {
  /** True when revoked, false when live, null when there is no such session. */
  async isRevoked(em: EntityManager, sessionId: string): Promise<boolean | null> {
    const rows = await em.getConnection().execute<{ revoked_at: Date | null }[]>('select revoked_at from auth_sessions where id = ?', [sessionId]);
    return rows.length === 0 ? null : rows[0].revoked_at !== null;
  }

  /** Sessions revoked at `since` or later. */
  async revokedSince(em: EntityManager, since: Date): Promise<string[]> {
    const rows = await em.getConnection().execute<{ id: string }[]>('select id from auth_sessions where revoked_at >= ?', [since]);
    return rows.map((r) => r.id);
  }

  /** Marks the live sessions matching `where` revoked; returns their ids. */
  async revoke(em: EntityManager, where: Record<string, unknown>, reason: SessionRevokedReason): Promise<string[]> {
    const rows = await em
      .createQueryBuilder(AuthSession)
      .update({ revokedAt: new Date(), revokedReason: reason })
      .where({ ...where, revokedAt: null })
      .returning(['id'])
      .execute<{ id: string }[]>('all', false);
    return rows.map((r) => r.id);
  }
}
