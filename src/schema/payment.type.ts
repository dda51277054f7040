import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { CurrencyCode } from '../domain/currencies/currency.service.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';
import { MinorUnitsScalar } from './scalars/minor-units.scalar.js';
import { TransactionType } from './transaction.type.js';
import { WalletType } from './wallet.type.js';
import { IDEMPOTENCY_KEY } from './descriptions.js';

@Directive('@cacheControl(maxAge: 600)')
@ObjectType('Bank', { description: 'A bank that payouts can reach.' })
export class BankType {
  @Field(() => String, { description: 'Pass it as bankCode to resolveBankAccount and withdraw.' })
  code!: string;

  @Field(() => String, { description: "The bank's name." })
  name!: string;

  @Field(() => CurrencyCode, { description: 'The currency it receives payouts in.' })
  currency!: CurrencyCode;
}

@Directive('@cacheControl(scope: PRIVATE)')
@ObjectType('BankAccount', { description: 'The holder of a bank account, as the bank reports it.' })
export class BankAccountType {
  @Field(() => String, { description: 'The bank asked about.' })
  bankCode!: string;

  @Field(() => String, { description: 'The account number asked about.' })
  accountNumber!: string;

  @Field(() => String, {
    description: "The holder's name as the bank reports it: show it before the user confirms a withdrawal.",
  })
  accountName!: string;
}

@InputType({
  description: 'A pay-in to a wallet. Every input that moves money carries an idempotency key (1 to 255 characters).',
})
export class DepositInput {
  @Field(() => ID, { description: "One of the viewer's wallets; it receives the money." })
  walletId!: string;

  @Field(() => MinorUnitsScalar, { description: "Minor units of the wallet's currency." })
  amount!: bigint;

  @Field(() => String, { description: IDEMPOTENCY_KEY })
  idempotencyKey!: string;
}

@ObjectType({ description: 'The result of deposit.' })
export class DepositPayload {
  @Field(() => TransactionType, { description: 'PENDING until the payment provider confirms it.' })
  transaction!: TransactionType;

  @Field(() => String, { description: "Where the payer completes the payment (the provider's page, or the sandbox's)." })
  checkoutUrl!: string;
}

@InputType({ description: 'A payout from a wallet to a bank account.' })
export class WithdrawInput {
  @Field(() => ID, { description: "One of the viewer's wallets; the money leaves it." })
  walletId!: string;

  @Field(() => MinorUnitsScalar, { description: "Minor units of the wallet's currency." })
  amount!: bigint;

  @Field(() => String, { description: 'A code from banks (BAD_USER_INPUT for an unknown one).' })
  bankCode!: string;

  @Field(() => String, { description: "10 digits; resolveBankAccount shows the holder's name first." })
  accountNumber!: string;

  @Field(() => String, { description: IDEMPOTENCY_KEY })
  idempotencyKey!: string;
}

@ObjectType({ description: 'The result of withdraw.' })
export class WithdrawPayload {
  @Field(() => TransactionType, {
    description: 'PENDING until the provider settles or fails the payout; the amount is held meanwhile.',
  })
  transaction!: TransactionType;

  @Field(() => WalletType, { description: 'The wallet with the amount held: availableBalance lower, pendingDebits higher.' })
  wallet!: WalletType;
}

@Directive('@cacheControl(maxAge: 0)')
@ObjectType('SystemAccountTotal', {
  description:
    "One of the platform's own accounts for a provider and currency, summed over the shards it is spread across (LEDGER_SYSTEM_ACCOUNT_SHARDS) so that deposits and withdrawals of different users never wait for one row.",
})
export class SystemAccountTotalType {
  @Field(() => String, {
    description:
      'SETTLEMENT (the other side of deposits and withdrawals: debits minus credits posted is what the provider should hold for us), FEES, CARD_ISSUING or CARD_RECEIVABLE.',
  })
  kind!: string;

  @Field(() => String, { description: 'The payment provider or card issuer, e.g. "sandbox", "paystack", "stripe".' })
  provider!: string;

  @Field(() => CurrencyCode, { description: 'The currency of every shard.' })
  currency!: CurrencyCode;

  @Field(() => Int, { description: 'How many ledger accounts (shards) hold it.' })
  shards!: number;

  @Field(() => MinorUnitsScalar, { description: 'Posted debits over all shards.' })
  debitsPosted!: bigint;

  @Field(() => MinorUnitsScalar, { description: 'Posted credits over all shards.' })
  creditsPosted!: bigint;

  @Field(() => MinorUnitsScalar, { description: 'Debits still pending (holds) over all shards.' })
  debitsPending!: bigint;

  @Field(() => MinorUnitsScalar, { description: 'Credits still pending (withdrawals held, not yet paid out) over all shards.' })
  creditsPending!: bigint;
}

@Directive('@cacheControl(maxAge: 0)')
@ObjectType('LedgerReport', { description: "Admin view of the ledger's health." })
export class LedgerReportType {
  @Field(() => Boolean, {
    description: "True when every currency's debits equal its credits and every stored balance equals the sum of its entries.",
  })
  balanced!: boolean;

  @Field(() => Int, { description: 'Ledger accounts checked: wallets, cards and system accounts.' })
  accountCount!: number;

  @Field(() => Int, { description: 'Ledger transfers checked.' })
  transferCount!: number;

  @Field(() => [ID], { description: 'Accounts whose stored balance differs from the sum of their entries.' })
  mismatchedAccountIds!: string[];

  @Field(() => [SystemAccountTotalType], {
    description:
      "The platform's own accounts per kind, provider and currency, each summed over its shards, read in the same snapshot as the check.",
  })
  systemAccounts!: SystemAccountTotalType[];

  @Field(() => DateTimeScalar, { description: 'When the check ran (it runs on every request, never cached).' })
  checkedAt!: Date;
}
