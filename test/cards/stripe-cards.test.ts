import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CardDocument,
  CreateCardDocument,
  FreezeCardDocument,
  RevealCardDocument,
  TerminateCardDocument,
  UnfreezeCardDocument,
  WalletDocument,
} from '../generated/graphql.js';
import { FakeStripe } from '../fakes/stripe-server.js';
import { errorCode, expectBalanced, sql } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

/** Stripe Issuing end to end: GraphQL over HTTP, the real `stripe` SDK, a local fake of Stripe. */

let fake: FakeStripe;
let hook: string;
const ADDRESS = { line1: '1 Main St', city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' };

beforeAll(async () => {
  fake = await FakeStripe.start();
});
afterAll(() => fake?.close());
const server = useTestServer(() => ({
  CARD_ISSUER: 'stripe',
  STRIPE_SECRET_KEY: fake.secretKey,
  STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
  STRIPE_API_URL: fake.url,
  PROVIDER_TIMEOUT_MS: '1000',
}));
beforeAll(() => {
  hook = `${server.url}/webhooks/stripe`;
});
beforeEach(() => fake.reset());

const balanced = (): Promise<void> => expectBalanced(server);

/** A user with a USD wallet of `walletAmount` and a Stripe card loaded with `cardAmount`. */
async function setup(walletAmount = 10_000n, cardAmount = '5000') {
  const [u] = await seedUsers(server.app, 1, 'stripe');
  const walletId = await createWallet(server.app, u.id, 'USD');
  await fund(server.app, walletId, walletAmount);
  const res = await server.gql(
    CreateCardDocument,
    { input: { walletId, billingAddress: ADDRESS, initialAmount: cardAmount, idempotencyKey: `create-${walletId}` } },
    { token: u.token },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const card = res.data!.createCard.card;
  const [row] = await sql<{ issuer_card_id: string }>(server.app, 'select issuer_card_id from cards where id = ?', [card.id]);
  return { u, walletId, card, icId: row.issuer_card_id };
}

async function cardState(id: string, token: string) {
  const res = await server.gql(CardDocument, { id }, { token });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.card!;
}

async function walletBalance(id: string, token: string): Promise<string> {
  return (await server.gql(WalletDocument, { id }, { token })).data!.wallet!.balance.amount;
}

const purchases = (card: Awaited<ReturnType<typeof cardState>>) =>
  card.transactions.edges.map((e) => e.node).filter((t) => t.type === 'CARD_PURCHASE');

describe('Stripe cards', () => {
  it('creates cards only with a billing address and in currencies Stripe issues', async () => {
    const [u] = await seedUsers(server.app, 1, 'stripe');
    const usd = await createWallet(server.app, u.id, 'USD');
    const ngn = await createWallet(server.app, u.id, 'NGN');
    const noAddress = await server.gql(CreateCardDocument, { input: { walletId: usd, idempotencyKey: 'a' } }, { token: u.token });
    expect(errorCode(noAddress)).toBe('BAD_USER_INPUT');
    const naira = await server.gql(CreateCardDocument, { input: { walletId: ngn, billingAddress: ADDRESS, idempotencyKey: 'b' } }, { token: u.token });
    expect(errorCode(naira)).toBe('UNSUPPORTED_CURRENCY');
    expect(fake.requestsTo('POST', '/v1/issuing/cards')).toHaveLength(0);

    const ok = await server.gql(CreateCardDocument, { input: { walletId: usd, billingAddress: ADDRESS, idempotencyKey: 'c' } }, { token: u.token });
    expect(ok.errors, JSON.stringify(ok.errors)).toBeUndefined();
    const card = ok.data!.createCard.card;
    const [stripeCard] = [...fake.cards.values()];
    expect(card).toMatchObject({ provider: 'stripe', brand: 'VISA', currency: 'USD', status: 'ACTIVE', last4: stripeCard.last4, expMonth: stripeCard.exp_month });
    expect(stripeCard).toMatchObject({ status: 'active', currency: 'usd', type: 'virtual', metadata: { card_id: card.id } });
    expect([...fake.cardholders.values()][0]).toMatchObject({ email: u.email, billing: { address: { line1: '1 Main St', postal_code: '78701' } } });
    // A repeat of the same request is replayed: no second card at Stripe.
    const again = await server.gql(CreateCardDocument, { input: { walletId: usd, billingAddress: ADDRESS, idempotencyKey: 'c' } }, { token: u.token });
    expect(again.data!.createCard.card.id).toBe(card.id);
    expect(fake.cards.size).toBe(1);
  });

  it('leaves nothing behind when Stripe fails to issue', async () => {
    const [u] = await seedUsers(server.app, 1, 'stripe');
    const walletId = await createWallet(server.app, u.id, 'USD');
    await fund(server.app, walletId, 1000n);
    fake.failNext('POST /v1/issuing/cards', 500, 2);
    const res = await server.gql(CreateCardDocument, { input: { walletId, billingAddress: ADDRESS, initialAmount: '500', idempotencyKey: 'x' } }, { token: u.token });
    expect(errorCode(res)).toBe('PROVIDER_UNAVAILABLE');
    expect(await sql(server.app, 'select id from cards')).toHaveLength(0);
    expect(await walletBalance(walletId, u.token)).toBe('1000');
    // The key was not recorded: a retry runs again and succeeds.
    const retry = await server.gql(CreateCardDocument, { input: { walletId, billingAddress: ADDRESS, initialAmount: '500', idempotencyKey: 'x' } }, { token: u.token });
    expect(retry.errors, JSON.stringify(retry.errors)).toBeUndefined();
    await balanced();
  });

  it("a Stripe refusal (4xx) is the caller's input, and a retried create reuses the card Stripe already made", async () => {
    const [u] = await seedUsers(server.app, 1, 'refused');
    const walletId = await createWallet(server.app, u.id, 'USD');
    fake.failNext('POST /v1/issuing/cards', 400, 1);
    const refused = await server.gql(CreateCardDocument, { input: { walletId, billingAddress: ADDRESS, idempotencyKey: 'r' } }, { token: u.token });
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].extensions!.issuerMessage).toBeTruthy();
    expect(await sql(server.app, 'select id from cards where user_id = ?', [u.id])).toHaveLength(0);

    // The same request names the same card: Stripe's Idempotency-Key makes a retry after a
    // timeout hand back the card it made, not a second one.
    const first = await server.gql(CreateCardDocument, { input: { walletId, billingAddress: ADDRESS, idempotencyKey: 'same' } }, { token: u.token });
    const keys = fake.requestsTo('POST', '/v1/issuing/cards').map((r) => r.headers['idempotency-key']);
    expect(keys.at(-1)).toBe(`card-${first.data!.createCard.card.id}`);
  });

  it('freezes, unfreezes and terminates at Stripe too; an issuer failure changes nothing', async () => {
    const { u, card, icId, walletId } = await setup();
    const freeze = await server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: u.token });
    expect(freeze.data!.freezeCard.card.status).toBe('FROZEN');
    expect(fake.cards.get(icId)!.status).toBe('inactive');
    const unfreeze = await server.gql(UnfreezeCardDocument, { input: { cardId: card.id } }, { token: u.token });
    expect(unfreeze.data!.unfreezeCard.card.status).toBe('ACTIVE');
    expect(fake.cards.get(icId)!.status).toBe('active');

    fake.failNext('POST /v1/issuing/cards/*', 503, 2);
    const failed = await server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: u.token });
    expect(errorCode(failed)).toBe('PROVIDER_UNAVAILABLE');
    expect((await cardState(card.id, u.token)).status).toBe('ACTIVE');
    expect(fake.cards.get(icId)!.status).toBe('active');

    fake.delayNext('POST /v1/issuing/cards/*', 3000, 2);
    const slow = await server.gql(TerminateCardDocument, { input: { cardId: card.id } }, { token: u.token });
    expect(errorCode(slow)).toBe('PROVIDER_UNAVAILABLE');
    expect((await cardState(card.id, u.token)).status).toBe('ACTIVE');

    const terminated = await server.gql(TerminateCardDocument, { input: { cardId: card.id } }, { token: u.token });
    expect(terminated.data!.terminateCard.card).toMatchObject({ status: 'TERMINATED', balance: { amount: '0' } });
    expect(fake.cards.get(icId)!.status).toBe('canceled');
    expect(await walletBalance(walletId, u.token)).toBe('10000');
    await balanced();
  });

  it('reveals through an ephemeral key, and asks for the nonce without one', async () => {
    const { u, card, icId } = await setup();
    const res = await server.gql(RevealCardDocument, { input: { cardId: card.id, nonce: 'nonce_abc' } }, { token: u.token });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.revealCard).toMatchObject({ url: null, ephemeralKeySecret: fake.ephemeralKeys[0].secret });
    expect(fake.ephemeralKeys[0]).toMatchObject({ nonce: 'nonce_abc', associated_objects: [{ id: icId, type: 'issuing.card' }] });
    const noNonce = await server.gql(RevealCardDocument, { input: { cardId: card.id } }, { token: u.token });
    expect(errorCode(noNonce)).toBe('BAD_USER_INPUT');
    fake.failNext('POST /v1/ephemeral_keys', 500, 2);
    const down = await server.gql(RevealCardDocument, { input: { cardId: card.id, nonce: 'n2' } }, { token: u.token });
    expect(errorCode(down)).toBe('PROVIDER_UNAVAILABLE');
  });

  it('refuses webhooks without a good signature', async () => {
    const { icId } = await setup();
    const event = fake.event('issuing_authorization.request', fake.authorization(icId, 100));
    expect((await fake.deliver(hook, event, { signature: null })).status).toBe(401);
    const body = JSON.stringify(event);
    expect((await fake.deliver(hook, event, { body, signature: fake.sign(body, { secret: 'whsec_wrong' }) })).status).toBe(401);
    expect((await fake.deliver(hook, event, { body: `${body}\n`, signature: fake.sign(body) })).status).toBe(401);
    expect(await sql(server.app, "select id from card_authorizations")).toHaveLength(0);
    // A signed event for a card we do not know: not 2xx, so Stripe retries.
    expect((await fake.deliver(hook, fake.event('issuing_authorization.request', fake.authorization('ic_unknown', 100)))).status).toBe(404);
  });

  it('approves requests the card can pay, declines the rest, and captures', async () => {
    const { u, card, icId } = await setup();
    const auth = fake.authorization(icId, 1200);
    const request = fake.event('issuing_authorization.request', auth);
    const approved = await fake.deliver(hook, request);
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ approved: true });
    expect(approved.headers.get('stripe-version')).toBeTruthy();
    // Stripe retries the same request: the same answer, one hold.
    expect((await fake.deliver(hook, request)).body).toEqual({ approved: true });
    // ...and then tells us it was created: nothing more.
    await fake.deliver(hook, fake.event('issuing_authorization.created', { ...auth, approved: true, amount: 1200, pending_request: null }));
    let state = await cardState(card.id, u.token);
    expect(state.balance.amount).toBe('5000');
    expect(state.availableBalance.amount).toBe('3800');
    expect(purchases(state)).toHaveLength(1);
    expect(purchases(state)[0]).toMatchObject({ status: 'PENDING', description: 'Rocket Rides' });
    await balanced();

    const tooMuch = await fake.deliver(hook, fake.event('issuing_authorization.request', fake.authorization(icId, 3801)));
    expect(tooMuch.body).toEqual({ approved: false });
    state = await cardState(card.id, u.token);
    const failed = purchases(state).find((t) => t.status === 'FAILED')!;
    expect(failed).toMatchObject({ amount: { amount: '3801' }, failureReason: 'Insufficient funds on the card' });

    const capture = fake.event('issuing_transaction.created', fake.transaction(icId, 'capture', 1200, auth.id));
    expect((await fake.deliver(hook, capture)).body).toEqual({ outcome: 'CAPTURED' });
    expect((await fake.deliver(hook, capture)).body).toEqual({ outcome: 'DUPLICATE' });
    state = await cardState(card.id, u.token);
    expect(state.balance.amount).toBe('3800');
    expect(state.availableBalance.amount).toBe('3800');
    expect(purchases(state).find((t) => t.reference === purchases(state).find((p) => p.amount.amount === '1200')!.reference)!.status).toBe('COMPLETED');
    await balanced();

    await server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: u.token });
    const frozen = await fake.deliver(hook, fake.event('issuing_authorization.request', fake.authorization(icId, 10)));
    expect(frozen.body).toEqual({ approved: false });
    state = await cardState(card.id, u.token);
    expect(purchases(state).find((t) => t.amount.amount === '10')).toMatchObject({ status: 'FAILED', failureReason: 'The card is frozen' });
    await balanced();
  });

  it('a smaller capture releases the rest; a reversal voids; a refund credits the card', async () => {
    const { u, card, icId } = await setup();
    const a1 = fake.authorization(icId, 2000);
    await fake.deliver(hook, fake.event('issuing_authorization.request', a1));
    await fake.deliver(hook, fake.event('issuing_transaction.created', fake.transaction(icId, 'capture', 1500, a1.id)));
    let state = await cardState(card.id, u.token);
    expect(state.balance.amount).toBe('3500');
    expect(state.availableBalance.amount).toBe('3500');
    expect(purchases(state).find((t) => t.amount.amount === '1500')).toMatchObject({ status: 'COMPLETED' });
    await balanced();

    const a2 = fake.authorization(icId, 700);
    await fake.deliver(hook, fake.event('issuing_authorization.request', a2));
    expect((await cardState(card.id, u.token)).availableBalance.amount).toBe('2800');
    const reversal = fake.event('issuing_authorization.updated', { ...a2, status: 'reversed', amount: 0, pending_request: null });
    expect((await fake.deliver(hook, reversal)).body).toEqual({ outcome: 'REVERSED' });
    expect((await fake.deliver(hook, reversal)).body).toEqual({ outcome: 'DUPLICATE' });
    state = await cardState(card.id, u.token);
    expect(state.availableBalance.amount).toBe('3500');
    expect(purchases(state).find((t) => t.amount.amount === '700')).toMatchObject({ status: 'REVERSED' });
    await balanced();

    const refund = fake.event('issuing_transaction.created', fake.transaction(icId, 'refund', 400, a1.id));
    expect((await fake.deliver(hook, refund)).body).toEqual({ outcome: 'REFUNDED' });
    expect((await fake.deliver(hook, refund)).body).toEqual({ outcome: 'DUPLICATE' });
    state = await cardState(card.id, u.token);
    expect(state.balance.amount).toBe('3900');
    expect(state.transactions.edges.map((e) => e.node).filter((t) => t.type === 'CARD_REFUND')).toHaveLength(1);
    await balanced();
  });

  it('a force capture takes the card, then the wallet, and books the rest as a flagged receivable', async () => {
    const { u, card, icId, walletId } = await setup(1000n, '600');
    const force = fake.event('issuing_transaction.created', fake.transaction(icId, 'capture', 2000, null));
    expect((await fake.deliver(hook, force)).body).toEqual({ outcome: 'CAPTURED' });
    expect((await fake.deliver(hook, force)).body).toEqual({ outcome: 'DUPLICATE' });
    expect((await cardState(card.id, u.token)).balance.amount).toBe('0');
    expect(await walletBalance(walletId, u.token)).toBe('0');
    const flags = await sql<{ rule: string; details: { unpaid: string } }>(server.app, 'select rule, details from transaction_flags');
    expect(flags).toEqual([{ rule: 'CARD_RECEIVABLE', details: expect.objectContaining({ unpaid: '1000' }) }]);
    await balanced();
  });

  it('over-captures take the rest from the card; late or repeated events change nothing', async () => {
    const { u, card, icId } = await setup();
    const auth = fake.authorization(icId, 1000);
    await fake.deliver(hook, fake.event('issuing_authorization.request', auth));
    // Stripe captures more than it held (a tip): the extra comes from the card.
    await fake.deliver(hook, fake.event('issuing_transaction.created', fake.transaction(icId, 'capture', 1500, auth.id)));
    let state = await cardState(card.id, u.token);
    expect(state.balance.amount).toBe('3500');
    expect(purchases(state)[0]).toMatchObject({ status: 'COMPLETED', amount: { amount: '1500' } });
    // A reversal arriving after the capture (out of order) releases nothing.
    const late = await fake.deliver(hook, fake.event('issuing_authorization.updated', { ...auth, status: 'reversed', amount: 0 }));
    expect(late.status).toBe(200);
    // An update that releases nothing is verified and ignored.
    expect((await fake.deliver(hook, fake.event('issuing_authorization.updated', { ...auth, status: 'pending', amount: 1000 }))).body).toEqual({ outcome: 'IGNORED' });
    state = await cardState(card.id, u.token);
    expect(state.balance.amount).toBe('3500');
    expect(state.availableBalance.amount).toBe('3500');
    // A terminated card declines everything.
    await server.gql(TerminateCardDocument, { input: { cardId: card.id } }, { token: u.token });
    expect((await fake.deliver(hook, fake.event('issuing_authorization.request', fake.authorization(icId, 1)))).body).toEqual({ approved: false });
    await balanced();
  });

  it('voids our hold when Stripe declined an authorization we had approved', async () => {
    const { u, card, icId } = await setup();
    const auth = fake.authorization(icId, 900);
    expect((await fake.deliver(hook, fake.event('issuing_authorization.request', auth))).body).toEqual({ approved: true });
    expect((await cardState(card.id, u.token)).availableBalance.amount).toBe('4100');
    await fake.deliver(hook, fake.event('issuing_authorization.created', { ...auth, approved: false, status: 'closed', amount: 900, pending_request: null }));
    const state = await cardState(card.id, u.token);
    expect(state.availableBalance.amount).toBe('5000');
    expect(purchases(state)[0].status).toBe('REVERSED');
    // An authorization Stripe decided without asking us is recorded as it decided.
    const declined = fake.authorization(icId, 50);
    await fake.deliver(hook, fake.event('issuing_authorization.created', { ...declined, approved: false, status: 'closed', amount: 50, pending_request: null }));
    expect(purchases(await cardState(card.id, u.token)).find((t) => t.amount.amount === '50')).toMatchObject({ status: 'FAILED', failureReason: 'Declined by the issuer' });
    await balanced();
  });

  it('answers every webhook with its outcome and audits each with its type and event key', async () => {
    const { icId } = await setup();
    const auth = fake.authorization(icId, 700);
    const request = fake.event('issuing_authorization.request', auth);
    expect((await fake.deliver(hook, request)).body).toEqual({ approved: true });
    // The created event of an authorization we were asked about: its outcome, not Stripe's answer format.
    const created = fake.event('issuing_authorization.created', { ...auth, approved: true, amount: 700, pending_request: null });
    expect(await fake.deliver(hook, created)).toMatchObject({ status: 200, body: { outcome: 'APPROVED' } });
    const other = fake.authorization(icId, 30);
    const declinedCreated = fake.event('issuing_authorization.created', { ...other, approved: false, status: 'closed', amount: 30, pending_request: null });
    expect(await fake.deliver(hook, declinedCreated)).toMatchObject({ status: 200, body: { outcome: 'DECLINED' } });
    const approvedThenDeclined = fake.authorization(icId, 40);
    await fake.deliver(hook, fake.event('issuing_authorization.request', approvedThenDeclined));
    const lateDecline = fake.event('issuing_authorization.created', { ...approvedThenDeclined, approved: false, status: 'closed', amount: 40, pending_request: null });
    expect(await fake.deliver(hook, lateDecline)).toMatchObject({ status: 200, body: { outcome: 'DECLINED' } });

    const body = JSON.stringify(request);
    expect(await fake.deliver(hook, request, { body, signature: fake.sign(body, { secret: 'whsec_wrong' }) })).toMatchObject({
      status: 401,
      body: { outcome: 'BAD_SIGNATURE' },
    });
    expect(await fake.deliver(hook, request, { body: 'not json', signature: fake.sign('not json') })).toMatchObject({
      status: 400,
      body: { outcome: 'MALFORMED' },
    });
    const unknown = fake.event('issuing_authorization.request', fake.authorization('ic_unknown', 100));
    expect(await fake.deliver(hook, unknown)).toMatchObject({ status: 404, body: { outcome: 'UNKNOWN_CARD' } });

    const audit = await sql<{ action: string; outcome: string; details: Record<string, unknown> }>(
      server.app,
      `select action, outcome, details from audit_log where action like 'webhook:%' order by id`,
    );
    expect(audit).toEqual([
      // Stripe's answer to a request carries no outcome of ours: its HTTP status is recorded.
      { action: 'webhook:stripe', outcome: '200', details: { type: 'AUTHORIZATION_REQUEST', eventKey: expect.any(String) } },
      { action: 'webhook:stripe', outcome: 'APPROVED', details: { type: 'AUTHORIZATION_CREATED', eventKey: expect.any(String) } },
      { action: 'webhook:stripe', outcome: 'DECLINED', details: { type: 'AUTHORIZATION_CREATED', eventKey: expect.any(String) } },
      { action: 'webhook:stripe', outcome: '200', details: { type: 'AUTHORIZATION_REQUEST', eventKey: expect.any(String) } },
      { action: 'webhook:stripe', outcome: 'DECLINED', details: { type: 'AUTHORIZATION_CREATED', eventKey: expect.any(String) } },
      { action: 'webhook:stripe', outcome: 'BAD_SIGNATURE', details: {} },
      { action: 'webhook:stripe', outcome: 'MALFORMED', details: {} },
      { action: 'webhook:stripe', outcome: 'UNKNOWN_CARD', details: { type: 'AUTHORIZATION_REQUEST', eventKey: expect.any(String) } },
    ]);
    await balanced();
  });
});
