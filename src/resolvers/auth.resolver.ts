import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { AuthService } from '../domain/auth/auth.service.js';
import {
  AuthPayload,
  ChangePasswordInput,
  ChangePasswordPayload,
  LogInInput,
  LogOutInput,
  LogOutPayload,
  RefreshTokenInput,
  SignUpInput,
} from '../schema/auth.type.js';
import type { GraphQLContext } from '../schema/context.js';
import { UserType } from '../schema/user.type.js';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Mutation(() => AuthPayload, {
    description:
      'Makes a USER account and signs it in. BAD_USER_INPUT for an invalid email, password or name, EMAIL_TAKEN, RATE_LIMITED (see extensions.retryAfterSeconds).',
  })
  async signUp(
    @Arg('input', () => SignUpInput, { description: 'The new account.' }) input: SignUpInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    return AuthPayload.from(await this.auth.signUp(ctx.em, input, ctx.client));
  }

  @Mutation(() => AuthPayload, {
    description:
      'Signs in, opening a new session. INVALID_CREDENTIALS (never says whether the email exists); RATE_LIMITED after too many failed attempts.',
  })
  async logIn(
    @Arg('input', () => LogInInput, { description: 'The credentials.' }) input: LogInInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    return AuthPayload.from(await this.auth.logIn(ctx.em, input, ctx.client));
  }

  @Mutation(() => AuthPayload, {
    description:
      'Swaps a refresh token for a new pair. A used, expired or revoked one is UNAUTHENTICATED; a used one also ends its whole session.',
  })
  async refreshToken(
    @Arg('input', () => RefreshTokenInput, { description: 'The refresh token.' }) input: RefreshTokenInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    return AuthPayload.from(await this.auth.refresh(ctx.em, input.refreshToken, ctx.client));
  }

  @Mutation(() => LogOutPayload, {
    description:
      "Ends a session at once (its access tokens and WebSockets stop working): the caller's, or the refresh token's. UNAUTHENTICATED with neither.",
  })
  async logOut(
    @Arg('input', () => LogOutInput, { nullable: true, description: "Which session; the caller's own when omitted." })
    input: LogOutInput | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LogOutPayload> {
    return { revoked: await this.auth.logOut(ctx.em, ctx.viewer, input?.refreshToken) };
  }

  @Mutation(() => ChangePasswordPayload, {
    description: 'Needs the current password; signs out every other session of the user. A wrong current password is INVALID_CREDENTIALS.',
  })
  async changePassword(
    @Arg('input', () => ChangePasswordInput, { description: 'The current and the new password.' }) input: ChangePasswordInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChangePasswordPayload> {
    const { user, revokedSessions } = await this.auth.changePassword(ctx.em, ctx.viewer, input);
    return { user: UserType.from(user), revokedSessions };
  }
}
