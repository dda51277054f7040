/** Every `extensions.code` a client can see (DESIGN.md, Errors). */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  INSUFFICIENT_FUNDS = 'INSUFFICIENT_FUNDS',
  CARD_NOT_ACTIVE = 'CARD_NOT_ACTIVE',
  LIMIT_EXCEEDED = 'LIMIT_EXCEEDED',
  CURRENCY_MISMATCH = 'CURRENCY_MISMATCH',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_KEY_IN_PROGRESS = 'IDEMPOTENCY_KEY_IN_PROGRESS',
  RATE_LIMITED = 'RATE_LIMITED',
  PROVIDER_UNAVAILABLE = 'PROVIDER_UNAVAILABLE',
  UNSUPPORTED_CURRENCY = 'UNSUPPORTED_CURRENCY',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  // Apollo Server's own.
  BAD_REQUEST = 'BAD_REQUEST',
  GRAPHQL_PARSE_FAILED = 'GRAPHQL_PARSE_FAILED',
  PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND',
}

/**
 * Codes that are always about one input, named as the domain knows it (the translation point
 * turns it into the input path, e.g. `input.amount`), for refusals that do not name one.
 */
export const FIELD_OF_CODE: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.INSUFFICIENT_FUNDS]: 'amount',
  [ErrorCode.LIMIT_EXCEEDED]: 'amount',
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: 'idempotencyKey',
  [ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS]: 'idempotencyKey',
  [ErrorCode.EMAIL_TAKEN]: 'email',
};

/** `extensions` with the input an error is about, when there is one (a feature's default unless the thrower named another). */
export function withField(field: string | undefined, extensions: Record<string, unknown> = {}): Record<string, unknown> {
  return field === undefined || 'field' in extensions ? extensions : { ...extensions, field };
}

/**
 * The base of every feature's error. A feature subclasses it with its own string enum and a
 * `{ [key in FeatureError]: ErrorCode }` map, so an unmapped error does not compile.
 */
export abstract class DomainError<E extends string = string> extends Error {
  abstract readonly code: ErrorCode;

  protected constructor(
    readonly error: E,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    /** What failed underneath (a provider's error): logged by the server, never shown to the client. */
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
