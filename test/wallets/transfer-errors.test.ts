import { describe, expect, it } from 'vitest';
import { translate } from '../../src/domain/wallets/transfer.service.js';
import { IdempotencyError, IdempotencyException } from '../../src/domain/idempotency/idempotency.errors.js';
import { WalletError, WalletException } from '../../src/domain/wallets/wallets.errors.js';

/**
 * How the errors of `wallet_transfer` become refusals. The function raises its refusals with
 * SQLSTATE WA001 and the WalletError's name as message; transfer.test.ts drives each through
 * the API. Here: the forms that message takes, and errors that must pass through untouched (a
 * future version of the function raising a name this code does not know must not turn into a
 * wrong refusal, and a database error must reach the error handler as itself).
 */
const pgError = (code: string, message?: string) => Object.assign(new Error(message), { code, message });

describe('translate (the errors of wallet_transfer)', () => {
  it('reads the name from a bare message and from one MikroORM prefixed with the statement', () => {
    for (const message of ['SelfTransfer', 'select wallet_transfer($1, $2) as r - SelfTransfer']) {
      const mapped = translate(pgError('WA001', message));
      expect(mapped).toBeInstanceOf(WalletException);
      expect((mapped as WalletException).error).toBe(WalletError.SelfTransfer);
      expect((mapped as WalletException).extensions).toEqual({ field: 'recipientEmail' });
    }
  });

  it('names fromWalletId for a wallet that is not found, the name of the transfer input', () => {
    const mapped = translate(pgError('WA001', 'select 1 - WalletNotFound')) as WalletException;
    expect(mapped.error).toBe(WalletError.WalletNotFound);
    expect(mapped.extensions).toEqual({ field: 'fromWalletId' });
  });

  it('answers a key held by its first request (lock_not_available) as IDEMPOTENCY_KEY_IN_PROGRESS', () => {
    const mapped = translate(pgError('55P03', 'canceling statement due to lock timeout')) as IdempotencyException;
    expect(mapped).toBeInstanceOf(IdempotencyException);
    expect(mapped.error).toBe(IdempotencyError.KeyInProgress);
    expect(mapped.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
  });

  it('passes on a WA001 whose name it does not know, or whose message ends in no name', () => {
    for (const message of ['select 1 - NoSuchRefusal', 'select 1 - SelfTransfer.', '', undefined]) {
      const err = pgError('WA001', message);
      expect(translate(err)).toBe(err);
    }
  });

  it('passes on every other error, even one whose message ends in a refusal name', () => {
    const err = pgError('23505', 'duplicate key value violates unique constraint - WalletNotFound');
    expect(translate(err)).toBe(err);
    const plain = new Error('InsufficientFunds');
    expect(translate(plain)).toBe(plain);
  });
});
