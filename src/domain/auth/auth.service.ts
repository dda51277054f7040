import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RateLimit } from '../../cache/rate-limit.js';
import type { SessionAllowlist } from '../../cache/session-allowlist.js';
import { User } from '../users/user.entity.js';
import { normalizeEmail } from '../users/user.service.js';
import { MailKind, type MailOutbox } from '../mail/mail-outbox.repository.js';
import { AuthError, AuthException, consumeOrRefuse } from './auth.errors.js';
import { isCommonPassword } from './common-passwords.js';
import type { PasswordHasher } from './password.js';
import { RefreshToken } from './refresh-token.entity.js';
import { AuthSession, SessionRevokedReason } from './session.entity.js';
import { SessionRepository } from './session.repository.js';
import { hashRefreshToken, newRefreshToken, type TokenService } from './tokens.js';

export const MIN_PASSWORD_LENGTH = 8;
/** An allowlist entry outlives the access token that caused it by this much. */
export const ALLOWLIST_MARGIN_SECONDS = 60;
/** Bytes of UTF-8: the most argon2 is ever given. */
const MAX_PASSWORD_BYTES = 256;
const MAX_FULL_NAME_LENGTH = 200;

/** Who is calling: from a verified access token whose session is not revoked. */
export interface Viewer {
  userId: string;
  sessionId: string;
  expiresAt: Date;
}

/** Where a request came from, for rate limits and the session record. */
export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

export interface AuthResult {
  user: User;
  accessToken: string;
  expiresAt: Date;
  refreshToken: string;
}

export interface AuthLimits {
  loginPerEmail: RateLimit;
  loginPerIp: RateLimit;
  signupPerEmail: RateLimit;
  signupPerIp: RateLimit;
}

/** Sessions a revocation ended, and whether Redis took them off the allowlist. */
export interface Revoked {
  ids: string[];
  delisted: boolean;
}

interface Log {
  warn(obj: object, msg: string): void;
}

export class AuthService {
  private readonly sessions = new SessionRepository();
  /** Revoked sessions Redis may still list as live; removed again until it takes it. */
  private readonly unsyncedRevocations = new Set<string>();
  /**
   * Whether a listed session may be believed. Not until the first resync, nor after Redis
   * reconnects until the next one: a Redis restored from an older snapshot may list sessions
   * revoked since.
   */
  private allowlistTrusted = false;
  private revokedListeners: Array<(sessionIds: string[]) => Promise<void>> = [];

  /** Called after sessions are revoked (open WebSocket subscriptions of theirs must close). */
  onRevoked(listener: (sessionIds: string[]) => Promise<void>): void {
    this.revokedListeners.push(listener);
  }

  constructor(
    private readonly tokens: TokenService,
    private readonly passwords: PasswordHasher,
    private readonly limits: AuthLimits,
    private readonly allowlist: SessionAllowlist,
    private readonly settings: { refreshTtlSeconds: number; accessTtlSeconds: number },
    private readonly log: Log,
    /** Where sign-up's verification mail and the security notices go (in the change's transaction). */
    private readonly outbox?: MailOutbox,
  ) {}

