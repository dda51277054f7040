import type { EntityManager } from '@mikro-orm/postgresql';

/** The limits' one statement: outflow_limit (src/db/functions/outflow_limit.v1.sql). */
export class MonitoringRepository {
  /**
   * The refusal outflow_limit answers (the limit that would be passed, as `extensions`), or null
   * when the outflow is allowed; a null limit is none. Takes the user's outflow lock for the
   * currency, held until the caller commits.
   */
  async outflowRefusal(
    tx: EntityManager,
    userId: string,
    currency: string,
    amount: bigint,
    limits: { max: bigint | null; daily: bigint | null },
  ): Promise<Record<string, string> | null> {
    const [{ refusal }] = await tx.execute<{ refusal: Record<string, string> | null }[]>(
      'select outflow_limit(?, ?, ?::bigint, ?::bigint, ?::bigint) as refusal',
      [userId, currency, amount.toString(), limits.max?.toString() ?? null, limits.daily?.toString() ?? null],
    );
    return refusal;
  }
}
