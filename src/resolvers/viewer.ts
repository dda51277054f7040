import type { AccountService } from '../domain/auth/account.service.js';
import { AuthError, AuthException } from '../domain/auth/auth.errors.js';
import type { Viewer } from '../domain/auth/auth.service.js';
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphQLContext } from '../schema/context.js';
import { UserType } from '../schema/user.type.js';

/** The signed-in viewer, or UNAUTHENTICATED. */
export function requireViewer(ctx: GraphQLContext): Viewer {
  if (!ctx.viewer) throw new AuthException(AuthError.NotAuthenticated);
  return ctx.viewer;
}

/**
 * The signed-in viewer, for sending and withdrawing: FORBIDDEN (extensions.reason
 * EMAIL_NOT_VERIFIED) while their address is unverified, where EMAIL_VERIFICATION_REQUIRED is on.
 */
export async function requireVerifiedViewer(ctx: GraphQLContext, accounts: AccountService): Promise<Viewer> {
  const viewer = requireViewer(ctx);
  await accounts.requireVerifiedEmail(viewer.userId, () => ctx.loaders.user.load(viewer.userId));
  return viewer;
}

/** The signed-in user (through the request's loader), or null without a valid access token. */
export async function viewerUser(ctx: GraphQLContext): Promise<UserType | null> {
  if (!ctx.viewer) return null;
  const user = await ctx.loaders.user.load(ctx.viewer.userId);
  return user ? UserType.from(user) : null;
}

/** Answers an ADMIN must see as they are now: never served from the response cache. */
export function uncached(info: GraphQLResolveInfo): void {
  (info as GraphQLResolveInfo & { cacheControl?: { setCacheHint(hint: { maxAge: number }): void } }).cacheControl?.setCacheHint({
    maxAge: 0,
  });
}
