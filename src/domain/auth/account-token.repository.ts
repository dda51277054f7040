import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { pgDate } from '../shared/pg.js';
import { hashRefreshToken, newRefreshToken } from './tokens.js';

/** What a mailed token proves, and so what redeeming it does. */
export enum TokenPurpose {
  /** The account's own address is the holder's. */
  VERIFY_EMAIL = 'VERIFY_EMAIL',
  /** The holder may set a new password. */
  RESET_PASSWORD = 'RESET_PASSWORD',
  /** The holder of the new address takes it for the account. */
  CHANGE_EMAIL = 'CHANGE_EMAIL',
}

/** Wrong codes a token takes before its code stops working (its link still works). */
export const MAX_CODE_ATTEMPTS = 5;

export interface AccountToken {
  id: string;
  userId: string;
  purpose: TokenPurpose;
  /** The address the token was mailed to: the one it proves. */
  email: string;
  expiresAt: Date;
}

interface TokenRow {
  id: string;
  user_id: string;
  purpose: TokenPurpose;
  email: string;
  expires_at: Date | string;
  code_hash: string | null;
}

const toToken = (r: TokenRow): AccountToken => ({
  id: r.id,
  userId: r.user_id,
  purpose: r.purpose,
  email: r.email,
  expiresAt: pgDate(r.expires_at),
});

/** A code is hashed with its token's id: the same code of two tokens hashes apart. */
const hashCode = (tokenId: string, code: string) => createHash('sha256').update(`${tokenId}:${code}`).digest('hex');

/**
 * Single-use tokens mailed to people: 256 random bits in a link (and, for the purposes that
 * verify an address, a 6-digit code for typing on a phone), stored as SHA-256 hashes only.
 * Issuing one ends the unused ones of the same user and purpose: only the latest mail works.
 */
export class AccountTokens {
  async issue(
    tx: EntityManager,
    input: { userId: string; purpose: TokenPurpose; email: string; ttlSeconds: number; withCode: boolean },
  ): Promise<{ token: string; code?: string }> {
    await this.supersede(tx, input.userId, input.purpose);
    const id = randomUUID();
    const token = newRefreshToken();
    const code = input.withCode ? String(randomInt(0, 1_000_000)).padStart(6, '0') : undefined;
    await tx.execute(
      `insert into account_tokens (id, user_id, purpose, email, token_hash, code_hash, expires_at)
       values (?, ?, ?, ?, ?, ?, now() + make_interval(secs => ?))`,
      [id, input.userId, input.purpose, input.email, hashRefreshToken(token), code ? hashCode(id, code) : null, input.ttlSeconds],
    );
    return { token, code };
  }

  /** The live token (unused, unexpired, of one of `purposes`) the link carries, locked until commit; or null. */
  async findByToken(tx: EntityManager, token: string, purposes: TokenPurpose[]): Promise<AccountToken | null> {
    const [row] = await tx.execute<TokenRow[]>(
      `select id, user_id, purpose, email, expires_at, code_hash from account_tokens
       where token_hash = ? and purpose = any(?::text[]) and used_at is null and expires_at > now() for update`,
      [hashRefreshToken(token), `{${purposes.join(',')}}`],
    );
    return row ? toToken(row) : null;
  }

  /**
   * The user's live token of `purposes` whose code this is, locked until commit; or null, and
   * then every live code of theirs has one attempt fewer.
   */
  async findByCode(tx: EntityManager, userId: string, code: string, purposes: TokenPurpose[]): Promise<AccountToken | null> {
    const rows = await tx.execute<TokenRow[]>(
      `select id, user_id, purpose, email, expires_at, code_hash from account_tokens
       where user_id = ? and purpose = any(?::text[]) and used_at is null and expires_at > now()
         and code_hash is not null and code_attempts < ? for update`,
      [userId, `{${purposes.join(',')}}`, MAX_CODE_ATTEMPTS],
    );
    const match = rows.find((r) => timingSafeEqual(Buffer.from(r.code_hash!, 'hex'), Buffer.from(hashCode(r.id, code), 'hex')));
    if (match) return toToken(match);
    if (rows.length > 0) {
      await tx.execute('update account_tokens set code_attempts = code_attempts + 1 where id = any(?::uuid[])', [
        `{${rows.map((r) => r.id).join(',')}}`,
      ]);
    }
    return null;
  }

  async use(tx: EntityManager, id: string): Promise<void> {
    await tx.execute('update account_tokens set used_at = now() where id = ?', [id]);
  }

  /** Ends every unused token of the user for `purpose`. */
  async supersede(tx: EntityManager, userId: string, purpose: TokenPurpose): Promise<void> {
    await tx.execute('update account_tokens set used_at = now() where user_id = ? and purpose = ? and used_at is null', [userId, purpose]);
  }
}
