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

  @Mutation(() => AuthPayload)
  async signUp(@Arg('input', () => SignUpInput) input: SignUpInput, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return AuthPayload.from(await this.auth.signUp(ctx.em, input, ctx.client));
  }

  @Mutation(() => AuthPayload)
  async logIn(@Arg('input', () => LogInInput) input: LogInInput, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return AuthPayload.from(await this.auth.logIn(ctx.em, input, ctx.client));
  }

  @Mutation(() => AuthPayload)
  async refreshToken(
    @Arg('input', () => RefreshTokenInput) input: RefreshTokenInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    return AuthPayload.from(await this.auth.refresh(ctx.em, input.refreshToken, ctx.client));
  }

  @Mutation(() => LogOutPayload)
  async logOut(
    @Arg('input', () => LogOutInput, { nullable: true }) input: LogOutInput | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LogOutPayload> {
    return { revoked: await this.auth.logOut(ctx.em, ctx.viewer, input?.refreshToken) };
  }

  @Mutation(() => ChangePasswordPayload, { description: 'Needs the current password; signs out every other session of the user.' })
  async changePassword(
    @Arg('input', () => ChangePasswordInput) input: ChangePasswordInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChangePasswordPayload> {
    const { user, revokedSessions } = await this.auth.changePassword(ctx.em, ctx.viewer, input);
    return { user: UserType.from(user), revokedSessions };
  }
}
