import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../shared/error-codes.js';
import { openRefusal, outsideTransaction, webhookArguments } from './payment-functions.js';

describe('around the payment functions', () => {
  it('refuses to run a function that commits on its own inside a transaction', () => {
    expect(() => outsideTransaction({ isInTransaction: () => true }, 'deposit_settle')).toThrow(
      'deposit_settle commits on its own: call it outside a transaction',
    );
    expect(() => outsideTransaction({ isInTransaction: () => false }, 'deposit_settle')).not.toThrow();
  });

  it('maps the SQLSTATEs of the errors not recorded on the key, and passes anything else on', () => {
    expect(openRefusal({ code: '55P03' })).toMatchObject({ code: ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS });
    expect(openRefusal({ code: 'WA001' })).toMatchObject({ code: ErrorCode.NOT_FOUND, extensions: { field: 'walletId' } });
    const other = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    expect(openRefusal(other)).toBe(other);
    expect(openRefusal(undefined)).toBeUndefined();
  });

  it('hands the event and its audit row over as JSON, or nulls without a webhook', () => {
    expect(webhookArguments(undefined)).toEqual({ event: null, audit: null });
    const event = { eventKey: 'sandbox:deposit.success:dep-1', provider: 'sandbox', type: 'deposit.success', reference: 'dep-1' };
    const audit = { action: 'webhook:sandbox', requestId: 'r1', ip: '127.0.0.1', details: { type: 'deposit.success', reference: 'dep-1' } };
    const args = webhookArguments({ event, audit });
    expect([JSON.parse(args.event!), JSON.parse(args.audit!)]).toEqual([event, audit]);
  });
});
