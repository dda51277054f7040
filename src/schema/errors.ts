import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode, FIELD_OF_CODE } from '../domain/shared/error-codes.js';
import { inputPathOfRequestError, inputPathOfResolverError } from './input-path.js';

/** Codes that reach a client as they are, when a GraphQLError carries them on purpose. */
const PASS_THROUGH = new Set<string>(Object.values(ErrorCode));

/** Apollo Server's codes that are not ours, as a client should read them (ApolloServerErrorCode and its validation codes). */
export const APOLLO_CODES: Readonly<Record<string, ErrorCode>> = {
  OPERATION_RESOLUTION_FAILURE: ErrorCode.BAD_REQUEST,
  PERSISTED_QUERY_NOT_SUPPORTED: ErrorCode.BAD_REQUEST,
  INTROSPECTION_DISABLED: ErrorCode.GRAPHQL_VALIDATION_FAILED,
  MAX_RECURSIVE_SELECTIONS_EXCEEDED: ErrorCode.QUERY_TOO_COMPLEX,
};

// graphql-js 16 spells it "more that"; 17 fixed it to "more than".
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] \d+ tokens/;

/** True when the error is one we meant to show; anything else is a bug and gets masked. */
export function isExpectedError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return true;
  if (!(original instanceof GraphQLError)) return false;
  // A GraphQLError wrapping a plain Error came from a bug inside a resolver or scalar.
  if (original.originalError && !(original.originalError instanceof GraphQLError)) {
    return original.originalError instanceof DomainError;
  }
  return true;
}

/** The feature's refusal behind an error as GraphQL reports it, if it is one. */
export function domainErrorOf(error: unknown): DomainError | undefined {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return original;
  if (original instanceof GraphQLError && original.originalError instanceof DomainError) return original.originalError;
  return undefined;
}

/**
 * The one translation point from what went wrong to what a client sees: domain errors get
 * their feature's code, GraphQL's own errors keep theirs, everything else is masked.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  const domain = domainErrorOf(error);
  if (domain) {
    const field = (domain.extensions.field as string | undefined) ?? FIELD_OF_CODE[domain.code];
    const located = error instanceof GraphQLError ? error : undefined;
    const extensions: Record<string, unknown> = { ...domain.extensions, code: domain.code };
    if (field !== undefined) extensions.field = located ? inputPathOfResolverError(located, field) : field;
    return { ...base, message: domain.message, extensions };
  }
  if (!isExpectedError(error)) {
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  }
  let code = String(formatted.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
  code = APOLLO_CODES[code] ?? code;
  // Apollo files limit rejections under its generic codes; say what they are.
  const cause = error instanceof GraphQLError ? error.originalError : undefined;
  if (cause instanceof GraphQLError && cause.extensions?.code === ErrorCode.QUERY_TOO_COMPLEX) code = ErrorCode.QUERY_TOO_COMPLEX;
  if (TOKEN_LIMIT.test(formatted.message)) code = ErrorCode.QUERY_TOO_COMPLEX;
  if (!PASS_THROUGH.has(code)) code = ErrorCode.INTERNAL_SERVER_ERROR;
  const { stacktrace: _stack, exception: _exception, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  // Bad variables and bad literals name the input they are about, as resolvers' refusals do.
  if ((code === ErrorCode.BAD_USER_INPUT || code === ErrorCode.GRAPHQL_VALIDATION_FAILED) && original instanceof GraphQLError) {
    const field = extensions.field ?? inputPathOfRequestError(original);
    if (field !== undefined) extensions.field = field;
  }
  return { ...base, extensions: { ...extensions, code } };
}
