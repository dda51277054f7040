import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, Info, Mutation, Query, Resolver } from 'type-graphql';
import { CurrencyCode } from '../domain/currencies/currency.service.js';
import { Role } from '../domain/users/user.entity.js';
import type { Services } from '../schema/services.js';
import type { GraphQLContext } from '../schema/context.js';
import { pageArgs, TransactionPageArgs } from '../schema/page-args.type.js';
import {
  BankAccountType,
  BankType,
  DepositInput,
  DepositPayload,
  LedgerReportType,
  WithdrawInput,
  WithdrawPayload,
} from '../schema/payment.type.js';
import { TransactionConnectionType, TransactionType, toConnection } from '../schema/transaction.type.js';
import { WalletType } from '../schema/wallet.type.js';
import { requireVerifiedViewer, requireViewer, uncached } from './viewer.js';

@Resolver()
export class PaymentResolver {
  constructor(private readonly services: Services) {}

  @Mutation(() => DepositPayload, {
    description:
      'Starts a pay-in: a PENDING DEPOSIT row and a checkout URL; the wallet is credited only once the provider confirms payment. PROVIDER_UNAVAILABLE when the provider cannot be reached (nothing charged; a retry runs again).',
  })
  async deposit(
    @Arg('input', () => DepositInput, { description: 'The wallet, amount and idempotency key.' }) input: DepositInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DepositPayload> {
    const viewer = requireViewer(ctx);
    const user = await ctx.loaders.user.load(viewer.userId);
    const { transaction, checkoutUrl, wallet } = await this.services.deposits.deposit(
      ctx.em,
      { userId: viewer.userId, email: user!.email, requestId: ctx.requestId, ip: ctx.client.ip },
      input,
    );
    // The row's wallet, as the work read it: `transaction { wallet }` is not read again.
    if (wallet) ctx.loaders.account.prime(wallet.id, wallet);
    return { transaction: TransactionType.from(transaction), checkoutUrl };
  }

  @Mutation(() => WithdrawPayload, {
    description:
      'Holds the amount at once; PENDING until the provider settles or fails the payout. INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, UNSUPPORTED_CURRENCY, BAD_USER_INPUT (bank or account), PROVIDER_UNAVAILABLE (nothing held); FORBIDDEN (extensions.reason EMAIL_NOT_VERIFIED) while the address is unverified and EMAIL_VERIFICATION_REQUIRED is on.',
  })
  async withdraw(
    @Arg('input', () => WithdrawInput, { description: 'The wallet, amount, bank account and idempotency key.' }) input: WithdrawInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WithdrawPayload> {
    const viewer = await requireVerifiedViewer(ctx, this.services.accounts);
    const { transaction, wallet } = await this.services.withdrawals.withdraw(
      ctx.em,
      { userId: viewer.userId, requestId: ctx.requestId, ip: ctx.client.ip },
      input,
    );
    // The wallet as the hold left it: `transaction { wallet }` is not read again.
    ctx.loaders.account.prime(wallet.id, wallet);
    return { transaction: TransactionType.from(transaction), wallet: WalletType.from(wallet) };
  }

  @Query(() => [BankType], {
    description:
      'Banks that withdrawals in this currency can be paid to. Public and cacheable. PROVIDER_UNAVAILABLE when the provider cannot be reached.',
  })
  async banks(
    @Arg('currency', () => CurrencyCode, { description: 'The currency of the wallet the payout would leave.' }) currency: CurrencyCode,
  ): Promise<BankType[]> {
    return (await this.services.bankAccounts.list(currency)).map((b) => ({ ...b, currency: b.currency as CurrencyCode }));
  }

  @Query(() => BankAccountType, {
    description: "The account holder's name, looked up before a withdrawal; BAD_USER_INPUT when the bank knows no such account.",
  })
  async resolveBankAccount(
    @Arg('bankCode', () => String, { description: 'A code from banks.' }) bankCode: string,
    @Arg('accountNumber', () => String, { description: '10 digits (BAD_USER_INPUT otherwise).' }) accountNumber: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BankAccountType> {
    requireViewer(ctx);
    return { bankCode, accountNumber, accountName: await this.services.bankAccounts.resolve(bankCode, accountNumber) };
  }

  @Authorized(Role.ADMIN)
  @Query(() => LedgerReportType, { nullable: true, description: 'ADMIN only (null with FORBIDDEN otherwise).' })
  async ledgerReport(@Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<LedgerReportType> {
    uncached(info);
    const report = await this.services.ledger.report(ctx.em);
    return { ...report, systemAccounts: report.systemAccounts.map((a) => ({ ...a, currency: a.currency as CurrencyCode })) };
  }

  @Authorized(Role.ADMIN)
  @Query(() => TransactionConnectionType, {
    nullable: true,
    description: 'ADMIN only: transactions that monitoring rules flagged, newest first.',
  })
  async flaggedTransactions(
    @Args(() => TransactionPageArgs) args: TransactionPageArgs,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TransactionConnectionType> {
    uncached(info);
    const viewer = requireViewer(ctx);
    return toConnection(await this.services.transactions.flaggedPage(ctx.em, viewer.userId, pageArgs(args, info)));
  }
}
