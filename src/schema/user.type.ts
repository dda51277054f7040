import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Role, type User } from '../domain/users/user.entity.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';

registerEnumType(Role, {
  name: 'Role',
  description: 'What a user may do.',
  valuesConfig: {
    USER: { description: 'Everyone who signs up: their own wallets, cards and transactions.' },
    ADMIN: { description: 'Also sees ledgerReport, flaggedTransactions and userByEmail; an operator grants the role.' },
  },
});

@Directive('@cacheControl(scope: PRIVATE)')
@ObjectType('User', {
  description: 'A person with an account, as they see themselves (me) and as ADMINs see them; to others they are a Counterparty.',
})
export class UserType {
  @Field(() => ID, { description: "The user's id (a Counterparty's id is this one)." })
  id!: string;

  @Field(() => String, { description: 'Trimmed and lower-cased; used to sign in and to receive transfers.' })
  email!: string;

  @Field(() => String, { description: 'As given at sign-up.' })
  fullName!: string;

  @Field(() => Boolean, {
    description:
      'Whether the address was proven (an emailed link or code, or a password reset). Where EMAIL_VERIFICATION_REQUIRED is on, an unverified user may not send or withdraw (FORBIDDEN, extensions.reason EMAIL_NOT_VERIFIED).',
  })
  emailVerified!: boolean;

  /** Resolved in UserResolver (never from the response cache). */
  role!: Role;

  @Field(() => DateTimeScalar, { description: 'When the account was made.' })
  createdAt!: Date;

  static from(user: User): UserType {
    return Object.assign(new UserType(), {
      id: user.id,
      email: user.email,
      fullName: user.fullName,
      emailVerified: user.emailVerifiedAt !== null,
      role: user.role,
      createdAt: user.createdAt,
    });
  }
}
