import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type GraphQLFormattedError, type ValidationContext, type ValidationRule } from 'graphql';
import type { Config } from '../config/config.js';
import { ErrorCode } from '../domain/shared/error-codes.js';

/** Rejections are reported with QUERY_TOO_COMPLEX so clients can tell them from typos. */
const reject = [
  (ctx: ValidationContext | null, error: GraphQLError) =>
    ctx?.reportError(new GraphQLError(error.message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } })),
];

/**
 * Depth, aliases, directives and cost are checked during validation, before anything
 * executes; the token limit is enforced by the parser (`parseOptions.maxTokens`).
 */
export function limitRules(limits: Config['graphql']): ValidationRule[] {
  const common = { propagateOnRejection: false, onReject: reject, exposeLimits: true };
  return [
    maxDepthRule({ ...common, n: limits.maxDepth, flattenFragments: true }),
    // Every alias counts, `__typename` ones too (the rule's default lets those through unbounded).
    maxAliasesRule({ ...common, n: limits.maxAliases, allowList: [] }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives }),
    costLimitRule({ ...common, maxCost: limits.maxCost }),
  ] as unknown as ValidationRule[];
}

/**
 * The refusal of a document larger than `maxBytes` (UTF-8, comments and whitespace included), as
 * the client sees it; undefined when it fits or is not a string (Apollo answers that itself).
 */
export function documentTooLarge(query: unknown, maxBytes: number): GraphQLFormattedError | undefined {
  if (typeof query !== 'string' || query.length <= maxBytes / 3 || Buffer.byteLength(query) <= maxBytes) return undefined;
  return {
    message: `The document is larger than ${maxBytes} bytes (GRAPHQL_MAX_DOCUMENT_BYTES)`,
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit: maxBytes },
  };
}
