import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Role, type User } from '../domain/users/user.entity.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';

registerEnumType(Role, { name: 'Role' });

@Directive('@cacheControl(scope: PRIVATE)')
@ObjectType('User')
export class UserType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String)
  fullName!: string;

  /** Resolved in UserResolver (never from the response cache). */
  role!: Role;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  static from(user: User): UserType {
    return Object.assign(new UserType(), {
      id: user.id,
      email: user.email,
      fullName: user.fullName,
      role: user.role,
      createdAt: user.createdAt,
    });
  }
}
