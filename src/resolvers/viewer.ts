import { AuthError, AuthException } from '../domain/auth/auth.errors.js';
import type { Viewer } from '../domain/auth/auth.service.js';
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphQLContext } from '../schema/context.js';

/** The signed-in viewer, or UNAUTHENTICATED. */
export function requireViewer(ctx: GraphQLContext): Viewer {
  if (!ctx.viewer) throw new AuthException(AuthError.NotAuthenticated);
  return ctx.viewer;
}

/** Answers an ADMIN must see as they are now: never served from the response cache. */
export function uncached(info: GraphQLResolveInfo): void {
  (info as GraphQLResolveInfo & { cacheControl?: { setCacheHint(hint: { maxAge: number }): void } }).cacheControl?.setCacheHint({ maxAge: 0 });
}
