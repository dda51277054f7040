import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, importPKCS8, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { MeDocument, SignUpDocument } from '../generated/graphql.js';
import { startTestServer, useTestServer } from '../support/server.js';

// Emptied before each test by the hook below, which signs up afresh.
const server = useTestServer({}, { reset: false });
let accessToken: string;
let claims: { sub: string; sid: string };

beforeEach(async () => {
  await server.reset();
  const res = await server.gql(SignUpDocument, {
    input: { email: 'tok@example.com', password: 'password-1', fullName: 'Tok' },
  });
  accessToken = res.data!.signUp.accessToken;
  claims = decodeJwt(accessToken) as { sub: string; sid: string };
});

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function serverKey() {
  const pem = await readFile(path.join(server.app.config.dataDir, 'jwt', 'private.pem'), 'utf8');
  return importPKCS8(pem, 'EdDSA');
}

function claimsFor(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { sid: claims.sid, sub: claims.sub, iss: 'wallet-api', aud: 'wallet-api', iat: now, exp: now + 600, ...overrides };
}

async function meWith(token: string) {
  const res = await server.gql(MeDocument, {}, { token });
  expect(res.errors).toBeUndefined();
  return res.data!.me;
}

describe('access tokens', () => {
  it('a genuine token signs the user in', async () => {
    expect(await meWith(accessToken)).toMatchObject({ id: claims.sub });
    const header = JSON.parse(Buffer.from(accessToken.split('.')[0], 'base64url').toString());
    expect(header.alg).toBe('EdDSA');
  });

  it('a token re-signed by the server key with our claims works (the forgeries below differ in one thing only)', async () => {
    const token = await new SignJWT(claimsFor()).setProtectedHeader({ alg: 'EdDSA' }).sign(await serverKey());
    expect(await meWith(token)).toMatchObject({ id: claims.sub });
  });

  it('alg "none" is treated as no token', async () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsFor())}.`;
    expect(await meWith(token)).toBeNull();
  });

  it('a wrong signature is treated as no token', async () => {
    const other = generateKeyPairSync('ed25519');
    const token = await new SignJWT(claimsFor()).setProtectedHeader({ alg: 'EdDSA' }).sign(other.privateKey);
    expect(await meWith(token)).toBeNull();
    // A payload edited after signing also fails.
    const [h, , s] = accessToken.split('.');
    expect(await meWith(`${h}.${b64(claimsFor({ sub: '00000000-0000-4000-8000-000000000000' }))}.${s}`)).toBeNull();
  });

  it('HS256 signed with the public key (algorithm confusion) is treated as no token', async () => {
    const pub = await readFile(path.join(server.app.config.dataDir, 'jwt', 'public.pem'));
    const token = await new SignJWT(claimsFor()).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(pub));
    expect(await meWith(token)).toBeNull();
  });

  it('a wrong audience or issuer is treated as no token', async () => {
    const key = await serverKey();
    expect(await meWith(await new SignJWT(claimsFor({ aud: 'someone-else' })).setProtectedHeader({ alg: 'EdDSA' }).sign(key))).toBeNull();
    expect(await meWith(await new SignJWT(claimsFor({ iss: 'someone-else' })).setProtectedHeader({ alg: 'EdDSA' }).sign(key))).toBeNull();
  });

  it('an expired token is treated as no token', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const token = await new SignJWT(claimsFor({ iat: past - 900, exp: past })).setProtectedHeader({ alg: 'EdDSA' }).sign(await serverKey());
    expect(await meWith(token)).toBeNull();
  });

  it('a token signed with our key but missing a claim we rely on is treated as no token', async () => {
    const key = await serverKey();
    const sign = (payload: Record<string, unknown>) => new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA' }).sign(key);
    const without = (name: string) => Object.fromEntries(Object.entries(claimsFor()).filter(([k]) => k !== name));
    // The session id is how logout reaches the token; the subject is the user.
    expect(await meWith(await sign(without('sid')))).toBeNull();
    expect(await meWith(await sign(claimsFor({ sid: 42 })))).toBeNull();
    expect(await meWith(await sign(without('sub')))).toBeNull();
    // Expiry and issue time are required: a token without them would live for ever.
    expect(await meWith(await sign(without('exp')))).toBeNull();
    expect(await meWith(await sign(without('iat')))).toBeNull();
  });

  it('garbage and a non-Bearer scheme are treated as no token', async () => {
    expect(await meWith('not-a-jwt')).toBeNull();
    const res = await server.gql(MeDocument, {}, { headers: { authorization: `Basic ${accessToken}` } });
    expect(res.data!.me).toBeNull();
  });
});

describe('access token lifetime', () => {
  it('expires after JWT_ACCESS_TTL_SECONDS', async () => {
    // Long enough that a loaded machine still uses the token before it expires; the wait
    // is measured from the expiry the server announced, so it never cuts it short.
    const shortLived = await startTestServer({ JWT_ACCESS_TTL_SECONDS: '4' });
    try {
      const res = await shortLived.gql(SignUpDocument, {
        input: { email: 'short@example.com', password: 'password-1', fullName: 'Short' },
      });
      const token = res.data!.signUp.accessToken;
      const expiresAt = new Date(res.data!.signUp.expiresAt).getTime();
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 4_000);
      expect((await shortLived.gql(MeDocument, {}, { token })).data!.me).not.toBeNull();
      // JWT expiry is in whole seconds: one more second and the token is past it for sure.
      await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 1_100));
      expect((await shortLived.gql(MeDocument, {}, { token })).data!.me).toBeNull();
    } finally {
      await shortLived.close();
    }
  });
});
