import { Kind, type GraphQLResolveInfo } from 'graphql';
import { ArgsType, Field, Int } from 'type-graphql';
import type { PageArgs } from '../domain/transactions/transaction.service.js';

/** Relay Cursor Connections arguments of every TransactionConnection (lists are newest first). */
@ArgsType()
export class TransactionPageArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: 20,
    description: 'How many rows to return from the newest end, or right after `after`. At most 100; not with `last`.',
  })
  first!: number | null;

  @Field(() => String, { nullable: true, description: 'A cursor: only rows after it in the list (older ones); an `endCursor` reads on.' })
  after?: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'How many rows to return from the oldest end, or right before `before`, still newest first. At most 100; not with `first`.',
  })
  last?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'A cursor: only rows before it in the list (newer ones); a `startCursor` reads back.',
  })
  before?: string | null;
}

/**
 * The arguments as the client sent them. graphql-js fills in `first`'s default of 20, so a
 * `first` the query did not name (or named through a variable it did not send) is left out:
 * `last` alone then reads from the oldest end, and `first` with `last` is refused.
 */
export function pageArgs(args: TransactionPageArgs, info: GraphQLResolveInfo): PageArgs {
  const node = info.fieldNodes[0]?.arguments?.find((a) => a.name.value === 'first');
  const sent =
    node !== undefined &&
    (node.value.kind !== Kind.VARIABLE || Object.prototype.hasOwnProperty.call(info.variableValues, node.value.name.value));
  return { first: sent ? args.first : undefined, after: args.after, last: args.last, before: args.before };
}
