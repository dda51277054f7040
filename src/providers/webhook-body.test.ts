import { describe, expect, it } from 'vitest';
import { parseFlutterwaveWebhook } from './flutterwave/flutterwave.webhook.js';
import { parseStripeWebhook } from './stripe/stripe.webhook.js';
import Stripe from 'stripe';
import { paystackSignature, parsePaystackWebhook } from './paystack/paystack.webhook.js';

/** A signed body that is not JSON is refused as malformed, and the parser's own error travels along as the cause. */
describe('a signed webhook body that is not JSON', () => {
  const body = Buffer.from('{"event": "charge.success", ');

  it('Paystack', () => {
    const secret = 'sk_test_cause';
    const headers = { 'x-paystack-signature': paystackSignature(body, secret) };
    expect(() => parsePaystackWebhook(body, headers, secret)).toThrow(
      expect.objectContaining({ message: 'Paystack webhook body is signed but is not JSON', cause: expect.any(SyntaxError) }),
    );
  });

  it('Flutterwave', () => {
    expect(() => parseFlutterwaveWebhook(body, { 'verif-hash': 'hash' }, 'hash')).toThrow(
      expect.objectContaining({ message: 'Flutterwave webhook: body is not JSON', cause: expect.any(SyntaxError) }),
    );
  });

  it('Stripe', () => {
    const stripe = new Stripe('sk_test_cause');
    const secret = 'whsec_cause';
    const headers = { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body.toString('utf8'), secret }) };
    expect(() => parseStripeWebhook(stripe, body, headers, secret)).toThrow(
      expect.objectContaining({ message: 'Stripe webhook body is signed but is not a JSON event', cause: expect.any(SyntaxError) }),
    );
  });
});
