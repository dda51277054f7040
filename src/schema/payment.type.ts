import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { CurrencyCode } from '../domain/currencies/currency.service.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';
import { MinorUnitsScalar } from './scalars/minor-units.scalar.js';
import { TransactionType } from './transaction.type.js';
import { WalletType } from './wallet.type.js';

@Directive('@cacheControl(maxAge: 600)')
@ObjectType('Bank', { description: 'A bank that payouts can reach.' })
export class BankType {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => CurrencyCode)
  currency!: CurrencyCode;
}

@Directive('@cacheControl(scope: PRIVATE)')
@ObjectType('BankAccount', { description: 'The holder of a bank account, as the bank reports it.' })
export class BankAccountType {
  @Field(() => String)
  bankCode!: string;

  @Field(() => String)
  accountNumber!: string;

  @Field(() => String)
  accountName!: string;
}

@InputType({ description: 'Every input that moves money carries an idempotency key (1 to 255 characters).' })
export class DepositInput {
  @Field(() => ID)
  walletId!: string;

  @Field(() => MinorUnitsScalar)
  amount!: bigint;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType()
export class DepositPayload {
  @Field(() => TransactionType, { description: 'PENDING until the payment provider confirms it.' })
  transaction!: TransactionType;

  @Field(() => String, { description: "Where the payer completes the payment (the provider's page, or the sandbox's)." })
  checkoutUrl!: string;
}

@InputType()
export class WithdrawInput {
  @Field(() => ID)
  walletId!: string;

  @Field(() => MinorUnitsScalar)
  amount!: bigint;

  @Field(() => String)
  bankCode!: string;

  @Field(() => String)
  accountNumber!: string;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType()
export class WithdrawPayload {
  @Field(() => TransactionType, {
    description: 'PENDING until the provider settles or fails the payout; the amount is held meanwhile.',
  })
  transaction!: TransactionType;

  @Field(() => WalletType)
  wallet!: WalletType;
}

@Directive('@cacheControl(maxAge: 0)')
@ObjectType('LedgerReport', { description: "Admin view of the ledger's health." })
export class LedgerReportType {
  @Field(() => Boolean, {
    description:
      "True when every currency's debits equal its credits and every stored balance equals the sum of its entries.",
  })
  balanced!: boolean;

  @Field(() => Int)
  accountCount!: number;

  @Field(() => Int)
  transferCount!: number;

  @Field(() => [ID], { description: 'Accounts whose stored balance differs from the sum of their entries.' })
  mismatchedAccountIds!: string[];

  @Field(() => DateTimeScalar)
  checkedAt!: Date;
}
