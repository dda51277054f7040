import { DomainError, ErrorCode, withField } from '../shared/error-codes.js';

/** Refusals of deposits, withdrawals and the bank lookups before them. */
export enum PaymentError {
  UnsupportedCurrency = 'UnsupportedCurrency',
  InvalidBankAccount = 'InvalidBankAccount',
  UnknownBank = 'UnknownBank',
  ProviderUnavailable = 'ProviderUnavailable',
}

const codes: { [key in PaymentError]: ErrorCode } = {
  [PaymentError.UnsupportedCurrency]: ErrorCode.UNSUPPORTED_CURRENCY,
  [PaymentError.InvalidBankAccount]: ErrorCode.BAD_USER_INPUT,
  [PaymentError.UnknownBank]: ErrorCode.BAD_USER_INPUT,
  // Nothing moved: the client may retry with the same idempotency key.
  [PaymentError.ProviderUnavailable]: ErrorCode.PROVIDER_UNAVAILABLE,
};

/** The input each error is about. */
const fields: { [key in PaymentError]?: string } = {
  [PaymentError.UnsupportedCurrency]: 'walletId',
  [PaymentError.InvalidBankAccount]: 'accountNumber',
  [PaymentError.UnknownBank]: 'bankCode',
};

const messages: { [key in PaymentError]: string } = {
  [PaymentError.UnsupportedCurrency]: 'This currency is not supported for this operation',
  [PaymentError.InvalidBankAccount]: 'The bank knows no such account',
  [PaymentError.UnknownBank]: 'No such bank for this currency',
  [PaymentError.ProviderUnavailable]: 'The payment provider could not be reached; nothing was charged, try again',
};

export class PaymentException extends DomainError<PaymentError> {
  readonly code: ErrorCode;

  /** `cause`: the provider's own error, for the server log. */
  constructor(error: PaymentError, options?: { cause?: unknown }) {
    super(error, messages[error], withField(fields[error]), options);
    this.code = codes[error];
  }
}
