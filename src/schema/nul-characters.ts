import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from 'graphql';
import { ErrorCode } from '../domain/shared/error-codes.js';

/**
 * PostgreSQL's text cannot hold a NUL character (U+0000), and an unpaired UTF-16 surrogate is
 * not Unicode at all (text columns would store U+FFFD instead, so two different idempotency keys
 * could become one; jsonb refuses it as an internal error). Every query and mutation refuses a
 * string argument carrying either, as BAD_USER_INPUT naming the argument (`extensions.field`,
 * e.g. `input.email`), before anything runs.
 */
export function refuseUnstorableText(schema: GraphQLSchema): void {
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const path = unstorablePath(args, '');
        if (path !== null) {
          throw new GraphQLError(`${path} must not contain a NUL character (U+0000) or an unpaired surrogate`, {
            extensions: { code: ErrorCode.BAD_USER_INPUT, field: path },
          });
        }
        return resolve(source, args, context, info);
      };
    }
  }
}

/** A surrogate not in a pair (a `u` pattern sees a pair as one code point). */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/** Where in the arguments a string holds an unstorable character, as a dotted path; null when none does. */
export function unstorablePath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') || UNPAIRED_SURROGATE.test(value) ? path : null;
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  for (const [key, item] of Object.entries(value)) {
    const found = unstorablePath(item, Array.isArray(value) ? path : path ? `${path}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}
