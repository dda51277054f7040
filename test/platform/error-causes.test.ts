import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateCardDocument, FreezeCardDocument, FundCardDocument, RevealCardDocument, ResolveBankAccountDocument } from '../generated/graphql.js';
import { FakeFlutterwave } from '../fakes/flutterwave-server.js';
import { FakeStripe } from '../fakes/stripe-server.js';
import { newCard, userWithWallet } from '../cards/sandbox-support.js';
import { customer, deposit, startPaystack, type PaystackEnv } from '../payments/payments-helpers.js';
import { errorCode, sql } from '../support/helpers.js';
import { createWallet, seedUsers } from '../support/money.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * A refusal caused by a provider that failed: the client gets PROVIDER_UNAVAILABLE and a
 * message about what to do, never the provider's own words; the server's log says what failed.
 */

interface LogLine {
  msg: string;
  level: number;
  code?: string;
  requestId?: string;
  err?: { message?: string; type?: string };
}

function causes(server: TestServer): LogLine[] {
  return server.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'refused because a dependency failed');
}

describe('the cause of a provider failure', () => {
  let paystack: PaystackEnv;
  let flw: TestServer;
  let fake: FakeFlutterwave;
  let stripe: TestServer;
  let stripeFake: FakeStripe;

  beforeAll(async () => {
    [fake, stripeFake] = await Promise.all([FakeFlutterwave.start(), FakeStripe.start()]);
    [paystack, flw, stripe] = await Promise.all([
      startPaystack(),
      startTestServer(fake.serverEnv(1000)),
      startTestServer({
        CARD_ISSUER: 'stripe',
        STRIPE_SECRET_KEY: stripeFake.secretKey,
        STRIPE_WEBHOOK_SECRET: stripeFake.webhookSecret,
        STRIPE_API_URL: stripeFake.url,
        PROVIDER_TIMEOUT_MS: '1000',
      }),
    ]);
    fake.webhookUrl = `${flw.url}/webhooks/flutterwave`;
  });
  afterAll(async () => {
    await Promise.all([paystack?.close(), flw?.close(), stripe?.close()]);
    await Promise.all([fake?.close(), stripeFake?.close()]);
  });

  it('a deposit the provider could not start: the client sees the code, the log the provider error', async () => {
    const { server, fake: paystackFake } = paystack;
    const c = await customer(server);
    paystackFake.failNext('POST /transaction/initialize', 503, { body: { status: false, message: 'Upstream bank switch is down' } });
    const res = await deposit(server, c, '30000', 'cause-deposit');
    expect(errorCode(res)).toBe('PROVIDER_UNAVAILABLE');
    expect(JSON.stringify(res.errors)).not.toMatch(/switch|503/);
    const [line] = causes(server);
    expect(line).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', level: 40 });
    expect(line.err?.message).toBe('Upstream bank switch is down');
    expect(line.requestId).toBeTruthy();
  });

  it('a bank lookup the provider could not answer', async () => {
    const { server, fake: paystackFake } = paystack;
    const c = await customer(server);
    const before = causes(server).length;
    paystackFake.failNext('GET /bank/resolve', 502, { body: { status: false, message: 'Could not reach the bank' } });
    const res = await server.gql(ResolveBankAccountDocument, { bankCode: '058', accountNumber: '0123456789' }, { token: c.token });
    expect(errorCode(res)).toBe('PROVIDER_UNAVAILABLE');
    const lines = causes(server).slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', err: { message: 'Could not reach the bank' } });
  });

  it('a card the issuer could not freeze or fund', async () => {
    const { user, walletId } = await userWithWallet(flw, 10_000n, 'cause');
    const { card } = await newCard(flw, user.token, { walletId });
    fake.fail(/\/status\/block$/, { status: 503 });
    const frozen = await flw.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: user.token });
    expect(errorCode(frozen)).toBe('PROVIDER_UNAVAILABLE');
    fake.fail(/\/fund$/, { status: 500 });
    const funded = await flw.gql(FundCardDocument, { input: { cardId: card.id, amount: '500', idempotencyKey: 'cause-fund' } }, { token: user.token });
    expect(errorCode(funded)).toBe('PROVIDER_UNAVAILABLE');
    const lines = causes(flw);
    expect(lines.map((l) => l.err?.message)).toEqual([
      expect.stringMatching(/Flutterwave PUT \/virtual-cards\/[^/]+\/status\/block/),
      expect.stringMatching(/Flutterwave POST \/virtual-cards\/[^/]+\/fund/),
    ]);
    expect(await sql(flw.app, "select 1 from audit_log where action = 'card:issuer-mismatch'")).toEqual([]);
  });

  it('a card the issuer could not issue, and details it could not show', async () => {
    const { user, walletId } = await userWithWallet(flw, 0n, 'cause-new');
    const before = causes(flw).length;
    fake.fail(/\/virtual-cards$/, { status: 503 });
    const created = await flw.gql(CreateCardDocument, { input: { walletId, idempotencyKey: 'cause-create' } }, { token: user.token });
    expect(errorCode(created)).toBe('PROVIDER_UNAVAILABLE');
    expect(causes(flw).slice(before).map((l) => l.err?.message)).toEqual([expect.stringMatching(/^Flutterwave POST \/virtual-cards: /)]);

    // Stripe issues USD cards; its card details are shown through an ephemeral key.
    const [owner] = await seedUsers(stripe.app, 1, 'cause-reveal');
    const address = { line1: '1 Main St', city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' };
    const { card } = await newCard(stripe, owner.token, { walletId: await createWallet(stripe.app, owner.id, 'USD'), billingAddress: address });
    stripeFake.failNext('POST /v1/ephemeral_keys', 500, 2);
    const revealed = await stripe.gql(RevealCardDocument, { input: { cardId: card.id, nonce: 'cause-nonce' } }, { token: owner.token });
    expect(errorCode(revealed)).toBe('PROVIDER_UNAVAILABLE');
    const [line] = causes(stripe);
    expect(line).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', err: { message: expect.any(String) } });
    expect(line.err?.message).not.toBe('');
  });
});
