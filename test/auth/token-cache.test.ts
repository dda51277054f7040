import { generateKeyPair } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenService } from '../../src/domain/auth/tokens.js';

const settings = { issuer: 'wallet-api', audience: 'wallet-api', accessTtlSeconds: 60 };

async function service() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  return new TokenService({ privateKey, publicKey, kid: 'k1' }, settings);
}

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

  it('never lets a tampered copy of a remembered token through', async () => {
    const tokens = await service();
    const { token } = await tokens.issueAccessToken('2b1a6c4e-5d8f-4a39-9c1e-0f7d3b2a6e11', 'sess-1');
    expect(await tokens.verifyAccessToken(token)).not.toBeNull();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url'), signature].join('.');
    expect(await tokens.inspectAccessToken(forged)).toEqual({ refused: 'invalid' });
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
