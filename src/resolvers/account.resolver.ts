import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { AccountService } from '../domain/auth/account.service.js';
import {
  ChangeEmailInput,
  ChangeEmailPayload,
  RequestPasswordResetInput,
  RequestPasswordResetPayload,
  ResendVerificationEmailPayload,
  ResetPasswordInput,
  ResetPasswordPayload,
  VerifyEmailInput,
  VerifyEmailPayload,
} from '../schema/account.type.js';
import type { GraphQLContext } from '../schema/context.js';
import type { Services } from '../schema/services.js';
import { UserType } from '../schema/user.type.js';

/** Verified emails, password reset and email change (src/domain/auth/account.service.ts). */
@Resolver()
export class AccountResolver {
  constructor(
    private readonly accounts: AccountService,
    private readonly services: Pick<Services, 'accountChanged'>,
  ) {}

  @Mutation(() => VerifyEmailPayload, {
    description:
      "Verifies the account's address, or completes an email change, with an emailed link's token or (signed in) its 6-digit code. BAD_USER_INPUT for a wrong, used, expired or superseded one; UNAUTHENTICATED for a code without signing in; EMAIL_TAKEN if another account took the new address meanwhile; RATE_LIMITED per IP.",
  })
  async verifyEmail(
    @Arg('input', () => VerifyEmailInput, { description: 'The token or code.' }) input: VerifyEmailInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<VerifyEmailPayload> {
    const { user, changed } = await this.accounts.verifyEmail(ctx.em, ctx.viewer, input.token, ctx.client);
    // `me` as cached (with its wallets) would still say unverified, or show the old address.
    await this.services.accountChanged(user.id);
    return { email: user.email, emailChanged: changed, user: ctx.viewer?.userId === user.id ? UserType.from(user) : null };
  }

  @Mutation(() => ResendVerificationEmailPayload, {
    description:
      'Mails a new verification link and code to the signed-in user (earlier ones stop working). BAD_USER_INPUT when the address is verified already; RATE_LIMITED after RATE_LIMIT_ACCOUNT_MAILS_PER_USER an hour.',
  })
  async resendVerificationEmail(@Ctx() ctx: GraphQLContext): Promise<ResendVerificationEmailPayload> {
    return this.accounts.resendVerificationEmail(ctx.em, ctx.viewer);
  }

  @Mutation(() => RequestPasswordResetPayload, {
    description:
      'Mails a single-use reset link (valid 30 minutes) if an account has this address. Answers the same, in the same time, whether or not one has. BAD_USER_INPUT for something that is not an address; RATE_LIMITED per address and per IP.',
  })
  async requestPasswordReset(
    @Arg('input', () => RequestPasswordResetInput, { description: 'The address.' }) input: RequestPasswordResetInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RequestPasswordResetPayload> {
    await this.accounts.requestPasswordReset(ctx.em, input.email, ctx.client);
    return { accepted: true };
  }

  @Mutation(() => ResetPasswordPayload, {
    description:
      "Sets a new password with a reset link's token and signs out every session; the owner is told by mail. BAD_USER_INPUT for a used, expired, superseded or forged token (field token) or a weak password (field newPassword); RATE_LIMITED per IP.",
  })
  async resetPassword(
    @Arg('input', () => ResetPasswordInput, { description: 'The token and the new password.' }) input: ResetPasswordInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ResetPasswordPayload> {
    const { user, revokedSessions } = await this.accounts.resetPassword(ctx.em, input, ctx.client);
    await this.services.accountChanged(user.id);
    return { revokedSessions };
  }

  @Mutation(() => ChangeEmailPayload, {
    description:
      'Starts an email change: a link and code go to the new address, a notice to the current one; the account keeps its address until verifyEmail confirms the new one. INVALID_CREDENTIALS for a wrong password; BAD_USER_INPUT (field newEmail) for an invalid or unchanged address; EMAIL_TAKEN; RATE_LIMITED.',
  })
  async changeEmail(
    @Arg('input', () => ChangeEmailInput, { description: 'The new address and the current password.' }) input: ChangeEmailInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChangeEmailPayload> {
    const { user, pendingEmail } = await this.accounts.changeEmail(ctx.em, ctx.viewer, input);
    return { pendingEmail, user: UserType.from(user) };
  }
}
