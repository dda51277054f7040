import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
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
