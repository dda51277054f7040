import { describe, expect, it } from 'vitest';
import { fingerprint } from './idempotency.service.js';

/**
 * A repeat is the same request when its canonical input is the same (money rule 6): key order,
 * and fields left undefined, do not make another request; anything else does.
 */
describe('fingerprint', () => {
  const print = (input: Record<string, unknown>, operation = 'withdraw') => fingerprint(operation, input);

  it('is the same for the same input in any key order, at any depth, with undefined fields left out', () => {
    expect(print({ amount: '100', walletId: 'w', bank: { code: '058', account: '0123456789' } })).toBe(
      print({ bank: { account: '0123456789', code: '058' }, walletId: 'w', amount: '100', note: undefined }),
    );
  });

  it('differs for another operation, value, type, array order or nesting, and for null against a missing field', () => {
    const base = print({ amount: '100', tags: ['a', 'b'] });
    const others = [
      print({ amount: '100', tags: ['a', 'b'] }, 'transfer'),
      print({ amount: '101', tags: ['a', 'b'] }),
      print({ amount: 100, tags: ['a', 'b'] }),
      print({ amount: '100', tags: ['b', 'a'] }),
      print({ amount: '100', tags: [['a', 'b']] }),
      print({ amount: '100', tags: ['a', 'b'], note: null }),
      print({ amount: '100', tags: 'a,b' }),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
    // A key's text cannot pose as structure: {"a,b": 1} is not {a: 1, b: 1}.
    expect(print({ 'a":1,"b': 1 })).not.toBe(print({ a: 1, b: 1 }));
  });

  it('is a SHA-256 in hex', () => {
    expect(print({})).toMatch(/^[0-9a-f]{64}$/);
  });
});
