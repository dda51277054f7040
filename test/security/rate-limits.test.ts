import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateWalletDocument, RecipientDocument, SignUpDocument, TransferDocument, MyWalletsDocument } from '../generated/graphql.js';
import { errorCode } from '../support/helpers.js';
import { fund } from '../support/money.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Per-user rate limits: every mutation, expensive queries (aliases count one by one), and the
 * recipients a user names in transfers, which otherwise tell whether an email is registered.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    RATE_LIMIT_MUTATIONS_PER_USER: '8',
    RATE_LIMIT_EXPENSIVE_PER_USER: '3',
    RATE_LIMIT_RECIPIENT_LOOKUPS_PER_USER: '4',
  });
});
afterAll(() => server?.close());

let n = 0;
async function signUp() {
  n += 1;
  const res = await server.gql(SignUpDocument, { input: { email: `limited${n}@example.com`, password: 'password-1', fullName: `Limited ${n}` } });
  expect(res.errors).toBeUndefined();
  return res.data!.signUp;
}

function expectRateLimited(error: { extensions?: Record<string, unknown> } | undefined) {
  expect(error?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
  expect(error!.extensions!.retryAfterSeconds as number).toBeGreaterThan(0);
}

describe('per-user rate limits', () => {
  it("refuses a user's mutations beyond the limit with RATE_LIMITED and retryAfterSeconds, having done nothing; others are not held up", async () => {
    const { accessToken } = await signUp();
    const currencies = ['NGN', 'USD', 'GHS', 'KES', 'ZAR', 'GBP', 'EUR'] as const;
    // Seven wallets and one refused duplicate: eight mutations.
    for (const currency of currencies) expect((await server.gql(CreateWalletDocument, { input: { currency } }, { token: accessToken })).errors).toBeUndefined();
    expect(errorCode(await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token: accessToken }))).not.toBe('RATE_LIMITED');
    const refused = await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token: accessToken });
    expectRateLimited(refused.errors?.[0]);
    const wallets = await server.gql(MyWalletsDocument, {}, { token: accessToken });
    expect(wallets.data!.me!.wallets).toHaveLength(7);
    const other = await signUp();
    expect((await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token: other.accessToken })).errors).toBeUndefined();
  });

  it('counts every resolveBankAccount field, aliased ones too', async () => {
    const aliased = (count: number) =>
      `{ ${Array.from({ length: count }, (_, i) => `a${i}: resolveBankAccount(bankCode: "001", accountNumber: "0123456789") { accountName }`).join(' ')} }`;
    const first = await signUp();
    const three = await server.raw(aliased(3), {}, { token: first.accessToken });
    expect(three.errors).toBeUndefined();
    expect(Object.keys(three.data!)).toHaveLength(3);
    const fourth = await server.raw(aliased(1), {}, { token: first.accessToken });
    expectRateLimited(fourth.errors?.[0]);
    // Five aliases in one request from someone else: over the limit (the field is non-null, so
    // the first refusal ends the request).
    const second = await signUp();
    const five = await server.raw(aliased(5), {}, { token: second.accessToken });
    expect(five.data).toBeNull();
    expectRateLimited(five.errors?.[0]);
  });

  it('limits the distinct recipients a user can name, so probing which emails are registered stops early', async () => {
    const { accessToken } = await signUp();
    const walletId = (await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token: accessToken })).data!.createWallet.wallet.id;
    await fund(server.app, walletId, 100_000n);
    const probe = (email: string, i: number) =>
      server.gql(TransferDocument, { input: { fromWalletId: walletId, recipientEmail: email, amount: '100', idempotencyKey: `probe-${i}-${email}` } }, { token: accessToken });
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 6; i += 1) codes.push(errorCode(await probe(`nobody${i}@example.com`, i)));
    // Four look-ups answered (the address is unknown), then refused.
    expect(codes.slice(0, 4).every((c) => c !== 'RATE_LIMITED' && c !== undefined)).toBe(true);
    expect(codes.slice(4)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    // Naming one already named costs nothing: it is answered as before.
    expect(errorCode(await probe('nobody0@example.com', 99))).toBe(codes[0]);
  });

  it('names a recipient before a transfer (name only), counted as the recipients a transfer names', async () => {
    const payee = await signUp();
    const { accessToken } = await signUp();
    const lookUp = (email: string) => server.gql(RecipientDocument, { email }, { token: accessToken });
    // Any letter case; only the id and the name are there to read.
    const found = await lookUp(payee.user.email.toUpperCase());
    expect(found.errors).toBeUndefined();
    expect(found.data!.recipient).toEqual({ id: payee.user.id, fullName: payee.user.fullName });
    expect((await lookUp('nobody-at-all@example.com')).data!.recipient).toBeNull();
    // Signed out: UNAUTHENTICATED, nothing said of the email.
    const anonymous = await server.gql(RecipientDocument, { email: payee.user.email });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(anonymous)).not.toContain(payee.user.fullName);
    // Two named so far; two more new ones fit in the limit of 4, the fifth is refused.
    expect((await lookUp('new-1@example.com')).errors).toBeUndefined();
    expect((await lookUp('new-2@example.com')).errors).toBeUndefined();
    const refused = await lookUp('new-3@example.com');
    expectRateLimited(refused.errors?.[0]);
    expect(refused.data?.recipient ?? null).toBeNull();
    // Asking again for one already named is free, and a transfer to it too.
    expect((await lookUp(payee.user.email)).data!.recipient?.fullName).toBe(payee.user.fullName);
  });
});
