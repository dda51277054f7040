import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import { filterEvents, Topic, type TopicPayloads } from '../cache/pubsub.js';
import type { Services } from '../schema/build-schema.js';
import { CardType } from '../schema/card.type.js';
import type { GraphQLContext } from '../schema/context.js';
import { TransactionType } from '../schema/transaction.type.js';
import { WalletType } from '../schema/wallet.type.js';
import { requireViewer } from './viewer.js';

/**
 * Live updates, sent after commit, at most once. Each event carries ids only and is resolved
 * against PostgreSQL with a fresh EntityManager, so subscribers get the same fields queries
 * serve, as they are now (version lets clients drop what is older than what they hold).
 */
@Resolver()
export class SubscriptionResolver {
  constructor(private readonly services: Services) {}

  @Subscription(() => WalletType, {
    description: "The viewer's wallets (or one of them) whenever a balance changes.",
    subscribe: ({ args, context }) => {
      const viewer = requireViewer(context as GraphQLContext);
      const events = (context as GraphQLContext).events.subscribe(Topic.BALANCE, viewer.userId);
      const walletId = (args as { walletId?: string | null }).walletId;
      return walletId ? filterEvents(events, (e) => e.walletId === walletId) : events;
    },
  })
  async balanceUpdated(
    @Root() event: TopicPayloads[Topic.BALANCE],
    @Arg('walletId', () => ID, { nullable: true, description: "Only this wallet's changes; every wallet of the viewer's when omitted (another user's wallet sends nothing)." }) _walletId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WalletType> {
    const [account] = await this.services.ledger.findAccounts(ctx.em.fork(), [event.walletId]);
    return WalletType.from(account);
  }

  @Subscription(() => TransactionType, {
    description: "The viewer's transactions when created or when their status changes.",
    subscribe: ({ context }) =>
      (context as GraphQLContext).events.subscribe(
        Topic.TRANSACTION,
        requireViewer(context as GraphQLContext).userId,
      ),
  })
  async transactionUpdated(@Root() event: TopicPayloads[Topic.TRANSACTION], @Ctx() ctx: GraphQLContext): Promise<TransactionType> {
    const t = await this.services.transactions.get(ctx.em.fork(), requireViewer(ctx).userId, event.transactionId);
    return TransactionType.from(t!);
  }

  @Subscription(() => CardType, {
    description: "The viewer's cards when their status or balance changes.",
    subscribe: ({ context }) =>
      (context as GraphQLContext).events.subscribe(Topic.CARD, requireViewer(context as GraphQLContext).userId),
  })
  async cardUpdated(@Root() event: TopicPayloads[Topic.CARD], @Ctx() ctx: GraphQLContext): Promise<CardType> {
    return CardType.from((await this.services.cards.repo.find(ctx.em.fork(), event.cardId))!);
  }
}
