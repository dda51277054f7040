import { Field, InputType, Int, ObjectType } from 'type-graphql';
import type { AuthResult } from '../domain/auth/auth.service.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';
import { UserType } from './user.type.js';

@InputType()
export class SignUpInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { description: 'At least 8 characters.' })
  password!: string;

  @Field(() => String)
  fullName!: string;
}

@InputType()
export class LogInInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;
}

@InputType()
export class RefreshTokenInput {
  @Field(() => String)
  refreshToken!: string;
}

@InputType()
export class LogOutInput {
  @Field(() => String, { nullable: true, description: "The session to end; the caller's own session when omitted." })
  refreshToken?: string | null;
}

@InputType()
export class ChangePasswordInput {
  @Field(() => String)
  currentPassword!: string;

  @Field(() => String)
  newPassword!: string;
}

@ObjectType()
export class AuthPayload {
  @Field(() => String)
  accessToken!: string;

  @Field(() => DateTimeScalar, { description: 'When the access token expires.' })
  expiresAt!: Date;

  @Field(() => String, {
    description: 'Single use: refreshing rotates it; presenting a used one revokes the whole session.',
  })
  refreshToken!: string;

  @Field(() => UserType)
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

@ObjectType()
export class LogOutPayload {
  @Field(() => Boolean, { description: 'True when a live session was ended.' })
  revoked!: boolean;
}

@ObjectType()
export class ChangePasswordPayload {
  @Field(() => UserType)
  user!: UserType;

  @Field(() => Int, { description: 'How many other sessions were signed out.' })
  revokedSessions!: number;
}
