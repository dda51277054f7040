import { DomainError, ErrorCode, withField } from '../shared/error-codes.js';

export enum WalletError {
  WalletExists = 'WalletExists',
  WalletNotFound = 'WalletNotFound',
  MalformedId = 'MalformedId',
  TransactionNotFound = 'TransactionNotFound',
  InsufficientFunds = 'InsufficientFunds',
  RecipientNotFound = 'RecipientNotFound',
  SelfTransfer = 'SelfTransfer',
  NoteTooLong = 'NoteTooLong',
  InvalidCursor = 'InvalidCursor',
  InvalidPageSize = 'InvalidPageSize',
  FirstAndLast = 'FirstAndLast',
  LimitExceeded = 'LimitExceeded',
}

const codes: { [key in WalletError]: ErrorCode } = {
  [WalletError.WalletExists]: ErrorCode.BAD_USER_INPUT,
  [WalletError.WalletNotFound]: ErrorCode.NOT_FOUND,
  [WalletError.MalformedId]: ErrorCode.BAD_USER_INPUT,
  [WalletError.TransactionNotFound]: ErrorCode.NOT_FOUND,
  [WalletError.InsufficientFunds]: ErrorCode.INSUFFICIENT_FUNDS,
  [WalletError.RecipientNotFound]: ErrorCode.BAD_USER_INPUT,
  [WalletError.SelfTransfer]: ErrorCode.BAD_USER_INPUT,
  [WalletError.NoteTooLong]: ErrorCode.BAD_USER_INPUT,
  [WalletError.InvalidCursor]: ErrorCode.BAD_USER_INPUT,
  [WalletError.InvalidPageSize]: ErrorCode.BAD_USER_INPUT,
  [WalletError.FirstAndLast]: ErrorCode.BAD_USER_INPUT,
  [WalletError.LimitExceeded]: ErrorCode.LIMIT_EXCEEDED,
};

/** The input each error is about; a thrower whose input is named otherwise (`fromWalletId`) says so. */
const fields: { [key in WalletError]?: string } = {
  [WalletError.WalletExists]: 'currency',
  [WalletError.WalletNotFound]: 'walletId',
  [WalletError.TransactionNotFound]: 'id',
  [WalletError.InsufficientFunds]: 'amount',
  [WalletError.RecipientNotFound]: 'recipientEmail',
  [WalletError.SelfTransfer]: 'recipientEmail',
  [WalletError.NoteTooLong]: 'note',
  [WalletError.InvalidCursor]: 'after',
  [WalletError.InvalidPageSize]: 'first',
  [WalletError.LimitExceeded]: 'amount',
};

const messages: { [key in WalletError]: string } = {
  [WalletError.WalletExists]: 'You already have a wallet in this currency',
  [WalletError.WalletNotFound]: 'No such wallet',
  [WalletError.MalformedId]: 'This is not an id: ids are UUIDs (see extensions.field)',
  [WalletError.TransactionNotFound]: 'No such transaction',
  [WalletError.InsufficientFunds]: 'The wallet does not hold enough available money for this',
  [WalletError.RecipientNotFound]: 'No user with that email',
  [WalletError.SelfTransfer]: 'You cannot send money to yourself',
  [WalletError.NoteTooLong]: 'Notes can be at most 280 characters long',
  [WalletError.InvalidCursor]: 'The cursor is not one this API gave out',
  [WalletError.InvalidPageSize]: '`first` and `last` must be positive numbers (at most 100 are returned)',
  [WalletError.FirstAndLast]: 'Give `first` or `last`, not both',
  [WalletError.LimitExceeded]: 'This would exceed a transaction limit',
};

export class WalletException extends DomainError<WalletError> {
  readonly code: ErrorCode;

  constructor(error: WalletError, extensions?: Record<string, unknown>, message?: string) {
    super(error, message ?? messages[error], withField(fields[error], extensions));
    this.code = codes[error];
  }
}
