import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { available, balance } from '../domain/ledger/ledger.service.js';
import type { Services } from '../schema/build-schema.js';
import {
  CardAmountInput,
  CardInput,
  CardMoneyPayload,
  CardPayload,
  CardRevealPayload,
  CardType,
  CreateCardInput,
  CreateCardPayload,
  RevealCardInput,
  SetCardSpendingLimitInput,
  SimulateCardPurchaseInput,
  SimulateCardPurchasePayload,
} from '../schema/card.type.js';
import type { GraphQLContext } from '../schema/context.js';
import { MoneyType } from '../schema/money.type.js';
import { pageArgs, TransactionPageArgs } from '../schema/page-args.type.js';
import { TransactionConnectionType, TransactionFilter, TransactionType, toConnection } from '../schema/transaction.type.js';
import { UserType } from '../schema/user.type.js';
import { WalletType } from '../schema/wallet.type.js';
import { requireViewer } from './viewer.js';

@Resolver(() => CardType)
export class CardResolver {
  constructor(private readonly services: Services) {}

  private actor(ctx: GraphQLContext) {
    const viewer = requireViewer(ctx);
    return { userId: viewer.userId, requestId: ctx.requestId, ip: ctx.client.ip };
  }

  private async ownedCard(ctx: GraphQLContext, cardId: string): Promise<CardType> {
    return CardType.from(await this.services.cards.getOwned(ctx.em, requireViewer(ctx).userId, cardId));
  }

