import { describe, expect, it } from 'vitest';
import { lockOrder } from './ledger.service.js';

describe('lockOrder', () => {
  const low = '0f9c2b6e-1d2a-4c3b-8e4f-5a6b7c8d9e0f';
  const high = 'a0000000-0000-4000-8000-000000000000';

  it('puts the smaller id first whichever side it is on, as PostgreSQL orders uuids', () => {
    expect(lockOrder(low, high)).toEqual([low, high]);
    expect(lockOrder(high, low)).toEqual([low, high]);
    // Hex digits sort before letters in both orders; ids differing only late still compare right.
    expect(lockOrder('a0000000-0000-4000-8000-00000000000b', 'a0000000-0000-4000-8000-00000000000a')).toEqual([
      'a0000000-0000-4000-8000-00000000000a',
      'a0000000-0000-4000-8000-00000000000b',
    ]);
  });
});
