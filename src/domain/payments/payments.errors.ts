import { DomainError, ErrorCode, withField } from '../shared/error-codes.js';

/** Refusals of deposits, withdrawals and the bank lookups before them. */
export enum PaymentError {
  UnsupportedCurrency = 'UnsupportedCurrency',
  InvalidBankAccount = 'InvalidBankAccount',
  UnknownBank = 'UnknownBank',
  ProviderUnavailable = 'ProviderUnavailable',
  DepositTooLarge = 'DepositTooLarge',
  BalanceLimit = 'BalanceLimit',
}

const codes: { [key in PaymentError]: ErrorCode } = {
  [PaymentError.UnsupportedCurrency]: ErrorCode.UNSUPPORTED_CURRENCY,
  [PaymentError.InvalidBankAccount]: ErrorCode.BAD_USER_INPUT,
  [PaymentError.UnknownBank]: ErrorCode.BAD_USER_INPUT,
  // Nothing moved: the client may retry with the same idempotency key.
  [PaymentError.ProviderUnavailable]: ErrorCode.PROVIDER_UNAVAILABLE,
  [PaymentError.DepositTooLarge]: ErrorCode.LIMIT_EXCEEDED,
  [PaymentError.BalanceLimit]: ErrorCode.LIMIT_EXCEEDED,
};

/** The input each error is about. */
const fields: { [key in PaymentError]?: string } = {
  [PaymentError.UnsupportedCurrency]: 'walletId',
  [PaymentError.InvalidBankAccount]: 'accountNumber',
  [PaymentError.UnknownBank]: 'bankCode',
  [PaymentError.DepositTooLarge]: 'amount',
  [PaymentError.BalanceLimit]: 'amount',
};

const messages: { [key in PaymentError]: string } = {
  [PaymentError.UnsupportedCurrency]: 'This currency is not supported for this operation',
  [PaymentError.InvalidBankAccount]: 'The bank knows no such account',
  [PaymentError.UnknownBank]: 'No such bank for this currency',
  [PaymentError.ProviderUnavailable]: 'The payment provider could not be reached; nothing was charged, try again',
  [PaymentError.DepositTooLarge]: 'This deposit is larger than a single deposit may be (extensions.limit)',
  [PaymentError.BalanceLimit]: 'This deposit would take the wallet past the most it may hold (extensions.limit; extensions.room is what still fits)',
};

export class PaymentException extends DomainError<PaymentError> {
  readonly code: ErrorCode;

  /** `cause`: the provider's own error, for the server log; `extensions`: what the client is told besides. */
  constructor(error: PaymentError, options?: { cause?: unknown; extensions?: Record<string, unknown> }) {
    super(error, messages[error], withField(fields[error], options?.extensions), options);
    this.code = codes[error];
  }
}
