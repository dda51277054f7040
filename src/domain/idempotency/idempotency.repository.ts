import type { EntityManager } from '@mikro-orm/postgresql';

/** What a key answers, as `idempotency_keys.result` keeps it: the first request's value, or its business refusal. */
export type Recorded<T> = { value: T } | { error: { code: string; message: string; extensions: Record<string, unknown> } };

/** What idempotency_keys holds for a key that was already there. */
export interface StoredKey<T> {
  fingerprint: string;
  result: Recorded<T> | null;
}

/** The key a request names: whose, which, for what. */
export interface KeyClaim {
  userId: string;
  key: string;
  operation: string;
  fingerprint: string;
}

/** Every statement over `idempotency_keys`. */
export class IdempotencyRepository {
  /**
   * idempotency_claim (src/db/functions/idempotency_claim.v1.sql): null when this request
   * inserted the key, else the row that was there (found false when it vanished meanwhile).
   * Throws PostgreSQL's 55P03 when the first request holds the key longer than the function waits.
   */
  async claim<T>(tx: EntityManager, c: KeyClaim): Promise<(StoredKey<T> & { found: boolean }) | null> {
    const [{ existing }] = await tx.execute<{ existing: (StoredKey<T> & { found: boolean }) | null }[]>(
      'select idempotency_claim(?, ?, ?, ?, null) as existing',
      [c.userId, c.key, c.operation, c.fingerprint],
    );
    return existing;
  }

  /** Stores the answer on the key, in the transaction that inserted it. */
  async record<T>(tx: EntityManager, userId: string, key: string, result: Recorded<T>): Promise<void> {
    await tx.execute('update idempotency_keys set result = ?::jsonb where user_id = ? and key = ?', [
      JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
      userId,
      key,
    ]);
  }

  /** The fingerprint of a key that has its answer, or null. */
  async answeredFingerprint(em: EntityManager, userId: string, key: string): Promise<string | null> {
    const rows = await em.execute<{ fingerprint: string }[]>(
      'select fingerprint from idempotency_keys where user_id = ? and key = ? and result is not null',
      [userId, key],
    );
    return rows.length > 0 ? rows[0].fingerprint : null;
  }

  /** Deletes the key only while its recorded value still holds `value`. */
  async deleteIfValue(em: EntityManager, userId: string, key: string, value: Record<string, string>): Promise<void> {
    await em.execute(`delete from idempotency_keys where user_id = ? and key = ? and result->'value' @> ?::jsonb`, [
      userId,
      key,
      JSON.stringify(value),
    ]);
  }
}
