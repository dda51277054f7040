import { defaultFieldResolver, GraphQLError, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { RateLimitExceeded } from '../cache/rate-limit.js';
import type { UserLimits } from '../cache/user-limits.js';
import { normalizeEmail } from '../domain/users/user.service.js';
import { ErrorCode } from '../domain/shared/error-codes.js';
import type { GraphQLContext } from './context.js';

/** Queries that call a provider: each counts against RATE_LIMIT_EXPENSIVE_PER_USER, aliases too. */
export const EXPENSIVE_QUERIES = ['resolveBankAccount'] as const;

/**
 * Per-user rate limits, wrapped once around the fields they guard so a new mutation cannot
 * miss them: every mutation of a signed-in user (sign-up, sign-in and refresh have their own
 * per-address and per-email limits), every expensive query (each field counts, so aliases do),
 * and each new recipient a transfer names or `recipient` looks up. Past a limit the field fails with RATE_LIMITED and
 * `retryAfterSeconds`; nothing of it has run.
 */
export function limitPerUser(schema: GraphQLSchema, limits: UserLimits): void {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    guard(field, async (args, context) => {
      const userId = context.viewer?.userId;
      if (!userId) return;
      const recipient = (args.input as { recipientEmail?: unknown } | undefined)?.recipientEmail;
      await limits.mutation(
        userId,
        typeof recipient === 'string' ? (normalizeEmail(recipient) ?? recipient.trim().toLowerCase()) : undefined,
      );
    });
  }
  const query = schema.getQueryType()?.getFields() ?? {};
  // Looking a recipient up says who is registered: each new email counts as a transfer naming it does.
  guard(query.recipient, async (args, context) => {
    const userId = context.viewer?.userId;
    const email = String(args.email ?? '');
    if (userId) await limits.recipient(userId, normalizeEmail(email) ?? email.trim().toLowerCase());
  });
  for (const name of EXPENSIVE_QUERIES) {
    guard(query[name], (_args, context) => limits.expensive(context.viewer?.userId ?? `ip:${context.client.ip}`));
  }
}

function guard(
  field: { resolve?: GraphQLFieldResolver<unknown, GraphQLContext> } | undefined,
  check: (args: Record<string, unknown>, context: GraphQLContext) => Promise<void>,
): void {
  if (!field) throw new Error('limitPerUser: a guarded field is missing from the schema');
  const resolve = field.resolve ?? defaultFieldResolver;
  field.resolve = async (source, args, context, info) => {
    try {
      await check(args, context);
    } catch (err) {
      if (!(err instanceof RateLimitExceeded)) throw err;
      throw new GraphQLError('Too many requests; try again later', {
        extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: err.retryAfterSeconds, limit: err.rule },
      });
    }
    return resolve(source, args, context, info);
  };
}
