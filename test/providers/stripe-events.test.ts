import { describe, expect, it } from 'vitest';
import { normalizeStripeEvent } from '../../src/providers/stripe/stripe.webhook.js';

/**
 * normalizeStripeEvent on the edges of Stripe's Issuing objects: what moves money and what is
 * IGNORED (still keyed, so a repeat is recognised). The signed path through the SDK is in
 * stripe.test.ts.
 */
type Obj = Record<string, unknown>;
const event = (type: string, object: Obj | undefined, id = 'evt_1') => normalizeStripeEvent({ id, type, data: object ? { object } : undefined });
const MERCHANT = { name: 'Rocket Rides', category: 'taxicabs_limousines', country: 'US' };
const auth = (over: Obj = {}): Obj => ({
  id: 'iauth_1',
  card: 'ic_1',
  merchant_data: { name: 'Rocket Rides', category: 'taxicabs_limousines', country: 'US' },
  pending_request: { amount: 700 },
  ...over,
});
const typeOf = (e: ReturnType<typeof normalizeStripeEvent>) => e.type;

describe('normalizeStripeEvent', () => {
  it("keys an event by its object's id, or by the event's own id when the object has none (IGNORED then)", () => {
    expect(event('issuing_authorization.request', auth())).toMatchObject({ eventKey: 'stripe:issuing_authorization.request:iauth_1' });
    expect(event('issuing_authorization.request', auth({ id: undefined }))).toEqual({ type: 'IGNORED', eventKey: 'stripe:issuing_authorization.request:evt_1' });
    expect(event('issuing_authorization.request', auth({ id: '' }))).toEqual({ type: 'IGNORED', eventKey: 'stripe:issuing_authorization.request:evt_1' });
    expect(event('issuing_authorization.request', undefined)).toEqual({ type: 'IGNORED', eventKey: 'stripe:issuing_authorization.request:evt_1' });
    expect(event('charge.succeeded', { id: 'ch_1' })).toEqual({ type: 'IGNORED', eventKey: 'stripe:charge.succeeded:ch_1' });
  });

  it('reads the card as an id or as the expanded object, and ignores money events without one', () => {
    expect(event('issuing_authorization.request', auth({ card: { id: 'ic_9', object: 'issuing.card' } }))).toMatchObject({ issuerCardId: 'ic_9' });
    for (const card of [undefined, null, '', { id: '' }, { object: 'issuing.card' }, 42]) {
      expect(typeOf(event('issuing_authorization.request', auth({ card }))), JSON.stringify(card)).toBe('IGNORED');
      expect(typeOf(event('issuing_authorization.created', auth({ card, amount: 700 })))).toBe('IGNORED');
      expect(typeOf(event('issuing_authorization.updated', auth({ card, status: 'reversed' })))).toBe('IGNORED');
      expect(typeOf(event('issuing_transaction.created', { id: 'ipi_1', card, type: 'capture', amount: -5 }))).toBe('IGNORED');
    }
  });

  it('asks for a decision only on a positive whole amount', () => {
    expect(event('issuing_authorization.request', auth({ pending_request: { amount: 1 } }))).toMatchObject({ type: 'AUTHORIZATION_REQUEST', amount: 1n });
    for (const pending_request of [{ amount: 0 }, { amount: -700 }, { amount: 7.5 }, { amount: '700' }, { amount: 2 ** 60 }, {}, null]) {
      expect(typeOf(event('issuing_authorization.request', auth({ pending_request }))), JSON.stringify(pending_request)).toBe('IGNORED');
    }
  });

  it("takes a created authorization's amount from the first positive of: amount, pending request, last request", () => {
    const created = (over: Obj) => event('issuing_authorization.created', auth({ pending_request: null, ...over }));
    expect(created({ amount: 700, pending_request: { amount: 100 } })).toMatchObject({ type: 'AUTHORIZATION_CREATED', amount: 700n });
    expect(created({ amount: 0, pending_request: { amount: 100 } })).toMatchObject({ amount: 100n });
    expect(created({ amount: 0, request_history: [{ amount: 40 }, { amount: 50 }, { amount: 55 }] })).toMatchObject({ amount: 55n });
    expect(created({ amount: 0, request_history: 'not a list' })).toMatchObject({ type: 'IGNORED' });
    expect(created({ amount: 0, request_history: [] })).toMatchObject({ type: 'IGNORED' });
    expect(created({ amount: -3, pending_request: { amount: 0 }, request_history: [{ amount: -1 }] })).toMatchObject({ type: 'IGNORED' });
  });

  it('says the issuer approved only when Stripe says approved: true', () => {
    const created = (approved: unknown) => event('issuing_authorization.created', auth({ amount: 700, approved }));
    expect(created(true)).toEqual({
      type: 'AUTHORIZATION_CREATED',
      eventKey: 'stripe:issuing_authorization.created:iauth_1',
      issuerCardId: 'ic_1',
      issuerAuthorizationId: 'iauth_1',
      amount: 700n,
      merchant: MERCHANT,
      approvedByIssuer: true,
    });
    for (const approved of [false, 'true', 1, undefined]) expect(created(approved)).toMatchObject({ approvedByIssuer: false });
  });

  it('releases a hold when an authorization is reversed, expired, or closed with nothing taken', () => {
    const updated = (over: Obj) => typeOf(event('issuing_authorization.updated', auth(over)));
    expect(updated({ status: 'reversed', amount: 700 })).toBe('REVERSAL');
    expect(updated({ status: 'expired', amount: 700 })).toBe('REVERSAL');
    expect(updated({ status: 'closed', amount: 0 })).toBe('REVERSAL');
    expect(updated({ status: 'closed', amount: 0, transactions: [] })).toBe('REVERSAL');
    expect(updated({ status: 'closed', amount: 0, transactions: [{ id: 'ipi_1' }] })).toBe('IGNORED');
    expect(updated({ status: 'closed', amount: 300, transactions: [] })).toBe('IGNORED');
    expect(updated({ status: 'pending', amount: 0 })).toBe('IGNORED');
  });

  it('books a capture from a negative amount and a refund from a positive one, nothing else', () => {
    const tx = (over: Obj) => event('issuing_transaction.created', { id: 'ipi_1', card: 'ic_1', ...over });
    expect(tx({ type: 'capture', amount: -650, authorization: { id: 'iauth_1' } })).toEqual({
      type: 'CAPTURE',
      eventKey: 'stripe:issuing_transaction.created:ipi_1',
      issuerCardId: 'ic_1',
      issuerAuthorizationId: 'iauth_1',
      amount: 650n,
      merchant: { name: 'Card purchase', category: null, country: null },
    });
    expect(tx({ type: 'refund', amount: 300, merchant_data: { name: '', category: 'x', country: '' } })).toEqual({
      type: 'REFUND',
      eventKey: 'stripe:issuing_transaction.created:ipi_1',
      issuerCardId: 'ic_1',
      amount: 300n,
      merchant: { name: 'Card purchase', category: 'x', country: null },
    });
    for (const over of [
      { type: 'capture', amount: 650 },
      { type: 'capture', amount: 0 },
      { type: 'refund', amount: -300 },
      { type: 'refund', amount: 0 },
      { type: 'dispute', amount: -650 },
      { type: 'capture', amount: '-650' },
      { type: 'capture' },
    ]) {
      expect(typeOf(tx(over)), JSON.stringify(over)).toBe('IGNORED');
    }
  });
});
