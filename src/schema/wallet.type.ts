import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { CurrencyCode } from '../domain/currencies/currency.service.js';
import type { LedgerAccount } from '../domain/ledger/ledger.service.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';

/** Money fields (balance, availableBalance, pendingDebits) and transactions are resolved in WalletResolver. */
@Directive('@cacheControl(scope: PRIVATE)')
@ObjectType('Wallet')
export class WalletType {
  @Field(() => ID)
  id!: string;

  @Field(() => CurrencyCode)
  currency!: CurrencyCode;

  @Field(() => Int, {
    description: "Grows by one with every change of this wallet's balance: clients drop events older than what they hold.",
  })
  version!: number;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  /** The ledger account behind it, for the money fields. */
  account!: LedgerAccount;

  static from(account: LedgerAccount): WalletType {
    return Object.assign(new WalletType(), {
      id: account.id,
      currency: account.currency as CurrencyCode,
      version: account.version,
      createdAt: account.createdAt,
      updatedAt: account.updatedAt,
      account,
    });
  }
}

@InputType()
export class CreateWalletInput {
  @Field(() => CurrencyCode)
  currency!: CurrencyCode;
}

@ObjectType()
export class CreateWalletPayload {
  @Field(() => WalletType)
  wallet!: WalletType;
}
