import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { UserType } from './user.type.js';

@InputType({ description: 'What proves an address: the token of an emailed link, or the 6-digit code beside it.' })
export class VerifyEmailInput {
  @Field(() => String, {
    description:
      'The `token` of the link (the part after `#token=`), which works signed in or not; or the 6-digit code of the same email, which needs the signed-in account it was sent to. Five wrong codes end a code (its link still works).',
  })
  token!: string;
}

@InputType({ description: 'The address to mail a reset link to.' })
export class RequestPasswordResetInput {
  @Field(() => String, { description: 'The address signed up with (case does not matter).' })
  email!: string;
}

@InputType({ description: 'A reset link’s token and the new password.' })
export class ResetPasswordInput {
  @Field(() => String, {
    description: 'The `token` of the emailed link (the part after `#token=`); single use, valid 30 minutes by default.',
  })
  token!: string;

  @Field(() => String, { description: 'At least 8 characters, at most 256 bytes, and not one of the most common passwords.' })
  newPassword!: string;
}

@InputType({ description: 'The new address and the password in use.' })
export class ChangeEmailInput {
  @Field(() => String, { description: 'The address to use from now on, once confirmed through a link or code sent to it.' })
  newEmail!: string;

  @Field(() => String, { description: 'The password in use now; a wrong one is INVALID_CREDENTIALS.' })
  currentPassword!: string;
}

@ObjectType({ description: 'The result of verifyEmail.' })
export class VerifyEmailPayload {
  @Field(() => String, { description: 'The address now verified (for an email change: the new address of the account).' })
  email!: string;

  @Field(() => Boolean, { description: 'True when the token completed an email change; false when it verified the current address.' })
  emailChanged!: boolean;

  @Field(() => UserType, {
    nullable: true,
    description: 'The account, when the caller is signed in as its owner; null otherwise (a link may be opened anywhere).',
  })
  user!: UserType | null;
}

@ObjectType({ description: 'The result of resendVerificationEmail.' })
export class ResendVerificationEmailPayload {
  @Field(() => String, { description: 'Where the new link and code are being sent; earlier ones stop working.' })
  email!: string;
}

@ObjectType({ description: 'The result of requestPasswordReset: the same for every address.' })
export class RequestPasswordResetPayload {
  @Field(() => Boolean, {
    description:
      'Always true: if an account has this address, a link is on its way. Whether one has is never said, by the answer or by its timing.',
  })
  accepted!: boolean;
}

@ObjectType({ description: 'The result of resetPassword.' })
export class ResetPasswordPayload {
  @Field(() => Int, { description: 'How many sessions were signed out (all of them): sign in with the new password.' })
  revokedSessions!: number;
}

@ObjectType({ description: 'The result of changeEmail.' })
export class ChangeEmailPayload {
  @Field(() => String, {
    description: 'The address a link and code were sent to; the account keeps its current one until it is confirmed.',
  })
  pendingEmail!: string;

  @Field(() => UserType, { description: 'The account, still with its current address.' })
  user!: UserType;
}
