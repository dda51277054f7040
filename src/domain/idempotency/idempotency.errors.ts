import { DomainError, ErrorCode, withField } from '../shared/error-codes.js';

/** Refusals of money rule 6, the same for every mutation that takes an idempotency key. */
export enum IdempotencyError {
  InvalidKey = 'InvalidIdempotencyKey',
  KeyReused = 'IdempotencyKeyReused',
  KeyInProgress = 'IdempotencyKeyInProgress',
}

const codes: { [key in IdempotencyError]: ErrorCode } = {
  [IdempotencyError.InvalidKey]: ErrorCode.BAD_USER_INPUT,
  [IdempotencyError.KeyReused]: ErrorCode.IDEMPOTENCY_KEY_REUSED,
  [IdempotencyError.KeyInProgress]: ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
};

const messages: { [key in IdempotencyError]: string } = {
  [IdempotencyError.InvalidKey]: 'idempotencyKey must be 1 to 255 characters',
  [IdempotencyError.KeyReused]: 'This idempotency key was already used for a different request',
  [IdempotencyError.KeyInProgress]: 'A request with this idempotency key is still being processed; retry shortly',
};

export class IdempotencyException extends DomainError<IdempotencyError> {
  readonly code: ErrorCode;

  constructor(error: IdempotencyError) {
    super(error, messages[error], withField('idempotencyKey'));
    this.code = codes[error];
  }
}
