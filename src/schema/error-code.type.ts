import { GraphQLEnumType } from 'graphql';
import { ErrorCode } from '../domain/shared/error-codes.js';

/** What each code means to a client; a new code does not compile until it is described here. */
export const ERROR_CODE_DESCRIPTIONS: { [key in ErrorCode]: string } = {
  [ErrorCode.UNAUTHENTICATED]: 'No valid access token: sign in (or refresh the token) and retry.',
  [ErrorCode.FORBIDDEN]: 'Signed in, but not allowed to do this (an ADMIN-only field, or a card the sandbox did not issue).',
  [ErrorCode.NOT_FOUND]: 'No such wallet, card, transaction or user, or it is not yours (the two look the same).',
  [ErrorCode.BAD_USER_INPUT]:
    'An input is wrong (bad format, out of range, unknown bank account, ...); `extensions.field` names it, e.g. `input.amount`.',
  [ErrorCode.GRAPHQL_VALIDATION_FAILED]:
    'The document does not fit the schema (unknown field, a literal of the wrong type); `extensions.field` names a bad argument when there is one.',
  [ErrorCode.EMAIL_TAKEN]: 'Sign-up with an email that already has an account (`extensions.field` is `input.email`).',
  [ErrorCode.INVALID_CREDENTIALS]: 'Wrong email or password (which one is not told), or a wrong current password.',
  [ErrorCode.INSUFFICIENT_FUNDS]: 'The wallet or card does not hold enough available money (balance minus pending holds).',
  [ErrorCode.CARD_NOT_ACTIVE]: 'The card is frozen or terminated, so it cannot be loaded or spent.',
  [ErrorCode.LIMIT_EXCEEDED]:
    'A transaction limit refuses it (largest single transaction, or outflow per UTC day); `extensions.limit` says which.',
  [ErrorCode.CURRENCY_MISMATCH]: 'The two sides of a movement are in different currencies.',
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: 'This idempotency key was already used for a different request (another amount or operation).',
  [ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS]: 'The first request with this key is still running: retry shortly with the same key.',
  [ErrorCode.RATE_LIMITED]: 'Too many attempts; `extensions.retryAfterSeconds` says when to try again.',
  [ErrorCode.PROVIDER_UNAVAILABLE]:
    'The payment provider or card issuer could not be reached; nothing was moved and nothing recorded, so retrying with the same key is safe.',
  [ErrorCode.UNSUPPORTED_CURRENCY]: "The provider or card issuer does not handle this wallet's currency.",
  [ErrorCode.QUERY_TOO_COMPLEX]: 'The document is over a limit (size, depth, aliases, directives, tokens or cost) and was not run.',
  [ErrorCode.INTERNAL_SERVER_ERROR]:
    'A fault on our side; no details are given, the log has them under the `x-request-id` of the response.',
  [ErrorCode.BAD_REQUEST]: 'The HTTP request itself is malformed (no query, a batch, a missing CSRF header, an unknown operationName).',
  [ErrorCode.GRAPHQL_PARSE_FAILED]: 'The document is not valid GraphQL syntax.',
  [ErrorCode.PERSISTED_QUERY_NOT_FOUND]:
    'Automatic persisted queries: the server does not know this hash yet; send the query text with it.',
};

/**
 * Every `extensions.code` the API sends, so generated client types know them. No field returns
 * it: it is in the schema to document the codes and to type them in clients.
 */
export const ErrorCodeType = new GraphQLEnumType({
  name: 'ErrorCode',
  description:
    'Every value `extensions.code` can take in an error this API sends (HTTP and WebSocket). Errors about an input also carry `extensions.field`, the input path (e.g. `input.amount`).',
  values: Object.fromEntries(Object.values(ErrorCode).map((code) => [code, { value: code, description: ERROR_CODE_DESCRIPTIONS[code] }])),
});
