import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import { requireViewer, uncached, viewerUser } from './viewer.js';
import { Role } from '../domain/users/user.entity.js';
import type { UserService } from '../domain/users/user.service.js';
import type { GraphQLContext } from '../schema/context.js';
import { CounterpartyType } from '../schema/transaction.type.js';
import { UserType } from '../schema/user.type.js';

@Resolver(() => UserType)
export class UserResolver {
  constructor(private readonly users: UserService) {}

  /** A role changes outside any request (npm run user:role): it is never served from a cache. */
  @FieldResolver(() => Role, { description: 'USER or ADMIN; read afresh on every request, never from a cache.' })
  role(@Root() user: UserType, @Info() info: GraphQLResolveInfo): Role {
    uncached(info);
    return user.role;
  }

  @Query(() => UserType, { nullable: true, description: 'The signed-in user; null without a valid access token.' })
  me(@Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    return viewerUser(ctx);
  }

  @Authorized(Role.ADMIN)
  @Query(() => UserType, {
    nullable: true,
    description: 'ADMIN only: look a user up by email (null with FORBIDDEN otherwise); null when no one has it.',
  })
  async userByEmail(
    @Arg('email', () => String, { description: 'The address they signed up with (case does not matter).' }) email: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType | null> {
    const user = await this.users.findByEmail(ctx.em, email);
    return user ? UserType.from(user) : null;
  }

  @Authorized()
  @Query(() => CounterpartyType, {
    nullable: true,
    description:
      'Who a transfer to this email would pay, by name only, so an app can confirm it before sending; null when no account has it. Each new email counts against the per-user limit of distinct recipients (RATE_LIMITED beyond it); asking again for one already named is free.',
  })
  async recipient(
    @Arg('email', () => String, { description: 'The address the transfer would name (case does not matter).' }) email: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CounterpartyType | null> {
    requireViewer(ctx);
    const user = await this.users.findByEmail(ctx.em, email);
    return user ? { id: user.id, fullName: user.fullName } : null;
  }
}
