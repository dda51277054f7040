import { RateLimitExceeded, type RateLimit } from '../../cache/rate-limit.js';
import { DomainError, ErrorCode, withField } from '../shared/error-codes.js';

export enum AuthError {
  EmailTaken = 'EmailTaken',
  InvalidEmail = 'InvalidEmail',
  WeakPassword = 'WeakPassword',
  PasswordTooLong = 'PasswordTooLong',
  CommonPassword = 'CommonPassword',
  InvalidFullName = 'InvalidFullName',
  InvalidCredentials = 'InvalidCredentials',
  WrongCurrentPassword = 'WrongCurrentPassword',
  InvalidRefreshToken = 'InvalidRefreshToken',
  NotAuthenticated = 'NotAuthenticated',
  NotAllowed = 'NotAllowed',
  RateLimited = 'RateLimited',
  InvalidAccountToken = 'InvalidAccountToken',
  CodeNeedsSignIn = 'CodeNeedsSignIn',
  EmailAlreadyVerified = 'EmailAlreadyVerified',
  SameEmail = 'SameEmail',
  EmailNotVerified = 'EmailNotVerified',
}

const codes: { [key in AuthError]: ErrorCode } = {
  [AuthError.EmailTaken]: ErrorCode.EMAIL_TAKEN,
  [AuthError.InvalidEmail]: ErrorCode.BAD_USER_INPUT,
  [AuthError.WeakPassword]: ErrorCode.BAD_USER_INPUT,
  [AuthError.PasswordTooLong]: ErrorCode.BAD_USER_INPUT,
  [AuthError.CommonPassword]: ErrorCode.BAD_USER_INPUT,
  [AuthError.InvalidFullName]: ErrorCode.BAD_USER_INPUT,
  [AuthError.InvalidCredentials]: ErrorCode.INVALID_CREDENTIALS,
  [AuthError.WrongCurrentPassword]: ErrorCode.INVALID_CREDENTIALS,
  [AuthError.InvalidRefreshToken]: ErrorCode.UNAUTHENTICATED,
  [AuthError.NotAuthenticated]: ErrorCode.UNAUTHENTICATED,
  [AuthError.NotAllowed]: ErrorCode.FORBIDDEN,
  [AuthError.RateLimited]: ErrorCode.RATE_LIMITED,
  [AuthError.InvalidAccountToken]: ErrorCode.BAD_USER_INPUT,
  [AuthError.CodeNeedsSignIn]: ErrorCode.UNAUTHENTICATED,
  [AuthError.EmailAlreadyVerified]: ErrorCode.BAD_USER_INPUT,
  [AuthError.SameEmail]: ErrorCode.BAD_USER_INPUT,
  [AuthError.EmailNotVerified]: ErrorCode.FORBIDDEN,
};

/** The input each error is about (`password` becomes `newPassword` where the thrower says so). */
const fields: { [key in AuthError]?: string } = {
  [AuthError.EmailTaken]: 'email',
  [AuthError.InvalidEmail]: 'email',
  [AuthError.WeakPassword]: 'password',
  [AuthError.PasswordTooLong]: 'password',
  [AuthError.CommonPassword]: 'password',
  [AuthError.InvalidFullName]: 'fullName',
  [AuthError.WrongCurrentPassword]: 'currentPassword',
  [AuthError.InvalidRefreshToken]: 'refreshToken',
  [AuthError.InvalidAccountToken]: 'token',
  [AuthError.CodeNeedsSignIn]: 'token',
  [AuthError.SameEmail]: 'newEmail',
};

const messages: { [key in AuthError]: string } = {
  [AuthError.EmailTaken]: 'An account with this email already exists',
  [AuthError.InvalidEmail]: 'Enter a valid email address',
  [AuthError.WeakPassword]: 'Passwords must be at least 8 characters long',
  [AuthError.PasswordTooLong]: 'Passwords can be at most 256 bytes long',
  [AuthError.CommonPassword]: 'This password is too common or too easy to guess; choose another',
  [AuthError.InvalidFullName]: 'Full name must be 1 to 200 characters',
  [AuthError.InvalidCredentials]: 'Wrong email or password',
  [AuthError.WrongCurrentPassword]: 'The current password is wrong',
  [AuthError.InvalidRefreshToken]: 'The refresh token is invalid, expired or already used; sign in again',
  [AuthError.NotAuthenticated]: 'Sign in to do this',
  [AuthError.NotAllowed]: 'You are not allowed to do this',
  [AuthError.RateLimited]: 'Too many attempts; try again later',
  [AuthError.InvalidAccountToken]: 'This link or code is invalid, expired or already used; ask for a new email',
  [AuthError.CodeNeedsSignIn]: 'Sign in to use the code, or open the link in the email',
  [AuthError.EmailAlreadyVerified]: 'This email address is already verified',
  [AuthError.SameEmail]: 'This is already the email address of your account',
  [AuthError.EmailNotVerified]:
    'Verify your email address before sending or withdrawing money: open the link we emailed you, or ask for a new one (resendVerificationEmail)',
};

export class AuthException extends DomainError<AuthError> {
  readonly code: ErrorCode;

  constructor(error: AuthError, extensions?: Record<string, unknown>) {
    super(error, messages[error], withField(fields[error], extensions));
    this.code = codes[error];
  }
}

/** Counts one attempt against `limit`; past it, RATE_LIMITED with extensions.retryAfterSeconds. */
export async function consumeOrRefuse(limit: RateLimit, key: string): Promise<void> {
  try {
    await limit.consume(key);
  } catch (err) {
    if (err instanceof RateLimitExceeded) throw new AuthException(AuthError.RateLimited, { retryAfterSeconds: err.retryAfterSeconds });
    throw err;
  }
}