  async signUp(
    em: EntityManager,
    input: { email: string; password: string; fullName: string },
    client: ClientInfo,
  ): Promise<AuthResult> {
    const email = normalizeEmail(input.email);
    await consumeOrRefuse(this.limits.signupPerIp, client.ip);
    if (!email) throw new AuthException(AuthError.InvalidEmail);
    await consumeOrRefuse(this.limits.signupPerEmail, email);
    validateNewPassword(input.password);
    const fullName = input.fullName.trim();
    if (fullName.length < 1 || fullName.length > MAX_FULL_NAME_LENGTH) {
      throw new AuthException(AuthError.InvalidFullName);
    }
    const passwordHash = await this.passwords.hash(input.password);
    try {
      return await em.transactional(async (tx) => {
        const user = tx.create(User, { email, passwordHash, fullName });
        const result = await this.openSession(tx, user, client);
        await this.outbox?.enqueue(tx, { kind: MailKind.VERIFY_EMAIL, to: email, userId: user.id });
        return result;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new AuthException(AuthError.EmailTaken);
      throw err;
    }
  }

  async logIn(em: EntityManager, input: { email: string; password: string }, client: ClientInfo): Promise<AuthResult> {
    // Every attempt counts until it succeeds; a success gives its attempt back.
    await consumeOrRefuse(this.limits.loginPerIp, client.ip);
    // No account has an address that is not one: only the per-IP count applies to it.
    const email = normalizeEmail(input.email);
    if (!email) throw new AuthException(AuthError.InvalidCredentials);
    await consumeOrRefuse(this.limits.loginPerEmail, email);
    // No password can be longer; argon2 is never given more.
    if (Buffer.byteLength(input.password) > MAX_PASSWORD_BYTES) throw new AuthException(AuthError.InvalidCredentials);
    const user = await em.findOne(User, { email });
    if (!user) {
      await this.passwords.verifyAgainstDummy(input.password);
      throw new AuthException(AuthError.InvalidCredentials);
    }
    if (!(await this.passwords.verify(user.passwordHash, input.password))) throw new AuthException(AuthError.InvalidCredentials);
    await Promise.all([this.limits.loginPerIp.refund(client.ip), this.limits.loginPerEmail.refund(email)]);
    return this.openSessionFor(em, user, client);
  }

  /**
   * Rotates a refresh token. A token that was already used revokes its whole session:
   * someone holds a copy of it.
   */
  async refresh(em: EntityManager, refreshToken: string, client: ClientInfo): Promise<AuthResult> {
    const tokenHash = hashRefreshToken(refreshToken);
    // An unknown, expired or ended token is refused (null); a used one names its session.
    const outcome = await em.transactional(async (tx) => {
      const token = await tx.findOne(RefreshToken, { tokenHash }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!token) return null;
      // The session row stays locked until commit, so a revocation committing meanwhile waits
      // and takes the session off the allowlist after this adds it.
      const lockMode = token.usedAt ? LockMode.PESSIMISTIC_WRITE : LockMode.PESSIMISTIC_READ;
      const session = await tx.findOneOrFail(AuthSession, token.session.id, { populate: ['user'], lockMode });
      if (token.usedAt) {
        // Already ended (a logout, an earlier reuse): refused, and it keeps its first reason.
        if (session.revokedAt) return null;
        session.revokedAt = new Date();
        session.revokedReason = SessionRevokedReason.REFRESH_TOKEN_REUSE;
        await tx.flush();
        return { reused: { ids: [session.id], delisted: await this.allowlist.remove([session.id]) } };
      }
      if (session.revokedAt || token.expiresAt <= new Date()) return null;
      token.usedAt = new Date();
      return { result: await this.issueTokens(tx, session.user, session) };
    });
    if (outcome?.result) return outcome.result;
    if (outcome?.reused) {
      this.log.warn({ sessionId: outcome.reused.ids[0], ip: client.ip }, 'refresh token reused: session revoked');
      await this.afterRevocation(outcome.reused);
    }
    throw new AuthException(AuthError.InvalidRefreshToken);
  }

  /**
   * Ends one session: the one the refresh token belongs to, or the caller's own. Returns
   * whether a live session was ended.
   */
  async logOut(em: EntityManager, viewer: Viewer | null, refreshToken?: string | null): Promise<boolean> {
    let sessionId: string | undefined;
    if (refreshToken) {
      const token = await em.findOne(RefreshToken, { tokenHash: hashRefreshToken(refreshToken) }, { populate: ['session'] });
      // A signed-in caller may only end their own sessions with it.
      if (token && (!viewer || token.session.user.id === viewer.userId)) sessionId = token.session.id;
    } else {
      if (!viewer) throw new AuthException(AuthError.NotAuthenticated);
      sessionId = viewer.sessionId;
    }
    if (!sessionId) return false;
    const revoked = await em.transactional((tx) => this.revokeSessions(tx, { id: sessionId }, SessionRevokedReason.LOGOUT));
    await this.afterRevocation(revoked);
    return revoked.ids.length > 0;
  }

  async changePassword(
    em: EntityManager,
    viewer: Viewer | null,
    input: { currentPassword: string; newPassword: string },
  ): Promise<{ user: User; revokedSessions: number }> {
    if (!viewer) throw new AuthException(AuthError.NotAuthenticated);
    const user = await em.findOneOrFail(User, viewer.userId);
    await this.verifyCurrentPassword(user, input.currentPassword);
    validateNewPassword(input.newPassword, 'newPassword');
    const passwordHash = await this.passwords.hash(input.newPassword);
    const revoked = await em.transactional(async (tx) => {
      await tx.nativeUpdate(User, { id: user.id }, { passwordHash, updatedAt: new Date() });
      await this.outbox?.enqueue(tx, { kind: MailKind.PASSWORD_CHANGED, to: user.email, userId: user.id });
      return this.revokeSessions(tx, { user: user.id, id: { $ne: viewer.sessionId } }, SessionRevokedReason.PASSWORD_CHANGED);
    });
    await this.afterRevocation(revoked);
    await em.refresh(user);
    return { user, revokedSessions: revoked.ids.length };
  }

  /**
   * INVALID_CREDENTIALS unless `password` is the user's. Guessing it with a stolen access token
   * counts as failed sign-ins of the account.
   */
  async verifyCurrentPassword(user: User, password: string): Promise<void> {
    await consumeOrRefuse(this.limits.loginPerEmail, user.email);
    const tooLong = Buffer.byteLength(password) > MAX_PASSWORD_BYTES;
    if (tooLong || !(await this.passwords.verify(user.passwordHash, password))) {
      throw new AuthException(AuthError.WrongCurrentPassword);
    }
    await this.limits.loginPerEmail.refund(user.email);
  }

  /** Revokes every live session of the user within `tx`; pass the result to `finishRevocation` once committed. */
  endAllSessions(tx: EntityManager, userId: string, reason: SessionRevokedReason): Promise<Revoked> {
    return this.revokeSessions(tx, { user: userId }, reason);
  }

  /** After the revocation's commit: open subscriptions close, and Redis is told again if it missed it. */
  finishRevocation(revoked: Revoked): Promise<void> {
    return this.afterRevocation(revoked);
  }

  /**
   * The viewer behind an `Authorization` header value, or null: a bad, expired or revoked
   * token is treated exactly like no token.
   */
  async authenticate(em: EntityManager, authorization: string | undefined): Promise<Viewer | null> {
    const token = parseBearer(authorization);
    if (!token) return null;
    const claims = await this.tokens.verifyAccessToken(token);
    if (!claims) return null;
    if (await this.isSessionRevoked(em, claims.sessionId)) return null;
    return claims;
  }

  /** Why `authenticate` refused this header: for the close reason a WebSocket client sees. */
  async refusal(em: EntityManager, authorization: string | undefined): Promise<'missing' | 'invalid' | 'expired' | 'revoked'> {
    const token = parseBearer(authorization);
    if (!token) return 'missing';
    const result = await this.tokens.inspectAccessToken(token);
    if ('refused' in result) return result.refused;
    return (await this.isSessionRevoked(em, result.claims.sessionId)) ? 'revoked' : 'invalid';
  }

  /**
   * Fails closed: a session is live when the allowlist in Redis lists it, or else when
   * PostgreSQL says so. A session PostgreSQL does not know is not live.
   */
  async isSessionRevoked(em: EntityManager, sessionId: string): Promise<boolean> {
    if (this.unsyncedRevocations.has(sessionId)) return true;
    const listed = this.allowlistTrusted ? await this.allowlist.lookUp(sessionId) : 'unknown';
    if (listed === 'listed') return false;
    if (listed === 'unknown') return !(await this.sessions.isLive(em, sessionId));
    // Not listed (evicted, expired, or lost in a restart): PostgreSQL decides, and a live
    // session goes back on the list while its row is locked, so a revocation committing
    // meanwhile waits and removes it after.
    const live = await em.transactional(async (tx) => {
      if (!(await this.sessions.isLive(tx, sessionId, { lock: true }))) return false;
      await this.allowlist.add([sessionId]);
      return true;
    });
    return !live;
  }

  /**
   * Takes every session revoked within an allowlist entry's lifetime off the list again, then
   * believes the list: run at start, whenever Redis comes back, and on an interval.
   */
  async resyncRevocations(em: EntityManager): Promise<void> {
    const since = new Date(Date.now() - (this.settings.accessTtlSeconds + ALLOWLIST_MARGIN_SECONDS) * 1000);
    const ids = [...new Set([...(await this.sessions.revokedSince(em, since)), ...this.unsyncedRevocations])];
    if (!(await this.allowlist.remove(ids))) return;
    for (const id of ids) this.unsyncedRevocations.delete(id);
    this.allowlistTrusted = true;
  }

  /** Redis reconnected: what it lists is not believed until the next resync. */
  distrustAllowlist(): void {
    this.allowlistTrusted = false;
  }

  /** A new session for a user whose identity is already established (sign-in, seeding). */
  openSessionFor(em: EntityManager, user: User, client: ClientInfo): Promise<AuthResult> {
    return em.transactional((tx) => this.openSession(tx, user, client));
  }

  private async openSession(em: EntityManager, user: User, client: ClientInfo): Promise<AuthResult> {
    const session = em.create(AuthSession, { user, ip: client.ip, userAgent: client.userAgent?.slice(0, 512) ?? null });
    return this.issueTokens(em, user, session);
  }

  private async issueTokens(em: EntityManager, user: User, session: AuthSession): Promise<AuthResult> {
    const refreshToken = newRefreshToken();
    em.create(RefreshToken, {
      session,
      tokenHash: hashRefreshToken(refreshToken),
      expiresAt: new Date(Date.now() + this.settings.refreshTtlSeconds * 1000),
    });
    await em.flush();
    // Listed before the transaction commits: see `refresh` for why the order matters.
    await this.allowlist.add([session.id]);
    const access = await this.tokens.issueAccessToken(user.id, session.id);
    return { user, accessToken: access.token, expiresAt: access.expiresAt, refreshToken };
  }

  /**
   * Marks live sessions matching `where` revoked and takes them off the allowlist before the
   * transaction commits, while their rows are locked. The caller passes the result to
   * `afterRevocation` once it has committed.
   */
  private async revokeSessions(tx: EntityManager, where: Record<string, unknown>, reason: SessionRevokedReason): Promise<Revoked> {
    const ids = await this.sessions.revoke(tx, where, reason);
    return { ids, delisted: await this.allowlist.remove(ids) };
  }

  private async afterRevocation(revoked: Revoked): Promise<void> {
    const { ids } = revoked;
    if (ids.length === 0) return;
    await Promise.all(this.revokedListeners.map((l) => l(ids).catch(() => undefined)));
    if (!revoked.delisted && !(await this.allowlist.remove(ids))) {
      for (const id of ids) this.unsyncedRevocations.add(id);
      this.log.warn({ sessions: ids.length }, 'Redis did not take a revocation; it is kept in memory until it does');
    }
  }

}

/**
 * NIST SP 800-63B: at least 8 characters, no composition rules, and not a password attackers
 * try first (a published list of common ones, or one character repeated). At most 256 bytes:
 * what argon2 is given stays bounded.
 */
export function validateNewPassword(password: string, field = 'password'): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new AuthException(AuthError.WeakPassword, { field });
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw new AuthException(AuthError.PasswordTooLong, { field });
  if (isCommonPassword(password)) throw new AuthException(AuthError.CommonPassword, { field });
}

function parseBearer(header: string | undefined): string | undefined {
  return header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}