  @Query(() => CardType, { nullable: true })
  async card(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<CardType | null> {
    const card = await this.services.cards.findOwned(ctx.em, requireViewer(ctx).userId, id);
    return card ? CardType.from(card) : null;
  }

  @Mutation(() => CreateCardPayload)
  async createCard(@Arg('input', () => CreateCardInput) input: CreateCardInput, @Ctx() ctx: GraphQLContext): Promise<CreateCardPayload> {
    const actor = this.actor(ctx);
    const { cardId, fundingTransactionId } = await this.services.track(() => this.services.cards.create(ctx.em, actor, input));
    const funding = fundingTransactionId ? await this.services.transactions.get(ctx.em, actor.userId, fundingTransactionId) : null;
    return { card: await this.ownedCard(ctx, cardId), fundingTransaction: funding ? TransactionType.from(funding) : null };
  }

  @Mutation(() => CardMoneyPayload)
  async fundCard(@Arg('input', () => CardAmountInput) input: CardAmountInput, @Ctx() ctx: GraphQLContext): Promise<CardMoneyPayload> {
    return this.load(ctx, 'CARD_FUNDING', input);
  }

  @Mutation(() => CardMoneyPayload)
  async withdrawFromCard(@Arg('input', () => CardAmountInput) input: CardAmountInput, @Ctx() ctx: GraphQLContext): Promise<CardMoneyPayload> {
    return this.load(ctx, 'CARD_WITHDRAWAL', input);
  }

  @Mutation(() => CardPayload)
  async freezeCard(@Arg('input', () => CardInput) input: CardInput, @Ctx() ctx: GraphQLContext): Promise<CardPayload> {
    const actor = this.actor(ctx);
    return { card: CardType.from(await this.services.track(() => this.services.cards.setStatus(ctx.em, actor, input.cardId, 'FROZEN'))) };
  }

  @Mutation(() => CardPayload)
  async unfreezeCard(@Arg('input', () => CardInput) input: CardInput, @Ctx() ctx: GraphQLContext): Promise<CardPayload> {
    const actor = this.actor(ctx);
    return { card: CardType.from(await this.services.track(() => this.services.cards.setStatus(ctx.em, actor, input.cardId, 'ACTIVE'))) };
  }

  @Mutation(() => CardPayload, {
    description: 'Returns the available card balance to its wallet; holds still pending settle later. Repeating it returns the terminated card.',
  })
  async terminateCard(@Arg('input', () => CardInput) input: CardInput, @Ctx() ctx: GraphQLContext): Promise<CardPayload> {
    const actor = this.actor(ctx);
    const card = await this.services.track(() => this.services.cards.setStatus(ctx.em, actor, input.cardId, 'TERMINATED'));
    return { card: CardType.from(card) };
  }

  @Mutation(() => CardPayload)
  async setCardSpendingLimit(
    @Arg('input', () => SetCardSpendingLimitInput) input: SetCardSpendingLimitInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardPayload> {
    const limit = input.limit ? { amount: input.limit.amount, interval: input.limit.interval } : null;
    const actor = this.actor(ctx);
    return { card: CardType.from(await this.services.track(() => this.services.cards.setSpendingLimit(ctx.em, actor, input.cardId, limit))) };
  }

  @Mutation(() => CardRevealPayload)
  async revealCard(@Arg('input', () => RevealCardInput) input: RevealCardInput, @Ctx() ctx: GraphQLContext): Promise<CardRevealPayload> {
    return this.services.cards.reveal(ctx.em, this.actor(ctx), input.cardId, input.nonce);
  }

  @Mutation(() => SimulateCardPurchasePayload, { description: 'Sandbox cards only: a merchant charges the card, as a real authorization would.' })
  async simulateCardPurchase(
    @Arg('input', () => SimulateCardPurchaseInput) input: SimulateCardPurchaseInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SimulateCardPurchasePayload> {
    const actor = this.actor(ctx);
    const id = await this.services.track(() => this.services.cardPurchases.simulate(ctx.em, actor, input));
    const t = await this.services.transactions.get(ctx.em, actor.userId, id);
    return { transaction: TransactionType.from(t!), card: await this.ownedCard(ctx, input.cardId) };
  }

  @FieldResolver(() => MoneyType, { description: 'Money loaded onto the card.' })
  async balance(@Root() card: CardType, @Ctx() ctx: GraphQLContext): Promise<MoneyType> {
    return MoneyType.of(balance(card.card.account), await this.services.currencies.get(ctx.em, card.currency));
  }

  @FieldResolver(() => MoneyType)
  async availableBalance(@Root() card: CardType, @Ctx() ctx: GraphQLContext): Promise<MoneyType> {
    return MoneyType.of(available(card.card.account), await this.services.currencies.get(ctx.em, card.currency));
  }

  @FieldResolver(() => WalletType, { description: 'The wallet that funds the card and receives its balance back.' })
  async wallet(@Root() card: CardType, @Ctx() ctx: GraphQLContext): Promise<WalletType> {
    return WalletType.from((await ctx.loaders.account.load(card.card.walletId))!);
  }

  @FieldResolver(() => TransactionConnectionType)
  async transactions(
    @Root() card: CardType,
    @Args(() => TransactionPageArgs) args: TransactionPageArgs,
    @Arg('filter', () => TransactionFilter, { nullable: true }) filter: TransactionFilter | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TransactionConnectionType> {
    const viewer = requireViewer(ctx);
    return toConnection(await this.services.transactions.page(ctx.em, viewer.userId, { ...pageArgs(args, info), filter }, card.id));
  }

  private async load(
    ctx: GraphQLContext,
    direction: 'CARD_FUNDING' | 'CARD_WITHDRAWAL',
    input: CardAmountInput,
  ): Promise<CardMoneyPayload> {
    const actor = this.actor(ctx);
    const id = await this.services.track(() => this.services.cards.load(ctx.em, actor, direction, input));
    const card = await this.services.cards.getOwned(ctx.em, actor.userId, input.cardId);
    const [t, wallet] = await Promise.all([
      this.services.transactions.get(ctx.em, actor.userId, id),
      this.services.wallets.getOwned(ctx.em, actor.userId, card.walletId),
    ]);
    return { transaction: TransactionType.from(t!), card: CardType.from(card), wallet: WalletType.from(wallet) };
  }
}

@Resolver(() => UserType)
export class UserCardsResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => [CardType])
  async cards(@Root() user: UserType, @Ctx() ctx: GraphQLContext): Promise<CardType[]> {
    return (await this.services.cards.repo.listForUser(ctx.em, user.id)).map((c) => CardType.from(c));
  }
}

@Resolver(() => TransactionType)
export class TransactionCardResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => CardType, { nullable: true })
  async card(@Root() t: TransactionType, @Ctx() ctx: GraphQLContext): Promise<CardType | null> {
    const account = await ctx.loaders.account.load(t.record.accountId);
    if (!account || account.kind !== 'CARD') return null;
    const card = await ctx.loaders.card.load(account.id);
    return card ? CardType.from(card) : null;
  }
}
