import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Services } from '../schema/services.js';
import type { GraphQLContext } from '../schema/context.js';
import { MoneyType } from '../schema/money.type.js';
import { pageArgs, TransactionPageArgs } from '../schema/page-args.type.js';
import {
  CounterpartyType,
  TransactionConnectionType,
  TransactionFilter,
  TransactionType,
  toConnection,
} from '../schema/transaction.type.js';
import { TransferInput, TransferPayload } from '../schema/transfer.type.js';
import { WalletType } from '../schema/wallet.type.js';
import { requireVerifiedViewer, requireViewer } from './viewer.js';
import { PAGE_FILTER } from '../schema/descriptions.js';

@Resolver(() => TransactionType)
export class TransactionResolver {
  constructor(private readonly services: Services) {}

  @Query(() => TransactionType, {
    nullable: true,
    description: "One of the viewer's transaction rows; null when it does not exist or is not the viewer's.",
  })
  async transaction(
    @Arg('id', () => ID, { description: "The row's id." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransactionType | null> {
    const viewer = requireViewer(ctx);
    const t = await this.services.transactions.get(ctx.em, viewer.userId, id);
    return t ? TransactionType.from(t) : null;
  }

  @Query(() => TransactionConnectionType, {
    description: "All of the viewer's transactions across wallets and cards. Newest first; first is capped at 100.",
  })
  async transactions(
    @Args(() => TransactionPageArgs) args: TransactionPageArgs,
    @Arg('filter', () => TransactionFilter, { nullable: true, description: PAGE_FILTER }) filter: TransactionFilter | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TransactionConnectionType> {
    const viewer = requireViewer(ctx);
    return toConnection(await this.services.transactions.page(ctx.em, viewer.userId, { ...pageArgs(args, info), filter }));
  }

  @Mutation(() => TransferPayload, {
    description:
      "Sends money at once from one of the viewer's wallets to another user by email (COMPLETED for both). INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, NOT_FOUND (wallet), BAD_USER_INPUT (no such recipient, yourself, note too long); FORBIDDEN (extensions.reason EMAIL_NOT_VERIFIED) while the sender's address is unverified and EMAIL_VERIFICATION_REQUIRED is on.",
  })
  async transfer(
    @Arg('input', () => TransferInput, { description: 'The wallet, recipient, amount and idempotency key.' }) input: TransferInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransferPayload> {
    const viewer = await requireVerifiedViewer(ctx, this.services.accounts);
    const { transaction, wallet } = await this.services.transfers.transfer(
      ctx.em,
      { userId: viewer.userId, requestId: ctx.requestId, ip: ctx.client.ip },
      input,
    );
    return { transaction: TransactionType.from(transaction), wallet: WalletType.from(wallet) };
  }

  @FieldResolver(() => MoneyType, {
    description:
      "Always positive, in the row's currency; direction says which way. A card purchase's amount becomes what the merchant captured.",
  })
  async amount(@Root() t: TransactionType): Promise<MoneyType> {
    return MoneyType.of(t.record.amount, this.services.currencies.get(t.record.currency));
  }

  @FieldResolver(() => WalletType, {
    nullable: true,
    description: 'The wallet this row belongs to; null when it belongs to a card.',
  })
  async wallet(@Root() t: TransactionType, @Ctx() ctx: GraphQLContext): Promise<WalletType | null> {
    const account = await ctx.loaders.account.load(t.record.accountId);
    return account && account.kind === 'WALLET' ? WalletType.from(account) : null;
  }

  @FieldResolver(() => CounterpartyType, { nullable: true, description: 'The other user of a TRANSFER; null for other types.' })
  async counterparty(@Root() t: TransactionType, @Ctx() ctx: GraphQLContext): Promise<CounterpartyType | null> {
    if (!t.record.counterpartyUserId) return null;
    const user = await ctx.loaders.user.load(t.record.counterpartyUserId);
    return user ? { id: user.id, fullName: user.fullName } : null;
  }
}
