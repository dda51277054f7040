import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthSession, type SessionRevokedReason } from './session.entity.js';

/** The statements over `auth_sessions` that are not plain entity loads. */
export class SessionRepository {
  /**
   * Whether the session exists and is not revoked. With `lock`, inside a transaction, its row
   * stays share-locked until commit, so a revocation waits for it.
   */
  async isLive(em: EntityManager, sessionId: string, options: { lock?: boolean } = {}): Promise<boolean> {
    const sql = `select 1 from auth_sessions where id = ? and revoked_at is null${options.lock ? ' for share' : ''}`;
    const rows = await em.execute(sql, [sessionId]);
    return rows.length === 1;
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
