import { describe, expect, it } from 'vitest';
import { translate } from '../../src/domain/wallets/transfer.service.js';
import { IdempotencyError, IdempotencyException } from '../../src/domain/idempotency/idempotency.errors.js';
import { WalletError, WalletException } from '../../src/domain/wallets/wallets.errors.js';

/**
 * How the errors of `wallet_transfer` become refusals. The function raises each of its fatal
 * refusals with a SQLSTATE of its own (WA001-WA003, src/db/functions/wallet_transfer.v6.sql);
 * transfer.test.ts drives each through the API. Here: the map from code to refusal, and errors
 * that must pass through untouched (a code this version does not know must not turn into a wrong
 * refusal, and a database error must reach the error handler as itself). The message plays no
 * part: it is for people reading the database log.
 */
const pgError = (code: string | undefined, message?: string) => Object.assign(new Error(message), { code, message });

describe('translate (the errors of wallet_transfer)', () => {
  it('maps each SQLSTATE of the function to its refusal, with the input it is about', () => {
    const cases: [string, WalletError, Record<string, unknown>][] = [
      // The transfer's input names its wallet fromWalletId.
      ['WA001', WalletError.WalletNotFound, { field: 'fromWalletId' }],
      ['WA002', WalletError.RecipientNotFound, { field: 'recipientEmail' }],
      ['WA003', WalletError.SelfTransfer, { field: 'recipientEmail' }],
    ];
    for (const [code, error, extensions] of cases) {
      const mapped = translate(pgError(code, 'select wallet_transfer($1, $2) as r - whatever the words'));
      expect(mapped, code).toBeInstanceOf(WalletException);
      expect((mapped as WalletException).error, code).toBe(error);
      expect((mapped as WalletException).extensions, code).toEqual(extensions);
    }
  });

  it('answers a key held by its first request (lock_not_available) as IDEMPOTENCY_KEY_IN_PROGRESS', () => {
    const mapped = translate(pgError('55P03', 'canceling statement due to lock timeout')) as IdempotencyException;
    expect(mapped).toBeInstanceOf(IdempotencyException);
    expect(mapped.error).toBe(IdempotencyError.KeyInProgress);
    expect(mapped.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
  });

  it('passes on a code of the family it does not know, a name where a code should be, and an error without a code', () => {
    for (const code of ['WA004', 'WA000', 'SelfTransfer', 'constructor', 'toString', undefined]) {
      const err = pgError(code, 'select 1 - SelfTransfer');
      expect(translate(err), String(code)).toBe(err);
    }
  });

  it('passes on every other error, even one whose message names a refusal', () => {
    const err = pgError('23505', 'duplicate key value violates unique constraint - WalletNotFound');
    expect(translate(err)).toBe(err);
    const plain = new Error('InsufficientFunds');
    expect(translate(plain)).toBe(plain);
  });
});
