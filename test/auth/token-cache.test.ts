import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashRefreshToken, TokenService } from '../../src/domain/auth/tokens.js';

const settings = { issuer: 'wallet-api', audience: 'wallet-api', accessTtlSeconds: 60 };

async function service(cacheSize?: number) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const keys = { privateKey, publicKey, kid: 'k1' };
  return Object.assign(new TokenService(keys, settings, cacheSize), { privateKey, signingKeys: keys });
}

const USER = '2b1a6c4e-5d8f-4a39-9c1e-0f7d3b2a6e11';

describe('issued access tokens', () => {
  it('carry the algorithm, type and key id in the header, and who, which session, by whom, for whom and until when in the claims', async () => {
    const tokens = await service();
    const before = Math.floor(Date.now() / 1000);
    const { token, expiresAt } = await tokens.issueAccessToken(USER, 'sess-1');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: 'k1' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: USER, sid: 'sess-1', iss: 'wallet-api', aud: 'wallet-api' });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp).toBe(claims.iat! + settings.accessTtlSeconds);
    expect(expiresAt.getTime()).toBe(claims.exp! * 1000);
    // Two tokens of one session issued in the same second still differ.
    const second = await tokens.issueAccessToken(USER, 'sess-1');
    expect(decodeJwt(second.token).jti).toEqual(expect.any(String));
    expect(decodeJwt(second.token).jti).not.toBe(claims.jti);
  });

  it('say why they are refused: expired only for a genuine token past its expiry, invalid otherwise', async () => {
    const tokens = await service();
    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = await new SignJWT({ sid: 'sess-1' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(USER)
      .setIssuer('wallet-api')
      .setAudience('wallet-api')
      .setIssuedAt(past - 60)
      .setExpirationTime(past)
      .sign(tokens.privateKey);
    expect(await tokens.inspectAccessToken(expired)).toEqual({ refused: 'expired' });
    expect(await tokens.inspectAccessToken('not.a.token')).toEqual({ refused: 'invalid' });
    expect(tokens.remembers(expired)).toBe(false);
    // Signed by us but without a session id, or with a subject that is not a string: invalid, never remembered.
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA' }).setIssuer('wallet-api').setAudience('wallet-api').setIssuedAt().setExpirationTime('5m').sign(tokens.privateKey);
    for (const token of [await sign({ sub: USER }), await sign({ sub: 42, sid: 'sess-1' })]) {
      expect(await tokens.inspectAccessToken(token)).toEqual({ refused: 'invalid' });
      expect(tokens.remembers(token)).toBe(false);
    }
  });
});

describe('refresh tokens', () => {
  it('are stored as the hex SHA-256 of the token, so tokens handed out before an upgrade still match', () => {
    // printf %s 'refresh-token' | sha256sum
    expect(hashRefreshToken('refresh-token')).toBe('0eb17643d4e9261163783a420859c92c7d212fa9624106a12b510afbec266120');
  });
});

afterEach(() => vi.useRealTimers());

describe('verified access tokens are remembered', () => {
  it('answers a second time with the same claims, and refuses the token once it has expired', async () => {
    const tokens = await service();
    const { token } = await tokens.issueAccessToken('2b1a6c4e-5d8f-4a39-9c1e-0f7d3b2a6e11', 'sess-1');
    const first = await tokens.inspectAccessToken(token);
    expect(first).toMatchObject({ claims: { userId: '2b1a6c4e-5d8f-4a39-9c1e-0f7d3b2a6e11', sessionId: 'sess-1' } });
    expect(await tokens.inspectAccessToken(token)).toEqual(first);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    expect(await tokens.inspectAccessToken(token)).toEqual({ refused: 'expired' });
    expect(await tokens.verifyAccessToken(token)).toBeNull();
  });

  it('are not verified again: a remembered token is answered from memory, up to the exact millisecond of its expiry', async () => {
    const tokens = await service();
    const { token, expiresAt } = await tokens.issueAccessToken(USER, 'sess-1');
    expect(await tokens.verifyAccessToken(token)).not.toBeNull();
    // Another public key from now on: only a token that is not verified again still passes.
    tokens.signingKeys.publicKey = (await generateKeyPair('EdDSA')).publicKey;
    expect(await tokens.verifyAccessToken(token)).toMatchObject({ sessionId: 'sess-1' });
    const { token: fresh } = await tokens.issueAccessToken(USER, 'sess-2');
    expect(await tokens.inspectAccessToken(fresh)).toEqual({ refused: 'invalid' });

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(expiresAt.getTime() - 1);
    expect(await tokens.verifyAccessToken(token)).not.toBeNull();
    vi.setSystemTime(expiresAt.getTime());
    expect(await tokens.inspectAccessToken(token)).toEqual({ refused: 'expired' });
  });

  it('never lets a tampered copy of a remembered token through', async () => {
    const tokens = await service();
    const { token } = await tokens.issueAccessToken('2b1a6c4e-5d8f-4a39-9c1e-0f7d3b2a6e11', 'sess-1');
    expect(await tokens.verifyAccessToken(token)).not.toBeNull();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url'), signature].join('.');
    expect(await tokens.inspectAccessToken(forged)).toEqual({ refused: 'invalid' });
  });

  it('remembers at most the configured number, forgetting the oldest first', async () => {
    const tokens = await service(2);
    const issued = await Promise.all(['s1', 's2', 's3'].map((sid) => tokens.issueAccessToken(USER, sid)));
    for (const { token } of issued) expect(await tokens.verifyAccessToken(token)).not.toBeNull();
    expect(issued.map(({ token }) => tokens.remembers(token))).toEqual([false, true, true]);
    // A forgotten token is still valid: its signature is checked again, and it is remembered again.
    expect(await tokens.verifyAccessToken(issued[0].token)).toMatchObject({ sessionId: 's1' });
    expect(issued.map(({ token }) => tokens.remembers(token))).toEqual([true, false, true]);
  });

  it('does not accept a token signed by another key because one of ours is remembered', async () => {
    const ours = await service();
    const theirs = await service();
    const { token: genuine } = await ours.issueAccessToken('2b1a6c4e-5d8f-4a39-9c1e-0f7d3b2a6e11', 'sess-1');
    await ours.verifyAccessToken(genuine);
    const { token: foreign } = await theirs.issueAccessToken('2b1a6c4e-5d8f-4a39-9c1e-0f7d3b2a6e11', 'sess-1');
    expect(await ours.inspectAccessToken(foreign)).toEqual({ refused: 'invalid' });
  });
});
