import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, ErrorCode } from '../shared/error-codes.js';
import { IdempotencyError, IdempotencyException } from './idempotency.errors.js';
import { IdempotencyRepository, type Recorded, type StoredKey } from './idempotency.repository.js';

/** Business answers are recorded and replayed; provider and internal failures are not (rule 6). */
const REPLAYED_CODES = new Set<string>([
  ErrorCode.INSUFFICIENT_FUNDS,
  ErrorCode.LIMIT_EXCEEDED,
  ErrorCode.CARD_NOT_ACTIVE,
  ErrorCode.CURRENCY_MISMATCH,
  ErrorCode.UNSUPPORTED_CURRENCY,
]);

/** A business answer given to the first request, given again to its repeats. */
export class ReplayedError extends DomainError<string> {
  readonly code: ErrorCode;

  constructor(code: string, message: string, extensions: Record<string, unknown>) {
    super(code, message, extensions);
    this.code = code as ErrorCode;
  }
}

export interface IdempotentRequest {
  userId: string;
  key: string;
  /** The mutation's name: the same key on another operation is a reuse. */
  operation: string;
  /** The canonical input; its fingerprint decides whether a repeat is the same request. */
  input: Record<string, unknown>;
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export function fingerprint(operation: string, input: Record<string, unknown>): string {
  return createHash('sha256').update(`${operation}\n${canonical(input)}`).digest('hex');
}

/**
 * Money rule 6. The key is claimed in PostgreSQL (idempotency_claim, which wallet_transfer
 * calls too) in the same transaction as the effect: a repeat with the same fingerprint gets
 * the recorded result and moves nothing (also after a restart); a concurrent repeat waits on
 * the first one's row lock, at most 5 s, and then replays it.
 */
export class IdempotencyService {
  private readonly repo = new IdempotencyRepository();

  async run<T>(em: EntityManager, req: IdempotentRequest, body: (tx: EntityManager) => Promise<T>): Promise<T> {
    const print = this.fingerprintOf(req);
    const recorded: Recorded<T> = await em.transactional(async (tx) => {
      // The claim is PostgreSQL's idempotency_claim (src/db/functions), as wallet_transfer's.
      let existing: (StoredKey<T> & { found: boolean }) | null;
      try {
        existing = await this.repo.claim<T>(tx, { userId: req.userId, key: req.key, operation: req.operation, fingerprint: print });
      } catch (err) {
        if ((err as { code?: string }).code === '55P03') throw new IdempotencyException(IdempotencyError.KeyInProgress);
        throw err;
      }
      if (existing) return this.replayOf(existing.found ? existing : null, print);
      let result: Recorded<T>;
      try {
        // A savepoint: a business refusal undoes the body's writes but keeps the key record.
        result = { value: await tx.transactional((inner) => body(inner)) };
      } catch (err) {
        const refusal = this.refusal(err);
        if (!refusal) throw err;
        result = refusal;
      }
      await this.repo.record(tx, req.userId, req.key, result);
      return result;
    });
    return this.answer(recorded);
  }

  /** Checks the key's length and returns the request's fingerprint. */
  fingerprintOf(req: IdempotentRequest): string {
    if (req.key.length < 1 || req.key.length > 255) throw new IdempotencyException(IdempotencyError.InvalidKey);
    return fingerprint(req.operation, req.input);
  }

  /** A business refusal as it is recorded on the key, or null for an error that must not be replayed. */
  private refusal(err: unknown): Recorded<never> | null {
    if (!(err instanceof DomainError) || !REPLAYED_CODES.has(err.code)) return null;
    return { error: { code: err.code, message: err.message, extensions: err.extensions } };
  }

  /** The recorded answer: its value, or its refusal thrown again. */
  answer<T>(recorded: Recorded<T>): T {
    if ('error' in recorded) throw new ReplayedError(recorded.error.code, recorded.error.message, recorded.error.extensions);
    return recorded.value;
  }

  /** The answer for a repeat of a key that was already there (null: no such key after all). */
  replayOf<T>(row: StoredKey<T> | null, print: string): Recorded<T> {
    if (!row) throw new IdempotencyException(IdempotencyError.KeyInProgress);
    if (row.fingerprint !== print) throw new IdempotencyException(IdempotencyError.KeyReused);
    if (!row.result) throw new IdempotencyException(IdempotencyError.KeyInProgress);
    return row.result;
  }

  /** True when this exact request was already recorded (its repeat needs no fresh checks). */
  async seen(em: EntityManager, req: IdempotentRequest): Promise<boolean> {
    return (await this.repo.answeredFingerprint(em, req.userId, req.key)) === fingerprint(req.operation, req.input);
  }

  /**
   * Forgets a key whose request failed in a way that must not be replayed (the provider was
   * down), only while its recorded value still holds `value`: a key a later request claimed again
   * in the meantime is left alone.
   */
  async forget(em: EntityManager, userId: string, key: string, value: Record<string, string>): Promise<void> {
    await this.repo.deleteIfValue(em, userId, key, value);
  }
}
