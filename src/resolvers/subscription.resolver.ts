import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import { accountFromJson, cardFromJson } from '../domain/events/event-payloads.js';
import type { Topic, TopicPayloads } from '../domain/events/topics.js';
import type { Services } from '../schema/services.js';
import { CardType } from '../schema/card.type.js';
import type { GraphQLContext } from '../schema/context.js';
import { TransactionType } from '../schema/transaction.type.js';
import { WalletType } from '../schema/wallet.type.js';
import { requireViewer } from './viewer.js';

/**
 * Live updates, sent after commit, at most once. A wallet or card event carries the state of
 * the version it announces (versions step by one per change), shown as it is; transaction
 * events carry ids and are resolved against PostgreSQL with a fresh EntityManager. A wallet or
 * card named by a subscription is checked once, when it starts (LiveUpdates).
 */
@Resolver()
export class SubscriptionResolver {
  constructor(private readonly services: Services) {}

  @Subscription(() => WalletType, {
    description:
      "The viewer's wallets (or the one given) whenever a balance changes: one event per version. An id that is\nnot a UUID fails with BAD_USER_INPUT; a wallet that is not the viewer's fails with NOT_FOUND.",
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      return ctx.live.balances(requireViewer(ctx).userId, (args as { walletId?: string | null }).walletId ?? null);
    },
  })
  async balanceUpdated(
    @Root() event: TopicPayloads[Topic.BALANCE],
    @Arg('walletId', () => ID, {
      nullable: true,
      description:
        "Only this wallet's changes (every wallet of the viewer's when omitted). Another user's or an unknown wallet is NOT_FOUND, a malformed id BAD_USER_INPUT.",
    })
    _walletId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WalletType> {
    if (event.wallet) return WalletType.from(accountFromJson(event.wallet));
    // Sent by a replica that predates states in events.
    const [account] = await this.services.ledger.findAccounts(ctx.em.fork(), [event.walletId]);
    return WalletType.from(account);
  }

  @Subscription(() => TransactionType, {
    description: "The viewer's transactions when created or when their status changes.",
    subscribe: ({ context }) => {
      const ctx = context as GraphQLContext;
      return ctx.live.transactions(requireViewer(ctx).userId);
    },
  })
  async transactionUpdated(@Root() event: TopicPayloads[Topic.TRANSACTION], @Ctx() ctx: GraphQLContext): Promise<TransactionType> {
    const t = await this.services.transactions.get(ctx.em.fork(), requireViewer(ctx).userId, event.transactionId);
    return TransactionType.from(t!);
  }

  @Subscription(() => CardType, {
    description:
      "The viewer's cards (or the one given) when their status, limit, label or balance changes: one event per\nversion. An id that is not a UUID fails with BAD_USER_INPUT; a card that is not the viewer's fails with NOT_FOUND.",
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      return ctx.live.cardChanges(requireViewer(ctx).userId, (args as { cardId?: string | null }).cardId ?? null);
    },
  })
  async cardUpdated(
    @Root() event: TopicPayloads[Topic.CARD],
    @Arg('cardId', () => ID, { nullable: true, description: "Only this card (it must be one of the viewer's)." }) _cardId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardType> {
    if (event.card) return CardType.from(cardFromJson(event.card));
    // Sent by a replica that predates states in events.
    return CardType.from((await this.services.cards.repo.find(ctx.em.fork(), event.cardId))!);
  }
}
