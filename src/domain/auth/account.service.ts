import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RateLimit } from '../../cache/rate-limit.js';
import { MailKind, type MailOutbox, type OutboxRow } from '../mail/mail-outbox.repository.js';
import type { MailVariables } from '../mail/templates.js';
import { User } from '../users/user.entity.js';
import { normalizeEmail } from '../users/user.service.js';
import { AccountTokens, TokenPurpose, type AccountToken } from './account-token.repository.js';
import { AuthError, AuthException, consumeOrRefuse } from './auth.errors.js';
import { validateNewPassword, type AuthService, type ClientInfo, type Viewer } from './auth.service.js';
import type { PasswordHasher } from './password.js';
import { SessionRevokedReason } from './session.entity.js';

export interface AccountLimits {
  /** requestPasswordReset per address typed, and per IP. */
  resetPerEmail: RateLimit;
  resetPerIp: RateLimit;
  /** Verification and email-change mails a user may ask for. */
  mailsPerUser: RateLimit;
  /** verifyEmail and resetPassword attempts per IP (a success gives its attempt back). */
  tokenAttemptsPerIp: RateLimit;
}

export interface AccountSettings {
  /** Where the links in mail point: the web app's origin (its /verify-email and /reset-password pages). */
  webAppUrl: string;
  /** EMAIL_VERIFICATION_REQUIRED: an unverified user may not send or withdraw. */
  verificationRequired: boolean;
  verifyTtlSeconds: number;
  resetTtlSeconds: number;
}

/** Users known to be verified; a verified address stays verified (an email change verifies the new one). */
const VERIFIED_MEMORY = 100_000;

