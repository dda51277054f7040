import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from 'graphql';
import { ErrorCode } from '../domain/shared/error-codes.js';

/**
 * PostgreSQL's text cannot hold a NUL character (U+0000): a string argument carrying one would
 * fail in the database, after validation, as an internal error. Every query and mutation
 * refuses it first, as BAD_USER_INPUT naming the argument (`extensions.field`, e.g.
 * `input.email`), before anything runs.
 */
export function refuseNulCharacters(schema: GraphQLSchema): void {
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const path = nulPath(args, '');
        if (path !== null) {
          throw new GraphQLError(`${path} must not contain a NUL character (U+0000)`, {
            extensions: { code: ErrorCode.BAD_USER_INPUT, field: path },
          });
        }
        return resolve(source, args, context, info);
      };
    }
  }
}

/** Where in the arguments a string holds a NUL character, as a dotted path; null when none does. */
export function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  for (const [key, item] of Object.entries(value)) {
    const found = nulPath(item, Array.isArray(value) ? path : path ? `${path}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}
