import { AuthError, AuthException } from '../domain/auth/auth.errors.js';
import type { Viewer } from '../domain/auth/auth.service.js';
import type { GraphQLContext } from '../schema/context.js';

/** The signed-in viewer, or UNAUTHENTICATED. */
export function requireViewer(ctx: GraphQLContext): Viewer {
  if (!ctx.viewer) throw new AuthException(AuthError.NotAuthenticated);
  return ctx.viewer;
}
