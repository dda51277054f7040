import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { balance, available } from '../domain/ledger/ledger.service.js';
import type { Services } from '../schema/services.js';
import type { GraphQLContext } from '../schema/context.js';
import { MoneyType } from '../schema/money.type.js';
import { pageArgs, TransactionPageArgs } from '../schema/page-args.type.js';
import { TransactionConnectionType, TransactionFilter, toConnection } from '../schema/transaction.type.js';
import { UserType } from '../schema/user.type.js';
import { CreateWalletInput, CreateWalletPayload, WalletType } from '../schema/wallet.type.js';
import { requireViewer } from './viewer.js';
import { PAGE_FILTER } from '../schema/descriptions.js';

@Resolver(() => WalletType)
export class WalletResolver {
  constructor(private readonly services: Services) {}

  @Query(() => WalletType, {
    nullable: true,
    description: "One of the viewer's wallets. Null when it does not exist or is not the viewer's.",
  })
  async wallet(
    @Arg('id', () => ID, { description: "The wallet's id." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WalletType | null> {
    const viewer = requireViewer(ctx);
    const wallet = await this.services.wallets.readOwned(ctx.em, viewer.userId, id);
    return wallet ? WalletType.from(wallet) : null;
  }

  @Mutation(() => CreateWalletPayload, {
    description: 'Opens an empty wallet in a currency; one per currency (a second is BAD_USER_INPUT).',
  })
  async createWallet(
    @Arg('input', () => CreateWalletInput, { description: 'The currency.' }) input: CreateWalletInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreateWalletPayload> {
    const viewer = requireViewer(ctx);
    const wallet = await this.services.wallets.create(ctx.em, viewer.userId, input.currency);
    return { wallet: WalletType.from(wallet) };
  }

  @FieldResolver(() => MoneyType, { description: 'Posted credits minus posted debits.' })
  async balance(@Root() wallet: WalletType): Promise<MoneyType> {
    return MoneyType.of(balance(wallet.account), this.services.currencies.get(wallet.currency));
  }

  @FieldResolver(() => MoneyType, { description: 'Balance minus pending holds: what can be spent now.' })
  async availableBalance(@Root() wallet: WalletType): Promise<MoneyType> {
    return MoneyType.of(available(wallet.account), this.services.currencies.get(wallet.currency));
  }

  @FieldResolver(() => MoneyType, { description: 'Sum of pending holds (withdrawals and card authorizations in flight).' })
  async pendingDebits(@Root() wallet: WalletType): Promise<MoneyType> {
    return MoneyType.of(wallet.account.debitsPending, this.services.currencies.get(wallet.currency));
  }

  @FieldResolver(() => TransactionConnectionType, { description: "This wallet's rows. Newest first; first and last are capped at 100." })
  async transactions(
    @Root() wallet: WalletType,
    @Args(() => TransactionPageArgs) args: TransactionPageArgs,
    @Arg('filter', () => TransactionFilter, { nullable: true, description: PAGE_FILTER }) filter: TransactionFilter | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TransactionConnectionType> {
    const viewer = requireViewer(ctx);
    return toConnection(await this.services.transactions.page(ctx.em, viewer.userId, { ...pageArgs(args, info), filter }, wallet.id));
  }
}

@Resolver(() => UserType)
export class UserWalletsResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => [WalletType], { description: "The user's wallets, oldest first (at most one per currency)." })
  async wallets(@Root() user: UserType, @Ctx() ctx: GraphQLContext): Promise<WalletType[]> {
    return (await this.services.wallets.listForUser(ctx.em, user.id)).map((w) => WalletType.from(w));
  }
}
