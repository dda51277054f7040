import { DomainError, ErrorCode } from '../shared/error-codes.js';

export enum UserError {
  UserNotFound = 'UserNotFound',
}

const codes: { [key in UserError]: ErrorCode } = {
  [UserError.UserNotFound]: ErrorCode.NOT_FOUND,
};

const messages: { [key in UserError]: string } = {
  [UserError.UserNotFound]: 'No such user',
};

export class UserException extends DomainError<UserError> {
  readonly code: ErrorCode;

  constructor(error: UserError) {
    super(error, messages[error]);
    this.code = codes[error];
  }
}
