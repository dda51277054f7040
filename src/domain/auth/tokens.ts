import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { JWT_ALGORITHM, type SigningKeys } from '../../config/jwt-keys.js';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  expiresAt: Date;
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
}

/** How many verified access tokens are remembered (the oldest is forgotten first). */
const VERIFIED_CACHE_SIZE = 10_000;

export class TokenService {
  /**
   * Tokens whose signature, issuer and audience already checked out, with their claims: a
   * token is immutable, so only its expiry has to be looked at again (issue 6: the EdDSA
   * verification was the largest single cost of an authenticated request). Revocation is
   * not cached here; the caller checks it on every request.
   */
  private readonly verified = new Map<string, AccessClaims>();

  constructor(
    private readonly keys: SigningKeys,
    private readonly settings: TokenSettings,
    /** At most this many verified tokens are remembered (the oldest is forgotten first). */
    private readonly cacheSize = VERIFIED_CACHE_SIZE,
  ) {}

  /** Whether a verified token is remembered (its next check skips the signature). */
  remembers(token: string): boolean {
    return this.verified.has(token);
  }

  async issueAccessToken(userId: string, sessionId: string): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.settings.accessTtlSeconds;
    const token = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT', kid: this.keys.kid })
      .setSubject(userId)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.keys.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Null for anything that is not a valid, unexpired token of ours: never throws. */
  async verifyAccessToken(token: string): Promise<AccessClaims | null> {
    const result = await this.inspectAccessToken(token);
    return 'claims' in result ? result.claims : null;
  }

  /** Like verifyAccessToken, saying why a token was refused (for WebSocket close reasons). */
  async inspectAccessToken(token: string): Promise<{ claims: AccessClaims } | { refused: 'expired' | 'invalid' }> {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAt.getTime() > Date.now()) return { claims: known };
      this.verified.delete(token);
      return { refused: 'expired' };
    }
    try {
      const { payload } = await jwtVerify(token, this.keys.publicKey, {
        algorithms: [JWT_ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      // jose checked that exp is there and a number (requiredClaims), but not the types of sub and sid.
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return { refused: 'invalid' };
      const claims = { userId: payload.sub, sessionId: payload.sid, expiresAt: new Date(payload.exp! * 1000) };
      if (this.verified.size >= this.cacheSize) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, claims);
      return { claims };
    } catch (err) {
      // Only a token whose signature checked out can be reported as expired.
      return { refused: (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid' };
    }
  }
}

/** Opaque refresh tokens: 256 random bits, stored only as a SHA-256 hash. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