/** "30 minutes", "24 hours". */
export function inWords(seconds: number): string {
  const [unit, size] = seconds % 3600 === 0 ? ['hour', 3600] : seconds % 60 === 0 ? ['minute', 60] : ['second', 1];
  const n = seconds / (size as number);
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

type Redeemed = { user: User; changedFrom?: string } | { refused: AuthError };

/**
 * Account recovery, as OWASP's forgot-password cheat sheet has it: addresses proven by a
 * mailed link or code, a password reset that says the same for every address and mails a
 * single-use link, email changes confirmed through the new address, and security notices.
 * Mail is written to the outbox in the transaction of the change (src/domain/mail).
 */
export class AccountService {
  private readonly tokens = new AccountTokens();
  private readonly verified = new Set<string>();

  constructor(
    private readonly auth: AuthService,
    private readonly passwords: PasswordHasher,
    private readonly outbox: MailOutbox,
    private readonly limits: AccountLimits,
    private readonly settings: AccountSettings,
  ) {}

  /**
   * Redeems a verification link's token, or (signed in) the 6-digit code beside it: the
   * account's address is verified, or a pending email change completes.
   */
  async verifyEmail(em: EntityManager, viewer: Viewer | null, rawToken: string, client: ClientInfo): Promise<{ user: User; changed: boolean }> {
    const token = rawToken.trim();
    const isCode = /^\d{6}$/.test(token);
    if (isCode && !viewer) throw new AuthException(AuthError.CodeNeedsSignIn);
    await consumeOrRefuse(this.limits.tokenAttemptsPerIp, client.ip);
    const purposes = [TokenPurpose.VERIFY_EMAIL, TokenPurpose.CHANGE_EMAIL];
    let outcome: Redeemed;
    try {
      // A wrong code's attempt is counted in this transaction: it commits, then the error is thrown.
      outcome = await em.transactional(async (tx): Promise<Redeemed> => {
        const found = isCode
          ? await this.tokens.findByCode(tx, viewer!.userId, token, purposes)
          : token
            ? await this.tokens.findByToken(tx, token, purposes)
            : null;
        return found ? this.redeemVerification(tx, found) : { refused: AuthError.InvalidAccountToken };
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new AuthException(AuthError.EmailTaken, { field: 'token' });
      throw err;
    }
    if ('refused' in outcome) throw new AuthException(outcome.refused);
    await this.limits.tokenAttemptsPerIp.refund(client.ip);
    this.remember(outcome.user.id);
    return { user: outcome.user, changed: outcome.changedFrom !== undefined };
  }

  /** Mails a new verification link and code (the older ones stop working). */
  async resendVerificationEmail(em: EntityManager, viewer: Viewer | null): Promise<{ email: string }> {
    if (!viewer) throw new AuthException(AuthError.NotAuthenticated);
    const user = await em.findOneOrFail(User, viewer.userId);
    if (user.emailVerifiedAt) throw new AuthException(AuthError.EmailAlreadyVerified);
    await consumeOrRefuse(this.limits.mailsPerUser, user.id);
    await em.transactional((tx) => this.outbox.enqueue(tx, { kind: MailKind.VERIFY_EMAIL, to: user.email, userId: user.id }));
    return { email: user.email };
  }

  /**
   * The same answer, and the same work, for every address: a row in the outbox. Whether the
   * address has an account is decided when the mail is sent (src/domain/mail), out of the
   * request's time.
   */
  async requestPasswordReset(em: EntityManager, rawEmail: string, client: ClientInfo): Promise<void> {
    await consumeOrRefuse(this.limits.resetPerIp, client.ip);
    const email = normalizeEmail(rawEmail);
    if (!email) throw new AuthException(AuthError.InvalidEmail);
    await consumeOrRefuse(this.limits.resetPerEmail, email);
    await em.transactional((tx) => this.outbox.enqueue(tx, { kind: MailKind.PASSWORD_RESET, to: email, userId: null }));
  }

  /**
   * Sets a new password with a reset link's token: every session ends, the token and any other
   * reset link stop working, and the owner is told by mail. The address is thereby proven.
   */
  async resetPassword(
    em: EntityManager,
    input: { token: string; newPassword: string },
    client: ClientInfo,
  ): Promise<{ user: User; revokedSessions: number }> {
    await consumeOrRefuse(this.limits.tokenAttemptsPerIp, client.ip);
    const token = input.token.trim();
    const purposes = [TokenPurpose.RESET_PASSWORD];
    // Checked before the password, so a dead link is said first; checked again, locked, below.
    if (!token || !(await this.tokens.findByToken(em, token, purposes))) throw new AuthException(AuthError.InvalidAccountToken);
    validateNewPassword(input.newPassword, 'newPassword');
    const passwordHash = await this.passwords.hash(input.newPassword);
    const outcome = await em.transactional(async (tx) => {
      const found = await this.tokens.findByToken(tx, token, purposes);
      if (!found) return null;
      const user = await tx.findOneOrFail(User, found.userId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      await this.tokens.use(tx, found.id);
      user.passwordHash = passwordHash;
      if (!user.emailVerifiedAt && user.email === found.email) user.emailVerifiedAt = new Date();
      await tx.flush();
      await this.outbox.enqueue(tx, { kind: MailKind.PASSWORD_WAS_RESET, to: user.email, userId: user.id });
      return { user, revoked: await this.auth.endAllSessions(tx, user.id, SessionRevokedReason.PASSWORD_RESET) };
    });
    if (!outcome) throw new AuthException(AuthError.InvalidAccountToken);
    await this.auth.finishRevocation(outcome.revoked);
    await this.limits.tokenAttemptsPerIp.refund(client.ip);
    if (outcome.user.emailVerifiedAt) this.remember(outcome.user.id);
    return { user: outcome.user, revokedSessions: outcome.revoked.ids.length };
  }

  /**
   * Starts an email change (current password needed): a link and a code go to the new address,
   * a notice to the current one. Nothing changes until the new address is confirmed.
   */
  async changeEmail(
    em: EntityManager,
    viewer: Viewer | null,
    input: { newEmail: string; currentPassword: string },
  ): Promise<{ user: User; pendingEmail: string }> {
    if (!viewer) throw new AuthException(AuthError.NotAuthenticated);
    const user = await em.findOneOrFail(User, viewer.userId);
    await this.auth.verifyCurrentPassword(user, input.currentPassword);
    const email = normalizeEmail(input.newEmail);
    if (!email) throw new AuthException(AuthError.InvalidEmail, { field: 'newEmail' });
    if (email === user.email) throw new AuthException(AuthError.SameEmail);
    if (await em.findOne(User, { email })) throw new AuthException(AuthError.EmailTaken, { field: 'newEmail' });
    await consumeOrRefuse(this.limits.mailsPerUser, user.id);
    await em.transactional((tx) =>
      this.outbox.enqueue(
        tx,
        { kind: MailKind.CONFIRM_EMAIL_CHANGE, to: email, userId: user.id },
        { kind: MailKind.EMAIL_CHANGE_REQUESTED, to: user.email, userId: user.id, data: { otherEmail: email } },
      ),
    );
    return { user, pendingEmail: email };
  }

  /** FORBIDDEN (reason EMAIL_NOT_VERIFIED) when verification is required and the user has none. */
  async requireVerifiedEmail(userId: string, load: () => Promise<User | null>): Promise<void> {
    if (!this.settings.verificationRequired || this.verified.has(userId)) return;
    const user = await load();
    if (user?.emailVerifiedAt) return this.remember(userId);
    throw new AuthException(AuthError.EmailNotVerified, { reason: 'EMAIL_NOT_VERIFIED' });
  }

  /**
   * What a row of the outbox needs when it is sent (MailPreparer): a fresh token for the mails
   * with links, made in `tx`; or why it is no longer to be sent.
   */
  async prepareMail(tx: EntityManager, row: OutboxRow): Promise<MailVariables | { skip: string }> {
    if (row.kind === MailKind.PASSWORD_RESET) {
      const user = await tx.findOne(User, { email: row.to });
      if (!user) return { skip: 'no account has this address' };
      const { token } = await this.tokens.issue(tx, {
        userId: user.id,
        purpose: TokenPurpose.RESET_PASSWORD,
        email: row.to,
        ttlSeconds: this.settings.resetTtlSeconds,
        withCode: false,
      });
      return { name: user.fullName, link: this.link('reset-password', token), validFor: inWords(this.settings.resetTtlSeconds) };
    }
    const user = row.userId ? await tx.findOne(User, row.userId) : null;
    if (row.kind === MailKind.VERIFY_EMAIL || row.kind === MailKind.CONFIRM_EMAIL_CHANGE) {
      if (!user) return { skip: 'the account no longer exists' };
      const verify = row.kind === MailKind.VERIFY_EMAIL;
      if (verify && user.email !== row.to) return { skip: 'the account has another address now' };
      if (verify && user.emailVerifiedAt) return { skip: 'the address is verified already' };
      if (!verify && user.email === row.to) return { skip: 'the account has this address already' };
      const { token, code } = await this.tokens.issue(tx, {
        userId: user.id,
        purpose: verify ? TokenPurpose.VERIFY_EMAIL : TokenPurpose.CHANGE_EMAIL,
        email: row.to,
        ttlSeconds: this.settings.verifyTtlSeconds,
        withCode: true,
      });
      return { name: user.fullName, link: this.link('verify-email', token), code, validFor: inWords(this.settings.verifyTtlSeconds) };
    }
    // A notice: sent even if the account was deleted since.
    return { name: user?.fullName };
  }

  private async redeemVerification(tx: EntityManager, found: AccountToken): Promise<Redeemed> {
    const user = await tx.findOne(User, found.userId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    await this.tokens.use(tx, found.id);
    if (!user) return { refused: AuthError.InvalidAccountToken };
    if (found.purpose === TokenPurpose.VERIFY_EMAIL) {
      // A link to an address the account no longer has proves nothing about its current one.
      if (user.email !== found.email) return { refused: AuthError.InvalidAccountToken };
      user.emailVerifiedAt ??= new Date();
      await tx.flush();
      return { user };
    }
    const changedFrom = user.email;
    user.email = found.email;
    user.emailVerifiedAt = new Date();
    await tx.flush();
    await this.tokens.supersede(tx, user.id, TokenPurpose.VERIFY_EMAIL);
    await this.outbox.enqueue(tx, { kind: MailKind.EMAIL_CHANGED, to: changedFrom, userId: user.id, data: { otherEmail: found.email } });
    return { user, changedFrom };
  }

  private link(page: 'verify-email' | 'reset-password', token: string): string {
    // In the fragment: it never reaches a server's access log or a Referer header.
    return `${this.settings.webAppUrl}/${page}#token=${token}`;
  }

  private remember(userId: string): void {
    if (this.verified.size >= VERIFIED_MEMORY) this.verified.delete(this.verified.values().next().value!);
    this.verified.add(userId);
  }

}
