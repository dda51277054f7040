import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { available, balance } from '../domain/ledger/ledger.service.js';
import type { Services } from '../schema/services.js';
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
import { PAGE_FILTER } from '../schema/descriptions.js';

@Resolver(() => CardType)
export class CardResolver {
  constructor(private readonly services: Services) {}

  private actor(ctx: GraphQLContext) {
    const viewer = requireViewer(ctx);
    return { userId: viewer.userId, requestId: ctx.requestId, ip: ctx.client.ip };
  }

  @Query(() => CardType, {
    nullable: true,
    description: "One of the viewer's cards; null when it does not exist or is not the viewer's.",
  })
  async card(@Arg('id', () => ID, { description: "The card's id." }) id: string, @Ctx() ctx: GraphQLContext): Promise<CardType | null> {
    const card = await this.services.cards.findOwned(ctx.em, requireViewer(ctx).userId, id);
    return card ? CardType.from(card) : null;
  }

  @Mutation(() => CreateCardPayload, {
    description:
      "Issues a virtual card on one of the viewer's wallets, loaded with initialAmount if given; a repeat with the same key returns the same card. UNSUPPORTED_CURRENCY, INSUFFICIENT_FUNDS, PROVIDER_UNAVAILABLE.",
  })
  async createCard(
    @Arg('input', () => CreateCardInput, { description: 'The card to issue.' }) input: CreateCardInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreateCardPayload> {
    const actor = this.actor(ctx);
    const { card, fundingTransaction } = await this.services.cards.create(ctx.em, actor, input);
    return { card: CardType.from(card), fundingTransaction: fundingTransaction ? TransactionType.from(fundingTransaction) : null };
  }

  @Mutation(() => CardMoneyPayload, {
    description:
      "Moves money from the card's wallet onto an ACTIVE card (CARD_FUNDING), once per idempotency key. INSUFFICIENT_FUNDS, CARD_NOT_ACTIVE.",
  })
  async fundCard(
    @Arg('input', () => CardAmountInput, { description: 'The card and the amount.' }) input: CardAmountInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardMoneyPayload> {
    return this.load(ctx, 'CARD_FUNDING', input);
  }

  @Mutation(() => CardMoneyPayload, {
    description:
      'Moves money from a card back to its wallet (CARD_WITHDRAWAL), also from a FROZEN card, once per idempotency key. INSUFFICIENT_FUNDS, CARD_NOT_ACTIVE when terminated.',
  })
  async withdrawFromCard(
    @Arg('input', () => CardAmountInput, { description: 'The card and the amount.' }) input: CardAmountInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardMoneyPayload> {
    return this.load(ctx, 'CARD_WITHDRAWAL', input);
  }

  @Mutation(() => CardPayload, {
    description:
      'Stops purchases (they are declined) until unfreezeCard; freezing a frozen card changes nothing. CARD_NOT_ACTIVE when terminated; PROVIDER_UNAVAILABLE when the issuer cannot follow (nothing changes).',
  })
  async freezeCard(
    @Arg('input', () => CardInput, { description: 'The card.' }) input: CardInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardPayload> {
    const actor = this.actor(ctx);
    return { card: CardType.from(await this.services.cards.setStatus(ctx.em, actor, input.cardId, 'FROZEN')) };
  }

  @Mutation(() => CardPayload, {
    description:
      'Makes a FROZEN card ACTIVE again (an ACTIVE card stays so). CARD_NOT_ACTIVE when terminated; PROVIDER_UNAVAILABLE when the issuer cannot follow.',
  })
  async unfreezeCard(
    @Arg('input', () => CardInput, { description: 'The card.' }) input: CardInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardPayload> {
    const actor = this.actor(ctx);
    return { card: CardType.from(await this.services.cards.setStatus(ctx.em, actor, input.cardId, 'ACTIVE')) };
  }

  @Mutation(() => CardPayload, {
    description:
      'Returns the available card balance to its wallet; holds still pending settle later. Repeating it returns the terminated card. PROVIDER_UNAVAILABLE when the issuer cannot follow (nothing changes).',
  })
  async terminateCard(
    @Arg('input', () => CardInput, { description: 'The card.' }) input: CardInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardPayload> {
    const actor = this.actor(ctx);
    const card = await this.services.cards.setStatus(ctx.em, actor, input.cardId, 'TERMINATED');
    return { card: CardType.from(card) };
  }

  @Mutation(() => CardPayload, {
    description:
      "Sets or removes a card's spending limit, checked on every later purchase (purchases already in the interval count). CARD_NOT_ACTIVE when terminated.",
  })
  async setCardSpendingLimit(
    @Arg('input', () => SetCardSpendingLimitInput, { description: 'The card and its new limit.' }) input: SetCardSpendingLimitInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardPayload> {
    const limit = input.limit ? { amount: input.limit.amount, interval: input.limit.interval } : null;
    const actor = this.actor(ctx);
    return {
      card: CardType.from(await this.services.cards.setSpendingLimit(ctx.em, actor, input.cardId, limit)),
    };
  }

  @Mutation(() => CardRevealPayload, {
    description:
      'Lets the owner see the card number and CVV without them crossing this API. CARD_NOT_ACTIVE when terminated; BAD_USER_INPUT for a Stripe card without nonce, or an issuer that cannot (Flutterwave).',
  })
  async revealCard(
    @Arg('input', () => RevealCardInput, { description: 'The card.' }) input: RevealCardInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardRevealPayload> {
    return this.services.cards.reveal(ctx.em, this.actor(ctx), input.cardId, input.nonce);
  }

  @Mutation(() => SimulateCardPurchasePayload, {
    description:
      'Sandbox cards only: a merchant charges the card, as a real authorization would. A decline is a FAILED row, not an error; FORBIDDEN for other cards.',
  })
  async simulateCardPurchase(
    @Arg('input', () => SimulateCardPurchaseInput, { description: 'The purchase.' }) input: SimulateCardPurchaseInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SimulateCardPurchasePayload> {
    const actor = this.actor(ctx);
    const { transaction, card } = await this.services.cardPurchases.simulate(ctx.em, actor, input);
    return { transaction: TransactionType.from(transaction), card: CardType.from(card) };
  }

  @FieldResolver(() => MoneyType, { description: 'Money loaded onto the card.' })
  async balance(@Root() card: CardType): Promise<MoneyType> {
    return MoneyType.of(balance(card.card.account), this.services.currencies.get(card.currency));
  }

  @FieldResolver(() => MoneyType, {
    description: 'Balance minus pending holds (purchases authorized, not yet captured): what can be spent now.',
  })
  async availableBalance(@Root() card: CardType): Promise<MoneyType> {
    return MoneyType.of(available(card.card.account), this.services.currencies.get(card.currency));
  }

  @FieldResolver(() => WalletType, { description: 'The wallet that funds the card and receives its balance back.' })
  async wallet(@Root() card: CardType, @Ctx() ctx: GraphQLContext): Promise<WalletType> {
    return WalletType.from((await ctx.loaders.account.load(card.card.walletId))!);
  }

  @FieldResolver(() => TransactionConnectionType, { description: "The card's rows, newest first; first is capped at 100." })
  async transactions(
    @Root() card: CardType,
    @Args(() => TransactionPageArgs) args: TransactionPageArgs,
    @Arg('filter', () => TransactionFilter, { nullable: true, description: PAGE_FILTER }) filter: TransactionFilter | null,
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
    const { transaction, card, wallet } = await this.services.cardFunding.load(ctx.em, actor, direction, input);
    return { transaction: TransactionType.from(transaction), card: CardType.from(card), wallet: WalletType.from(wallet) };
  }
}

@Resolver(() => UserType)
export class UserCardsResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => [CardType], { description: "The user's cards, oldest first, terminated ones included." })
  async cards(@Root() user: UserType, @Ctx() ctx: GraphQLContext): Promise<CardType[]> {
    return (await this.services.cards.repo.listForUser(ctx.em, user.id)).map((c) => CardType.from(c));
  }
}

@Resolver(() => TransactionType)
export class TransactionCardResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => CardType, { nullable: true, description: 'The card this row belongs to; null when it belongs to a wallet.' })
  async card(@Root() t: TransactionType, @Ctx() ctx: GraphQLContext): Promise<CardType | null> {
    const account = await ctx.loaders.account.load(t.record.accountId);
    if (!account || account.kind !== 'CARD') return null;
    const card = await ctx.loaders.card.load(account.id);
    return card ? CardType.from(card) : null;
  }
}
