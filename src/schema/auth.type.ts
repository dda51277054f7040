import { Field, InputType, Int, ObjectType } from 'type-graphql';
import type { AuthResult } from '../domain/auth/auth.service.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';
import { UserType } from './user.type.js';

@InputType({ description: 'A new account.' })
export class SignUpInput {
  @Field(() => String, { description: 'A valid address no account has yet (EMAIL_TAKEN otherwise); trimmed and lower-cased.' })
  email!: string;

  @Field(() => String, { description: 'At least 8 characters, at most 256 bytes, and not one of the most common passwords.' })
  password!: string;

  @Field(() => String, { description: '1 to 200 characters.' })
  fullName!: string;
}

@InputType({ description: 'Credentials to sign in with.' })
export class LogInInput {
  @Field(() => String, { description: 'The address signed up with (case does not matter).' })
  email!: string;

  @Field(() => String, { description: "The account's password." })
  password!: string;
}

@InputType({ description: 'The refresh token to swap for a new pair.' })
export class RefreshTokenInput {
  @Field(() => String, { description: 'The refresh token of the latest AuthPayload of the session.' })
  refreshToken!: string;
}

@InputType({ description: 'Which session to end.' })
export class LogOutInput {
  @Field(() => String, { nullable: true, description: "The session to end; the caller's own session when omitted." })
  refreshToken?: string | null;
}

@InputType({ description: 'The password in use and its replacement.' })
export class ChangePasswordInput {
  @Field(() => String, { description: 'The password in use now; a wrong one is INVALID_CREDENTIALS.' })
  currentPassword!: string;

  @Field(() => String, { description: 'At least 8 characters, at most 256 bytes, and not one of the most common passwords.' })
  newPassword!: string;
}

@ObjectType({ description: 'A signed-in session: a short-lived access token, and a refresh token that gets the next one.' })
export class AuthPayload {
  @Field(() => String, {
    description:
      'A JWT to send as `Authorization: Bearer <accessToken>` on HTTP, or in connectionParams on WebSocket; lives 15 minutes by default.',
  })
  accessToken!: string;

  @Field(() => DateTimeScalar, { description: 'When the access token expires.' })
  expiresAt!: Date;

  @Field(() => String, {
    description: 'Single use: refreshing rotates it; presenting a used one revokes the whole session.',
  })
  refreshToken!: string;

  @Field(() => UserType, { description: 'The signed-in user.' })
  user!: UserType;

  static from(result: AuthResult): AuthPayload {
    return Object.assign(new AuthPayload(), {
      accessToken: result.accessToken,
      expiresAt: result.expiresAt,
      refreshToken: result.refreshToken,
      user: UserType.from(result.user),
    });
  }
}

@ObjectType({ description: 'The result of logOut.' })
export class LogOutPayload {
  @Field(() => Boolean, { description: 'True when a live session was ended.' })
  revoked!: boolean;
}

@ObjectType({ description: 'The result of changePassword.' })
export class ChangePasswordPayload {
  @Field(() => UserType, { description: 'The user, with the new password in effect.' })
  user!: UserType;

  @Field(() => Int, { description: 'How many other sessions were signed out.' })
  revokedSessions!: number;
}
